"""What changed between two releases, statement by statement.

A statement's IRI is the hash of its subject, predicate, object and qualifiers, so a fact
whose qualifiers changed has a new IRI, and one whose evidence moved keeps its IRI with
other evidence. Facts are therefore matched by subject, predicate and object: a fact in
both releases with other qualifiers or evidence is *changed*; one in only one of them is
*added* or *removed*. Entities (IRIs under ``{base}entity/``) are added or retired, and
cross-references (their skos mappings) added, removed or retyped (same entity and
target, another match).

The same differences are given for people (``human``), for machines (``as_json``), and
as a SPARQL 1.1 Update (``patch``) that moves a store holding OLD to NEW.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS

from omskg import publish
from omskg.iris import Iris
from omskg.rdf import Triples
from omskg.vocab import MATCH_PROPERTIES, OMSKG, PAV, shorten, shortener_for

_RDF_TYPE = str(ox.NamedNode(str(RDF.type)))
_REIFICATION = {str(ox.NamedNode(str(p))) for p in (RDF.type, RDF.subject, RDF.predicate, RDF.object)}
ARCHIVE = "omskg.nt.gz"  # a release's N-Triples, as kept under releases/{version}/


class DiffInputError(ValueError):
    """OLD or NEW cannot be found or read."""


# ---------------------------------------------------------------------- reading a release


@dataclass(frozen=True)
class Release:
    label: str  # what was asked for, and where it was found
    triples: Triples


def published_version(dist: Path) -> str | None:
    """The version that a publication folder's dataset description gives, if any."""
    description = dist / publish.DESCRIPTION
    if not description.is_file():
        return None
    is_version_of, version = ox.NamedNode(str(DCTERMS.isVersionOf)), ox.NamedNode(str(PAV.version))
    quads = list(ox.parse(path=str(description), format=ox.RdfFormat.TURTLE))
    releases = {q.subject for q in quads if q.predicate == is_version_of}
    found = {q.object.value for q in quads if q.predicate == version and q.subject in releases}
    return found.pop() if len(found) == 1 else None


def read_release(spec: str, releases: Path, dist: Path) -> Release:
    """A release version (kept under ``releases``, or the one in ``dist``), a publication
    folder, or an N-Triples file (``.nt``, or gzipped ``.nt.gz``)."""
    path = Path(spec)
    if path.is_dir():
        path = path / publish.NTRIPLES
        if not path.is_file():
            raise DiffInputError(f"{spec}: a folder without {publish.NTRIPLES}")
    elif not path.is_file():
        kept = releases / spec / ARCHIVE
        if kept.is_file():
            path = kept
        elif published_version(dist) == spec:
            path = dist / publish.NTRIPLES
        else:
            raise DiffInputError(
                f"{spec}: neither a file, a folder, a release kept in {releases}/ "
                f"(no {kept}) nor the version in {dist}/ ({published_version(dist) or 'none'})"
            )
    try:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        triples = {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    except OSError as error:
        raise DiffInputError(f"{path}: {error}") from None
    except SyntaxError as error:
        raise DiffInputError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    label = spec if str(path) == spec else f"{spec} [{path}]"
    return Release(label, triples)


# ---------------------------------------------------------------------- the differences


@dataclass(frozen=True)
class Fact:
    """A statement, its terms in N-Triples syntax."""

    statement: str
    subject: str
    predicate: str
    object: str
    properties: dict[str, list[str]]  # every other property of the statement: qualifiers, evidence


@dataclass(frozen=True)
class Change:
    property: str
    old: list[str]
    new: list[str]


@dataclass(frozen=True)
class ChangedFact:
    subject: str
    predicate: str
    object: str
    old_statement: str
    new_statement: str
    changes: list[Change]


@dataclass(frozen=True)
class Entity:
    entity: str
    labels: list[str]


@dataclass(frozen=True)
class Xref:
    entity: str
    match: str
    target: str


@dataclass(frozen=True)
class RetypedXref:
    entity: str
    target: str
    old_match: str
    new_match: str


@dataclass
class Diff:
    old: str
    new: str
    old_triples: int
    new_triples: int
    facts_added: list[Fact] = field(default_factory=list)
    facts_removed: list[Fact] = field(default_factory=list)
    facts_changed: list[ChangedFact] = field(default_factory=list)
    entities_added: list[Entity] = field(default_factory=list)
    entities_retired: list[Entity] = field(default_factory=list)
    xrefs_added: list[Xref] = field(default_factory=list)
    xrefs_removed: list[Xref] = field(default_factory=list)
    xrefs_retyped: list[RetypedXref] = field(default_factory=list)
    triples_removed: list[str] = field(default_factory=list)  # N-Triples lines, sorted
    triples_added: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.triples_added or self.triples_removed)


