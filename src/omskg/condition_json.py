"""One nested document per condition, for readers with ``json.load`` and no RDF library.

Each condition carries its names and arrays of facts (symptoms, body systems, triggers,
associated conditions, treatments, mechanisms, ...), one item per statement of the graph:
what it is about (IRI, label, cross-references with their target labels and match type),
every qualifier as a plain field (words for controlled values, numbers, booleans), and its
evidence (quote, offsets, source, statement IRI). Facts about an item's entity (a symptom's
descriptions, what triggers a mechanism) hang under that item's ``facts``.

It is JSON-LD too: its context reads every item as its statement node (``@reverse`` of
``rdf:subject``), words as the IRIs they label, and the evidence as properties of the
statement (``@nest``), so that a JSON-LD processor reads it to triples of the graph. Keys
that hold copies of other nodes' values (an item's label and cross-references, evidence
offsets) or numbers JSON-LD would read as doubles rather than exact decimals are mapped to
null: JSON readers see them, RDF readers read the exact values from the graph files.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from rdflib import RDFS
from rdflib.namespace import XSD

from omskg.condition_context import conditions_context
from omskg.indented import Indented, Written, items_parts
from omskg.mappings import Target
from omskg.minted import Minted
from omskg.records import (
    AgeRange,
    Boolean,
    Entity,
    EntityRef,
    Evidence,
    Fact,
    FactFile,
    Incidence,
    InputError,
    Problem,
    Qualifiers,
    QualifierValue,
    Source,
    Text,
    Xref,
    value_types,
)
from omskg.vocab import OMSKG, Vocabulary

#: The array of a condition each fact predicate's statements go into; a predicate not named
#: here gets an array under its own name.
GROUPS = {
    "abbreviation": "names",
    "synonym": "names",
    "inCategory": "categories",
    "hasSymptom": "symptoms",
    "affects": "bodySystems",
    "hasAutoimmuneTarget": "autoimmuneTargets",
    "triggeredBy": "triggers",
    "associatedWith": "associatedConditions",
    "hasMechanism": "mechanisms",
    "treatedWith": "treatments",
    "hasClinicalCourse": "clinicalCourse",
    "affectsPopulation": "populations",
    "describedAs": "descriptions",
}
#: The arrays under a condition's ``epidemiology``.
EPIDEMIOLOGY = {
    "hasIncidence": "incidence",
    "hasOnsetAge": "onsetAge",
    "knownGeographicOrEthnicPredisposition": "geographicOrEthnicPredisposition",
}
#: UCUM codes of the age units the fact files use (unitText -> code).
UCUM = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h"}

#: Keys of the document's own; a group named after a predicate must not take one of them.
RESERVED = frozenset({
    "id", "type", "label", "xrefs", "conditions", "epidemiology", "otherFacts", "facts", "subject",
    "predicate", "fact", "entity", "text", "value", "evidence", "quote", "start", "end", "source",
    "statement", "annotation", "cases", "outOf", "period", "rate", "statistic", "min", "max", "unit",
    "unitText",
})
#: The keys of an item, in order (the qualifiers' fields go between its object's and its evidence).
ITEM_KEYS = frozenset({
    "subject", "predicate", "fact", "entity", "label", "xrefs", "text", "value", "evidence", "facts",
})


def group_names(predicates: list[str]) -> list[str]:
    """The arrays of a condition, in GROUPS' order, then one per predicate GROUPS does not name."""
    grouped = [g for g in dict.fromkeys(GROUPS.values()) if any(GROUPS.get(p) == g for p in predicates)]
    return grouped + sorted(p for p in predicates if p not in GROUPS and p not in EPIDEMIOLOGY)


def number(value: Decimal) -> int | float:
    """A decimal as a JSON number: an integer where it is whole."""
    return int(value) if value == value.to_integral_value() else float(value)


#: Qualifiers' text, entities (see write_qualifiers), value_types, the words' table they were admitted into.
_Qualified = tuple[str, list[tuple[str, EntityRef]], tuple[type, ...] | None, dict[str, dict[str, str]]]


