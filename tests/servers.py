"""Real servers for the tests: an Oxigraph server from PyPI, Debian's Virtuoso, `omskg
serve`, and small HTTP peers that fail on purpose. Each runs on a free loopback port and is
stopped in a `finally`, whatever the test did (and, being started with a parent-death
signal, when the test process itself is killed)."""

from __future__ import annotations

import ctypes
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {seconds} s")


def _die_with_parent() -> None:
    """In the child, before exec: be sent SIGTERM when the process that started us dies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(command: list[str], url: str, cwd: Path | None = None) -> Iterator[str]:
    with running_process(command, url, cwd) as (up, _):
        yield up


@contextmanager
def running_process(
    command: list[str], url: str, cwd: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, preexec_fn=_die_with_parent
    )
    try:
        wait_until_up(url, process)
        yield url, process
    finally:
        stop(process)


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the Oxigraph server is not installed: pip install -e '.[test]' installs it")
    return found


@contextmanager
def oxigraph_server(*options: str, cwd: Path | None = None) -> Iterator[str]:
    """`oxigraph serve` (or `serve-read-only` with its options) on a free loopback port."""
    port = free_port()
    command = [oxigraph_binary(), *(options or ("serve",)), "--bind", f"127.0.0.1:{port}"]
    with running(command, f"http://127.0.0.1:{port}/", cwd=cwd) as url:
        yield url.rstrip("/")


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 0
DirsAllowed        = ., {folder}/load
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 200M
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
ServerThreads        = 4
MaxClientConnections = 4
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its HTTP base URL (127.0.0.1, no default graph), the same by the
    host name that has a default graph (localhost), the dba password, and a way to run SQL."""

    url: str
    url_with_default_graph: str
    password: str
    load_dir: Path
    isql: Callable[[str], str]
    seconds_to_start: float
    default_graph: str


def virtuoso_binaries() -> tuple[str, str] | None:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


#: The graph Virtuoso's SPARQL endpoints treat as the default graph on the test host.
VIRTUOSO_DEFAULT_GRAPH = "urn:omskg:test:default-graph"


@contextmanager
def virtuoso_server() -> Iterator[Virtuoso]:
    """Debian's Virtuoso from an empty database in a temporary folder, on free loopback ports:
    its dba password set to a random one, and a default graph configured for the host name
    `localhost` only (Virtuoso has none of its own: without one its Graph Store endpoint refuses
    `?default`; with one, a query by that name sees that graph and no named graph, so
    127.0.0.1 stays without)."""
    found = virtuoso_binaries()
    if found is None:
        raise RuntimeError("virtuoso-opensource is not installed (apt-get install virtuoso-opensource)")
    server, isql_binary = found
    with tempfile.TemporaryDirectory(prefix="omskg-virtuoso-") as name:
        folder = Path(name)
        (folder / "load").mkdir()
        sql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
        started = time.monotonic()
        process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)], cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
        )
        try:
            url = f"http://127.0.0.1:{http_port}"
            wait_until_up(f"{url}/sparql?query={urllib.parse.quote('ASK {}')}", process, seconds=120)
            seconds = time.monotonic() - started
            password = {"value": "dba"}

            def isql(sql: str) -> str:
                done = subprocess.run(
                    [isql_binary, f"127.0.0.1:{sql_port}", "dba", password["value"], "VERBOSE=OFF", "BANNER=OFF",
                     f"exec={sql}"],
                    capture_output=True, text=True, timeout=120, check=False,
                )
                if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
                    raise RuntimeError(f"isql-vt {sql!r}: {done.stdout}{done.stderr}")
                return done.stdout

            new_password = secrets.token_urlsafe(12)
            isql(f"user_set_password('dba', '{new_password}');")
            password["value"] = new_password
            isql(
                "insert into DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) "
                f"values ('localhost:{http_port}', '{VIRTUOSO_DEFAULT_GRAPH}');"
            )
            yield Virtuoso(url, f"http://localhost:{http_port}", new_password, folder / "load", isql, seconds, VIRTUOSO_DEFAULT_GRAPH)
        finally:
            stop(process)


@contextmanager
def omskg_server(cwd: Path, *options: str) -> Iterator[str]:
    with omskg_server_process(cwd, *options) as (url, _):
        yield url


@contextmanager
def omskg_server_process(cwd: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`omskg serve` on a free port, and its process (whose memory some tests watch)."""
    port = free_port()
    command = [sys.executable, "-m", "omskg.cli", "serve", "--port", str(port), "--quiet", *options]
    with running_process(command, f"http://127.0.0.1:{port}/", cwd=cwd) as (url, process):
        yield url.rstrip("/"), process


@contextmanager
def misbehaving_server(status: int = 500, delay: float = 0.0) -> Iterator[str]:
    """A real HTTP peer that answers every request with `status`, after `delay` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            time.sleep(delay)
            body = b"something broke on the far side\n"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first, as some tests mean it to

        do_GET = do_PUT = do_POST = answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Seen:
    """One request as a peer received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@contextmanager
def http_peer(respond: Callable[[BaseHTTPRequestHandler, Seen], None]) -> Iterator[tuple[str, list[Seen]]]:
    """A real HTTP peer on a free loopback port that records every request and answers it
    with `respond(handler, seen)`; yields its base URL and the list of requests seen."""
    seen: list[Seen] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                request = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                seen.append(request)
                respond(self, request)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up first, as some tests mean it to

        do_GET = do_PUT = do_POST = do_DELETE = answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
          content_type: str = "application/sparql-results+json", **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)
