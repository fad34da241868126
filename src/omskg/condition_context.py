"""The JSON-LD context of the nested condition document (``omskg.condition_json``): it reads
every item as its statement node (``@reverse`` of ``rdf:subject``), words as the IRIs they
label, and the evidence as properties of the statement (``@nest``); keys that hold copies of
other nodes' values, or numbers JSON-LD would read as doubles, are mapped to null."""

from __future__ import annotations

from typing import Any

from rdflib.namespace import DCTERMS, PROV, XSD

from omskg.vocab import BIOLINK, OMSKG, PREFIXES, Vocabulary

Words = dict[str, dict[str, str]]  # key -> word -> the IRI it stands for


def conditions_context(vocab: Vocabulary, groups: list[str], words_of: Words, other_words: Words
                       ) -> dict[str, Any]:
    """The context of the document: its arrays of a condition's facts ``groups``, the words
    of the controlled values (``words_of``: key -> word -> IRI) and of the entities of the
    facts of files that name no condition (``other_words``)."""
    rdf, rdfs, xsd = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]

    def words(key: str) -> dict[str, str]:
        return dict(sorted({**words_of.get(key, {}), **other_words.get(key, {})}.items()))

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
            name: str(OMSKG[name]) for name in sorted(vocab.fact_predicates)}},
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
    for name in sorted(vocab.qualifiers):
        rng = str(vocab.ranges.get(name, ""))
        if rng == str(XSD.decimal):
            context[name] = None
        elif rng.startswith(str(XSD)):
            context[name] = {"@id": str(OMSKG[name]), "@type": rng}
        else:
            context[name] = {"@id": str(OMSKG[name]), "@type": "@vocab", "@context": words(name)}
    return context
