"""KGX for the Biolink world: the entities as nodes and the facts between entities as edges,
in KGX's JSON Lines format (one JSON object a line, sorted by id).

* A node per entity: its Biolink category (the Biolink classes the ontology makes its kind
  a subclass of; biolink:NamedThing where there is none), name, IRI, exact matches as
  ``xref``, names as ``synonym``; other matches, and every fact whose object is text, a
  boolean or a number, under ``omskg:`` keys.
* An edge per statement whose object is an entity: id = the statement's IRI; predicate = the
  Biolink property the ontology makes the omskg predicate a sub-property of
  (biolink:related_to where there is none), the omskg predicate as ``original_predicate``;
  knowledge level, agent type, ``primary_knowledge_source`` (the dataset's infores id), the
  evidence sentence as ``supporting_text``. Qualifiers go into Biolink's own slots where the
  edge's association class has one (population, disease context, proportion); the rest
  (hedges, approximate, core feature, therapeutic goal, ...) stay under ``omskg:`` keys.
"""

from __future__ import annotations

import json
from _json import make_encoder
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from omskg.graph import AGENT_TYPE, KNOWLEDGE_LEVEL
from omskg.mappings import SSSOM_SUBJECT_PREFIX
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
    Qualifiers,
    QualifierValue,
    Source,
    Text,
    Xref,
    value_types,
)
from omskg.vocab import BIOLINK, OMSKG, Vocabulary

