"""Fact files (YAML, one per condition) -> typed, frozen records.

Every problem found is reported with the file and line it is on, and all problems in a
file are collected before failing, so that a curator fixes them in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from omskg.vocab import MATCH_PROPERTIES, OMSKG, Vocabulary, xref_converter

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DURATION = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD = "http://www.w3.org/2001/XMLSchema#"


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Evidence:
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Source:
    id: str
    path: Path
    sha256: str
    title: str
    kind: str
    last_updated: dt.date
    header: Evidence
    disclaimer: Evidence


@dataclass(frozen=True)
class Xref:
    curie: str
    iri: str
    match: str  # a key of MATCH_PROPERTIES


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    label: str
    xrefs: tuple[Xref, ...]


@dataclass(frozen=True)
class EntityRef:
    id: str


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Incidence:
    cases: int
    out_of: int
    period: str


@dataclass(frozen=True)
class AgeRange:
    statistic: str
    min_value: Decimal
    max_value: Decimal
    unit_text: str


FactObject = EntityRef | Text | Boolean | Incidence | AgeRange
QualifierValue = EntityRef | Decimal | bool | str  # str: a controlled value's local name


@dataclass(frozen=True)
class Fact:
    id: str
    subject: str
    predicate: str
    object: FactObject
    qualifiers: tuple[tuple[str, tuple[QualifierValue, ...]], ...]  # sorted by name
    evidence: Evidence


@dataclass(frozen=True)
class FactFile:
    path: Path
    source: Source
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class FactFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ------------------------------------------------------------------ YAML with line numbers


class _Mapping(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.CSafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ------------------------------------------------------------------ reading


class _Reader:
    """Collects problems while turning one file's YAML into records."""

    def __init__(self, path: Path, vocab: Vocabulary) -> None:
        self.path = path
        self.vocab = vocab
        self.problems: list[Problem] = []
        self.source_text = ""

    def problem(self, where: _Mapping | int | None, message: str) -> None:
        line = where.line if isinstance(where, _Mapping) else where
        self.problems.append(Problem(self.path, line, message))

    def line_of(self, mapping: _Mapping, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def mapping(self, value: Any, where: _Mapping | int | None, what: str) -> _Mapping | None:
        if isinstance(value, _Mapping):
            return value
        self.problem(where, f"{what} must be a mapping, got {_kind(value)}")
        return None

    def check_keys(self, mapping: _Mapping, what: str, required: set[str], allowed: set[str]) -> bool:
        ok = True
        for key in sorted(set(mapping) - allowed - required, key=str):
            self.problem(self.line_of(mapping, key), f"{what}: unknown field {key!r}")
            ok = False
        for key in sorted(required - set(mapping)):
            self.problem(mapping, f"{what}: missing field {key!r}")
            ok = False
        return ok

    def string(self, mapping: _Mapping, key: str, what: str) -> str | None:
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return value
        self.problem(self.line_of(mapping, key), f"{what}: {key!r} must be a non-empty string")
        return None

    def slug(self, mapping: _Mapping, key: str, what: str) -> str | None:
        value = self.string(mapping, key, what)
        if value is not None and not SLUG.match(value):
            self.problem(
                self.line_of(mapping, key),
                f"{what}: {key!r} {value!r} is not a slug (lower-case words joined by '-')",
            )
            return None
        return value

    # -------------------------------------------------------------- evidence

    def evidence(self, value: Any, line: int, what: str) -> Evidence | None:
        mapping = self.mapping(value, line, f"{what}: evidence")
        if mapping is None:
            return None
        if not self.check_keys(mapping, f"{what}: evidence", {"quote", "start", "end"}, set()):
            return None
        quote = self.string(mapping, "quote", f"{what}: evidence")
        start, end = mapping["start"], mapping["end"]
        if quote is None:
            return None
        if not (_is_int(start) and _is_int(end)):
            self.problem(mapping, f"{what}: evidence start and end must be whole numbers")
            return None
        first = self.source_text.find(quote)
        if first < 0:
            self.problem(
                mapping,
                f"{what}: the evidence quote does not occur in the source; "
                f"closest passage: {_closest_passage(quote, self.source_text)!r}",
            )
            return None
        if (start, end) != (first, first + len(quote)):
            self.problem(
                mapping,
                f"{what}: evidence offsets {start}-{end} do not match the quote, "
                f"whose first occurrence is at {first}-{first + len(quote)}",
            )
            return None
        text = self.source_text
        return Evidence(quote, start, end, text[max(0, start - 32) : start], text[end : end + 32])

    # -------------------------------------------------------------- source

    def source(self, value: Any, line: int) -> Source | None:
        mapping = self.mapping(value, line, "source")
        if mapping is None:
            return None
        fields = {"id", "file", "sha256", "title", "kind", "last_updated", "header", "disclaimer"}
        if not self.check_keys(mapping, "source", fields, set()):
            return None
        source_id = self.slug(mapping, "id", "source")
        file_name = self.string(mapping, "file", "source")
        checksum = self.string(mapping, "sha256", "source")
        if source_id is None or file_name is None or checksum is None:
            return None
        if not SHA256.match(checksum):
            self.problem(self.line_of(mapping, "sha256"), "source: sha256 must be 64 hex digits")
            return None
        source_path = (self.path.parent / file_name).resolve()
        try:
            raw = source_path.read_bytes()
        except OSError as error:
            self.problem(self.line_of(mapping, "file"), f"source file {source_path}: {error.strerror}")
            return None
        actual = hashlib.sha256(raw).hexdigest()
        if actual != checksum:
            self.problem(
                self.line_of(mapping, "sha256"),
                f"source file {source_path} has changed: its SHA-256 is {actual}, "
                f"the fact file records {checksum}; re-check every quote, then update sha256",
            )
            return None
        self.source_text = raw.decode("utf-8")
        title = self.string(mapping, "title", "source")
        kind = self.string(mapping, "kind", "source")
        updated = mapping.get("last_updated")
        if not isinstance(updated, dt.date):
            self.problem(
                self.line_of(mapping, "last_updated"), "source: last_updated must be a date (YYYY-MM-DD)"
            )
        header = self.evidence(mapping["header"], self.line_of(mapping, "header"), "source header")
        disclaimer = self.evidence(
            mapping["disclaimer"], self.line_of(mapping, "disclaimer"), "source disclaimer"
        )
        if header is not None:
            for key, stated in (("kind", kind), ("last_updated", str(updated))):
                if stated is not None and stated not in header.quote:
                    self.problem(
                        self.line_of(mapping, key),
                        f"source: {key} {stated!r} is not what the header quote says",
                    )
                    return None
        if None in (title, kind, header, disclaimer) or not isinstance(updated, dt.date):
            return None
        assert title and kind and header and disclaimer
        return Source(source_id, source_path, checksum, title, kind, updated, header, disclaimer)

    # -------------------------------------------------------------- entities

    def entity(self, value: Any, line: int) -> Entity | None:
        mapping = self.mapping(value, line, "entity")
        if mapping is None:
            return None
        what = f"entity {mapping.get('id', '?')!r}"
        if not self.check_keys(mapping, what, {"id", "kind", "label"}, {"xrefs"}):
            return None
        entity_id = self.slug(mapping, "id", what)
        label = self.string(mapping, "label", what)
        kind = mapping["kind"]
        if kind not in self.vocab.entity_kinds:
            known = ", ".join(sorted(self.vocab.entity_kinds))
            self.problem(self.line_of(mapping, "kind"), f"{what}: unknown kind {kind!r} (known: {known})")
            return None
        xrefs = (
            self.xrefs(mapping["xrefs"], self.line_of(mapping, "xrefs"), what) if "xrefs" in mapping else ()
        )
        if entity_id is None or label is None or xrefs is None:
            return None
        return Entity(entity_id, kind, label, xrefs)

    def xrefs(self, value: Any, line: int, what: str) -> tuple[Xref, ...] | None:
        mapping = self.mapping(value, line, f"{what}: xrefs")
        if mapping is None:
            return None
        converter = xref_converter()
        found: list[Xref] = []
        ok = True
        for match, curies in mapping.items():
            key_line = self.line_of(mapping, match)
            if match not in MATCH_PROPERTIES:
                known = ", ".join(MATCH_PROPERTIES)
                self.problem(key_line, f"{what}: unknown match type {match!r} (known: {known})")
                ok = False
                continue
            if not isinstance(curies, list):
                self.problem(key_line, f"{what}: xrefs {match} must be a list of CURIEs")
                ok = False
                continue
            for curie in curies:
                xref = self.xref(curie, match, key_line, what, converter)
                ok = ok and xref is not None
                if xref is not None:
                    found.append(xref)
        seen: set[str] = set()
        for xref in found:
            if xref.curie in seen:
                self.problem(line, f"{what}: cross-reference {xref.curie} is given twice")
                ok = False
            seen.add(xref.curie)
        return tuple(sorted(found, key=lambda x: (x.match, x.curie))) if ok else None

    def xref(self, curie: Any, match: str, line: int, what: str, converter: Any) -> Xref | None:
        if not isinstance(curie, str) or ":" not in curie:
            self.problem(line, f"{what}: cross-reference {curie!r} is not a CURIE (PREFIX:local)")
            return None
        prefix, local = curie.split(":", 1)
        record = converter.get_record(prefix)
        if record is None:
            known = ", ".join(sorted(converter.get_prefixes()))
            self.problem(line, f"{what}: cross-reference {curie}: unknown prefix {prefix!r} (known: {known})")
            return None
        if record.pattern and not re.match(record.pattern, local):
            self.problem(
                line,
                f"{what}: cross-reference {curie}: local id {local!r} does not match "
                f"{record.prefix}'s pattern {record.pattern}",
            )
            return None
        standard = f"{record.prefix}:{local}"
        return Xref(standard, converter.expand(standard), match)

    # -------------------------------------------------------------- facts

    def fact(self, value: Any, line: int) -> Fact | None:
        mapping = self.mapping(value, line, "fact")
        if mapping is None:
            return None
        what = f"fact {mapping.get('id', '?')!r}"
        objects = set(_OBJECT_PARSERS) & set(mapping)
        allowed = set(_OBJECT_PARSERS) | set(self.vocab.qualifiers)
        if not self.check_keys(mapping, what, {"id", "subject", "predicate", "evidence"}, allowed):
            return None
        if len(objects) != 1:
            choices = ", ".join(_OBJECT_PARSERS)
            self.problem(mapping, f"{what}: give exactly one object field ({choices})")
            return None
        fact_id = self.slug(mapping, "id", what)
        subject = self.slug(mapping, "subject", what)
        predicate = mapping["predicate"]
        if predicate not in self.vocab.fact_predicates:
            known = ", ".join(sorted(self.vocab.fact_predicates))
            self.problem(
                self.line_of(mapping, "predicate"),
                f"{what}: unknown predicate {predicate!r} (known: {known})",
            )
            return None
        (object_key,) = objects
        obj = _OBJECT_PARSERS[object_key](self, mapping[object_key], self.line_of(mapping, object_key), what)
        qualifiers = self.qualifiers(mapping, what)
        evidence = self.evidence(mapping["evidence"], self.line_of(mapping, "evidence"), what)
        if fact_id is None or subject is None or obj is None or qualifiers is None or evidence is None:
            return None
        if not self.object_fits_range(predicate, obj):
            self.problem(
                self.line_of(mapping, object_key),
                f"{what}: predicate {predicate!r} takes {self.vocab.ranges.get(predicate)}, "
                f"not {object_key!r}",
            )
            return None
        return Fact(fact_id, subject, predicate, obj, qualifiers, evidence)

    def object_fits_range(self, predicate: str, obj: FactObject) -> bool:
        expected = {
            Text: RDF_LANGSTRING,
            Boolean: XSD + "boolean",
            Incidence: str(OMSKG.IncidenceRate),
            AgeRange: str(OMSKG.AgeRange),
        }.get(type(obj))
        rng = self.vocab.ranges.get(predicate)
        if expected is None:  # an entity: its kind is checked once all entities are known
            return (
                rng is not None
                and not str(rng).startswith((XSD, RDF_LANGSTRING))
                and rng
                not in (
                    OMSKG.IncidenceRate,
                    OMSKG.AgeRange,
                )
            )
        return str(rng) == expected

    def qualifiers(
        self, mapping: _Mapping, what: str
    ) -> tuple[tuple[str, tuple[QualifierValue, ...]], ...] | None:
        parsed: list[tuple[str, tuple[QualifierValue, ...]]] = []
        ok = True
        for name in sorted(set(mapping) & self.vocab.qualifiers):
            raw = mapping[name]
            values = raw if isinstance(raw, list) else [raw]
            line = self.line_of(mapping, name)
            out = [self.qualifier_value(name, v, line, what) for v in values]
            if any(v is None for v in out) or not out:
                ok = False
                continue
            if len(set(out)) != len(out):
                self.problem(line, f"{what}: qualifier {name!r} repeats a value")
                ok = False
                continue
            parsed.append((name, tuple(sorted(out, key=str))))  # type: ignore[arg-type]
        return tuple(parsed) if ok else None

    def qualifier_value(self, name: str, value: Any, line: int, what: str) -> QualifierValue | None:
        rng = str(self.vocab.ranges[name])
        if rng == XSD + "boolean":
            if isinstance(value, bool):
                return value
            self.problem(line, f"{what}: qualifier {name!r} must be true or false, got {value!r}")
            return None
        if rng == XSD + "decimal":
            number = _decimal(value)
            if number is None:
                self.problem(line, f"{what}: qualifier {name!r} must be a number, got {value!r}")
                return None
            if name == "proportion" and not Decimal(0) <= number <= Decimal(1):
                self.problem(line, f"{what}: proportion {value} is outside 0 to 1 (write 50% as 0.5)")
                return None
            return number
        range_name = rng[len(str(OMSKG)) :]
        controlled = sorted(n for n, c in self.vocab.individuals.items() if c == range_name)
        if controlled:
            if value in controlled:
                return str(value)
            self.problem(line, f"{what}: {name} {value!r} is not one of: {', '.join(controlled)}")
            return None
        if isinstance(value, str) and SLUG.match(value):
            return EntityRef(value)
        self.problem(line, f"{what}: qualifier {name!r} must name an entity id, got {value!r}")
        return None


def _entity_object(reader: _Reader, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, str) and SLUG.match(value):
        return EntityRef(value)
    reader.problem(line, f"{what}: object must be an entity id, got {value!r}")
    return None


def _text_object(reader: _Reader, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, str) and value.strip():
        return Text(value)
    reader.problem(line, f"{what}: text must be a non-empty string")
    return None


def _boolean_object(reader: _Reader, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, bool):
        return Boolean(value)
    reader.problem(line, f"{what}: boolean must be true or false, got {value!r}")
    return None


def _incidence_object(reader: _Reader, value: Any, line: int, what: str) -> FactObject | None:
    mapping = reader.mapping(value, line, f"{what}: incidence")
    if mapping is None or not reader.check_keys(
        mapping, f"{what}: incidence", {"cases", "outOf", "period"}, set()
    ):
        return None
    cases, out_of, period = mapping["cases"], mapping["outOf"], mapping["period"]
    if not (_is_int(cases) and _is_int(out_of)) or cases < 0 or out_of < 1:
        reader.problem(
            mapping, f"{what}: incidence cases and outOf must be whole numbers, cases >= 0, outOf >= 1"
        )
        return None
    if cases > out_of:
        reader.problem(mapping, f"{what}: incidence cases ({cases}) exceed outOf ({out_of})")
        return None
    if not isinstance(period, str) or not DURATION.match(period):
        reader.problem(
            mapping, f"{what}: incidence period {period!r} is not an ISO 8601 duration such as P1Y"
        )
        return None
    return Incidence(cases, out_of, period)


def _age_range_object(reader: _Reader, value: Any, line: int, what: str) -> FactObject | None:
    mapping = reader.mapping(value, line, f"{what}: ageRange")
    fields = {"statistic", "minValue", "maxValue", "unitText"}
    if mapping is None or not reader.check_keys(mapping, f"{what}: ageRange", fields, set()):
        return None
    statistic = mapping["statistic"]
    statistics = sorted(n for n, c in reader.vocab.individuals.items() if c == "Statistic")
    low, high = _decimal(mapping["minValue"]), _decimal(mapping["maxValue"])
    unit = reader.string(mapping, "unitText", f"{what}: ageRange")
    if statistic not in statistics:
        reader.problem(
            mapping, f"{what}: ageRange statistic {statistic!r} is not one of: {', '.join(statistics)}"
        )
        return None
    if low is None or high is None:
        reader.problem(mapping, f"{what}: ageRange minValue and maxValue must be numbers")
        return None
    if low > high:
        reader.problem(mapping, f"{what}: ageRange minValue {low} exceeds maxValue {high}")
        return None
    if unit is None:
        return None
    return AgeRange(statistic, low, high, unit)


_OBJECT_PARSERS: dict[str, Callable[[_Reader, Any, int, str], FactObject | None]] = {
    "object": _entity_object,
    "text": _text_object,
    "boolean": _boolean_object,
    "incidence": _incidence_object,
    "ageRange": _age_range_object,
}


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _closest_passage(quote: str, text: str) -> str:
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+|\n", text) if s.strip()]
    ranked = difflib.get_close_matches(quote, sentences, n=1, cutoff=0.0)
    return ranked[0] if ranked else ""


# ------------------------------------------------------------------ cross-checks


def _check_references(
    reader: _Reader, entities: list[Entity], facts: list[Fact], lines: dict[str, int]
) -> None:
    kinds: dict[str, str] = {}
    for entity in entities:
        if entity.id in kinds:
            reader.problem(lines.get("entity:" + entity.id), f"entity id {entity.id!r} is defined twice")
        kinds[entity.id] = entity.kind
    fact_ids: set[str] = set()
    contents: dict[tuple[Any, ...], str] = {}
    for fact in facts:
        line = lines.get("fact:" + fact.id)
        if fact.id in fact_ids:
            reader.problem(line, f"fact id {fact.id!r} is used twice")
        fact_ids.add(fact.id)
        content = (fact.subject, fact.predicate, fact.object, fact.qualifiers)
        if content in contents:
            reader.problem(line, f"fact {fact.id!r} states the same as fact {contents[content]!r}")
        contents.setdefault(content, fact.id)
        for role, ref, expected in _references(reader.vocab, fact):
            if ref not in kinds:
                reader.problem(line, f"fact {fact.id!r}: {role} {ref!r} is not a defined entity")
            elif expected is not None and not reader.vocab.is_a(kinds[ref], expected):
                reader.problem(
                    line,
                    f"fact {fact.id!r}: {role} {ref!r} is a {kinds[ref]}, "
                    f"but {role} must be a {str(expected).removeprefix(str(OMSKG))}",
                )


def _references(vocab: Vocabulary, fact: Fact) -> Iterator[tuple[str, str, Any]]:
    yield "subject", fact.subject, None
    if isinstance(fact.object, EntityRef):
        yield "object", fact.object.id, vocab.ranges.get(fact.predicate)
    for name, values in fact.qualifiers:
        for value in values:
            if isinstance(value, EntityRef):
                yield f"qualifier {name}", value.id, vocab.ranges.get(name)


# ------------------------------------------------------------------ entry points


def read_fact_file(path: Path, vocab: Vocabulary) -> FactFile:
    """Read and check one fact file; raise FactFileError listing every problem found."""
    reader = _Reader(path, vocab)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FactFileError([Problem(path, None, f"cannot read: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FactFileError(
            [Problem(path, line, f"not UTF-8 text: {error.reason} at byte {error.start}")]
        ) from None
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        mark_line = mark.line + 1 if mark else None
        raise FactFileError(
            [Problem(path, mark_line, f"YAML syntax error: {error.problem or error}")]
        ) from None
    if document is None:
        raise FactFileError([Problem(path, None, "the file is empty")])
    top = reader.mapping(document, 1, "a fact file")
    if top is None or not reader.check_keys(top, "fact file", {"source", "entities", "facts"}, set()):
        raise FactFileError(reader.problems)
    source = reader.source(top["source"], reader.line_of(top, "source"))
    if source is None:
        raise FactFileError(reader.problems)
    lines: dict[str, int] = {}
    entities = _parse_list(reader, top, "entities", reader.entity, "entity", lines)
    facts = _parse_list(reader, top, "facts", reader.fact, "fact", lines)
    _check_references(reader, entities, facts, lines)
    if reader.problems:
        raise FactFileError(reader.problems)
    return FactFile(path, source, tuple(entities), tuple(facts))


def _parse_list(
    reader: _Reader,
    top: _Mapping,
    key: str,
    parse: Callable[[Any, int], Any],
    prefix: str,
    lines: dict[str, int],
) -> list[Any]:
    items = top[key]
    line = reader.line_of(top, key)
    if not isinstance(items, list) or not items:
        reader.problem(line, f"{key} must be a non-empty list")
        return []
    parsed = []
    for item in items:
        record = parse(item, line)
        if record is not None:
            parsed.append(record)
            lines.setdefault(f"{prefix}:{record.id}", item.line)
    return parsed


def read_fact_files(paths: list[Path], vocab: Vocabulary) -> list[FactFile]:
    """Read every file; report the problems of all of them together."""
    files, problems = read_each(paths, vocab)
    problems.extend(problems_across(files))
    if problems:
        raise FactFileError(problems)
    return files


def read_each(paths: list[Path], vocab: Vocabulary) -> tuple[list[FactFile], list[Problem]]:
    """The files that check out on their own, and the problems of the others."""
    files: list[FactFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files.append(read_fact_file(path, vocab))
        except FactFileError as error:
            problems.extend(error.problems)
    return files, problems


def problems_across(files: list[FactFile]) -> list[Problem]:
    """What no single file shows: an entity id defined in two files."""
    problems: list[Problem] = []
    entity_ids: dict[str, Path] = {}
    for fact_file in files:
        for entity in fact_file.entities:
            other = entity_ids.get(entity.id)
            if other is not None and other != fact_file.path:
                problems.append(
                    Problem(fact_file.path, None, f"entity id {entity.id!r} is also defined in {other}")
                )
            entity_ids.setdefault(entity.id, fact_file.path)
    return problems


def fact_file_paths(directory: Path) -> list[Path]:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise FactFileError([Problem(directory, None, "no fact files (*.yaml) in this folder")])
    return paths
