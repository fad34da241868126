"""SPARQL for `omskg serve`: long-lived query processes over one read-only store on disk.

The graph is written once, at start, into an Oxigraph store in a temporary folder; each
worker process opens it read-only and answers one query at a time. Everything a query
costs happens in a worker: parsing, finding its form, running it and serialising the
answer. A worker runs without a network (a network namespace of its own where the kernel
allows it) and under a memory cap (RLIMIT_AS); a query past its time is stopped by
killing its worker, which is replaced. Nothing here ever makes a request: a query that
would ask another server (SERVICE) is refused before it is parsed.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import queue
import re
import resource
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from omskg.vocab import PREFIXES

SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}


# ---------------------------------------------------------------------- no outbound requests

_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# SERVICE as a keyword, or anything that might be read as one. The check is lexical and
# errs on the side of refusing: it looks through strings, IRIs and comments alike (a
# lexer that skipped them could be fooled: `FILTER(?a<?b)SERVICE?x#>` reads as an IRI to
# a naive lexer, and as a comparison, a SERVICE and a comment to the SPARQL parser). The
# word is let through only where the grammar can never read it as the keyword: in a
# variable (`?service`), after a prefix (`ex:service`, `sd:Service`), after `-` or `/`
# (inside a name or an IRI, e.g. `sparql-service-description`, `<http://x/service>`:
# outside them `-` and `/` are operators, which SERVICE cannot follow), and after `#`
# (a comment, or inside an IRI or string).
_SERVICE = re.compile(r"(?<![?$:/#-])service", re.IGNORECASE)


def outbound_refusal(query: str) -> str | None:
    """Why the query is refused, if it could make the server send a request; else None."""
    unescaped = _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    if _SERVICE.search(unescaped) or _SERVICE.search(query):
        return (
            "this endpoint does not run SERVICE (federated) queries: it never sends requests to "
            "other servers. The word SERVICE is refused anywhere in a query (strings and comments "
            "included) except in a variable (?service), after a prefix (ex:service), or after - / or #"
        )
    return None


# ---------------------------------------------------------------------- the store on disk


def write_store(ntriples: bytes, folder: Path) -> None:
    """Load the graph into an on-disk store in `folder`, and close it."""
    store = ox.Store(str(folder))
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    del store


@contextlib.contextmanager
def store_folder(ntriples: bytes) -> Iterator[Path]:
    """A temporary folder holding the graph as an Oxigraph store, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="omskg-store-"))
    try:
        write_store(ntriples, folder / "store")
        yield folder / "store"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    """What a query gave: its form ('solutions' or 'graph'), its format name and its bytes."""

    form: str
    format: str
    body: bytes


class QueryFailed(Exception):
    """The query is at fault (malformed, refused, too big a result, out of memory): a 400."""


class QueryTimedOut(Exception):
    """The query ran past its time and was stopped: a 503."""


class Busy(Exception):
    """Every worker is taken and the waiting line is full, or the wait ran out: a 503."""


class Unacceptable(Exception):
    """The client accepts no format offered for this query's form: a 406."""

    def __init__(self, form: str) -> None:
        super().__init__(form)
        self.form = form


@dataclass(frozen=True)
class Limits:
    seconds: float = 10.0
    max_result_bytes: int = 10_000_000
    memory_bytes: int = 1024 * 1024 * 1024


# ---------------------------------------------------------------------- the worker process

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_M_ARENA_MAX = -8


def _without_network() -> bool:
    """Move this (still single-threaded) process into a network namespace of its own, with
    no interface up: no connection can leave it, even to loopback. False where the kernel
    refuses (then the SERVICE check stands alone)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def _cap_memory(extra_bytes: int) -> None:
    """Let the process grow by at most `extra_bytes` of address space from here on."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)  # one malloc arena: address space tracks use
    size = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            size = int(line.split()[1]) * 1024
    if size:
        resource.setrlimit(resource.RLIMIT_AS, (size + extra_bytes, size + extra_bytes))


