"""Load test of `omskg serve`: N concurrent clients for S seconds of mixed requests on
127.0.0.1, half SPARQL (the shipped queries, in every results format) and half pages and
descriptions (the landing page, IRIs that answer 303, HTML pages, Turtle and JSON-LD).
Each client keeps its HTTP/1.1 connection alive, as a browser or a SPARQL client does.

It reports requests, failures, latency percentiles (all requests, SPARQL, pages), and the
peak memory of the server's whole process tree (the server, its fork server and its query
workers), sampled every 0.2 s; and it exits 1 when a target it is given is missed.

    python benchmarks/load_test.py --max-p99-ms 300 --max-tree-mib 500      # the OMS graph
    python benchmarks/corpus.py 789 /tmp/corpus                              # about 1M triples
    python benchmarks/load_test.py --facts /tmp/corpus/conditions --max-sparql-p99-ms 2000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from servers import free_port, wait_until_up  # noqa: E402

ACCEPTS = [
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-results+xml",
]
DISCOVER = """SELECT DISTINCT ?x WHERE {{
  {{ ?x a omskg:Condition }} UNION {{ ?s a omskg:Statement ; rdf:object ?x . FILTER(isIRI(?x)) }}
  UNION {{ ?x a omskg:Statement }} UNION {{ ?x a omskg:SourceDocument }} UNION {{ ?s prov:wasDerivedFrom ?x }}
}} LIMIT {limit}"""


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def memory_kib(pid: int, field: str) -> int:
    """A field of /proc/PID/status (VmRSS) or of smaps_rollup (Pss), in KiB; 0 if gone."""
    source = "smaps_rollup" if field == "Pss:" else "status"
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def spread(ordered: list[float]) -> str:
    return (
        f"p50 {percentile(ordered, 50):.1f}  p95 {percentile(ordered, 95):.1f}  "
        f"p99 {percentile(ordered, 99):.1f}  max {1000 * ordered[-1] if ordered else 0:.1f}  "
        f"({len(ordered)} requests)"
    )


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Client(threading.Thread):
    def __init__(self, number: int, port: int, deadline: float, pages: list[tuple[str, str]],
                 queries: list[str]) -> None:
        super().__init__()
        self.rng = random.Random(number)
        self.port, self.deadline, self.pages, self.queries = port, deadline, pages, queries
        self.sparql: list[float] = []
        self.documents: list[float] = []
        self.failures: list[str] = []
        self.connection: http.client.HTTPConnection | None = None

    def request(self, path: str, accept: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("GET", path, headers={"Accept": accept})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the server closed an idle connection: open another once
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            if i % 2:
                path, accept = self.rng.choice(self.pages)
                times = self.documents
            else:
                path = "/sparql?" + urllib.parse.urlencode({"query": self.rng.choice(self.queries)})
                accept, times = self.rng.choice(ACCEPTS), self.sparql
            began = time.perf_counter()
            try:
                status, _ = self.request(path, accept)
                ok, detail = status < 400, str(status)
            except OSError as error:
                ok, detail = False, str(error)
                self.connection = None
            times.append(time.perf_counter() - began)
            if not ok:
                self.failures.append(f"{path[:80]}: {detail}")
        if self.connection is not None:
            self.connection.close()


def discover_pages(port: int, limit: int) -> list[tuple[str, str]]:
    """Paths of the served graph's resources (whatever the facts folder), in several forms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    query = DISCOVER.format(limit=limit)
    connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                       headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(connection.getresponse().read())["results"]["bindings"]
    connection.close()
    base = f"http://127.0.0.1:{port}/"
    paths = sorted(r["x"]["value"].removeprefix(base) for r in rows if r["x"]["value"].startswith(base))
    pages: list[tuple[str, str]] = [("/", "text/html")]
    pages.append(("/files/omskg.context.jsonld", "application/ld+json"))
    for n, path in enumerate(paths):
        pages += [(f"/{path}", ["text/html", "text/turtle", "application/ld+json"][n % 3]),
                  (f"/page/{path}", "text/html"), (f"/data/{path}.ttl", "text/turtle"),
                  (f"/data/{path}.jsonld", "application/ld+json")]
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--facts", type=Path, help="serve this folder of fact files (default: the curated facts)"
    )
    parser.add_argument("--pages", type=int, default=60, help="resources to request pages of")
    parser.add_argument("--max-failed", type=int, default=0, help="target: failed requests (default 0)")
    parser.add_argument("--max-p99-ms", type=float, help="target: p99 latency of all requests")
    parser.add_argument("--max-sparql-p99-ms", type=float, help="target: p99 latency of the shipped queries")
    parser.add_argument("--max-tree-mib", type=float, help="target: peak RSS of the server's process tree")
    parser.add_argument("serve_options", nargs="*", help="more options for omskg serve (after --)")
    args = parser.parse_args()

    queries = [p.read_text(encoding="utf-8") for p in sorted((REPO / "queries").glob("*.rq"))]
    port = free_port()
    command = [sys.executable, "-m", "omskg.cli", "serve", "--port", str(port), "--quiet"]
    command += args.serve_options
    if args.facts:
        command += ["--facts", str(args.facts)]
    began = time.monotonic()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", server, seconds=1800)
        startup = time.monotonic() - began
        pages = discover_pages(port, args.pages)
        warm = Client(0, port, time.monotonic() + 1e9, pages, queries)
        warm_up = []
        for query in queries:  # each shipped query once in each format, before the clock starts
            for accept in ACCEPTS:
                warm.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
                began = time.perf_counter()
                status, _ = warm.request("/sparql?" + urllib.parse.urlencode({"query": query}), accept)
                warm_up.append((time.perf_counter() - began, status))
        start_rss = memory_kib(server.pid, "VmRSS:")
        load_before = load_average()
        cpu_before = {p: cpu_seconds(p) for p in tree(server.pid)}
        peak_tree_rss = peak_tree_pss = peak_main = 0
        deadline = time.monotonic() + args.seconds
        clients = [Client(n, port, deadline, pages, queries) for n in range(args.clients)]
        for client in clients:
            client.start()
        while any(c.is_alive() for c in clients):
            pids = tree(server.pid)
            peak_tree_rss = max(peak_tree_rss, sum(memory_kib(p, "VmRSS:") for p in pids))
            peak_tree_pss = max(peak_tree_pss, sum(memory_kib(p, "Pss:") for p in pids))
            peak_main = max(peak_main, memory_kib(server.pid, "VmRSS:"))
            time.sleep(0.2)
        end_rss = memory_kib(server.pid, "VmRSS:")
        processes = len(tree(server.pid))
        load_after = load_average()
        main_cpu = cpu_seconds(server.pid) - cpu_before.get(server.pid, 0.0)
        others_cpu = sum(cpu_seconds(p) - cpu_before.get(p, 0.0) for p in tree(server.pid) if p != server.pid)
    finally:
        server.terminate()
        try:
            _, errors = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
    if b"Traceback" in errors:
        print(errors.decode("utf-8", "replace")[-2000:], file=sys.stderr)

    sparql = sorted(t for c in clients for t in c.sparql)
    documents = sorted(t for c in clients for t in c.documents)
    everything = sorted(sparql + documents)
    failures = [f for c in clients for f in c.failures]
    targets = []

    def judged(value: float, target: float | None, text: str) -> str:
        if target is None:
            return text
        met = value <= target
        targets.append(met)
        return f"{text}  (target {target:g}: {'met' if met else 'MISSED'})"

    rows = [
        ("graph", f"{args.facts or 'the curated facts'}"),
        ("startup_s", f"{startup:.1f}"),
        ("warm_up", f"each shipped query in each format once: {len(warm_up)} requests, slowest "
                    f"{max(t for t, _ in warm_up):.1f} s, statuses {sorted({s for _, s in warm_up})}"),
        ("clients", f"{args.clients}"),
        ("seconds", f"{args.seconds:g}"),
        ("requests", f"{len(everything)}"),
        ("failed", judged(len(failures), args.max_failed, f"{len(failures)}")),
        ("requests/s", f"{len(everything) / args.seconds:.1f}"),
        ("all_ms", spread(everything)),
        ("all_p99_ms", judged(
            percentile(everything, 99), args.max_p99_ms, f"{percentile(everything, 99):.1f}"
        )),
        ("sparql_ms", spread(sparql)),
        ("sparql_p99_ms", judged(
            percentile(sparql, 99), args.max_sparql_p99_ms, f"{percentile(sparql, 99):.1f}"
        )),
        ("pages_ms", spread(documents)),
        ("tree_peak_rss_mib", judged(peak_tree_rss / 1024, args.max_tree_mib,
                                     f"{peak_tree_rss / 1024:.1f} ({processes} processes)")),
        ("tree_peak_pss_mib", f"{peak_tree_pss / 1024:.1f}"),
        ("main_rss_mib", f"start {start_rss / 1024:.1f}  peak {peak_main / 1024:.1f}  "
                         f"end {end_rss / 1024:.1f}"),
        ("server_cpu_s", f"main {main_cpu:.1f}  workers {others_cpu:.1f}  "
                         f"(of {(os.cpu_count() or 1) * args.seconds:g} core-seconds)"),
        ("machine_load", f"{load_before} before, {load_after} after (1-minute load average; "
                         f"{os.cpu_count()} cores)"),
        ("pages", " ".join(sorted({p for p, _ in pages})[:6]) + f" ... ({len(pages)} paths)"),
        ("result", "all targets met" if all(targets) else "MISSED a target"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    for failure in failures[:10]:
        print("failed:", failure, file=sys.stderr)
    return 0 if all(targets) else 1


if __name__ == "__main__":
    sys.exit(main())
