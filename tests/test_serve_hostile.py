"""`omskg serve` as an attacker meets it: hostile queries, hostile bodies, idle and slow
connections, requests that would make the server fetch something. One server with tight
bounds, over real HTTP; each test also checks that the main process's memory is unchanged."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .servers import omskg_server_process
from .test_serve import fetch, sparql_url

TIMEOUT = 1.0  # the server's --query-timeout
GRACE = 2.0  # every hostile query is answered within TIMEOUT + GRACE
IDLE = 1.0  # the server's --idle-timeout


class Silent:
    """A TCP listener that never answers, and counts who connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop:
            try:
                connection, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self.held.append(connection)  # held open, never answered

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.sock.close()


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with omskg_server_process(tmp_path_factory.mktemp("hostile"), "--query-timeout", str(TIMEOUT),
                              "--max-result-mb", "0.01", "--query-memory-mb", "100", "--query-workers", "1",
                              "--max-queries", "2", "--idle-timeout", str(IDLE)) as running:
        yield running


@pytest.fixture
def silent() -> Iterator[Silent]:
    listener = Silent()
    try:
        yield listener
    finally:
        listener.close()


def rss_mib(process: subprocess.Popen[bytes]) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def numbers(count: int) -> str:
    return " ".join(str(n) for n in range(count))


TEN = "CONCAT({v}, {v}, {v}, {v}, {v}, {v}, {v}, {v}, {v}, {v})"
HOSTILE = {
    "cartesian VALUES": f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {numbers(200)} }} VALUES ?b {{ {numbers(200)} }} "
                        f"VALUES ?c {{ {numbers(200)} }} VALUES ?d {{ {numbers(200)} }} }}",
    "ORDER BY blow-up": f"SELECT ?x WHERE {{ VALUES ?a {{ {numbers(400)} }} VALUES ?b {{ {numbers(400)} }} "
                        f"VALUES ?c {{ {numbers(400)} }} BIND(CONCAT(STR(?a), '-', STR(?b), '-', STR(?c), "
                        "'-padding-to-make-every-row-heavier') AS ?x) } ORDER BY DESC(?x) LIMIT 1",
    "triple cross product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "memory hog": "SELECT ?x WHERE { " + f"VALUES ?a {{ {numbers(100)} }} VALUES ?b {{ {numbers(100)} }} "
                  f"BIND(CONCAT('{'a' * 1000}', STR(?a), STR(?b)) AS ?s1) BIND({TEN.format(v='?s1')} AS ?s2) "
                  f"BIND({TEN.format(v='?s2')} AS ?x) }} ORDER BY ?x",  # 10,000 rows of 100 kB, sorted
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_query_is_answered_in_time_and_main_memory_unchanged(
        bounded: tuple[str, subprocess.Popen[bytes]], name: str) -> None:
    url, process = bounded
    before = rss_mib(process)
    began = time.monotonic()
    status, headers, body = fetch(sparql_url(url, HOSTILE[name]), "application/sparql-results+json")
    took = time.monotonic() - began
    assert took < TIMEOUT + GRACE, (name, took)
    stopped = f"The query ran longer than {TIMEOUT:g} s and was stopped (the server's --query-timeout)."
    assert (status, body.decode().strip()) == (503, stopped) or (
        status == 400 and body.startswith(b"The query was stopped: it needed more than 100 MB of memory")), body
    if status == 503:
        assert headers["Retry-After"]
    assert rss_mib(process) - before < 10, "the main process grew"
    # the worker was replaced: the endpoint answers again
    deadline = time.monotonic() + 10
    while fetch(sparql_url(url, "ASK {}"), "application/sparql-results+json")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SeRvIcE#comment between\n <{u}> {{ ?s ?p ?o }} }}",
    "PREFIX far: <{u}> SELECT * WHERE {{ SERVICE far: {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?x {{ <{u}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
    # a lexer that took `<?b)SERVICE?x#>` for an IRI would miss this one
    "SELECT * WHERE {{ VALUES ?x {{ <{u}> }} FILTER(?a<?b)SERVICE?x#>\n{{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{u}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o . {{ SERVICE <{u}> {{ SERVICE <{u}> {{ ?a ?b ?c }} }} }} }}",
]


def test_no_request_ever_leaves_the_server(bounded: tuple[str, subprocess.Popen[bytes]], silent: Silent) -> None:
    url, process = bounded
    target = f"http://127.0.0.1:{silent.port}/sparql"
    for template in SERVICE_QUERIES:
        query = template.format(u=target)
        began = time.monotonic()
        status, _, body = fetch(sparql_url(url, query), "application/sparql-results+json")
        assert time.monotonic() - began < TIMEOUT + GRACE
        assert status == 400 and b"does not run SERVICE (federated) queries" in body, (query, status, body)
        form = urllib.parse.urlencode({"query": query}).encode()
        assert fetch(f"{url}/sparql", None, "POST", form, "application/x-www-form-urlencoded")[0] == 400
    # FROM and FROM NAMED name graphs of the store; they are not fetched either
    for query in (f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}", f"ASK FROM NAMED <{target}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  f"DESCRIBE <{target}>"):
        assert fetch(sparql_url(url, query), "application/sparql-results+json, application/n-triples")[0] == 200
    # a variable or a local name called "service" is not the keyword
    ok = "SELECT ?service WHERE { ?service a <http://www.w3.org/ns/sparql-service-description#Service> }"
    assert fetch(sparql_url(url, ok), "text/csv")[0] == 200
    time.sleep(0.5)
    assert silent.connections == 0


