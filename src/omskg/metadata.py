"""What the dataset says about itself, read from data/dataset.yaml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from omskg.records import InputError, Problem


@dataclass(frozen=True)
class Distribution:
    name: str
    title: str
    media_type: str
    conforms_to: str
    rdf: bool
    iana_registered: bool = True  # DCAT's dcat:mediaType names only IANA-registered types


@dataclass(frozen=True)
class DatasetMetadata:
    title: str
    description: str
    version: str
    issued: dt.date
    modified: dt.date
    license: str
    publisher: str
    creator: str
    keywords: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    infores: str  # the dataset's Information Resource id, as KGX edges name their source
    previous_version: str | None = None  # the release this one revises (set by `omskg release`)


def load_metadata(path: Path) -> DatasetMetadata:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # (libyaml: 15 ms less)
        distributions = tuple(
            Distribution(
                name, d["title"], d["mediaType"], d["conformsTo"], bool(d.get("rdf", False)),
                bool(d.get("ianaRegistered", True)),
            )
            for name, d in data["distributions"].items()
        )
        meta = DatasetMetadata(
            data["title"],
            data["description"],
            str(data["version"]),
            data["issued"],
            data["modified"],
            data["license"],
            data["publisher"],
            data["creator"],
            tuple(data["keywords"]),
            distributions,
            str(data["infores"]),
            str(data["previousVersion"]) if data.get("previousVersion") is not None else None,
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            [Problem(path, None, f"dataset metadata: {type(error).__name__}: {error}")]
        ) from None
    if not meta.infores.startswith("infores:"):
        message = f"dataset metadata: infores must be an infores: id, got {meta.infores!r}"
        raise InputError([Problem(path, None, message)])
    if not isinstance(meta.issued, dt.date) or not isinstance(meta.modified, dt.date):
        raise InputError([Problem(path, None, "dataset metadata: issued and modified must be dates")])
    return meta
