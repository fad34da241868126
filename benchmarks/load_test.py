"""Load test of `omskg serve`: N concurrent clients for S seconds of mixed SPARQL queries
and page requests on 127.0.0.1. Prints requests, failures, latency percentiles and the
server's memory, and exits non-zero if any request failed or memory grew past the bound.

    python benchmarks/load_test.py                      # 50 clients, 30 s
    python benchmarks/load_test.py --clients 5 --seconds 3
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from servers import free_port, wait_until_up  # noqa: E402

PAGES = [
    "/",
    "/entity/opsoclonus-myoclonus-syndrome",
    "/entity/neuroblastoma",
    "/page/entity/myoclonus",
    "/data/entity/ataxia.ttl",
    "/data/entity/cerebellum.jsonld",
    "/files/omskg.ttl",
]
ACCEPTS = [
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-results+xml",
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--memory-growth-mb", type=float, default=50.0, help="allowed growth of the server's RSS"
    )
    args = parser.parse_args()

    queries = [p.read_text(encoding="utf-8") for p in sorted((REPO / "queries").glob("*.rq"))]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "omskg.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    try:
        wait_until_up(base + "/", server)
        for query in queries:  # warm up the query processes' fork server
            urllib.request.urlopen(
                f"{base}/sparql?" + urllib.parse.urlencode({"query": query}), timeout=30
            ).read()
        start_rss = peak_rss = rss_kib(server.pid)
        deadline = time.monotonic() + args.seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            for i in itertools.count():
                if time.monotonic() >= deadline:
                    return
                if i % 2:
                    url = base + rng.choice(PAGES)
                    request = urllib.request.Request(
                        url, headers={"Accept": rng.choice(["text/html", "text/turtle"])}
                    )
                else:
                    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": rng.choice(queries)})
                    request = urllib.request.Request(url, headers={"Accept": rng.choice(ACCEPTS)})
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                        ok = 200 <= response.status < 400
                        detail = str(response.status)
                except (urllib.error.URLError, OSError) as error:
                    ok, detail = False, str(error)
                with lock:
                    latencies.append(time.perf_counter() - began)
                    if not ok:
                        failures.append(f"{url}: {detail}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            peak_rss = max(peak_rss, rss_kib(server.pid))
            time.sleep(0.2)
        end_rss = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    growth_mb = (end_rss - start_rss) / 1024
    rows = [
        ("clients", f"{args.clients}"),
        ("seconds", f"{args.seconds:g}"),
        ("requests", f"{len(latencies)}"),
        ("failed", f"{len(failures)}"),
        ("requests/s", f"{len(latencies) / args.seconds:.1f}"),
        ("latency p50 ms", f"{pct(50):.1f}"),
        ("latency p95 ms", f"{pct(95):.1f}"),
        ("latency p99 ms", f"{pct(99):.1f}"),
        ("latency max ms", f"{1000 * ordered[-1]:.1f}"),
        ("latency mean ms", f"{1000 * statistics.fmean(ordered):.1f}"),
        ("server RSS start MiB", f"{start_rss / 1024:.1f}"),
        ("server RSS peak MiB", f"{peak_rss / 1024:.1f}"),
        ("server RSS end MiB", f"{end_rss / 1024:.1f}"),
        ("RSS growth MiB (bound)", f"{growth_mb:.1f} ({args.memory_growth_mb:g})"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    for failure in failures[:10]:
        print("failed:", failure, file=sys.stderr)
    return 1 if failures or growth_mb > args.memory_growth_mb else 0


if __name__ == "__main__":
    sys.exit(main())
