"""The one place that locates the packaged ontology, shapes, curated data and queries.

An installed wheel carries them in ``omskg/_resources`` (hatchling force-include). An
editable install from a checkout has no such folder; there the checkout's own top-level
folders are used, so that an edit to a fact file is seen by the next build.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_FOLDERS = ("ontology", "shapes", "data", "queries")


@cache
def resource_root() -> Path:
    packaged = Path(str(resources.files("omskg"))) / "_resources"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if all((checkout / folder).is_dir() for folder in _FOLDERS):
        return checkout
    raise FileNotFoundError(
        f"omskg cannot find its ontology, shapes and data: neither {packaged} "
        f"nor a source checkout at {checkout} holds them; reinstall omskg"
    )


def ontology_file() -> Path:
    return resource_root() / "ontology" / "omskg.ttl"


def jsonld_terms_file() -> Path:
    return resource_root() / "ontology" / "context.json"


def prefix_map_file() -> Path:
    return resource_root() / "ontology" / "prefixes.json"


def shapes_dir() -> Path:
    return resource_root() / "shapes"


def conditions_dir() -> Path:
    return resource_root() / "data" / "conditions"


def dataset_metadata_file() -> Path:
    return resource_root() / "data" / "dataset.yaml"


def xref_targets_file() -> Path:
    return resource_root() / "data" / "xref-targets.tsv"


def queries_dir() -> Path:
    return resource_root() / "queries"
