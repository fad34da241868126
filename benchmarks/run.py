"""Benchmark of `omskg build` at several sizes, against a reference measured in the same
run: pyoxigraph parsing the produced N-Triples and serialising them as Turtle, JSON-LD
and N-Triples (at each size the medians of alternating runs of the two, three by default).
Prints a table (ratio build/reference, seconds per million triples, the
whole process tree's peak memory), the start-up of the build against
`python -c "import rdflib, pyshacl"`, and the targets with the pass or fail of each;
writes the same as JSON (benchmarks/results/latest.json unless --json says otherwise).

    python benchmarks/run.py                        # about 10k, 100k and 1M triples
    python benchmarks/run.py --sizes 10000,100000   # chosen sizes (triples, approximately)
    python benchmarks/run.py --quick                # one tiny size: checks that it runs

The corpus is synthetic (benchmarks/corpus.py): N copies of the OMS facts under other
names, each with its own source text, passing every check the real file passes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
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

# Runs a command as the only child of a fresh process, so that RUSAGE_CHILDREN is its own,
# and samples the summed resident memory of its whole process tree (the command, its
# workers and forked children) every 20 ms from /proc, in a thread at the lowest priority,
# while the main thread waits for the command's end (its wall time exact, not rounded up to
# the next sample). Only processes that were not there before the command started are read
# (the others cannot be in its tree). A sample costs ~0.5 ms of CPU: at normal priority the
# sampler took 5% of a 100k build's wall, which uses every core.
MEASURE = """
import json, os, resource, subprocess, sys, threading, time

def tree_rss(root, before):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry not in before:
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append((int(entry), int(fields[21])))
            except OSError:
                pass
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        with open(f"/proc/{root}/stat") as handle:
            total = int(handle.read().rsplit(")", 1)[1].split()[21]) * page
    except OSError:
        return 0
    while todo:
        for pid, rss in children.get(todo.pop(), []):
            total += rss * page
            todo.append(pid)
    return total

before = set(os.listdir("/proc"))
began = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = 0
ended = threading.Event()

def sample():
    global peak
    os.setpriority(os.PRIO_PROCESS, 0, 19)  # (this thread only, on Linux: the command keeps its own)
    while not ended.is_set():
        peak = max(peak, tree_rss(process.pid, before))
        ended.wait(0.02)

sampler = threading.Thread(target=sample)
sampler.start()
process.stderr.read()
code = process.wait()
wall = time.perf_counter() - began
ended.set()
sampler.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall,
                  "cpu": usage.ru_utime + usage.ru_stime, "max_rss_mib": usage.ru_maxrss / 1024,
                  "tree_peak_mib": peak / 2**20}))
"""

REFERENCE = """
import sys, pyoxigraph as ox
triples = [q.triple for q in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)]
for rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES):
    ox.serialize(triples, format=rdf_format)
