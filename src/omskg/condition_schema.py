"""The JSON Schema (draft 2020-12) of the nested condition document (condition_json), made
from the same vocabulary, so that a new qualifier or predicate gets its field in both."""

from __future__ import annotations

import json
from typing import Any

from rdflib.namespace import XSD

from omskg.condition_json import EPIDEMIOLOGY, UCUM, group_names
from omskg.iris import Iris
from omskg.vocab import JSON_SCHEMA_DRAFT, Vocabulary

DRAFT = JSON_SCHEMA_DRAFT

_IRI = {"type": "string", "format": "iri", "pattern": "^[a-z][a-z0-9+.-]*:[^\\s<>\"{}|\\\\^`]+$"}
_WORD = {"type": "string", "minLength": 1}


def _qualifier(vocab: Vocabulary, name: str) -> dict[str, Any]:
    rng = str(vocab.ranges.get(name, ""))
    if rng == str(XSD.boolean):
        return {"type": ["boolean", "null"]}
    if rng.startswith(str(XSD)):
        return {"type": ["number", "null"]}
    return {"type": "array", "items": {"$ref": "#/$defs/word"}, "description": "the labels of the values"}


def conditions_schema(vocab: Vocabulary, base: str, name: str) -> bytes:
    qualifiers = sorted(vocab.qualifiers)
    predicates = sorted(vocab.fact_predicates)
    groups = group_names(predicates)
    epidemiology = [EPIDEMIOLOGY[p] for p in predicates if p in EPIDEMIOLOGY]
    statements = {"type": "array", "items": {"$ref": "#/$defs/item"}}
    item_common = {
        "subject": {"$ref": "#/$defs/iri"},
        "predicate": {"enum": predicates},
        "fact": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        **{q: _qualifier(vocab, q) for q in qualifiers},
        "evidence": {"$ref": "#/$defs/evidence"},
        "facts": statements,
    }
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"{Iris(base).base}{name}",
        "title": "omskg conditions: one nested document per condition",
        "type": "object",
        "required": ["@context", "conditions", "otherFacts"],
        "properties": {
            "@context": {"type": "object"},
            "conditions": {"type": "array", "items": {"$ref": "#/$defs/condition"}},
            "otherFacts": statements,
        },
        "additionalProperties": False,
        "$defs": {
            "iri": _IRI,
            "word": _WORD,
            "xref": {
                "type": "object",
                "required": ["id", "iri", "label", "match"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.]*:[^\\s]+$"},
                    "iri": {"$ref": "#/$defs/iri"},
                    "label": {"type": "string", "description": "the target's label; empty if not seen"},
                    "match": {"enum": ["exact", "close", "broad", "narrow", "related"]},
                },
                "additionalProperties": False,
            },
            "evidence": {
                "type": "object",
                "required": ["quote", "start", "end", "source", "statement", "annotation"],
                "properties": {
                    "quote": {"type": "string", "minLength": 1},
                    "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 1},
                    "source": {"$ref": "#/$defs/iri"},
                    "statement": {"$ref": "#/$defs/iri"},
                    "annotation": {"$ref": "#/$defs/iri"},
                },
                "additionalProperties": False,
            },
            "incidence": {
                "type": "object",
                "required": ["id", "cases", "outOf", "period", "rate"],
                "properties": {
                    "id": {"$ref": "#/$defs/iri"},
                    "cases": {"type": "integer", "minimum": 0},
                    "outOf": {"type": "integer", "minimum": 1},
                    "period": {"type": "string", "pattern": "^P"},
                    "rate": {"type": "number", "minimum": 0},
                },
                "additionalProperties": False,
            },
            "ageRange": {
                "type": "object",
                "required": ["id", "statistic", "min", "max", "unit", "unitText"],
                "properties": {
                    "id": {"$ref": "#/$defs/iri"},
                    "statistic": {"$ref": "#/$defs/word"},
                    "min": {"type": "number", "minimum": 0},
                    "max": {"type": "number", "minimum": 0},
                    "unit": {"enum": sorted(UCUM.values()), "description": "a UCUM code"},
                    "unitText": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "item": {
                "type": "object",
                "required": ["predicate", "fact", *qualifiers, "evidence"],
                "properties": {
                    **item_common,
                    "entity": {"$ref": "#/$defs/iri"},
                    "label": {"type": "string", "minLength": 1},
                    "xrefs": {"type": "array", "items": {"$ref": "#/$defs/xref"}},
                    "text": {"type": "string", "minLength": 1},
                    "value": {"oneOf": [{"type": "boolean"}, {"$ref": "#/$defs/incidence"},
                                        {"$ref": "#/$defs/ageRange"}]},
                },
                "oneOf": [
                    {"required": ["entity", "label", "xrefs", "facts"]},
                    {"required": ["text"]},
                    {"required": ["value"]},
                ],
                "additionalProperties": False,
            },
            "condition": {
                "type": "object",
                "required": ["id", "type", "label", "xrefs", *groups, "epidemiology", "otherFacts"],
                "properties": {
                    "@context": {"type": "object", "description": "the words of this condition's entities"},
                    "id": {"$ref": "#/$defs/iri"},
                    "type": {"const": "Condition"},
                    "label": {"type": "string", "minLength": 1},
                    "xrefs": {"type": "array", "items": {"$ref": "#/$defs/xref"}},
                    **{group: statements for group in groups},
                    "epidemiology": {
                        "type": "object",
                        "required": epidemiology,
                        "properties": {key: statements for key in epidemiology},
                        "additionalProperties": False,
                    },
                    "otherFacts": statements,
                },
                "additionalProperties": False,
            },
        },
    }
    return (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
