"""Synthetic corpora in the real fact-file format, for benchmarks.

Condition i is the curated OMS fact file with every id suffixed by i and the condition's
name replaced by "Synthetic condition i" in a synthetic source text of its own, so that
every quote still occurs verbatim at its offsets and every check the real file passes,
the generated files pass too. Each condition uses every kind of fact, qualifier, value
node and cross-reference that the OMS file uses.

    python benchmarks/corpus.py 10 /tmp/corpus     # writes conditions/ and sources/
"""

from __future__ import annotations

import argparse
import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "data" / "conditions" / "opsoclonus-myoclonus-syndrome.yaml"
SOURCE = REPO / "data" / "sources" / "oms-summary.txt"
NAME = "Opsoclonus myoclonus syndrome"
REFERENCES = ("subject", "object", "population", "diseaseContext", "therapeuticGoal", "purpose")


def _evidence(evidence: dict[str, Any], text: str, name: str) -> dict[str, Any]:
    quote = evidence["quote"].replace(NAME, name)
    start = text.find(quote)
    assert start >= 0, quote
    return {"quote": quote, "start": start, "end": start + len(quote)}


def condition(index: int, template: dict[str, Any], source_text: str, out: Path) -> Path:
    suffix = f"-{index:05d}"
    name = f"Synthetic condition {index:05d}"
    text = source_text.replace(NAME, name)
    source_path = out / "sources" / f"syn{suffix}.txt"
    source_path.write_text(text, encoding="utf-8")

    document = copy.deepcopy(template)
    source = document["source"]
    source.update(
        {
            "id": f"syn{suffix}",
            "file": f"../sources/{source_path.name}",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "header": _evidence(source["header"], text, name),
            "disclaimer": _evidence(source["disclaimer"], text, name),
        }
    )
    for entity in document["entities"]:
        entity["id"] += suffix
        if entity["label"] == NAME:
            entity["label"] = name
    for fact in document["facts"]:
        fact["id"] += suffix
        for key in REFERENCES:
            if key in fact:
                fact[key] += suffix
        fact["evidence"] = _evidence(fact["evidence"], text, name)
    path = out / "conditions" / f"synthetic-condition{suffix}.yaml"
    path.write_text(
        yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10_000),
        encoding="utf-8",
    )
    return path


def generate(count: int, out: Path) -> Path:
    """Write `count` conditions under out/conditions (with their sources); return that folder."""
    (out / "conditions").mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    source_text = SOURCE.read_text(encoding="utf-8")
    for index in range(count):
        condition(index, template, source_text, out)
    return out / "conditions"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    arguments = parser.parse_args()
    print(generate(arguments.count, arguments.out))