class _Document:
    def __init__(
        self, fact_files: list[FactFile], targets: dict[str, Target], vocab: Vocabulary, minted: Minted
    ) -> None:
        self.vocab = vocab
        self.minted = minted
        self.targets = targets
        self.entities: dict[str, Entity] = {e.id: e for f in fact_files for e in f.entities}
        self.words: dict[str, dict[str, str]] = {}  # key -> word -> the IRI it stands for
        self.local: dict[str, dict[str, str]] = {}  # the same, for entities: per condition
        self.qualifier_texts: dict[Qualifiers, _Qualified] = {}  # see qualifiers_text
        self.evidence_texts: dict[int, tuple[Evidence, Source, str, str]] = {}  # evidence_text
        self.predicates = sorted(vocab.fact_predicates)
        self.groups = group_names(self.predicates)
        # Every qualifier's field, in order: a literal's is one value or null, the others' a list of words.
        self.literal = {q: str(vocab.ranges.get(q, "")).startswith(str(XSD))
                        for q in sorted(vocab.qualifiers)}
        self.keys = {q: f",\n  {encode_basestring(q)}: " for q in self.literal}  # (items: at no indent)
        self.unstated = [self.keys[q] + ("null" if literal else "[]") for q, literal in self.literal.items()]
        self.index = {q: i for i, q in enumerate(self.literal)}
        self.none_stated = "".join(self.unstated)
        self.writer = Indented()
        self.labels: dict[str, tuple[str, str]] = {}  # controlled value -> (its IRI, its label)
        self.written_words: dict[tuple[str, QualifierValue], str] = {}  # (key, controlled value) -> its word
        self.about: dict[str, str] = {}  # entity id -> its IRI, label and xrefs as an item's fields
        self.xref_lists: dict[tuple[Xref, ...], str] = {}  # cross-references -> xrefs_text
        self.conditions: dict[str, bool] = {}  # entity kind -> whether it is a kind of condition
        self.made: set[str] = set()  # the statements of the items made since it was last emptied

    def is_condition(self, kind: str) -> bool:
        found = self.conditions.get(kind)
        if found is None:
            found = self.conditions[kind] = self.vocab.is_a(kind, OMSKG.Condition)
        return found

    def word(self, key: str, iri: str, label: str, words: dict[str, dict[str, str]] | None = None) -> str:
        if ":" in label or label.startswith("@") or not label:
            raise ValueError(f"{key} value <{iri}> has a label that cannot be a JSON-LD term: {label!r}")
        tables = self.words if words is None else words
        table = tables.get(key)
        if table is None:
            table = tables[key] = {}
        known = table.setdefault(label, iri)
        if known != iri:
            raise ValueError(f"two {key} values are both labelled {label!r}: <{known}> and <{iri}>")
        return label

    def value_word(self, key: str, value: QualifierValue) -> str:
        if isinstance(value, EntityRef):
            entity = self.entities[value.id]  # (entity labels are unique within a condition, not across)
            return self.word(key, self.minted.entity(value.id), entity.label, self.local)
        assert isinstance(value, str)
        found = self.labels.get(value)
        if found is None:
            label = self.vocab.graph.value(OMSKG[value], RDFS.label)
            found = self.labels[value] = (str(OMSKG[value]), str(label) if label is not None else value)
        return self.word(key, *found)

    def word_text(self, key: str, value: QualifierValue) -> str:
        """``value_word`` written; a controlled value's once (its word, once admitted, is
        admitted again: ``self.words`` is never emptied, unlike the entities' words)."""
        if isinstance(value, EntityRef):
            return encode_basestring(self.value_word(key, value))
        found = self.written_words.get((key, value))
        if found is None:
            found = self.written_words[(key, value)] = encode_basestring(self.value_word(key, value))
        return found

    def xrefs(self, entity: Entity) -> list[dict[str, str]]:
        return [
            {
                "id": xref.curie,
                "iri": xref.iri,
                "label": self.targets[xref.curie].label if xref.curie in self.targets else "",
                "match": xref.match,
            }
            for xref in entity.xrefs
        ]

    def xrefs_text(self, xrefs: tuple[Xref, ...]) -> str:
        """An item's list of ``xrefs`` (written once for equal ones)."""
        found = self.xref_lists.get(xrefs)
        if found is None:
            found = self.xref_lists[xrefs] = _list([self.xref_text(xref) for xref in xrefs])
        return found

    def xref_text(self, xref: Xref) -> str:
        """``xrefs``' item of ``xref`` written at no indent (the curie, IRI and match checked
        strings, the label a cell of the targets' table)."""
        target = self.targets.get(xref.curie)
        return "".join([
            '{\n  "id": ', encode_basestring(xref.curie), ',\n  "iri": ', encode_basestring(xref.iri),
            ',\n  "label": ', encode_basestring(target.label if target is not None else ""),
            ',\n  "match": ', encode_basestring(xref.match), "\n}",
        ])

    def object_text(self, fact: Fact) -> str:
        """The fields of an item that say what its statement's object is."""
        obj = fact.object
        if isinstance(obj, EntityRef):
            about = self.about.get(obj.id)
            if about is None:
                entity = self.entities[obj.id]
                about = self.about[obj.id] = "".join([
                    ',\n  "entity": ', self.writer.text(self.minted.entity(obj.id), "  "),
                    ',\n  "label": ', self.writer.text(entity.label, "  "),
                    ',\n  "xrefs": ', self.xrefs_text(entity.xrefs),
                ])
            return about
        if isinstance(obj, Text):
            return ',\n  "text": ' + self.writer.text(obj.value, "  ")
        if isinstance(obj, Boolean):
            return ',\n  "value": ' + self.writer.text(obj.value, "  ")
        node: dict[str, Any] = {"id": self.minted.value(obj)}
        if isinstance(obj, Incidence):
            node |= {"cases": obj.cases, "outOf": obj.out_of, "period": obj.period,
                     "rate": number(Decimal(obj.cases) / Decimal(obj.out_of))}
        elif isinstance(obj, AgeRange):
            if obj.unit_text not in UCUM:
                raise ValueError(f"fact {fact.id!r}: no UCUM code known for the unit {obj.unit_text!r}")
            node |= {
                "statistic": self.value_word("statistic", obj.statistic),
                "min": number(obj.min_value), "max": number(obj.max_value),
                "unit": UCUM[obj.unit_text], "unitText": obj.unit_text,
            }
        return ',\n  "value": ' + self.writer.text(node, "  ")

    def qualifiers_text(self, fact: Fact) -> str:
        """Every qualifier's field: null or an empty list where the fact states none. Written
        once for equal qualifiers (of the same ``value_types``); their entities' words admitted
        again into each table of entities' words (``self.local``) they are used with."""
        qualifiers = fact.qualifiers
        if not qualifiers:
            return self.none_stated
        known = self.qualifier_texts.get(qualifiers)
        if known is None or (known[2] is not None and known[2] != value_types(qualifiers)):
            text, refs = self.write_qualifiers(qualifiers)
            known = self.qualifier_texts[qualifiers] = (text, refs, value_types(qualifiers), self.local)
        elif known[1] and known[3] is not self.local:
            for name, ref in known[1]:
                self.value_word(name, ref)
            self.qualifier_texts[qualifiers] = (*known[:3], self.local)
        return known[0]

    def write_qualifiers(self, qualifiers: Qualifiers) -> tuple[str, list[tuple[str, EntityRef]]]:
        """The qualifiers' fields, and their entities, each with its qualifier's name."""
        fields = self.unstated.copy()
        refs = []
        for name, values in sorted(dict(qualifiers).items()):
            literal = self.literal.get(name)
            if literal:
                value = values[0] if values else None
                written = self.writer.text(number(value) if isinstance(value, Decimal) else value, "  ")
                fields[self.index[name]] = self.keys[name] + written
            elif literal is not None:
                words = [self.word_text(name, v) for v in values]
                fields[self.index[name]] = self.keys[name] + _list(words)
                refs += [(name, v) for v in values if isinstance(v, EntityRef)]
        return "".join(fields), refs

    def evidence_text(self, evidence: Evidence, source: Source) -> tuple[str, str]:
        """An item's ``evidence`` field but its statement: before it, and after it (written
        once per evidence block)."""
        known = self.evidence_texts.get(id(evidence))
        if known is None or known[0] is not evidence or known[1] is not source:
            known = self.evidence_texts[id(evidence)] = (evidence, source, "".join([
                ',\n  "evidence": {\n    "quote": ', encode_basestring(evidence.quote),
                ',\n    "start": ', self.writer.text(evidence.start, "    "),
                ',\n    "end": ', self.writer.text(evidence.end, "    "),
                ',\n    "source": ', encode_basestring(self.minted.source(source)),
                ',\n    "statement": ',
            ]), ',\n    "annotation": ' + encode_basestring(self.minted.evidence(source, evidence)) + "\n  }")
        return known[2], known[3]

    def item(self, fact: Fact, fact_file: FactFile, by_subject: dict[str, list[Fact]],
             seen: frozenset[str], with_subject: bool) -> Written:
        """An item, written at no indent: its fields in the order of ``ITEM_KEYS``, the
        qualifiers' between its object's and its evidence. (The fields written with
        ``encode_basestring`` are strings: IRIs, and what the fact files' reader checked.)"""
        statement = self.minted.statement(fact)
        self.made.add(statement)
        head, tail = self.evidence_text(fact.evidence, fact_file.source)
        parts = [
            '{\n  "subject": ' + encode_basestring(self.minted.entity(fact.subject)) + ',\n  "predicate": '
            if with_subject else '{\n  "predicate": ',
            encode_basestring(fact.predicate), ',\n  "fact": ', encode_basestring(fact.id),
            self.object_text(fact), self.qualifiers_text(fact), head, encode_basestring(statement), tail,
        ]
        if isinstance(fact.object, EntityRef):
            about = fact.object.id
            inner = [] if about in seen else by_subject.get(about)
            if inner:
                seen = seen | {about}
                facts = [self.item(f, fact_file, by_subject, seen, True).text for f in inner]
                parts += ',\n  "facts": ', _list(facts)
            else:
                parts.append(',\n  "facts": []')
        parts.append("\n}")
        return Written("".join(parts))

    def condition(self, condition: Entity, fact_file: FactFile, by_subject: dict[str, list[Fact]],
                  placed: set[str]) -> dict[str, Any]:
        self.local = {}
        document: dict[str, Any] = {
            "id": self.minted.entity(condition.id),
            "type": "Condition",
            "label": condition.label,
            "xrefs": self.xrefs(condition),
        }
        for name in self.groups:
            if name in RESERVED:
                raise ValueError(f"the fact predicate {name!r} needs its own key in condition_json.GROUPS")
            document[name] = []
        document["epidemiology"] = {EPIDEMIOLOGY[p]: [] for p in self.predicates if p in EPIDEMIOLOGY}
        self.made, seen = set(), frozenset({condition.id})
        for fact in by_subject.get(condition.id, []):
            item = self.item(fact, fact_file, by_subject, seen, False)
            if fact.predicate in EPIDEMIOLOGY:
                document["epidemiology"][EPIDEMIOLOGY[fact.predicate]].append(item)
            else:
                document[GROUPS.get(fact.predicate, fact.predicate)].append(item)
        placed |= self.made
        self.made = set()
        document["otherFacts"] = [  # facts about entities that no item of the condition reaches
            self.item(fact, fact_file, by_subject, frozenset(), True)
            for fact in fact_file.facts
            if self.minted.statement(fact) not in placed
        ]
        placed |= self.made
        scoped = {  # the words for this condition's entities, in a context of its own
            name: {"@id": str(OMSKG[name]), "@type": "@vocab", "@context": dict(sorted(words.items()))}
            for name, words in sorted(self.local.items())
        }
        return {"@context": scoped, **document} if scoped else document


