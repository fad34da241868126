"""Fact files (YAML, one per condition) -> typed, frozen records (``omskg.records``).

Every problem found is reported with the file and line it is on, and all problems in a
file are collected before failing, so that a curator fixes them in one pass. The source
block and the evidence quotes are checked in ``omskg.sources``, the fact objects read in
``omskg.fact_objects``, an entity's cross-references in ``omskg.cross_references``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from omskg.bounds import MAX_ITEMS, excerpt
from omskg.checking import SLUG, Checker, decimal, inexact
from omskg.cross_references import read_xrefs
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
)
from omskg.sources import EVIDENCE_FIELDS, anchor, read_source
from omskg.vocab import OMSKG, RDF_LANGSTRING, XSD_STRING, Vocabulary
from omskg.yaml_lines import Mapping, load_file

XSD = XSD_STRING.removesuffix("string")
_XSD_BOOLEAN, _XSD_DECIMAL, _OMSKG = XSD + "boolean", XSD + "decimal", str(OMSKG)
FACT_FILE_FIELDS = {"source", "entities", "facts"}
#: Optional top-level fields: ``sentences``, the source's sentences as evidence blocks (each
#: checked like a fact's evidence; a draft lists every sentence there for its facts to cite).
OPTIONAL_FILE_FIELDS = {"sentences"}
#: The field with which ``omskg draft`` marks a proposal that no curator has reviewed yet.
DRAFT_FIELD = "draft"
_OBJECT_FIELDS = frozenset(OBJECT_PARSERS)
_FACT_REQUIRED = frozenset({"id", "subject", "predicate", "evidence"})
_ENTITY_REQUIRED, _ENTITY_OPTIONAL = frozenset({"id", "kind", "label"}), frozenset({"xrefs", DRAFT_FIELD})
#: What a qualifier takes: true or false, a number, one of its class's individuals, an entity id.
_BOOLEAN, _NUMBER, _CONTROLLED, _ENTITY = "boolean", "number", "controlled", "entity"
_Lines = dict[str, int]  # an entity's or a fact's id -> the line it starts on


class _Tables:
    """What the checks ask of a vocabulary, worked out once for it (it is never changed)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.fact_fields = frozenset(OBJECT_PARSERS) | vocab.qualifiers | {DRAFT_FIELD}
        self.ranges = {name: str(rng) for name, rng in vocab.ranges.items()}
        controlled: dict[str, list[str]] = {}  # a class's local name -> its individuals
        for name, cls in sorted(vocab.individuals.items()):
            controlled.setdefault(cls, []).append(name)
        # each name the vocabulary knows, to itself: a record holds the vocabulary's string, one
        # object however many facts use it (fewer objects, and a smaller pickle of the records)
        self.kinds = {kind: kind for kind in vocab.entity_kinds}
        self.predicates = {predicate: predicate for predicate in vocab.fact_predicates}
        self.takes: dict[str, str] = {}  # qualifier -> _BOOLEAN, _NUMBER, _CONTROLLED or _ENTITY
        self.values: dict[str, dict[str, str]] = {}  # a controlled qualifier -> its values, to themselves
        for name in vocab.qualifiers & self.ranges.keys():
            rng = self.ranges[name]
            values = controlled.get(rng[len(_OMSKG) :])
            if rng in (_XSD_BOOLEAN, _XSD_DECIMAL):
                self.takes[name] = _BOOLEAN if rng == _XSD_BOOLEAN else _NUMBER
            elif values:
                self.takes[name], self.values[name] = _CONTROLLED, {value: value for value in values}
            else:
                self.takes[name] = _ENTITY
        self.fits: dict[tuple[str, type[FactObject]], bool] = {}  # (predicate, object type) -> in range
        self.is_a: dict[tuple[str, Any], bool] = {}  # (entity kind, class) -> whether it is one


_TABLES: dict[int, tuple[Vocabulary, _Tables]] = {}  # by id(vocab); the vocabulary kept alive


def _tables(vocab: Vocabulary) -> _Tables:
    known = _TABLES.get(id(vocab))
    if known is None or known[0] is not vocab:
        known = _TABLES[id(vocab)] = (vocab, _Tables(vocab))
    return known[1]


