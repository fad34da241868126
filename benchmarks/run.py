"""Benchmark of `omskg build` at several sizes, against a reference measured in the same
run: pyoxigraph parsing the produced N-Triples and serialising them as Turtle, JSON-LD
and N-Triples. Prints a table (ratio build/reference, seconds per million triples) and
writes the same as JSON.

    python benchmarks/run.py                        # about 10k, 100k and 1M triples
    python benchmarks/run.py --sizes 10000,100000   # chosen sizes (triples, approximately)
    python benchmarks/run.py --quick                # one tiny size: checks that it runs

The corpus is synthetic (benchmarks/corpus.py): N copies of the OMS facts under other
names, each with its own source text, passing every check the real file passes.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402

TRIPLES_PER_CONDITION = 1268  # measured: each synthetic condition adds this many triples
SHARED_TRIPLES = 336  # the ontology, published once

# Runs a command as the only child of a fresh process, so that RUSAGE_CHILDREN is its own.
MEASURE = """
import json, resource, subprocess, sys, time
began = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": time.perf_counter() - began,
                  "cpu": usage.ru_utime + usage.ru_stime, "max_rss_mib": usage.ru_maxrss / 1024}))
"""

REFERENCE = """
import sys, pyoxigraph as ox
triples = [q.triple for q in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)]
for rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES):
    ox.serialize(triples, format=rdf_format)
"""

# The build's stages, timed in one process (wall and CPU seconds each).
STAGES = """
import gc, json, sys, time
from pathlib import Path
gc.disable()  # as omskg build does
timings = {}
def stage(name, work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    timings[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return result
from omskg import describe, formats, resources
from omskg.facts import fact_file_paths, read_fact_files
from omskg.graph import file_triples, shared_triples
from omskg.iris import Iris
from omskg.metadata import load_metadata
from omskg.validate import validate_triples
from omskg.vocab import DEFAULT_BASE, load_vocabulary
vocab = load_vocabulary()
meta = load_metadata(resources.dataset_metadata_file())
files, problems = stage("read facts", lambda: read_fact_files(fact_file_paths(Path(sys.argv[1])), vocab))
assert not problems
def build_triples():
    triples = shared_triples(files, vocab, DEFAULT_BASE, meta)
    for fact_file in files:
        triples |= file_triples(fact_file, vocab, DEFAULT_BASE)
    return triples
triples = stage("build graph", build_triples)
outcome = stage("validate (fast engine)", lambda: validate_triples(triples))
assert outcome.conforms
ordered = stage("sort triples", lambda: formats.SortedTriples(triples))
stage("write Turtle", lambda: formats.turtle(ordered, Iris(DEFAULT_BASE).prefix_map()))
stage("write N-Triples", lambda: formats.ntriples(ordered))
stage("write JSON-LD", lambda: formats.jsonld(ordered, formats.jsonld_context(vocab, DEFAULT_BASE)))
stage("count VoID statistics", lambda: describe.statistics(ordered.triples, DEFAULT_BASE))
print(json.dumps({"triples": len(triples), "stages": timings}))
"""


def measure(command: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(output.stdout)
    if result["code"] != 0:
        raise SystemExit(f"benchmark: {' '.join(command)} exited with {result['code']}")
    return result


def run_size(target: int, work: Path, progress: bool) -> dict[str, Any]:
    conditions = max(1, math.ceil((target - SHARED_TRIPLES) / TRIPLES_PER_CONDITION))
    folder = work / f"size-{target}"
    began = time.perf_counter()
    facts = generate(conditions, folder)
    if progress:
        print(
            f"benchmark: {conditions} conditions generated in {time.perf_counter() - began:.1f} s",
            file=sys.stderr,
        )
    out = folder / "dist"
    build = measure([sys.executable, "-m", "omskg.cli", "build", "--facts", str(facts), "--out", str(out)])
    reference = measure([sys.executable, "-c", REFERENCE, str(out / "omskg.nt")])
    stages = json.loads(
        subprocess.run(
            [sys.executable, "-c", STAGES, str(facts)], capture_output=True, text=True, check=True
        ).stdout
    )
    triples = stages["triples"]
    return {
        "target": target,
        "conditions": conditions,
        "triples": triples,
        "stages": stages["stages"],
        "build": build,
        "reference": reference,
        "ratio": build["wall"] / reference["wall"],
        "build_seconds_per_million": build["wall"] / (triples / 1e6),
        "reference_seconds_per_million": reference["wall"] / (triples / 1e6),
    }


def table(results: list[dict[str, Any]]) -> str:
    stage_names = list(results[0]["stages"])
    header = [
        "triples",
        "conditions",
        *stage_names,
        "build wall s",
        "build CPU s",
        "build RSS MiB",
        "ref wall s",
        "ref RSS MiB",
        "build/ref",
        "build s per 1M",
        "ref s per 1M",
    ]
    rows = []
    for r in results:
        rows.append(
            [
                str(r["triples"]),
                str(r["conditions"]),
                *[f"{r['stages'][name]['wall']:.2f}" for name in stage_names],
                f"{r['build']['wall']:.2f}",
                f"{r['build']['cpu']:.2f}",
                f"{r['build']['max_rss_mib']:.0f}",
                f"{r['reference']['wall']:.2f}",
                f"{r['reference']['max_rss_mib']:.0f}",
                f"{r['ratio']:.1f}x",
                f"{r['build_seconds_per_million']:.0f}",
                f"{r['reference_seconds_per_million']:.1f}",
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = [" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="approximate triple counts, comma-separated"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one tiny size, to check that the benchmark runs"
    )
    parser.add_argument(
        "--json", type=Path, default=Path("benchmark-results.json"), help="where to write the results"
    )
    args = parser.parse_args()
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="omskg-bench-") as work:
        for size in sizes:
            print(f"benchmark: about {size} triples ...", file=sys.stderr)
            results.append(run_size(size, Path(work), sys.stderr.isatty()))
            # each size is reported as soon as it is measured: a large one may take long
            print(table(results[-1:]), flush=True)
            document = {"machine": machine(), "results": results}
            args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"(written to {args.json})")
    return 0


def machine() -> dict[str, Any]:
    import os
    import platform

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


if __name__ == "__main__":
    sys.exit(main())
