"""Real servers for the tests: an Oxigraph server from PyPI, `omskg serve`, and small
HTTP peers that fail on purpose. Each runs on a free loopback port and is stopped in a
`finally`, whatever the test did."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def running(command: list[str], url: str, cwd: Path | None = None) -> Iterator[str]:
    with running_process(command, url, cwd) as (up, _):
        yield up


@contextmanager
def running_process(
    command: list[str], url: str, cwd: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    try:
        wait_until_up(url, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the Oxigraph server is not installed: pip install -e '.[test]' installs it")
    return found


@contextmanager
def oxigraph_server() -> Iterator[str]:
    port = free_port()
    with running([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/") as url:
        yield url.rstrip("/")


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
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