"""

# The build's stages, timed in one process (wall and CPU seconds each): what the workers do
# per fact file (here one after the other), then what the parent does.
STAGES = """
import gc, json, sys, time
from pathlib import Path
gc.disable()  # as omskg build does
timings = {}
def stage(name, work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    timing = timings.setdefault(name, {"wall": 0.0, "cpu": 0.0})
    timing["wall"] += time.perf_counter() - wall
    timing["cpu"] += time.process_time() - cpu
    return result
from omskg import build, formats, mappings, parts, reader_files, resources
from omskg.facts import fact_file_paths, read_fact_file
from omskg.graph import file_lines, ontology_triples, shared_triples
from omskg.iris import Iris
from omskg.metadata import load_metadata
from omskg.validate import part_conforms
from omskg.vocab import DEFAULT_BASE, load_vocabulary
base = DEFAULT_BASE
vocab = load_vocabulary()
meta = load_metadata(resources.dataset_metadata_file())
writers = build._writers(base)
build._compiled_default_shapes()
files, built = [], []
for path in fact_file_paths(Path(sys.argv[1])):
    fact_file = stage("read facts", lambda: read_fact_file(path, vocab))
    lines = stage("build triples", lambda: file_lines(fact_file, vocab, base))
    part = stage("write part (lines, JSON-LD, Turtle, counts)", lambda: parts.make_part(lines, writers))
    text = lambda: build._with_ontology(part.lines, vocab)  # noqa: E731 (made only if the engine must decide)
    part.conforms = stage("validate part", lambda: part_conforms(lines.rows, text))  # (as a worker asks)
    files.append(fact_file)
    built.append(part)
ontology = set(ontology_triples(vocab))
shared = shared_triples(files, vocab, base, meta)
merged = stage("merge parts", lambda: parts.merge(built, ontology, shared, writers))
summary = stage("split SHACL gate", lambda: parts.gate_summary(built))
assert stage("split SHACL gate", lambda: parts.split_gate(summary, merged.local, merged.gate_graph, ontology))
class Chunks(list):  # (what the build streams into its files, kept here)
    def close(self):
        pass
release = str(Iris(base).release(meta.version))
both = lambda: formats.write_ntriples_and_nquads(merged.lines, release, Chunks(), Chunks())  # noqa: E731
stage("write N-Triples and N-Quads", both)
stage("write Turtle", lambda: formats.turtle_document(merged.turtle, Iris(base).prefix_map()))
context = formats.jsonld_context(vocab, base)
stage("write JSON-LD", lambda: formats.jsonld_document(merged.nodes, context))
targets = mappings.load_targets(resources.xref_targets_file())
stage("write conditions JSON, KGX, SSSOM", lambda: reader_files.files_and_sssom(files, targets, meta, base))
print(json.dumps({"triples": len(merged.lines), "stages": timings}))
"""

STARTUP_RUNS = 7
RUNS = 3  # of the build and the reference at each size: one run of a second or so is noisy


def startup(work: Path) -> dict[str, Any]:
    """Medians of alternating runs: `omskg build` of the shipped facts as a process, and
    `python -c "import rdflib, pyshacl"`; and `omskg --help`."""
    commands = {
        "build": [sys.executable, "-m", "omskg.cli", "build", "--out", str(work / "startup-dist")],
        "import rdflib, pyshacl": [sys.executable, "-c", "import rdflib, pyshacl"],
        "omskg --help": [sys.executable, "-m", "omskg.cli", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    # omskg's bytecode compiled first, as pip compiles an installed wheel's (and rdflib's and
    # pySHACL's were): an editable checkout under PYTHONDONTWRITEBYTECODE=1 would compile every
    # module of omskg again on every run, 70 ms of CPU on this machine
    compile_omskg = (
        "import compileall, omskg, os; compileall.compile_dir(os.path.dirname(omskg.__file__), quiet=1)"
    )
    subprocess.run([sys.executable, "-c", compile_omskg], check=True)
    for _ in range(STARTUP_RUNS):
        for name, command in commands.items():
            began = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - began)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"runs": STARTUP_RUNS, "medians": medians, "times": times}


def targets(results: list[dict[str, Any]], start: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The issue's targets, each with what was measured and whether it is met."""
    found: list[dict[str, Any]] = []
    by_size = {r["target"]: r for r in results}
    large, medium = by_size.get(1000000), by_size.get(100000)
    if large:
        found.append({"target": "1M triples: build wall within 2x of the reference",
                      "measured": f"{large['ratio']:.2f}x ({large['build']['wall']:.2f} s against "
                                  f"{large['reference']['wall']:.2f} s)", "met": large["ratio"] <= 2})
        found.append({"target": "1M triples: whole process tree's peak memory under 1.5 GB",
                      "measured": f"{large['build']['tree_peak_mib']:.0f} MiB",
                      "met": large["build"]["tree_peak_mib"] * 2**20 < 1.5e9})
    if medium:
        found.append({"target": "100k triples: build wall within 3x of the reference",
                      "measured": f"{medium['ratio']:.2f}x ({medium['build']['wall']:.2f} s against "
                                  f"{medium['reference']['wall']:.2f} s)", "met": medium["ratio"] <= 3})
    if large and medium:
        a, b = large["build_seconds_per_million"], medium["build_seconds_per_million"]
        found.append({"target": "per-triple cost at 1M no more than at 100k",
                      "measured": f"{a:.1f} against {b:.1f} s per million triples", "met": a <= b})
    if start:
        medians = start["medians"]
        imports = medians["import rdflib, pyshacl"]
        ratio = medians["build"] / imports
        found.append({"target": 'start-up: OMS build within 1.5x of python -c "import rdflib, pyshacl"',
                      "measured": f"{ratio:.2f}x (medians {medians['build']:.3f} s against "
                                  f"{imports:.3f} s, {start['runs']} alternating runs)",
                      "met": ratio <= 1.5})
        found.append({"target": "omskg --help under 0.25 s",
                      "measured": f"{medians['omskg --help']:.3f} s (median)",
                      "met": medians["omskg --help"] < 0.25})
    return found


def measure(command: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(output.stdout)
    if result["code"] != 0:
        raise SystemExit(f"benchmark: {' '.join(command)} exited with {result['code']}")
    return result


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall and CPU of some runs of one command; the largest memory any of them used."""
    return {
        "code": 0,
        "wall": statistics.median(r["wall"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "max_rss_mib": max(r["max_rss_mib"] for r in runs),
        "tree_peak_mib": max(r["tree_peak_mib"] for r in runs),
    }


def _digests(folder: Path) -> dict[str, str]:
    """Each file's SHA-256, by name (the first build's read once, not once per later run)."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def run_size(target: int, work: Path, progress: bool, runs: int) -> dict[str, Any]:
    conditions = max(1, math.ceil((target - SHARED_TRIPLES) / TRIPLES_PER_CONDITION))
    folder = work / f"size-{target}"
    began = time.perf_counter()
    facts = generate(conditions, folder)
    if progress:
        print(
            f"benchmark: {conditions} conditions generated in {time.perf_counter() - began:.1f} s",
            file=sys.stderr,
        )
    load_before = os.getloadavg()[0]
    builds, references = [], []
    first: dict[str, str] = {}  # every later build is compared with the first, byte for byte
    for run in range(runs):  # alternating, each build into a new folder (none replaced)
        out = folder / f"dist-{run}"
        command = [sys.executable, "-m", "omskg.cli", "build", "--facts", str(facts), "--out", str(out)]
        builds.append(measure(command))
        references.append(measure([sys.executable, "-c", REFERENCE, str(out / "omskg.nt")]))
        if not run:
            first = _digests(out)
        else:
            found = _digests(out)
            different = sorted(n for n in first.keys() | found.keys() if first.get(n) != found.get(n))
            if different:
                raise SystemExit(f"benchmark: build {run + 1} differs from the first: {', '.join(different)}")
            shutil.rmtree(out)
    build, reference = _medians(builds), _medians(references)
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
        "runs": {"build": builds, "reference": references},
        "load_average": [load_before, os.getloadavg()[0]],  # (1 min) before the build, after all
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
        "build tree peak MiB",
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
                f"{r['build']['tree_peak_mib']:.0f}",
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
        "--runs", type=int, default=RUNS,
        help=f"alternating runs of the build and the reference at each size, whose medians are "
             f"compared (default: {RUNS}; 1 with --quick)",
    )
    parser.add_argument(
        "--json", type=Path, default=Path(__file__).resolve().parent / "results" / "latest.json",
        help="where to write the results (default: benchmarks/results/latest.json)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    results: list[dict[str, Any]] = []
    args.json.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="omskg-bench-") as work:
        start = None if args.quick else startup(Path(work))
        if start:
            print(f"start-up, medians of {start['runs']} alternating runs: " + ", ".join(
                f"{name} {seconds:.3f} s" for name, seconds in start["medians"].items()), flush=True)
        for size in sizes:
            print(f"benchmark: about {size} triples ...", file=sys.stderr)
            results.append(run_size(size, Path(work), sys.stderr.isatty(), 1 if args.quick else args.runs))
            # each size is reported as soon as it is measured: a large one may take long
            print(table(results[-1:]), flush=True)
            document = {"machine": machine(), "results": results, "startup": start,
                        "targets": targets(results, start)}
            args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print("targets:")
    for target in targets(results, start):
        print(f"  [{'met' if target['met'] else 'NOT met'}] {target['target']}: {target['measured']}")
    print(f"(written to {args.json})")
    return 0


def machine() -> dict[str, Any]:
    import platform

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average": os.getloadavg()}


if __name__ == "__main__":
    sys.exit(main())