class _Capped:
    """A binary writer that gives up past a number of bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooBig
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _TooBig(Exception):
    pass


def answer(
    store: ox.Store, query: str, solutions: str | None, graph: str | None, max_bytes: int
) -> tuple[str, Any]:
    """Run one query; the reply to send back: (kind, payload)."""
    refusal = outbound_refusal(query)
    if refusal:
        return "failed", refusal
    try:
        results = store.query(query, prefixes=PREFIXES)
    except SyntaxError as error:
        message = " ".join(str(error).split())
        return "failed", f"malformed query: {message[:300]}{'...' if len(message) > 300 else ''}"
    form = "graph" if isinstance(results, ox.QueryTriples) else "solutions"
    name = graph if form == "graph" else solutions
    if name is None:
        return "unacceptable", form
    out = _Capped(max_bytes)
    try:
        if isinstance(results, ox.QueryTriples):
            results.serialize(cast(IO[bytes], out), format=GRAPH_FORMATS[name])
        else:
            results.serialize(cast(IO[bytes], out), format=SOLUTION_FORMATS[name])
    except _TooBig:
        return "failed", f"the result is over {max_bytes} bytes; add a LIMIT or select fewer variables"
    except OSError as error:
        if isinstance(error.__cause__ or error.__context__, _TooBig) or "_TooBig" in str(error):
            return "failed", f"the result is over {max_bytes} bytes; add a LIMIT or select fewer variables"
        return "failed", f"the query failed: {' '.join(str(error).split())[:300]}"
    return "ok", (form, name, b"".join(out.parts))


def _serve_queries(path: str, memory_bytes: int, in_memory: bool, connection: Connection) -> None:
    """The worker's life: leave the network, open the store, cap memory, then answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    isolated = _without_network()
    try:
        store = ox.Store.read_only(path)
    except OSError as error:  # the server is stopping and its store is gone
        connection.send(("gone", str(error)))
        return
    if in_memory:  # a small graph: copied once into memory, where Oxigraph answers 2-4x faster
        copy = ox.Store()
        copy.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        del store
        store = copy
    _cap_memory(memory_bytes)
    connection.send(("ready", isolated))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        query, solutions, graph, max_bytes = request
        try:
            reply = answer(store, query, solutions, graph, max_bytes)
        except MemoryError:
            reply = ("memory", None)
        except Exception as error:  # noqa: BLE001 - any failure is the query's answer, never a crash
            reply = ("failed", f"the query failed: {' '.join(str(error).split())[:300]}")
        connection.send(reply)


# ---------------------------------------------------------------------- the pool


class _Worker:
    def __init__(self, context: Any, path: str, memory_bytes: int, in_memory: bool) -> None:
        here, there = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=_serve_queries, args=(path, memory_bytes, in_memory, there), daemon=True
        )
        self.process.start()
        there.close()
        self.connection: Connection = here
        self.isolated: bool | None = None

    def wait_ready(self, seconds: float) -> None:
        if not self.connection.poll(seconds):
            raise RuntimeError("a query process did not start in time")
        kind, detail = self.connection.recv()
        if kind != "ready":
            raise RuntimeError(f"a query process could not open the store: {detail}")
        self.isolated = bool(detail)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


class Pool:
    """`size` worker processes and a waiting line of at most `waiting` queries.

    With `in_memory`, each worker copies the store into memory once, at its start (for a
    small graph, where that costs little and queries run 2-4x faster than on disk).

    `run` blocks (call it from a thread): it waits for a free worker (503 past the line's
    length or the query's time), sends the query, and waits at most `limits.seconds` for the
    answer; a worker that runs late or dies is killed and replaced in the background.
    """

    def __init__(
        self, store_path: Path, size: int, waiting: int, limits: Limits, in_memory: bool = False
    ) -> None:
        self.path = str(store_path)
        self.limits = limits
        self.in_memory = in_memory
        self.capacity = size + waiting
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["omskg.workers"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._admitted = 0
        self._all: set[_Worker] = set()
        self._closed = False
        workers = [self._start() for _ in range(size)]
        for worker in workers:
            worker.wait_ready(60)
            self._idle.put(worker)

    @property
    def isolated(self) -> bool:
        """True if every worker runs without a network."""
        return all(w.isolated for w in list(self._all) if w.isolated is not None)

    def pids(self) -> list[int]:
        return [w.process.pid for w in list(self._all) if w.process.pid is not None]

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.path, self.limits.memory_bytes, self.in_memory)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start another in the background."""
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        threading.Thread(target=self._refill, daemon=True).start()

    def _refill(self) -> None:
        while not self._closed:
            fresh = self._start()
            try:
                fresh.wait_ready(60)
            except (RuntimeError, EOFError, OSError):
                fresh.stop()
                with self._lock:
                    self._all.discard(fresh)
                time.sleep(1.0)
                continue
            self._idle.put(fresh)
            return

    def admit(self) -> bool:
        """Take a place in the line; False if it is full."""
        with self._lock:
            if self._admitted >= self.capacity:
                return False
            self._admitted += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._admitted -= 1

    def run(self, query: str, solutions: str | None, graph: str | None) -> Answer:
        """Answer one admitted query (see the class's note)."""
        try:
            worker = self._idle.get(timeout=self.limits.seconds)
        except queue.Empty:
            raise Busy("every query process stayed busy") from None
        try:
            worker.connection.send((query, solutions, graph, self.limits.max_result_bytes))
            if not worker.connection.poll(self.limits.seconds):
                self._replace(worker)
                raise QueryTimedOut(f"the query ran longer than {self.limits.seconds:g} s and was stopped")
            kind, payload = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            code = worker.process.exitcode
            self._replace(worker)
            if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
                raise QueryFailed(self._memory_message()) from None
            raise QueryFailed(f"the query process ended without an answer (exit code {code})") from None
        self._idle.put(worker)
        if kind == "ok":
            form, name, body = payload
            return Answer(form, name, body)
        if kind == "unacceptable":
            raise Unacceptable(payload)
        if kind == "memory":
            raise QueryFailed(self._memory_message())
        raise QueryFailed(str(payload))

    def _memory_message(self) -> str:
        megabytes = self.limits.memory_bytes / 1024 / 1024
        return (
            f"the query was stopped: it needed more than {megabytes:g} MB of memory "
            "(the server's --query-memory-mb)"
        )

    def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            worker.stop()
        self._all.clear()

