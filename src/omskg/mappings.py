"""Cross-references: the table of verified targets, the gate that admits no other
identifier, the targets' labels for the graph, and the SSSOM mapping set written from the
same records as the RDF."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import yaml
from rdflib import RDFS

from omskg.iris import Iris
from omskg.records import FactFile, InputError, Problem
from omskg.vocab import MATCH_PROPERTIES, PREFIXES, SEMAPV, shorten, shortener_for, xref_converter

SSSOM_SUBJECT_PREFIX = "OMSKG"
AUTHOR = "omskg project"
SSSOM_PREFIXES = {"skos": PREFIXES["skos"], "semapv": str(SEMAPV)}
JUSTIFICATION = shorten(str(SEMAPV.ManualMappingCuration), shortener_for(SSSOM_PREFIXES))
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "author_label",
    "comment",
)
TARGET_COLUMNS = ["curie", "label", "checked_in", "justification"]


@dataclass(frozen=True)
class Target:
    curie: str
    label: str  # empty where the label was not seen in the target vocabulary
    checked_in: str
    justification: str  # why the match types used for this target hold


def load_targets(path: Path) -> dict[str, Target]:
    """Read the table of verified cross-reference targets (TSV; '#' lines are comments)."""
    problems: list[Problem] = []
    targets: dict[str, Target] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    if not rows or rows[0][1].split("\t") != TARGET_COLUMNS:
        raise InputError(
            [Problem(path, rows[0][0] if rows else None, f"header must be: {', '.join(TARGET_COLUMNS)}")]
        )
    for number, line in rows[1:]:
        cells = line.split("\t")
        if len(cells) != len(TARGET_COLUMNS) or not cells[0] or not cells[2] or not cells[3]:
            message = "a row needs a curie, a label (may be empty), checked_in and a justification"
            problems.append(Problem(path, number, message))
            continue
        if cells[0] in targets:
            problems.append(Problem(path, number, f"{cells[0]} is listed twice"))
        targets[cells[0]] = Target(*cells)
    if problems:
        raise InputError(problems)
    return targets


def check_xrefs(fact_files: list[FactFile], targets: dict[str, Target], targets_path: Path) -> None:
    """Admit only cross-references whose identifiers were verified (listed in the targets table)."""
    problems = [
        Problem(
            fact_file.path,
            None,
            f"entity {entity.id!r}: cross-reference {xref.curie} is not among the verified identifiers "
            f"in {targets_path}; verify it against the ontology and list it there, or leave it out",
        )
        for fact_file in fact_files
        for entity in fact_file.entities
        for xref in entity.xrefs
        if xref.curie not in targets
    ]
    if problems:
        raise InputError(problems)


def label_triples(fact_files: list[FactFile], targets: dict[str, Target]) -> set[ox.Triple]:
    """``<target> rdfs:label "label"``, as the target vocabulary spells it (a plain string,
    as in the OBO files), for every cross-reference target whose label was seen."""
    found: set[ox.Triple] = set()
    for fact_file in fact_files:
        for entity in fact_file.entities:
            for xref in entity.xrefs:
                target = targets.get(xref.curie)
                if target is not None and target.label:  # (an unlisted one is refused later)
                    triple = _LABELS.get((xref.iri, target.label))
                    if triple is None:
                        triple = _LABELS[(xref.iri, target.label)] = ox.Triple(
                            ox.NamedNode(xref.iri), _LABEL, ox.Literal(target.label)
                        )
                    found.add(triple)
    return found


_LABEL = ox.NamedNode(str(RDFS.label))
#: (target IRI, label) -> its label triple, made once per process (a target recurs in many
#: files; there are no more of them than the table's verified targets)
_LABELS: dict[tuple[str, str], ox.Triple] = {}


class Mapping(NamedTuple):  # (a tuple: one is made per cross-reference)
    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    comment: str


def mappings(fact_files: list[FactFile], targets: dict[str, Target]) -> list[Mapping]:
    shortener = shortener_for(SSSOM_PREFIXES)
    predicates = {match: shorten(str(prop), shortener) for match, prop in MATCH_PROPERTIES.items()}
    objects: dict[tuple[str, str], tuple[str, str, str, str]] = {}  # (curie, match) -> the row's last cells
    found = []
    for fact_file in fact_files:
        for entity in fact_file.entities:
            subject_id = f"{SSSOM_SUBJECT_PREFIX}:{entity.id}"
            for xref in entity.xrefs:
                cells = objects.get((xref.curie, xref.match))
                if cells is None:
                    target = targets[xref.curie]
                    comment = f"{target.justification}. Identifier checked in: {target.checked_in}"
                    cells = (predicates[xref.match], xref.curie, target.label, comment)
                    objects[(xref.curie, xref.match)] = cells
                found.append(Mapping(subject_id, entity.label, *cells))
    return sorted(found, key=itemgetter(0, 2, 3))  # (subject, predicate, object)


def sssom_tsv(
    rows: list[Mapping], base: str, version: str, title: str, license_iri: str, published: str
) -> bytes:
    """An SSSOM/TSV mapping set: a YAML metadata block behind '#', then one row per mapping."""
    converter = xref_converter()
    used = sorted({m.object_id.split(":", 1)[0] for m in rows})
    curie_map = {prefix: converter.prefix_map[prefix] for prefix in used}
    curie_map[SSSOM_SUBJECT_PREFIX] = str(Iris(base).entity(""))
    curie_map.update(SSSOM_PREFIXES)
    metadata = {
        "curie_map": dict(sorted(curie_map.items())),
        "mapping_set_id": Iris(base).mapping_set(),
        "mapping_set_version": version,
        "mapping_set_title": f"{title}: cross-references",
        "mapping_set_description": (
            "Every cross-reference of the omskg knowledge graph. The match predicate says how close "
            "the omskg entity and the target are; the comment says why that match type holds, "
            "judged against the target's own label and definition, and where the target "
            "identifier was checked (the target ontology or a curated mapping)."
        ),
        "license": license_iri,
        "creator_label": [AUTHOR],
        "publication_date": published,
    }
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1000)
    lines = [f"#{line}" for line in header.splitlines()]
    lines.append("\t".join(COLUMNS))
    for m in rows:
        cells = (
            m.subject_id,
            m.subject_label,
            m.predicate_id,
            m.object_id,
            m.object_label,
            JUSTIFICATION,
            AUTHOR,
            m.comment,
        )
        lines.append("\t".join(cells))
    lines.append("")  # (the last line's end)
    return "\n".join(lines).encode("utf-8")


def read_sssom_rows(text: str) -> list[dict[str, str]]:
    body = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(body, delimiter="\t"))
