"""Which production server should run omskg's ASGI application? The same application
(the OMS graph, the same query workers) under Hypercorn and under Uvicorn (with h11, and
with httptools), measured the same way:

* throughput and latency: N keep-alive clients for S seconds of the landing page (a
  cached page, so the HTTP layer is most of the cost) and of one shipped query;
* what each does with connections that never send a request, and with a request whose
  headers never end (a slowloris): closed after how long, or held.

    pip install uvicorn httptools      # Hypercorn comes with omskg
    python benchmarks/http_servers.py --clients 50 --seconds 15
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))
from load_test import Client, percentile  # noqa: E402
from servers import free_port, wait_until_up  # noqa: E402

SERVERS = ("hypercorn", "uvicorn-h11", "uvicorn-httptools")
IDLE_SECONDS = 5.0  # the keep-alive / idle timeout each server is configured with


def child(server: str, port: int) -> None:
    """Run the application under one server (this script, started again as a process)."""
    from omskg import resources
    from omskg.build import publish_graph
    from omskg.serve import ServeOptions, application
    from omskg.server import HttpOptions, hypercorn_config
    from omskg.workers import Limits

    publication = publish_graph(resources.conditions_dir(), f"http://127.0.0.1:{port}/")
    held = [publication]
    del publication
    options = ServeOptions(Limits(10.0, 10_000_000, 1024 * 1024 * 1024))
    with application(held, resources.queries_dir(), options) as app:
        if server == "hypercorn":
            import asyncio

            from hypercorn.asyncio import serve

            config = hypercorn_config("127.0.0.1", port, HttpOptions(keep_alive_seconds=IDLE_SECONDS,
                                                                     access_log=False))
            asyncio.run(serve(app, config))  # type: ignore[arg-type]
        else:
            import uvicorn

            uvicorn.run(app, host="127.0.0.1", port=port, http=server.removeprefix("uvicorn-"),
                        timeout_keep_alive=int(IDLE_SECONDS), backlog=1024, access_log=False,
                        log_level="warning", lifespan="on")


def held_for(port: int, data: bytes, limit: float) -> str:
    """How long the server keeps a connection that sent `data` and then nothing."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(limit)
        began = time.monotonic()
        sock.sendall(data)
        try:
            while sock.recv(65536):
                pass
        except TimeoutError:
            return f"held > {limit:g} s"
        return f"closed after {time.monotonic() - began:.1f} s"


def measure(server: str, clients: int, seconds: float) -> list[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--child", server, str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        query = (REPO / "queries" / "symptoms.rq").read_text(encoding="utf-8")
        rows = [server]
        for name, pages, queries in (("landing page", [("/", "text/html")], None),
                                     ("SPARQL", None, [query])):
            deadline = time.monotonic() + seconds
            group = [Client(n, port, deadline, pages or [], queries or []) for n in range(clients)]
            if pages is None:  # only queries: every request is a SPARQL one
                for c in group:
                    c.run = _only_queries(c)  # type: ignore[method-assign]
            else:
                for c in group:
                    c.run = _only_pages(c)  # type: ignore[method-assign]
            for c in group:
                c.start()
            for c in group:
                c.join()
            times = sorted(t for c in group for t in c.sparql + c.documents)
            failed = sum(len(c.failures) for c in group)
            rows.append(f"{name}: {len(times) / seconds:.0f} req/s, p50 {percentile(times, 50):.1f} ms, "
                        f"p99 {percentile(times, 99):.1f} ms, failed {failed}")
        limit = IDLE_SECONDS * 3
        rows.append(f"idle connection: {held_for(port, b'', limit)}")
        slowloris = b"GET / HTTP/1.1\r\nX-A: "
        rows.append(f"headers that never end: {held_for(port, slowloris, limit)}")
        return rows
    finally:
        process.terminate()
        process.wait(30)


def _only_pages(client: Client):  # type: ignore[no-untyped-def]
    def run() -> None:
        while time.monotonic() < client.deadline:
            path, accept = client.pages[0]
            began = time.perf_counter()
            try:
                status, _ = client.request(path, accept)
                if status >= 400:
                    client.failures.append(str(status))
            except OSError as error:
                client.failures.append(str(error))
                client.connection = None
            client.documents.append(time.perf_counter() - began)
    return run


def _only_queries(client: Client):  # type: ignore[no-untyped-def]
    path = "/sparql?" + urllib.parse.urlencode({"query": client.queries[0]})

    def run() -> None:
        while time.monotonic() < client.deadline:
            began = time.perf_counter()
            try:
                status, _ = client.request(path, "application/sparql-results+json")
                if status >= 400:
                    client.failures.append(str(status))
            except OSError as error:
                client.failures.append(str(error))
                client.connection = None
            client.sparql.append(time.perf_counter() - began)
    return run


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    print(f"{args.clients} keep-alive clients, {args.seconds:g} s each; "
          f"load average {Path('/proc/loadavg').read_text().split()[0]}")
    for server in SERVERS:
        for row in measure(server, args.clients, args.seconds):
            print("  " + row if not row.startswith(SERVERS) else row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