class _Index:
    def __init__(self, triples: Triples, base: str) -> None:
        self.by_subject: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for t in triples:
            self.by_subject[str(t.subject)][str(t.predicate)].add(str(t.object))
        statement_class = str(ox.NamedNode(str(OMSKG.Statement)))
        entity_space = "<" + str(Iris(base).entity(""))
        matches = {str(ox.NamedNode(str(p))) for p in MATCH_PROPERTIES.values()}
        label = str(ox.NamedNode(str(RDFS.label)))
        self.facts: dict[str, Fact] = {}
        self.entities: dict[str, list[str]] = {}
        self.xrefs: dict[tuple[str, str], set[str]] = defaultdict(set)  # (entity, target) -> matches
        for subject, properties in self.by_subject.items():
            if statement_class in properties.get(_RDF_TYPE, ()):
                self.facts[subject] = self._fact(subject, properties)
            if subject.startswith(entity_space):
                self.entities[subject] = sorted(properties.get(label, ()))
                for predicate in matches & set(properties):
                    for target in properties[predicate]:
                        self.xrefs[(subject, target)].add(predicate)

    @staticmethod
    def _fact(statement: str, properties: dict[str, set[str]]) -> Fact:
        def one(p: Any) -> str:
            return ",".join(sorted(properties.get(str(ox.NamedNode(str(p))), {"?"})))

        rest = {p: sorted(v) for p, v in sorted(properties.items()) if p not in _REIFICATION}
        return Fact(statement, one(RDF.subject), one(RDF.predicate), one(RDF.object), rest)


def _key(fact: Fact) -> tuple[str, str, str]:
    return fact.subject, fact.predicate, fact.object


def _changes(old: Fact, new: Fact) -> list[Change]:
    names = sorted(set(old.properties) | set(new.properties))
    return [
        Change(p, old.properties.get(p, []), new.properties.get(p, []))
        for p in names
        if old.properties.get(p, []) != new.properties.get(p, [])
    ]


def compare(old: Release, new: Release, base: str) -> Diff:
    a, b = _Index(old.triples, base), _Index(new.triples, base)
    diff = Diff(old.label, new.label, len(old.triples), len(new.triples))
    old_by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    new_by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for fact in a.facts.values():
        old_by_key[_key(fact)].append(fact)
    for fact in b.facts.values():
        new_by_key[_key(fact)].append(fact)
    for key in sorted(set(old_by_key) | set(new_by_key)):
        olds = {f.statement: f for f in old_by_key.get(key, [])}
        news = {f.statement: f for f in new_by_key.get(key, [])}
        pairs = [(olds.pop(s), news.pop(s)) for s in sorted(set(olds) & set(news))]
        # the rest: same subject, predicate and object under another IRI (other qualifiers)
        pairs += list(zip([olds[s] for s in sorted(olds)], [news[s] for s in sorted(news)], strict=False))
        matched_old = {o.statement for o, _ in pairs}
        matched_new = {n.statement for _, n in pairs}
        for o, n in pairs:
            changes = _changes(o, n)
            if changes or o.statement != n.statement:
                diff.facts_changed.append(ChangedFact(*key, o.statement, n.statement, changes))
        diff.facts_removed += [olds[s] for s in sorted(olds) if s not in matched_old]
        diff.facts_added += [news[s] for s in sorted(news) if s not in matched_new]
    diff.entities_added = [Entity(e, b.entities[e]) for e in sorted(set(b.entities) - set(a.entities))]
    diff.entities_retired = [Entity(e, a.entities[e]) for e in sorted(set(a.entities) - set(b.entities))]
    for pair in sorted(set(a.xrefs) | set(b.xrefs)):
        before, after = a.xrefs.get(pair, set()), b.xrefs.get(pair, set())
        if before and after and before != after and len(before) == len(after) == 1:
            diff.xrefs_retyped.append(RetypedXref(pair[0], pair[1], min(before), min(after)))
            continue
        diff.xrefs_removed += [Xref(pair[0], m, pair[1]) for m in sorted(before - after)]
        diff.xrefs_added += [Xref(pair[0], m, pair[1]) for m in sorted(after - before)]
    diff.triples_removed = sorted(str(t) for t in old.triples - new.triples)
    diff.triples_added = sorted(str(t) for t in new.triples - old.triples)
    return diff