#: A record's text with ``%s`` where its arguments go, and what picks them in that order;
#: a field of one: its text, and the number of the argument that ends it, if any.
Template = tuple[str, Callable[[tuple[str, ...]], tuple[str, ...] | str]]
Field = tuple[str, int | None]
NAMED_THING = "biolink:NamedThing"
RELATED_TO = "biolink:related_to"
ASSOCIATION = "biolink:Association"
#: The association class of an edge by the categories of its subject and object and its
#: predicate; any other edge is a plain biolink:Association.
ASSOCIATIONS = {
    ("biolink:Disease", "biolink:has_phenotype", "biolink:PhenotypicFeature"):
        "biolink:DiseaseToPhenotypicFeatureAssociation",
}
#: omskg qualifier -> (Biolink slot, the association classes that have it).
QUALIFIER_SLOTS = {
    "population": ("population_context_qualifier", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
    "diseaseContext": ("disease_context_qualifier", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
    "proportion": ("has_quotient", {"biolink:DiseaseToPhenotypicFeatureAssociation"}),
}
#: Fact predicates whose text objects are names of the subject (Biolink ``synonym``).
NAME_PREDICATES = frozenset({"abbreviation", "synonym"})


def _biolink(iri: str) -> str | None:
    return f"biolink:{iri[len(str(BIOLINK)):]}" if iri.startswith(str(BIOLINK)) else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
#: Its C encoder, made once (``_ENCODER.encode`` makes one a call); without the check for
#: cycles (the values are made here from records, never circular).
_ENCODE = make_encoder(None, _ENCODER.default, encode_basestring, None, ": ", ", ", True, False, True)


def _encoded(value: Any) -> str:
    return "".join(_ENCODE(value, 0))


def _strings(values: list[str]) -> str:
    return "[" + ", ".join([encode_basestring(value) for value in values]) + "]"


def _json(value: Any) -> str:
    """``value`` as ``_ENCODER`` writes it inside a record (its C encoder writes each value
    of a dict or list on its own, with the same separators: the pieces join to its text)."""
    return encode_basestring(value) if type(value) is str else _encoded(value)


class _Kgx:
    """Each record as its JSON line, written from its fields' JSON (a key's text, an entity's
    CURIE, a file's source made once), as ``_ENCODER`` writes the record's dict. (The fields
    written with ``encode_basestring`` are strings: IRIs, and what the fact files' reader checked.)"""

    def __init__(self, fact_files: list[FactFile], vocab: Vocabulary, minted: Minted, infores: str) -> None:
        self.vocab = vocab
        self.minted = minted
        self.infores = _json(infores)
        self.entities: dict[str, Entity] = {e.id: e for f in fact_files for e in f.entities}
        self.categories: dict[str, str] = {}  # entity kind -> its Biolink category
        self.category_lists: dict[str, str] = {}  # entity kind -> the JSON of [its category]
        self.predicates: dict[str, str] = {}  # omskg predicate -> its Biolink predicate
        self.edge_kinds: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}  # see edge_kind
        self.node_templates: dict[tuple[str, tuple[Xref, ...], bool, bool], Template] = {}  # node_template
        self.curies: dict[str, str] = {}  # entity id -> its CURIE's JSON
        self.words: dict[str, str] = {}  # omskg local name -> the JSON of "omskg:{name}"
        # id(evidence) -> evidence, source, the JSON of its quote (a list), source and annotation
        self.evidence: dict[int, tuple[Evidence, Source, str, str, str]] = {}
        # (qualifiers, kind) -> its fact_template, and the qualifiers' value_types
        self.fact_templates: dict[tuple[Qualifiers, object], tuple[Template, tuple[type, ...] | None]] = {}
        self.kind_fields: dict[object, dict[str, Field]] = {}  # kind -> the fields of fact_template's keys
        self.key_texts: dict[str, str] = {}  # key -> its JSON and colon

    def template(self, keys: Iterable[str], values: Iterable[str | int]) -> Template:
        """The template of the JSON object of ``keys`` and ``values`` (JSON text, or the
        number of an argument that is), its keys sorted; a key given twice has its last value,
        as in a dict."""
        return _template(self.fields(keys, values))

    def fields(self, keys: Iterable[str], values: Iterable[str | int]) -> dict[str, Field]:
        """Each key's field in a template, a key given twice with its last value."""
        fields: dict[str, Field] = {}
        for key, value in zip(keys, values, strict=True):
            text = self.key_texts.get(key)
            if text is None:
                text = self.key_texts[key] = encode_basestring(key) + ": "
            fields[key] = (text, value) if isinstance(value, int) else (text + value, None)
        return fields

    def curie(self, entity_id: str) -> str:
        found = self.curies.get(entity_id)
        if found is None:
            found = self.curies[entity_id] = _json(f"{SSSOM_SUBJECT_PREFIX}:{entity_id}")
        return found

    def word(self, name: str) -> str:
        found = self.words.get(name)
        if found is None:
            found = self.words[name] = _json(f"omskg:{name}")
        return found

    def category_list(self, kind: str) -> str:
        found = self.category_lists.get(kind)
        if found is None:
            found = self.category_lists[kind] = _strings([self.category(kind)])
        return found

    def category(self, kind: str) -> str:
        category = self.categories.get(kind)
        if category is None:
            found = [c for cls in self.vocab.superclasses(OMSKG[kind]) if (c := _biolink(str(cls)))]
            category = min(found, key=lambda c: (c == NAMED_THING, c)) if found else NAMED_THING
            self.categories[kind] = category
        return category

    def predicate(self, name: str) -> str:
        predicate = self.predicates.get(name)
        if predicate is None:
            found = sorted(p for sup in self.vocab.superproperties(OMSKG[name]) if (p := _biolink(str(sup))))
            predicate = self.predicates[name] = found[0] if found else RELATED_TO
        return predicate

    def qualifier_value(self, value: QualifierValue) -> str:
        if type(value) is str:  # (the most frequent: a controlled value)
            return self.word(value)
        if isinstance(value, EntityRef):
            return self.curie(value.id)
        if isinstance(value, Decimal):
            return _encoded(_number(value))
        if isinstance(value, bool):
            return "true" if value else "false"
        return self.word(value)

    def literal(self, fact: Fact) -> str:
        obj = fact.object
        if isinstance(obj, Text | Boolean):
            return _json(obj.value)
        if isinstance(obj, Incidence):
            return _encoded({"cases": obj.cases, "outOf": obj.out_of, "period": obj.period,
                             "rate": _number(Decimal(obj.cases) / Decimal(obj.out_of))})
        assert isinstance(obj, AgeRange)
        return _encoded({"statistic": f"omskg:{obj.statistic}", "min": _number(obj.min_value),
                         "max": _number(obj.max_value), "unitText": obj.unit_text})

    def qualifier_fields(self, qualifiers: Qualifiers, association: str) -> tuple[list[str], list[str]]:
        """The keys and values' JSON of a fact's qualifiers: in the Biolink slot of
        ``association`` where it has one, else under ``omskg:{name}`` (hedges always a list,
        others a list only when they are several)."""
        keys: list[str] = []
        values: list[str] = []
        for name, given in qualifiers:
            converted = [self.qualifier_value(v) for v in given]
            slot, classes = QUALIFIER_SLOTS.get(name, ("", set()))
            if association in classes and len(converted) == 1:
                keys.append(slot)
                values.append(converted[0])
            else:
                keys.append(f"omskg:{name}")
                values.append("[" + ", ".join(converted) + "]" if len(converted) > 1 or name == "hedge"
                              else converted[0])
        return keys, values

    def fact_template(self, qualifiers: Qualifiers, kind: object, association: str,
                      keys: tuple[str, ...], values: tuple[str | int, ...]) -> Template:
        """The template of a fact's record: its qualifiers' fields, its
        evidence's and id (``_EVIDENCE_KEYS``: the arguments 0 to 3), then ``keys`` with
        ``values`` (JSON, or the number of an argument), a key given twice with its last value.
        Kept by qualifiers and ``kind`` (which stands for ``association``, ``keys`` and
        ``values``): see ``known_template``."""
        fixed = self.kind_fields.get(kind)
        if fixed is None:
            fixed = self.kind_fields[kind] = self.fields((*_EVIDENCE_KEYS, *keys), (0, 1, 2, 3, *values))
        fields = self.fields(*self.qualifier_fields(qualifiers, association))
        fields.update(fixed)
        template = _template(fields)
        self.fact_templates[(qualifiers, kind)] = (template, value_types(qualifiers))
        return template

    def known_template(self, qualifiers: Qualifiers, kind: object) -> Template | None:
        """The ``fact_template`` made for equal qualifiers (their values of the same types:
        True is 1) and ``kind``, if any."""
        known = self.fact_templates.get((qualifiers, kind))
        if known is None or (known[1] is not None and known[1] != value_types(qualifiers)):
            return None
        return known[0]

    def evidence_fields(self, fact: Fact, source: Source) -> tuple[str, str, str, str]:
        """The JSON of a fact's ``_EVIDENCE_KEYS``: its quote, id, source and annotation
        (its evidence block's written once)."""
        evidence = fact.evidence
        known = self.evidence.get(id(evidence))
        if known is None or known[0] is not evidence or known[1] is not source:
            known = self.evidence[id(evidence)] = (
                evidence, source, "[" + encode_basestring(evidence.quote) + "]",
                encode_basestring(self.minted.source(source)),
                encode_basestring(self.minted.evidence(source, evidence)),
            )
        return known[2], encode_basestring(fact.id), known[3], known[4]

    def node(self, entity: Entity, facts: list[tuple[Fact, FactFile]]) -> str:
        """An entity's record: its template's (see ``node_template``) with its CURIE, label,
        IRI, names and facts put in."""
        names = [
            f.object.value for f, _ in facts if f.predicate in NAME_PREDICATES and isinstance(f.object, Text)
        ]
        key = (entity.kind, entity.xrefs, bool(names), bool(facts))
        template = self.node_templates.get(key)
        if template is None:
            template = self.node_templates[key] = self.node_template(*key)
        iri = encode_basestring(self.minted.entity(entity.id))
        values = [self.curie(entity.id), _json(entity.label), iri]
        if names:
            values.append(_strings(names))
        if facts:
            values.append("[" + ", ".join([self.literal_record(fact, file) for fact, file in facts]) + "]")
        return _filled(template, *values)

    def node_template(self, kind: str, xrefs: tuple[Xref, ...], with_names: bool, with_facts: bool
                      ) -> Template:
        """The template of the records of the entities of a kind and cross-references: their
        category, exact matches as ``xref``, other matches under ``omskg:``; the arguments
        are the CURIE, label, IRI, then the names (``synonym``) and facts where there are."""
        keys = ["id", "category", "name", "iri", "provided_by"]
        values: list[str | int] = [0, self.category_list(kind), 1, 2, "[" + self.infores + "]"]
        matches: dict[str, list[str]] = {}
        for xref in xrefs:
            matches.setdefault(xref.match, []).append(xref.curie)
        if "exact" in matches:
            keys.append("xref")
            values.append(_strings(matches["exact"]))
        if with_names:
            keys.append("synonym")
            values.append(3)
        for match in ("close", "broad", "narrow", "related"):
            if match in matches:
                keys.append(f"omskg:{match}_match")
                values.append(_strings(matches[match]))
        if with_facts:  # facts whose object is not an entity, so not an edge
            keys.append("omskg:facts")
            values.append(4 if with_names else 3)
        return self.template(keys, values)

    def literal_record(self, fact: Fact, fact_file: FactFile) -> str:
        template = self.known_template(fact.qualifiers, fact.predicate) or self.fact_template(
            fact.qualifiers, fact.predicate, "", _LITERAL_KEYS, (4, self.word(fact.predicate), 5))
        statement = encode_basestring(self.minted.statement(fact))
        return _filled(template, *self.evidence_fields(fact, fact_file.source), statement, self.literal(fact))

    def edge_kind(self, name: str, subject_kind: str, object_kind: str) -> tuple[str, str, str, str]:
        """The association class of an edge by its omskg predicate and its ends' kinds, and
        the JSON of it as a category, of its Biolink predicate and of its omskg predicate."""
        predicate = self.predicate(name)
        key = (self.category(subject_kind), predicate, self.category(object_kind))
        association = ASSOCIATIONS.get(key, ASSOCIATION)
        return association, "[" + _json(association) + "]", _json(predicate), self.word(name)

    def edge(self, fact: Fact, fact_file: FactFile) -> tuple[str, str]:
        """The edge's id, and its record."""
        assert isinstance(fact.object, EntityRef)
        object_id = fact.object.id
        kinds = (fact.predicate, self.entities[fact.subject].kind, self.entities[object_id].kind)
        found = self.edge_kinds.get(kinds)
        if found is None:
            found = self.edge_kinds[kinds] = self.edge_kind(*kinds)
        association, category, predicate, original = found
        template = self.known_template(fact.qualifiers, found) or self.fact_template(
            fact.qualifiers, found, association, _EDGE_KEYS,
            (4, category, 5, predicate, 6, original, _KNOWLEDGE_LEVEL, _AGENT_TYPE, self.infores))
        statement = self.minted.statement(fact)
        evidence = self.evidence_fields(fact, fact_file.source)
        ends = self.curie(fact.subject), self.curie(object_id)
        return statement, _filled(template, *evidence, encode_basestring(statement), *ends)


def _template(fields: dict[str, Field]) -> Template:
    """The fields as a JSON object, by their keys: its text for ``%``, its arguments' order."""
    pieces, order, piece = [], [], "{"
    for key in sorted(fields):
        text, argument = fields[key]
        piece += text if piece == "{" else ", " + text
        if argument is not None:
            pieces.append(piece.replace("%", "%%"))
            order.append(argument)
            piece = ""
    pieces.append(piece.replace("%", "%%") + "}")
    return "%s".join(pieces), itemgetter(*order) if len(order) > 1 else partial(_picked, order)


def _picked(order: list[int], arguments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple([arguments[i] for i in order])


def _filled(template: Template, *arguments: str) -> str:
    text, pick = template
    return text % pick(arguments)


_EVIDENCE_KEYS = ("supporting_text", "omskg:fact", "omskg:source", "omskg:annotation")
_LITERAL_KEYS = ("id", "original_predicate", "value")
_EDGE_KEYS = ("id", "category", "subject", "predicate", "object", "original_predicate", "knowledge_level",
              "agent_type", "primary_knowledge_source")
_KNOWLEDGE_LEVEL, _AGENT_TYPE = _json(KNOWLEDGE_LEVEL), _json(AGENT_TYPE)


def _lines(records: list[tuple[str, str]]) -> bytes:
    """The records sorted by id (stable: equal ids keep their order), a line each."""
    ordered = sorted(records, key=itemgetter(0))
    return "\n".join([record for _, record in ordered] + [""]).encode("utf-8")


def kgx_files(
    fact_files: list[FactFile], vocab: Vocabulary, base: str, infores: str, minted: Minted | None = None
) -> tuple[bytes, bytes]:
    """(nodes, edges) as KGX JSON Lines, sorted by id: byte-identical from build to build.
    ``minted``: the IRIs minted so far under ``base`` (the condition document's too)."""
    minted = minted or Minted(base)
    assert minted.iris.base == base
    kgx = _Kgx(fact_files, vocab, minted, infores)
    literal_facts: dict[str, list[tuple[Fact, FactFile]]] = {}
    edges = []
    for fact_file in fact_files:
        for fact in fact_file.facts:
            if isinstance(fact.object, EntityRef):
                edges.append(kgx.edge(fact, fact_file))
            else:
                literal_facts.setdefault(fact.subject, []).append((fact, fact_file))
    nodes = [(entity_id, kgx.node(entity, literal_facts.get(entity_id, [])))
             for entity_id, entity in kgx.entities.items()]
    return _lines(nodes), _lines(edges)