def test_query_workers_have_no_network(silent: Silent) -> None:
    """Below the SERVICE check: a worker process cannot open a connection at all."""
    import multiprocessing

    from omskg import workers

    def attempt(port: int, result: Any) -> None:
        isolated = workers._without_network()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            result.put(f"connected (isolated={isolated})")
        except OSError as error:
            result.put(f"refused: {error} (isolated={isolated})")

    context = multiprocessing.get_context("fork")
    result = context.Queue()
    child = context.Process(target=attempt, args=(silent.port, result))
    child.start()
    child.join(10)
    outcome = result.get(timeout=5)
    assert outcome.startswith("refused") and "isolated=True" in outcome, outcome
    time.sleep(0.3)
    assert silent.connections == 0


def test_a_full_line_of_queries_gets_503_with_retry_after(bounded: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = bounded
    answers: list[tuple[int, str | None, bytes]] = []

    def ask(number: int) -> None:  # four different queries (the same one twice would run once)
        slow = sparql_url(url, HOSTILE["triple cross product"] + f" # {number}")
        status, headers, body = fetch(slow, "application/sparql-results+json")
        answers.append((status, headers["Retry-After"], body))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]  # one worker, a line of two
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(30)
    assert len(answers) == 4 and all(status == 503 and retry for status, retry, _ in answers), answers
    assert any(body.startswith(b"Too many queries are running or waiting") for _, _, body in answers), answers


def test_result_size_is_capped(bounded: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = bounded
    status, _, body = fetch(sparql_url(url, "SELECT * WHERE { ?s ?p ?o }"), "text/csv")
    assert status == 400 and "The result is over 10000 bytes; add a LIMIT" in body.decode()
    status, _, body = fetch(sparql_url(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 5"), "text/csv")
    assert status == 200 and len(list(csv.reader(io.StringIO(body.decode(), newline="")))) == 6  # (a value may hold a line break)


def raw(url: str, data: bytes, body: Iterable[bytes] = (), wait: float = 10.0) -> bytes:
    """Send raw bytes (then the body's chunks, as long as the server reads them); what came back."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        try:
            sock.sendall(data)
            for chunk in body:
                sock.sendall(chunk)
        except OSError:
            pass  # the server stopped reading: good
        answer = b""
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        except OSError:
            pass
        return answer


def megabytes(count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield b"#" * 1_000_000


def test_body_limits_hold_whatever_the_headers_say(bounded: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = bounded
    before = rss_mib(process)
    head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    # Content-Length: -1 with a 300 MB body: refused at once, the body never read
    answer = raw(url, (head + "Content-Length: -1\r\n\r\n").encode(), megabytes(300))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    # Content-Length: abc
    assert raw(url, (head + "Content-Length: abc\r\n\r\nASK {}").encode()).startswith(b"HTTP/1.1 400")
    # a declared 300 MB: refused before a byte of it is read
    answer = raw(url, (head + "Content-Length: 300000000\r\n\r\n").encode(), megabytes(300))
    assert answer.startswith(b"HTTP/1.1 413") and b"at most 1000000 bytes" in answer
    # chunked, 300 MB: the server stops reading past 1 MB
    chunked = (b"%x\r\n" % 1_000_000 + b"#" * 1_000_000 + b"\r\n" for _ in range(300))
    answer = raw(url, (head + "Transfer-Encoding: chunked\r\n\r\n").encode(), chunked)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # a small chunked query is fine
    query = b"ASK {}"
    answer = raw(url, (head + "Accept: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
                 + b"%x\r\n" % len(query) + query + b"\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and answer.rstrip().endswith(b"true")
    # headers past 16 KB
    answer = raw(url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n")
    assert answer.startswith((b"HTTP/1.1 4", b"")) and b"Traceback" not in answer
    assert rss_mib(process) - before < 10, "the main process grew"


def test_keep_alive_idle_and_header_timeouts(bounded: tuple[str, subprocess.Popen[bytes]]) -> None:
    import http.client

    url, _ = bounded
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    peers = set()
    for path in ("/", "/files/omskg.ttl", sparql_url("", "ASK {}")):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and response.version == 11
        peers.add(connection.sock.getsockname())  # type: ignore[union-attr]
    assert len(peers) == 1  # three requests, one connection: HTTP/1.1 keep-alive
    connection.close()

    def closed_within(data: bytes, seconds: float) -> float:
        with socket.create_connection((host, int(port)), timeout=seconds + 5) as sock:
            began = time.monotonic()
            sock.sendall(data)
            while sock.recv(65536):
                pass
            return time.monotonic() - began

    assert closed_within(b"", IDLE) < IDLE + GRACE  # an idle connection is closed
    assert closed_within(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", IDLE) < IDLE + GRACE  # headers that never end
    # many idle connections are all dropped too, and the server still answers
    sockets = [socket.create_connection((host, int(port))) for _ in range(100)]
    time.sleep(IDLE + 1)
    for sock in sockets:
        sock.settimeout(1)
        assert sock.recv(10) == b""
        sock.close()
    assert fetch(f"{url}/", "text/html")[0] == 200


def test_graph_queries_and_json_for_hostile_accepts(bounded: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = bounded
    status, headers, body = fetch(sparql_url(url, "CONSTRUCT WHERE { ?s a ?o } LIMIT 2"), "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    status, _, body = fetch(sparql_url(url, "CONSTRUCT WHERE { ?s a ?o } LIMIT 2"), "text/csv")
    assert status == 406 and b"application/n-triples" in body
    status, _, body = fetch(sparql_url(url, "ASK {}"), "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