class _Reader(Checker):
    """Turns one fact file's YAML into records, collecting problems."""

    def __init__(self, path: Path, vocab: Vocabulary) -> None:
        super().__init__(path)
        self.vocab = vocab
        self.tables = _tables(vocab)
        self.source_text = ""
        self.anchored: dict[tuple[str, int, int], Evidence] = {}  # (quote, start, end) -> its evidence
        self.kind_of: dict[str, str] = {}  # an entity id -> its kind (the last given, if given twice)

    def evidence(self, value: Any, line: int, what: str) -> Evidence | None:
        """``anchor``, once for each evidence block that recurs (most facts share a sentence)."""
        if type(value) is not Mapping or value.keys() != EVIDENCE_FIELDS:
            return anchor(self, self.source_text, value, line, what)
        key = (value["quote"], value["start"], value["end"])
        if type(key[0]) is not str or type(key[1]) is not int or type(key[2]) is not int:
            return anchor(self, self.source_text, value, line, what)  # (True and 1 are one key)
        found = self.anchored.get(key)
        if found is None:
            found = anchor(self, self.source_text, value, line, what)
            if found is not None:  # what is refused is checked (and told) each time
                self.anchored[key] = found
        return found

    def draft_mark(self, mapping: Mapping, what: str) -> None:
        """A proposal of ``omskg draft`` that is still marked as such is never published."""
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
        if DRAFT_FIELD in mapping:
            self.draft_mark(mapping, what)
        if not self.check_keys(mapping, what, _ENTITY_REQUIRED, _ENTITY_OPTIONAL):
            return None
        entity_id = self.slug(mapping, "id", what)
        label = self.string(mapping, "label", what)
        written = mapping["kind"]
        kind = self.tables.kinds.get(written) if isinstance(written, str) else None
        if kind is None:
            known = ", ".join(sorted(self.vocab.entity_kinds))
            message = f"{what}: unknown kind {excerpt(written)} (known: {known})"
            self.problem(self.line_of(mapping, "kind"), message)
            return None
        xrefs = (
            read_xrefs(self, mapping["xrefs"], self.line_of(mapping, "xrefs"), what)
            if "xrefs" in mapping
            else ()
        )
        if entity_id is None or label is None or xrefs is None:
            return None
        return Entity(entity_id, kind, label, xrefs)

    # -------------------------------------------------------------- facts

    def fact(self, value: Any, line: int) -> Fact | None:
        mapping = self.mapping(value, line, "fact")
        if mapping is None:
            return None
        what = f"fact {excerpt(mapping.get('id', '?'))}"
        objects = _OBJECT_FIELDS & mapping.keys()
        if DRAFT_FIELD in mapping:
            self.draft_mark(mapping, what)
        if not self.check_keys(mapping, what, _FACT_REQUIRED, self.tables.fact_fields):
            return None
        if len(objects) != 1:
            choices = ", ".join(OBJECT_PARSERS)
            self.problem(mapping, f"{what}: give exactly one object field ({choices})")
            return None
        fact_id = self.slug(mapping, "id", what)
        subject = self.slug(mapping, "subject", what)
        written = mapping["predicate"]
        predicate = self.tables.predicates.get(written) if isinstance(written, str) else None
        if predicate is None:
            known = ", ".join(sorted(self.vocab.fact_predicates))
            self.problem(
                self.line_of(mapping, "predicate"),
                f"{what}: unknown predicate {excerpt(written)} (known: {known})",
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
        fits = self.tables.fits.get((predicate, type(obj)))
        if fits is None:
            fits = self.tables.fits[(predicate, type(obj))] = self.range_takes(predicate, obj)
        return fits

    def range_takes(self, predicate: str, obj: FactObject) -> bool:
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
        names = self.vocab.qualifiers & mapping.keys()
        if not names:
            return ()
        parsed: list[tuple[str, tuple[QualifierValue, ...]]] = []
        ok = True
        for name in sorted(names) if len(names) > 1 else names:
            raw = mapping[name]
            line = self.line_of(mapping, name)
            if not isinstance(raw, list):  # one value, as most qualifiers are written
                value = self.qualifier_value(name, raw, line, what)
                ok = ok and value is not None
                if value is not None:
                    parsed.append((name, (value,)))
                continue
            out = [self.qualifier_value(name, v, line, what) for v in raw]
            if None in out or not out:
                ok = False
                continue
            if len(out) > 1 and len(set(out)) != len(out):
                self.problem(line, f"{what}: qualifier {name!r} repeats a value")
                ok = False
                continue
            ordered = out if len(out) == 1 else sorted(out, key=str)  # str: the repr of an EntityRef
            parsed.append((name, tuple(ordered)))  # type: ignore[arg-type]
        return tuple(parsed) if ok else None

    def qualifier_value(self, name: str, value: Any, line: int, what: str) -> QualifierValue | None:
        takes = self.tables.takes[name]
        if takes == _CONTROLLED:
            values = self.tables.values[name]
            found = values.get(value) if isinstance(value, str) else None
            if found is None:
                self.problem(line, f"{what}: {name} {excerpt(value)} is not one of: {', '.join(values)}")
            return found
        if takes == _BOOLEAN:
            if isinstance(value, bool):
                return value
            self.problem(line, f"{what}: qualifier {name!r} must be true or false, got {excerpt(value)}")
            return None
        if takes == _NUMBER:
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
        if isinstance(value, str) and SLUG.match(value):
            return EntityRef(value)
        self.problem(line, f"{what}: qualifier {name!r} must name an entity id, got {excerpt(value)}")
        return None

    # -------------------------------------------------------------- the file

    def items(
        self, top: Mapping, key: str, parse: Callable[[Any, int], Any], lines: _Lines
    ) -> list[Any]:
        """The records of one list of the file (``entities`` or ``facts``), each id's line noted
        in ``lines`` (the first, if an id is given twice)."""
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
                lines.setdefault(record.id, item.line)
        return parsed

    def check_references(
        self, entities: list[Entity], facts: list[Fact], entity_lines: _Lines, fact_lines: _Lines
    ) -> None:
        for entity in entities:
            if entity.id in self.kind_of:
                self.problem(entity_lines.get(entity.id), f"entity id {excerpt(entity.id)} is defined twice")
            self.kind_of[entity.id] = entity.kind
        fact_ids: set[str] = set()
        contents: dict[tuple[Any, ...], str] = {}
        for fact in facts:
            line = fact_lines.get(fact.id)
            if fact.id in fact_ids:
                self.problem(line, f"fact id {excerpt(fact.id)} is used twice")
            fact_ids.add(fact.id)
            count = len(contents)  # (a content is hashed once: its hash hashes every value in it)
            first = contents.setdefault((fact.subject, fact.predicate, fact.object, fact.qualifiers), fact.id)
            if len(contents) == count:
                self.problem(line, f"fact {excerpt(fact.id)} states the same as fact {excerpt(first)}")
            self.refers(fact, line, "subject", fact.subject, None)
            if isinstance(fact.object, EntityRef):
                self.refers(fact, line, "object", fact.object.id, self.vocab.ranges.get(fact.predicate))
            for name, values in fact.qualifiers:
                for value in values:
                    if isinstance(value, EntityRef):
                        self.refers(fact, line, f"qualifier {name}", value.id, self.vocab.ranges.get(name))

    def refers(self, fact: Fact, line: int | None, role: str, ref: str, expected: Any) -> None:
        """That ``ref`` is a defined entity, and one of the class ``expected`` (if not None)."""
        kind = self.kind_of.get(ref)
        if kind is None:
            self.problem(line, f"fact {excerpt(fact.id)}: {role} {excerpt(ref)} is not a defined entity")
        elif expected is not None and not self.is_a(kind, expected):
            self.problem(
                line,
                f"fact {excerpt(fact.id)}: {role} {excerpt(ref)} is a {kind}, "
                f"but {role} must be a {str(expected).removeprefix(str(OMSKG))}",
            )

    def is_a(self, kind: str, cls: Any) -> bool:
        known = self.tables.is_a.get((kind, cls))
        if known is None:
            known = self.tables.is_a[(kind, cls)] = self.vocab.is_a(kind, cls)
        return known


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
    entity_lines: _Lines = {}
    fact_lines: _Lines = {}
    entities = reader.items(top, "entities", reader.entity, entity_lines)
    facts = reader.items(top, "facts", reader.fact, fact_lines)
    reader.check_references(entities, facts, entity_lines, fact_lines)
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
