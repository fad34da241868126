"""Fact files (YAML, one per condition) -> typed, frozen records (``omskg.records``).

Every problem found is reported with the file and line it is on, and all problems in a
file are collected before failing, so that a curator fixes them in one pass. The source
block and the evidence quotes are checked in ``omskg.sources``, the fact objects read in
``omskg.fact_objects``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omskg.bounds import MAX_ITEMS, excerpt, inline
from omskg.checking import SLUG, Checker, decimal, inexact
from omskg.fact_objects import OBJECT_PARSERS
from omskg.records import (
    AgeRange,
    Boolean,
    Entity,
    EntityRef,
    Evidence,
    Fact,
    FactFile,
    FactObject,
    Incidence,
    InputError,
    Problem,
    QualifierValue,
    Text,
    Xref,
)
from omskg.sources import anchor, read_source
from omskg.vocab import MATCH_PROPERTIES, OMSKG, RDF_LANGSTRING, XSD_STRING, Vocabulary, xref_converter
from omskg.yaml_lines import Mapping, load_file

if TYPE_CHECKING:
    import curies

XSD = XSD_STRING.removesuffix("string")
FACT_FILE_FIELDS = {"source", "entities", "facts"}
#: Optional top-level fields: ``sentences``, the source's sentences as evidence blocks (each
#: checked like a fact's evidence; a draft lists every sentence there for its facts to cite).
OPTIONAL_FILE_FIELDS = {"sentences"}
#: The field with which ``omskg draft`` marks a proposal that no curator has reviewed yet.
DRAFT_FIELD = "draft"


class _Reader(Checker):
    """Turns one fact file's YAML into records, collecting problems."""

    def __init__(self, path: Path, vocab: Vocabulary) -> None:
        super().__init__(path)
        self.vocab = vocab
        self.source_text = ""

    def evidence(self, value: Any, line: int, what: str) -> Evidence | None:
        return anchor(self, self.source_text, value, line, what)

    def draft_mark(self, mapping: Mapping, what: str) -> None:
        """A proposal of ``omskg draft`` that is still marked as such is never published."""
        if DRAFT_FIELD in mapping:
            note = str(mapping[DRAFT_FIELD])
            note = note if len(note) <= 100 else note[:99] + "…"
            self.problem(
                self.line_of(mapping, DRAFT_FIELD),
                f"{what} is still a draft ({note}); review it, then delete its draft: line",
            )

    def sentences(self, top: Mapping) -> None:
        """The optional ``sentences:`` list: each an evidence block, checked against the source."""
        if "sentences" not in top:
            return
        listed, line = top["sentences"], self.line_of(top, "sentences")
        if not isinstance(listed, list):
            self.problem(line, "sentences must be a list of evidence blocks (quote, start, end)")
            return
        for number, item in enumerate(listed, 1):
            self.evidence(item, item.line if isinstance(item, Mapping) else line, f"sentence {number}")

    # -------------------------------------------------------------- entities

    def entity(self, value: Any, line: int) -> Entity | None:
        mapping = self.mapping(value, line, "entity")
        if mapping is None:
            return None
        what = f"entity {excerpt(mapping.get('id', '?'))}"
        self.draft_mark(mapping, what)
        if not self.check_keys(mapping, what, {"id", "kind", "label"}, {"xrefs", DRAFT_FIELD}):
            return None
        entity_id = self.slug(mapping, "id", what)
        label = self.string(mapping, "label", what)
        kind = mapping["kind"]
        if not isinstance(kind, str) or kind not in self.vocab.entity_kinds:
            known = ", ".join(sorted(self.vocab.entity_kinds))
            message = f"{what}: unknown kind {excerpt(kind)} (known: {known})"
            self.problem(self.line_of(mapping, "kind"), message)
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
        for match, listed in mapping.items():
            key_line = self.line_of(mapping, match)
            if match not in MATCH_PROPERTIES:
                known = ", ".join(MATCH_PROPERTIES)
                self.problem(key_line, f"{what}: unknown match type {excerpt(match)} (known: {known})")
                ok = False
                continue
            if not isinstance(listed, list):
                self.problem(key_line, f"{what}: xrefs {match} must be a list of CURIEs")
                ok = False
                continue
            for curie in listed:
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

    def xref(self, curie: Any, match: str, line: int, what: str, converter: curies.Converter) -> Xref | None:
        if not isinstance(curie, str) or ":" not in curie:
            self.problem(line, f"{what}: cross-reference {excerpt(curie)} is not a CURIE (PREFIX:local)")
            return None
        prefix, local = curie.split(":", 1)
        record = converter.get_record(prefix)
        if record is None:
            known = ", ".join(sorted(converter.get_prefixes()))
            unknown = f"unknown prefix {excerpt(prefix)} (known: {known})"
            self.problem(line, f"{what}: cross-reference {inline(curie)}: {unknown}")
            return None
        if record.pattern and not re.match(record.pattern, local):
            self.problem(
                line,
                f"{what}: cross-reference {inline(curie)}: local id {excerpt(local)} does not match "
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
        what = f"fact {excerpt(mapping.get('id', '?'))}"
        objects = set(OBJECT_PARSERS) & set(mapping)
        allowed = set(OBJECT_PARSERS) | set(self.vocab.qualifiers) | {DRAFT_FIELD}
        self.draft_mark(mapping, what)
        if not self.check_keys(mapping, what, {"id", "subject", "predicate", "evidence"}, allowed):
            return None
        if len(objects) != 1:
            choices = ", ".join(OBJECT_PARSERS)
            self.problem(mapping, f"{what}: give exactly one object field ({choices})")
            return None
        fact_id = self.slug(mapping, "id", what)
        subject = self.slug(mapping, "subject", what)
        predicate = mapping["predicate"]
        if not isinstance(predicate, str) or predicate not in self.vocab.fact_predicates:
            known = ", ".join(sorted(self.vocab.fact_predicates))
            self.problem(
                self.line_of(mapping, "predicate"),
                f"{what}: unknown predicate {excerpt(predicate)} (known: {known})",
            )
            return None
        (object_key,) = objects
        parse = OBJECT_PARSERS[object_key]
        obj = parse(self, self.vocab, mapping[object_key], self.line_of(mapping, object_key), what)
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
                and rng not in (OMSKG.IncidenceRate, OMSKG.AgeRange)
            )
        return str(rng) == expected

    def qualifiers(
        self, mapping: Mapping, what: str
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
            self.problem(line, f"{what}: qualifier {name!r} must be true or false, got {excerpt(value)}")
            return None
        if rng == XSD + "decimal":
            number = decimal(value)
            if number is None:
                self.problem(line, f"{what}: qualifier {name!r} must be a number, got {excerpt(value)}")
                return None
            problem = inexact(number)
            if problem is not None:
                self.problem(line, f"{what}: qualifier {name!r}: {problem}")
                return None
            if name == "proportion" and not Decimal(0) <= number <= Decimal(1):
                self.problem(line, f"{what}: proportion {number} is outside 0 to 1 (write 50% as 0.5)")
                return None
            return number
        range_name = rng[len(str(OMSKG)) :]
        controlled = sorted(n for n, c in self.vocab.individuals.items() if c == range_name)
        if controlled:
            if value in controlled:
                return str(value)
            self.problem(line, f"{what}: {name} {excerpt(value)} is not one of: {', '.join(controlled)}")
            return None
        if isinstance(value, str) and SLUG.match(value):
            return EntityRef(value)
        self.problem(line, f"{what}: qualifier {name!r} must name an entity id, got {excerpt(value)}")
        return None

    # -------------------------------------------------------------- the file

    def items(
        self, top: Mapping, key: str, parse: Callable[[Any, int], Any], lines: dict[str, int]
    ) -> list[Any]:
        """The records of one list of the file (``entities`` or ``facts``), each id's line noted."""
        listed = top[key]
        line = self.line_of(top, key)
        if not isinstance(listed, list) or not listed:
            self.problem(line, f"{key} must be a non-empty list")
            return []
        if len(listed) > MAX_ITEMS:
            self.problem(
                line, f"{key}: {len(listed):,} in one file, over the limit of {MAX_ITEMS:,}; split the file"
            )
            return []
        parsed = []
        for item in listed:
            if self.full:
                break
            record = parse(item, line)
            if record is not None:
                parsed.append(record)
                lines.setdefault(f"{key}:{record.id}", item.line)
        return parsed

    def check_references(self, entities: list[Entity], facts: list[Fact], lines: dict[str, int]) -> None:
        kinds: dict[str, str] = {}
        for entity in entities:
            if entity.id in kinds:
                message = f"entity id {excerpt(entity.id)} is defined twice"
                self.problem(lines.get("entities:" + entity.id), message)
            kinds[entity.id] = entity.kind
        fact_ids: set[str] = set()
        contents: dict[tuple[Any, ...], str] = {}
        for fact in facts:
            line = lines.get("facts:" + fact.id)
            if fact.id in fact_ids:
                self.problem(line, f"fact id {excerpt(fact.id)} is used twice")
            fact_ids.add(fact.id)
            content = (fact.subject, fact.predicate, fact.object, fact.qualifiers)
            if content in contents:
                other = excerpt(contents[content])
                self.problem(line, f"fact {excerpt(fact.id)} states the same as fact {other}")
            contents.setdefault(content, fact.id)
            for role, ref, expected in _references(self.vocab, fact):
                if ref not in kinds:
                    message = f"fact {excerpt(fact.id)}: {role} {excerpt(ref)} is not a defined entity"
                    self.problem(line, message)
                elif expected is not None and not self.vocab.is_a(kinds[ref], expected):
                    self.problem(
                        line,
                        f"fact {excerpt(fact.id)}: {role} {excerpt(ref)} is a {kinds[ref]}, "
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
    """Read and check one fact file; raise InputError listing every problem found."""
    reader = _Reader(path, vocab)
    top = reader.mapping(load_file(path), 1, "a fact file")
    if top is None or not reader.check_keys(top, "fact file", FACT_FILE_FIELDS, OPTIONAL_FILE_FIELDS):
        raise InputError(reader.problems)
    found = read_source(reader, top["source"], reader.line_of(top, "source"))
    if found is None:
        raise InputError(reader.problems)
    reader.source_text = found.text
    reader.sentences(top)
    lines: dict[str, int] = {}
    entities = reader.items(top, "entities", reader.entity, lines)
    facts = reader.items(top, "facts", reader.fact, lines)
    reader.check_references(entities, facts, lines)
    if reader.problems:
        raise InputError(reader.problems)
    return FactFile(path, found.source, tuple(entities), tuple(facts))


def read_fact_files(paths: list[Path], vocab: Vocabulary) -> tuple[list[FactFile], list[Problem]]:
    """The files that check out on their own, and the problems of the others (what spans
    files is checked by ``problems_across`` once every file is read)."""
    files: list[FactFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files.append(read_fact_file(path, vocab))
        except InputError as error:
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
                message = f"entity id {excerpt(entity.id)} is also defined in {other}"
                problems.append(Problem(fact_file.path, None, message))
            entity_ids.setdefault(entity.id, fact_file.path)
    return problems


def fact_file_paths(directory: Path) -> list[Path]:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise InputError([Problem(directory, None, "no fact files (*.yaml) in this folder")])
    return paths