def _list(written: list[str]) -> str:
    """A list of an item's field, of values written at no indent."""
    if not written:
        return "[]"
    return "[\n    " + ",\n    ".join([text.replace("\n", "\n    ") for text in written]) + "\n  ]"


def conditions_document(
    fact_files: list[FactFile], targets: dict[str, Target], vocab: Vocabulary, base: str,
    minted: Minted | None = None,
) -> bytes:
    """The nested JSON(-LD) document of every condition, as bytes (deterministic).
    ``minted``: the IRIs minted so far under ``base`` (KGX's too)."""
    minted = minted or Minted(base)
    assert minted.iris.base == base
    builder = _Document(fact_files, targets, vocab, minted)
    conditions: list[dict[str, Any]] = []
    other: list[Written] = []  # the facts of files that name no condition
    other_words: dict[str, dict[str, str]] = {}
    for fact_file in fact_files:
        placed: set[str] = set()  # a file's facts that no item reaches go to its first condition
        by_subject: dict[str, list[Fact]] = {}
        for fact in fact_file.facts:
            by_subject.setdefault(fact.subject, []).append(fact)
        try:
            for entity in fact_file.entities:
                if builder.is_condition(entity.kind):
                    conditions.append(builder.condition(entity, fact_file, by_subject, placed))
            if not placed:
                builder.local = other_words
                other.extend(builder.item(f, fact_file, {}, frozenset(), True) for f in fact_file.facts)
        except ValueError as error:  # bad input for this file: one line, exit status 2
            problem = Problem(fact_file.path, None, f"the nested condition document: {error}")
            raise InputError([problem]) from None
    groups = builder.groups + [EPIDEMIOLOGY[p] for p in builder.predicates if p in EPIDEMIOLOGY]
    context = conditions_context(vocab, groups, builder.words, other_words)
    head = json.dumps({"@context": context}, indent=2, ensure_ascii=False).removesuffix("\n}")
    return b"".join([
        head.encode("utf-8"), b',\n  "conditions": ', *items_parts(conditions), b',\n  "otherFacts": ',
        *items_parts(other), b"\n}\n",
    ])
