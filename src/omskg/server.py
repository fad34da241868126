"""HTTP plumbing for `omskg serve`: content negotiation, responses and conditional
requests, a cache of query answers, and running the ASGI application under Hypercorn
(HTTP/1.1 keep-alive; idle connections and unfinished headers closed after the keep-alive
timeout; a read timeout; a listen backlog; a cap on the size of headers)."""

from __future__ import annotations

import asyncio
import email.utils
import signal
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from omskg.workers import Answer


def negotiate(accept: str | None, offered: Iterable[str]) -> str | None:
    """The offered media type the Accept header prefers (the first offered on a tie), or None."""
    offered = list(offered)
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        for rank, candidate in enumerate(offered):
            kind = candidate.split("/")[0]
            if q > 0 and media.lower() in (candidate, f"{kind}/*", "*/*"):
                key = (q, -rank, candidate)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cacheable: bool = False  # gets an ETag and Last-Modified, and may become a 304


def problem(status: int, message: str, **headers: str) -> Response:
    text = message[:1].upper() + message[1:]
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return Response(status, (text + "\n").encode("utf-8"), headers=named)


class ResultCache:
    """Answers of queries, by query text and format, up to a number of bytes (least recently
    used first out). The graph never changes while it is served, so an answer stays true."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[str, str | None, str | None], Answer] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str | None, str | None]) -> Answer | None:
        with self.lock:
            answer = self.entries.get(key)
            if answer is not None:
                self.entries.move_to_end(key)
            return answer

    def put(self, key: tuple[str, str | None, str | None], answer: Answer) -> None:
        cost = len(answer.body) + len(key[0])
        if cost > self.max_bytes // 8:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = answer
            self.size += cost
            while self.size > self.max_bytes:
                old_key, old = self.entries.popitem(last=False)
                self.size -= len(old.body) + len(old_key[0])


def not_modified(headers: dict[str, str], etag: str, modified_at: int) -> bool:
    match = headers.get("if-none-match")
    if match is not None:
        return match.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in match.split(",")]
    since = headers.get("if-modified-since")
    if since:
        try:
            when = email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return modified_at <= when
    return False


@dataclass(frozen=True)
class HttpOptions:
    keep_alive_seconds: float = 5.0  # idle connections, and a request's headers, must come within this
    read_seconds: int = 30  # any one read from a client
    backlog: int = 1024
    max_header_bytes: int = 16 * 1024
    access_log: bool = True


def hypercorn_config(host: str, port: int, options: HttpOptions) -> Any:
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.keep_alive_timeout = options.keep_alive_seconds
    config.read_timeout = options.read_seconds
    config.backlog = options.backlog
    config.h11_max_incomplete_size = options.max_header_bytes
    config.accesslog = "-" if options.access_log else None
    config.access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'
    config.errorlog = "-"
    config.graceful_timeout = 2.0
    config.include_server_header = False
    return config


def run(app: Any, host: str, port: int, options: HttpOptions) -> None:
    """Serve until SIGINT or SIGTERM."""
    from hypercorn.asyncio import serve

    config = hypercorn_config(host, port, options)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(app, config, shutdown_trigger=stop.wait)

    asyncio.run(main())