# ---------------------------------------------------------------------- for people


def human(diff: Diff, base: str) -> str:
    converter = shortener_for(Iris(base).prefix_map())

    def term(written: str) -> str:
        if written.startswith("<") and written.endswith(">"):
            return shorten(written[1:-1], converter)
        return written

    def terms(values: list[str]) -> str:
        return ", ".join(term(v) for v in values) if values else "(none)"

    def said(subject: str, predicate: str, obj: str) -> str:
        return f"{term(subject)} {term(predicate)} {term(obj)}"

    if diff.empty:
        return f"no changes: {diff.old} and {diff.new} hold the same {diff.new_triples} triples\n"
    lines = [f"{diff.old} ({diff.old_triples} triples) -> {diff.new} ({diff.new_triples} triples)"]
    lines.append(
        f"facts: {len(diff.facts_added)} added, {len(diff.facts_removed)} removed, "
        f"{len(diff.facts_changed)} changed"
    )
    for sign, facts in (("+", diff.facts_added), ("-", diff.facts_removed)):
        for fact in facts:
            what = said(fact.subject, fact.predicate, fact.object)
            lines.append(f"  {sign} {what}  ({term(fact.statement)})")
    for changed in diff.facts_changed:
        renamed = (
            f"{term(changed.old_statement)} -> {term(changed.new_statement)}"
            if changed.old_statement != changed.new_statement
            else term(changed.new_statement)
        )
        lines.append(f"  ~ {said(changed.subject, changed.predicate, changed.object)}  ({renamed})")
        for change in changed.changes:
            lines.append(f"      {term(change.property)}: {terms(change.old)} -> {terms(change.new)}")
    lines.append(f"entities: {len(diff.entities_added)} added, {len(diff.entities_retired)} retired")
    for sign, entities in (("+", diff.entities_added), ("-", diff.entities_retired)):
        for entity in entities:
            lines.append(f"  {sign} {term(entity.entity)} {terms(entity.labels)}")
    lines.append(
        f"cross-references: {len(diff.xrefs_added)} added, {len(diff.xrefs_removed)} removed, "
        f"{len(diff.xrefs_retyped)} retyped"
    )
    for sign, xrefs in (("+", diff.xrefs_added), ("-", diff.xrefs_removed)):
        for xref in xrefs:
            lines.append(f"  {sign} {said(xref.entity, xref.match, xref.target)}")
    for retyped in diff.xrefs_retyped:
        lines.append(
            f"  ~ {term(retyped.entity)} {term(retyped.target)}: "
            f"{term(retyped.old_match)} -> {term(retyped.new_match)}"
        )
    lines.append(f"triples: {len(diff.triples_added)} added, {len(diff.triples_removed)} removed")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- for machines


def as_json(diff: Diff) -> str:
    """The same differences as JSON; terms in N-Triples syntax."""
    document = asdict(diff)
    document["empty"] = diff.empty
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def patch(diff: Diff, graph: str | None = None) -> str:
    """A SPARQL 1.1 Update that turns a store's graph holding OLD into NEW: DELETE DATA of
    the triples only OLD has, then INSERT DATA of those only NEW has, in ``graph`` (an IRI)
    or the default graph. One request, so a store applies it as one transaction."""
    for line in diff.triples_removed + diff.triples_added:
        if line.startswith("_:") or " _:" in line.split('"', 1)[0]:
            raise DiffInputError("a graph with blank nodes cannot be patched with DELETE DATA")
    opening, closing = (f"  GRAPH {ox.NamedNode(graph)} {{\n", "  }\n") if graph else ("", "")
    indent = "    " if graph else "  "
    parts = [
        f"# omskg diff: {diff.old} -> {diff.new}; "
        f"{len(diff.triples_removed)} triple(s) deleted, {len(diff.triples_added)} inserted\n"
    ]
    operations = (("DELETE", diff.triples_removed), ("INSERT", diff.triples_added))
    blocks = [(op, lines) for op, lines in operations if lines]
    for i, (op, lines) in enumerate(blocks):
        body = "".join(f"{indent}{line} .\n" for line in lines)
        end = " ;\n" if i + 1 < len(blocks) else "\n"
        parts.append(f"{op} DATA {{\n{opening}{body}{closing}}}{end}")
    return "".join(parts)
