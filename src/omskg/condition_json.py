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
import math
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from rdflib import RDFS
from rdflib.namespace import DCTERMS, PROV, XSD

from omskg.mappings import Target
from omskg.minted import Minted
from omskg.records import (
    AgeRange,
    Boolean,
    Entity,
    EntityRef,
    Fact,
    FactFile,
    Incidence,
    InputError,
    Problem,
    QualifierValue,
    Text,
)
from omskg.vocab import BIOLINK, OMSKG, PREFIXES, Vocabulary

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


def group_names(predicates: list[str]) -> list[str]:
    """The arrays of a condition, in GROUPS' order, then one per predicate GROUPS does not name."""
    grouped = [g for g in dict.fromkeys(GROUPS.values()) if any(GROUPS.get(p) == g for p in predicates)]
    return grouped + sorted(p for p in predicates if p not in GROUPS and p not in EPIDEMIOLOGY)


def number(value: Decimal) -> int | float:
    """A decimal as a JSON number: an integer where it is whole."""
    return int(value) if value == value.to_integral_value() else float(value)


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
        self.predicates = sorted(vocab.fact_predicates)
        self.groups = group_names(self.predicates)
        # Every qualifier's field, in order: a literal's is one value or null, the others' a list of words.
        self.literal = {q: str(vocab.ranges.get(q, "")).startswith(str(XSD))
                        for q in sorted(vocab.qualifiers)}
        self.unstated: dict[str, Any] = {  # (one empty list for all: nothing changes an item once made)
            q: None if literal else [] for q, literal in self.literal.items()
        }
        self.labels: dict[str, tuple[str, str]] = {}  # controlled value -> (its IRI, its label)
        self.about: dict[str, tuple[str, str, list[dict[str, str]]]] = {}  # entity id -> IRI, label, xrefs
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
        known = (self.words if words is None else words).setdefault(key, {}).setdefault(label, iri)
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

    def object_fields(self, fact: Fact) -> dict[str, Any]:
        obj = fact.object
        if isinstance(obj, EntityRef):
            about = self.about.get(obj.id)
            if about is None:  # (one list of xrefs for every item about the entity: nothing changes them)
                entity = self.entities[obj.id]
                about = self.about[obj.id] = (self.minted.entity(obj.id), entity.label, self.xrefs(entity))
            return {"entity": about[0], "label": about[1], "xrefs": about[2]}
        if isinstance(obj, Text):
            return {"text": obj.value}
        if isinstance(obj, Boolean):
            return {"value": obj.value}
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
        return {"value": node}

    def qualifiers(self, fact: Fact) -> dict[str, Any]:
        fields = dict(self.unstated)
        for name, values in sorted(dict(fact.qualifiers).items()):
            literal = self.literal.get(name)
            if literal:
                value = values[0] if values else None
                fields[name] = number(value) if isinstance(value, Decimal) else value
            elif literal is not None:
                fields[name] = [self.value_word(name, v) for v in values]
        return fields

    def item(self, fact: Fact, fact_file: FactFile, by_subject: dict[str, list[Fact]],
             seen: frozenset[str], with_subject: bool) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if with_subject:
            item["subject"] = self.minted.entity(fact.subject)
        item["predicate"] = fact.predicate
        item["fact"] = fact.id
        item |= self.object_fields(fact)
        item |= self.qualifiers(fact)
        evidence = fact.evidence
        statement = self.minted.statement(fact)
        self.made.add(statement)
        item["evidence"] = {
            "quote": evidence.quote, "start": evidence.start, "end": evidence.end,
            "source": self.minted.source(fact_file.source),
            "statement": statement,
            "annotation": self.minted.evidence(fact_file.source, evidence),
        }
        if isinstance(fact.object, EntityRef):
            about = fact.object.id
            inner = [] if about in seen else by_subject.get(about, [])
            item["facts"] = [self.item(f, fact_file, by_subject, seen | {about}, True) for f in inner]
        return item

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
        self.made = set()
        for fact in by_subject.get(condition.id, []):
            item = self.item(fact, fact_file, by_subject, frozenset({condition.id}), False)
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

    def context(self, groups: list[str], other_words: dict[str, dict[str, str]]) -> dict[str, Any]:
        rdf, rdfs, xsd = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
        def words(key: str) -> dict[str, str]:
            return dict(sorted({**self.words.get(key, {}), **other_words.get(key, {})}.items()))
        context: dict[str, Any] = {
            "@version": 1.1,
            "id": "@id",
            "type": "@type",
            "conditions": "@included",  # (not @graph: with otherFacts beside it, a named graph)
            "label": None,  # an item's label is its entity's, not the statement's
            "xrefs": None,
            "Condition": {"@id": str(OMSKG.Condition), "@context": {
                "label": {"@id": f"{rdfs}label", "@language": "en"}}},
            "epidemiology": "@nest",
            "otherFacts": "@included",
            "facts": "@included",
            "subject": {"@id": f"{rdf}subject", "@type": "@id"},
            "predicate": {"@id": f"{rdf}predicate", "@type": "@vocab", "@context": {
                name: str(OMSKG[name]) for name in sorted(self.vocab.fact_predicates)}},
            "fact": str(DCTERMS.identifier),
            "entity": {"@id": f"{rdf}object", "@type": "@id"},
            "text": {"@id": f"{rdf}object", "@language": "en"},
            "value": {"@id": f"{rdf}object", "@type": "@id"},
            "evidence": "@nest",
            "quote": str(BIOLINK.supporting_text),
            "start": None,  # the offsets are the annotation's (its position selector's)
            "end": None,
            "source": {"@id": str(DCTERMS.source), "@type": "@id"},
            "statement": "@id",
            "annotation": {"@id": str(PROV.wasDerivedFrom), "@type": "@id"},
            "cases": {"@id": str(OMSKG.cases), "@type": f"{xsd}integer"},
            "outOf": {"@id": str(OMSKG.outOf), "@type": f"{xsd}integer"},
            "period": {"@id": str(OMSKG.period), "@type": f"{xsd}duration"},
            "rate": None,  # exact decimals: a JSON number would read back as an xsd:double
            "min": None,
            "max": None,
            "unit": None,  # a UCUM code the graph does not hold
            "unitText": f"{PREFIXES['schema']}unitText",
            "statistic": {"@id": str(OMSKG.statistic), "@type": "@vocab", "@context": words("statistic")},
        }
        for group in groups:
            context[group] = {"@reverse": f"{rdf}subject"}
        for name in sorted(self.vocab.qualifiers):
            rng = str(self.vocab.ranges.get(name, ""))
            if rng == str(XSD.decimal):
                context[name] = None
            elif rng.startswith(str(XSD)):
                context[name] = {"@id": str(OMSKG[name]), "@type": rng}
            else:
                context[name] = {"@id": str(OMSKG[name]), "@type": "@vocab", "@context": words(name)}
        return context


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
    other: list[dict[str, Any]] = []  # the facts of files that name no condition
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
    context = builder.context(groups, other_words)
    head = json.dumps({"@context": context}, indent=2, ensure_ascii=False).removesuffix("\n}")
    return b"".join([
        head.encode("utf-8"), b',\n  "conditions": ', _items(conditions), b',\n  "otherFacts": ',
        _items(other), b"\n}\n",
    ])


def _items(items: list[dict[str, Any]]) -> bytes:
    """A list of the document, as ``json.dumps(..., indent=2)`` writes it two levels down,
    one item at a time (so that no second copy of the whole document is made as text)."""
    if not items:
        return b"[]"
    written = []
    writer = Indented()
    for item in items:
        text = ["    "]
        writer.write(item, "    ", text)
        written.append("".join(text).encode("utf-8"))
    return b"[\n" + b",\n".join(written) + b"\n  ]"


class Indented:
    """Values as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes them, in pieces.

    The standard library's C encoder does not indent and its Python one is slow: this one
    writes str, list, dict (with str keys), int, float, bool and None itself, each key once
    per depth, and leaves the rest to ``json.dumps``."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}  # indent -> key -> ',\n{indent}"key": '

    def write(self, value: Any, indent: str, out: list[str]) -> None:
        """Append ``value`` as it stands ``len(indent) // 2`` levels down to ``out``."""
        kind = type(value)
        if kind is dict and value:
            mark, inner = len(out), indent + "  "
            keys = self.keys.get(inner)
            if keys is None:
                keys = self.keys[inner] = {}
            for key, item in value.items():
                written = keys.get(key)
                if written is None:
                    if type(key) is not str:  # (json.dumps makes numbers, booleans and None keys)
                        del out[mark:]
                        out.append(_dumped(value, indent))
                        return
                    written = keys[key] = ",\n" + inner + encode_basestring(key) + ": "
                item_kind = type(item)  # (the most frequent values here, rather than a call down)
                if item_kind is str:
                    out.append(written + encode_basestring(item))
                elif item is None:
                    out.append(written + "null")
                elif item_kind is list and not item:
                    out.append(written + "[]")
                elif item_kind is int:
                    out.append(written + repr(item))
                else:
                    out.append(written)
                    self.write(item, inner, out)
            out[mark] = "{" + out[mark][1:]  # (the first key follows the brace, not a comma)
            out.append("\n" + indent + "}")
        elif kind is list and value:
            inner = indent + "  "
            separator = "[\n" + inner
            for item in value:
                if type(item) is str:
                    out.append(separator + encode_basestring(item))
                else:
                    out.append(separator)
                    self.write(item, inner, out)
                separator = ",\n" + inner
            out.append("\n" + indent + "]")
        elif kind is str:
            out.append(encode_basestring(value))
        elif kind is list or kind is dict:
            out.append("[]" if kind is list else "{}")
        elif value is None or kind is bool:
            out.append("null" if value is None else "true" if value else "false")
        elif kind is int or (kind is float and math.isfinite(value)):
            out.append(repr(value))
        else:  # NaN and infinities, tuples, subclasses; what JSON cannot hold raises as there
            out.append(_dumped(value, indent))


def _dumped(value: Any, indent: str) -> str:
    # (a JSON text has no newline inside a string: every newline starts a line of the indentation)
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
