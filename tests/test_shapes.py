"""The SHACL gate: the published graph conforms, and every constraint rejects a graph
that breaks it, reporting the focus node, the path and the constraint component.

Each case below changes one thing in a small valid graph (see conftest.MINI_FACTS) with a
SPARQL Update. ``focus`` is a graph pattern that binds ?focus to the node the change is
made on; the update's DELETE/INSERT/WHERE parts may use ?focus too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from omskg import publish
from omskg.rdf import of_rdflib
from omskg.shacl import UnsupportedShape
from omskg.validate import Outcome, _short, shapes_graph, validate_graph
from omskg.vocab import NAMESPACES, SH
from tests.quick_check import agrees

PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in NAMESPACES.items()) + """
PREFIX e: <https://w3id.org/omskg/entity/>
PREFIX ex: <http://example.org/>
"""


class Case(NamedTuple):
    name: str
    focus: str  # a pattern binding ?focus ("" for a new blank node)
    delete: str
    insert: str
    path: str
    component: str
    message: str  # the start of the constraint's sh:message


def st(fact_id: str) -> str:
    return f'?focus dct:identifier "{fact_id}" .'


NB = st("oms-neuroblastoma-in-half-of-pediatric-cases")
ATAXIA_ST = st("oms-symptom-ataxia")
NB_FACT = '?st dct:identifier "oms-neuroblastoma-in-half-of-pediatric-cases" .'
ANNOTATION = NB_FACT + " ?st prov:wasDerivedFrom ?focus ."
TARGET = NB_FACT + " ?st prov:wasDerivedFrom/oa:hasTarget ?focus ."
QUOTE = "?focus a oa:TextQuoteSelector ; oa:exact ?exact . FILTER(STRSTARTS(?exact, \"Research\"))"
POSITION = "?focus a oa:TextPositionSelector ; oa:start \"1955\"^^xsd:nonNegativeInteger ."
SOURCE = "?focus a omskg:SourceDocument ."
DATASET = "?focus a dcat:Dataset ."
INCIDENCE = "?focus a omskg:IncidenceRate ."
AGE = "?focus a omskg:AgeRange ."
OMS = "BIND(e:opsoclonus-myoclonus-syndrome AS ?focus)"
ATAXIA = "BIND(e:ataxia AS ?focus)"
MATCHES = "skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch"

CASES = [
    # ---- entities
    Case("entity is a blank node", "", "", '_:x a omskg:Symptom ; rdfs:label "x"@en .', "", "NodeKindConstraintComponent", "An entity must be named by an IRI"),
    Case("label missing", ATAXIA, "?focus rdfs:label ?x .", "", "rdfs:label", "MinCountConstraintComponent", "An entity needs exactly one rdfs:label"),
    Case("two labels", ATAXIA, "", '?focus rdfs:label "ataxia again"@en .', "rdfs:label", "MaxCountConstraintComponent", "An entity needs exactly one rdfs:label"),
    Case("label without language", ATAXIA, "?focus rdfs:label ?x .", '?focus rdfs:label "ataxia" .', "rdfs:label", "DatatypeConstraintComponent", "An entity's label must be an English"),
    Case("label not English", ATAXIA, "?focus rdfs:label ?x .", '?focus rdfs:label "ataxie"@fr .', "rdfs:label", "LanguageInConstraintComponent", "An entity's label must be an English"),
    Case("label empty", ATAXIA, "?focus rdfs:label ?x .", '?focus rdfs:label ""@en .', "rdfs:label", "MinLengthConstraintComponent", "An entity's label must not be empty"),
    Case("xref is a literal", ATAXIA, "", '?focus skos:exactMatch "HP:0001251" .', MATCHES, "NodeKindConstraintComponent", "A cross-reference must be an IRI"),
    Case("xref local id malformed", ATAXIA, "", "?focus skos:closeMatch obo:HP_12 .", MATCHES, "PatternConstraintComponent", "A cross-reference must be the IRI of a known prefix"),
    Case("xref prefix unknown", ATAXIA, "", "?focus skos:relatedMatch <http://purl.obolibrary.org/obo/DOID_769> .", MATCHES, "PatternConstraintComponent", "A cross-reference must be the IRI of a known prefix"),
    Case("fact triple without statement", ATAXIA, "", '?focus omskg:abbreviation "AT"@en .', "omskg:abbreviation", "SPARQLConstraintComponent", "Every triple with a fact predicate needs an omskg:Statement"),
    Case("object outside range", OMS, "", "?focus omskg:hasSymptom e:neuroblastoma .", "omskg:hasSymptom", "SPARQLConstraintComponent", "The object of a fact predicate must be of the predicate's rdfs:range"),
    Case("literal outside range", OMS, "", '?focus omskg:abbreviation "OMS" .', "omskg:abbreviation", "SPARQLConstraintComponent", "The object of a fact predicate must be of the predicate's rdfs:range"),
    Case("subject outside domain", ATAXIA, "", "?focus omskg:hasSymptom e:ataxia .", "omskg:hasSymptom", "SPARQLConstraintComponent", "The subject of a fact predicate must be of the predicate's rdfs:domain"),
    # ---- statements
    Case("statement is a blank node", "", "", "_:s a omskg:Statement .", "", "NodeKindConstraintComponent", "A statement must be named by an IRI"),
    Case("statement subject missing", NB, "?focus rdf:subject ?x .", "", "rdf:subject", "MinCountConstraintComponent", "A statement needs exactly one rdf:subject"),
    Case("statement two subjects", NB, "", "?focus rdf:subject e:ataxia .", "rdf:subject", "MaxCountConstraintComponent", "A statement needs exactly one rdf:subject"),
    Case("statement subject not an entity", NB, "?focus rdf:subject ?x .", "?focus rdf:subject ex:thing .", "rdf:subject", "ClassConstraintComponent", "A statement needs exactly one rdf:subject"),
    Case("statement predicate missing", NB, "?focus rdf:predicate ?x .", "", "rdf:predicate", "MinCountConstraintComponent", "A statement needs exactly one rdf:predicate"),
    Case("statement two predicates", NB, "", "?focus rdf:predicate omskg:triggeredBy .", "rdf:predicate", "MaxCountConstraintComponent", "A statement needs exactly one rdf:predicate"),
    Case("statement predicate not a fact predicate", NB, "?focus rdf:predicate ?x .", "?focus rdf:predicate rdfs:seeAlso .", "rdf:predicate", "ClassConstraintComponent", "A statement needs exactly one rdf:predicate"),
    Case("statement object missing", NB, "?focus rdf:object ?x .", "", "rdf:object", "MinCountConstraintComponent", "A statement needs exactly one rdf:object"),
    Case("statement two objects", NB, "", "?focus rdf:object e:breast-cancer .", "rdf:object", "MaxCountConstraintComponent", "A statement needs exactly one rdf:object"),
    Case("statement identifier missing", NB, "?focus dct:identifier ?x .", "", "dct:identifier", "MinCountConstraintComponent", "A statement needs exactly one dct:identifier"),
    Case("statement two identifiers", NB, "", '?focus dct:identifier "another" .', "dct:identifier", "MaxCountConstraintComponent", "A statement needs exactly one dct:identifier"),
    Case("statement identifier not a string", NB, "?focus dct:identifier ?x .", "?focus dct:identifier 7 .", "dct:identifier", "DatatypeConstraintComponent", "A statement needs exactly one dct:identifier"),
    Case("supporting text missing", NB, "?focus biolink:supporting_text ?x .", "", "biolink:supporting_text", "MinCountConstraintComponent", "A statement needs its evidence sentence"),
    Case("supporting text not a string", NB, "?focus biolink:supporting_text ?x .", '?focus biolink:supporting_text "x"@en .', "biolink:supporting_text", "DatatypeConstraintComponent", "A statement needs its evidence sentence"),
    Case("supporting text empty", NB, "?focus biolink:supporting_text ?x .", '?focus biolink:supporting_text "" .', "biolink:supporting_text", "MinLengthConstraintComponent", "A statement needs its evidence sentence"),
    Case("supporting text not the quote", NB, "?focus biolink:supporting_text ?x .", '?focus biolink:supporting_text "Something the source never said." .', "", "SPARQLConstraintComponent", "A statement's biolink:supporting_text must be the exact quote"),
    Case("evidence missing", NB, "?focus prov:wasDerivedFrom ?x .", "", "prov:wasDerivedFrom", "MinCountConstraintComponent", "A statement must be prov:wasDerivedFrom an oa:Annotation"),
    Case("evidence not an annotation", NB, "", "?focus prov:wasDerivedFrom ex:rumour .", "prov:wasDerivedFrom", "ClassConstraintComponent", "A statement must be prov:wasDerivedFrom an oa:Annotation"),
    Case("source missing", NB, "?focus dct:source ?x .", "", "dct:source", "MinCountConstraintComponent", "A statement needs exactly one dct:source"),
    Case("two sources", NB, "", "?focus dct:source ex:other .", "dct:source", "MaxCountConstraintComponent", "A statement needs exactly one dct:source"),
    Case("source not a document", NB, "?focus dct:source ?x .", "?focus dct:source ex:other .", "dct:source", "ClassConstraintComponent", "A statement needs exactly one dct:source"),
    Case("knowledge level missing", NB, "?focus biolink:knowledge_level ?x .", "", "biolink:knowledge_level", "MinCountConstraintComponent", "A statement needs exactly one biolink:knowledge_level"),
    Case("two knowledge levels", NB, "", '?focus biolink:knowledge_level "prediction" .', "biolink:knowledge_level", "MaxCountConstraintComponent", "A statement needs exactly one biolink:knowledge_level"),
    Case("knowledge level unknown", NB, "?focus biolink:knowledge_level ?x .", '?focus biolink:knowledge_level "hearsay" .', "biolink:knowledge_level", "InConstraintComponent", "A statement needs exactly one biolink:knowledge_level"),
    Case("agent type missing", NB, "?focus biolink:agent_type ?x .", "", "biolink:agent_type", "MinCountConstraintComponent", "A statement needs exactly one biolink:agent_type"),
    Case("two agent types", NB, "", '?focus biolink:agent_type "automated_agent" .', "biolink:agent_type", "MaxCountConstraintComponent", "A statement needs exactly one biolink:agent_type"),
    Case("agent type unknown", NB, "?focus biolink:agent_type ?x .", '?focus biolink:agent_type "robot" .', "biolink:agent_type", "InConstraintComponent", "A statement needs exactly one biolink:agent_type"),
    Case("two proportions", NB, "", "?focus omskg:proportion 0.25 .", "omskg:proportion", "MaxCountConstraintComponent", "A statement's omskg:proportion must be a single xsd:decimal"),
    Case("proportion not a decimal", NB, "?focus omskg:proportion ?x .", '?focus omskg:proportion "half" .', "omskg:proportion", "DatatypeConstraintComponent", "A statement's omskg:proportion must be a single xsd:decimal"),
    Case("proportion below 0", NB, "?focus omskg:proportion ?x .", '?focus omskg:proportion "-0.5"^^xsd:decimal .', "omskg:proportion", "MinInclusiveConstraintComponent", "A statement's omskg:proportion must lie between 0 and 1"),
    Case("proportion above 1", NB, "?focus omskg:proportion ?x .", "?focus omskg:proportion 50.0 .", "omskg:proportion", "MaxInclusiveConstraintComponent", "A statement's omskg:proportion must lie between 0 and 1"),
    Case("approximate twice", NB, "", "?focus omskg:approximate false .", "omskg:approximate", "MaxCountConstraintComponent", "omskg:approximate must be a single xsd:boolean"),
    Case("approximate not a boolean", NB, "?focus omskg:approximate ?x .", '?focus omskg:approximate "roughly" .', "omskg:approximate", "DatatypeConstraintComponent", "omskg:approximate must be a single xsd:boolean"),
    Case("core feature twice", ATAXIA_ST, "", "?focus omskg:coreFeature false .", "omskg:coreFeature", "MaxCountConstraintComponent", "omskg:coreFeature must be a single xsd:boolean"),
    Case("core feature not a boolean", ATAXIA_ST, "?focus omskg:coreFeature ?x .", '?focus omskg:coreFeature "yes" .', "omskg:coreFeature", "DatatypeConstraintComponent", "omskg:coreFeature must be a single xsd:boolean"),
    Case("population not a population", NB, "", "?focus omskg:population e:ataxia .", "omskg:population", "ClassConstraintComponent", "omskg:population must name an omskg:Population"),
    Case("hedge not a hedge", NB, "", "?focus omskg:hedge ex:Surely .", "omskg:hedge", "ClassConstraintComponent", "omskg:hedge must name an omskg:Hedge"),
    Case("disease context not a category", st("oms-adults-breast-cancer"), "", "?focus omskg:diseaseContext e:ataxia .", "omskg:diseaseContext", "ClassConstraintComponent", "omskg:diseaseContext must name an omskg:DiseaseCategory"),
    Case("therapeutic goal not a goal", st("oms-corticosteroids"), "", "?focus omskg:therapeuticGoal e:ataxia .", "omskg:therapeuticGoal", "ClassConstraintComponent", "omskg:therapeuticGoal must name an omskg:TherapeuticGoal"),
    Case("purpose not a purpose", st("oms-corticosteroids"), "", "?focus omskg:purpose e:ataxia .", "omskg:purpose", "ClassConstraintComponent", "omskg:purpose must name an omskg:Purpose"),
    Case("statement's triple missing", st("oms-symptom-ataxia"), "?s omskg:hasSymptom ?o .", "", "", "SPARQLConstraintComponent", "A statement that no qualifier withholds must have its triple in the graph"),
    # the truthy policy: "approximately 50% of pediatric cases" gets no plain triple, nor a materialised one
    Case("plain triple of a withheld statement", NB, "", "?s omskg:associatedWith ?o .", "omskg:associatedWith", "SPARQLConstraintComponent", "A statement that a qualifier withholds (a qualifier marked"),
    Case("materialised triple of a withheld statement", NB, "", "?s biolink:associated_with ?o .", "biolink:associated_with", "SPARQLConstraintComponent", "A statement that a qualifier's value withholds (a value marked"),
    Case("plain triple of a statement a population withholds", ATAXIA_ST, "", "?focus omskg:population e:children .", "omskg:hasSymptom", "SPARQLConstraintComponent", "A statement that a qualifier withholds (a qualifier marked"),
    Case("plain triple of a statement its hedge withholds", ATAXIA_ST, "", "?focus omskg:hedge omskg:Believed .", "omskg:hasSymptom", "SPARQLConstraintComponent", "A statement that a qualifier's value withholds (a value marked"),
    # ---- evidence annotations
    Case("annotation is a blank node", "", "", "_:a a oa:Annotation .", "", "NodeKindConstraintComponent", "An evidence annotation must be named by an IRI"),
    Case("annotation target missing", ANNOTATION, "?focus oa:hasTarget ?x .", "", "oa:hasTarget", "MinCountConstraintComponent", "An evidence annotation needs exactly one oa:hasTarget"),
    Case("annotation two targets", ANNOTATION, "", "?focus oa:hasTarget ex:elsewhere .", "oa:hasTarget", "MaxCountConstraintComponent", "An evidence annotation needs exactly one oa:hasTarget"),
    Case("annotation target not a specific resource", ANNOTATION, "?focus oa:hasTarget ?x .", "?focus oa:hasTarget ex:elsewhere .", "oa:hasTarget", "ClassConstraintComponent", "An evidence annotation needs exactly one oa:hasTarget"),
    Case("annotation body missing", ANNOTATION, "?focus oa:hasBody ?x .", "", "oa:hasBody", "MinCountConstraintComponent", "An evidence annotation needs an oa:hasBody"),
    Case("target is a blank node", "", "", "_:t a oa:SpecificResource .", "", "NodeKindConstraintComponent", "An evidence target must be named by an IRI"),
    Case("target source missing", TARGET, "?focus oa:hasSource ?x .", "", "oa:hasSource", "MinCountConstraintComponent", "An evidence target needs exactly one oa:hasSource"),
    Case("target two sources", TARGET, "", "?focus oa:hasSource ex:other .", "oa:hasSource", "MaxCountConstraintComponent", "An evidence target needs exactly one oa:hasSource"),
    Case("target source not a document", TARGET, "?focus oa:hasSource ?x .", "?focus oa:hasSource ex:other .", "oa:hasSource", "ClassConstraintComponent", "An evidence target needs exactly one oa:hasSource"),
    Case("target without quote selector", TARGET, "?q a oa:TextQuoteSelector .", "", "oa:hasSelector", "QualifiedMinCountConstraintComponent", "An evidence target needs exactly one oa:TextQuoteSelector"),
    Case("target with two quote selectors", TARGET, "", "?focus oa:hasSelector ex:q2 . ex:q2 a oa:TextQuoteSelector ; oa:exact \"x\" .", "oa:hasSelector", "QualifiedMaxCountConstraintComponent", "An evidence target needs exactly one oa:TextQuoteSelector"),
    Case("target without position selector", TARGET, "?p a oa:TextPositionSelector .", "", "oa:hasSelector", "QualifiedMinCountConstraintComponent", "An evidence target needs exactly one oa:TextPositionSelector"),
    Case("target with two position selectors", TARGET, "", "?focus oa:hasSelector ex:p2 . ex:p2 a oa:TextPositionSelector ; oa:start 1 ; oa:end 2 .", "oa:hasSelector", "QualifiedMaxCountConstraintComponent", "An evidence target needs exactly one oa:TextPositionSelector"),
    Case("quote missing", QUOTE, "?focus oa:exact ?x .", "", "oa:exact", "MinCountConstraintComponent", "A quote selector needs exactly one non-empty oa:exact"),
    Case("two quotes", QUOTE, "", '?focus oa:exact "another" .', "oa:exact", "MaxCountConstraintComponent", "A quote selector needs exactly one non-empty oa:exact"),
    Case("quote not a string", QUOTE, "?focus oa:exact ?x .", "?focus oa:exact 42 .", "oa:exact", "DatatypeConstraintComponent", "A quote selector needs exactly one non-empty oa:exact"),
    Case("quote empty", QUOTE, "?focus oa:exact ?x .", '?focus oa:exact "" .', "oa:exact", "MinLengthConstraintComponent", "A quote selector needs exactly one non-empty oa:exact"),
    Case("quote prefix not a string", QUOTE, "?focus oa:prefix ?x .", "?focus oa:prefix 3 .", "oa:prefix|oa:suffix", "DatatypeConstraintComponent", "A quote selector's oa:prefix and oa:suffix"),
    Case("start missing", POSITION, "?focus oa:start ?x .", "", "oa:start", "MinCountConstraintComponent", "A position selector needs exactly one oa:start"),
    Case("two starts", POSITION, "", '?focus oa:start "1"^^xsd:nonNegativeInteger .', "oa:start", "MaxCountConstraintComponent", "A position selector needs exactly one oa:start"),
    Case("start not a non-negative integer", POSITION, "?focus oa:start ?x .", '?focus oa:start "-3"^^xsd:integer .', "oa:start", "DatatypeConstraintComponent", "A position selector needs exactly one oa:start"),
    Case("end missing", POSITION, "?focus oa:end ?x .", "", "oa:end", "MinCountConstraintComponent", "A position selector needs exactly one oa:end"),
    Case("two ends", POSITION, "", '?focus oa:end "99999"^^xsd:nonNegativeInteger .', "oa:end", "MaxCountConstraintComponent", "A position selector needs exactly one oa:end"),
    Case("end not a non-negative integer", POSITION, "?focus oa:end ?x .", '?focus oa:end "end" .', "oa:end", "DatatypeConstraintComponent", "A position selector needs exactly one oa:end"),
    Case("start not before end", POSITION, "?focus oa:end ?x .", '?focus oa:end "1955"^^xsd:nonNegativeInteger .', "oa:start", "LessThanConstraintComponent", "A position selector's oa:start must be less than"),
    # ---- source and dataset
    Case("source is a blank node", "", "", "_:d a omskg:SourceDocument .", "", "NodeKindConstraintComponent", "A source document must be named by an IRI"),
    Case("source title missing", SOURCE, "?focus dct:title ?x .", "", "dct:title", "MinCountConstraintComponent", "A source document needs exactly one dct:title"),
    Case("source two titles", SOURCE, "", '?focus dct:title "Another"@en .', "dct:title", "MaxCountConstraintComponent", "A source document needs exactly one dct:title"),
    Case("source title without language", SOURCE, "?focus dct:title ?x .", '?focus dct:title "Untagged" .', "dct:title", "DatatypeConstraintComponent", "A source document needs exactly one dct:title"),
    Case("source title not English", SOURCE, "?focus dct:title ?x .", '?focus dct:title "Titre"@fr .', "dct:title", "LanguageInConstraintComponent", "A source document needs exactly one dct:title"),
    Case("document kind missing", SOURCE, "?focus omskg:documentKind ?x .", "", "omskg:documentKind", "MinCountConstraintComponent", "A source document needs exactly one omskg:documentKind"),
    Case("two document kinds", SOURCE, "", '?focus omskg:documentKind "Blog"@en .', "omskg:documentKind", "MaxCountConstraintComponent", "A source document needs exactly one omskg:documentKind"),
    Case("document kind untagged", SOURCE, "?focus omskg:documentKind ?x .", '?focus omskg:documentKind "Summary" .', "omskg:documentKind", "DatatypeConstraintComponent", "A source document needs exactly one omskg:documentKind"),
    Case("last updated missing", SOURCE, "?focus dct:modified ?x .", "", "dct:modified", "MinCountConstraintComponent", "A source document needs exactly one dct:modified"),
    Case("two last updated", SOURCE, "", '?focus dct:modified "2020-01-01"^^xsd:date .', "dct:modified", "MaxCountConstraintComponent", "A source document needs exactly one dct:modified"),
    Case("last updated not a date", SOURCE, "?focus dct:modified ?x .", '?focus dct:modified "April 2026" .', "dct:modified", "DatatypeConstraintComponent", "A source document needs exactly one dct:modified"),
    Case("two disclaimers", SOURCE, "", '?focus omskg:disclaimer "Another disclaimer."@en .', "omskg:disclaimer", "MaxCountConstraintComponent", "A source document's omskg:disclaimer"),
    Case("disclaimer untagged", SOURCE, "?focus omskg:disclaimer ?x .", '?focus omskg:disclaimer "Untagged." .', "omskg:disclaimer", "DatatypeConstraintComponent", "A source document's omskg:disclaimer"),
    Case("checksum missing", SOURCE, "?focus omskg:sha256 ?x .", "", "omskg:sha256", "MinCountConstraintComponent", "A source document needs exactly one omskg:sha256"),
    Case("two checksums", SOURCE, "", f'?focus omskg:sha256 "{"0" * 64}" .', "omskg:sha256", "MaxCountConstraintComponent", "A source document needs exactly one omskg:sha256"),
    Case("checksum not a string", SOURCE, "?focus omskg:sha256 ?x .", f'?focus omskg:sha256 "{"0" * 64}"@en .', "omskg:sha256", "DatatypeConstraintComponent", "A source document needs exactly one omskg:sha256"),
    Case("checksum malformed", SOURCE, "?focus omskg:sha256 ?x .", '?focus omskg:sha256 "ABC123" .', "omskg:sha256", "PatternConstraintComponent", "A source document needs exactly one omskg:sha256"),
    Case("dataset title missing", DATASET, "?focus dct:title ?x .", "", "dct:title", "MinCountConstraintComponent", "The dataset needs a dct:title"),
    Case("dataset title untagged", DATASET, "?focus dct:title ?x .", '?focus dct:title "omskg" .', "dct:title", "DatatypeConstraintComponent", "The dataset needs a dct:title"),
    Case("dataset licence missing", DATASET, "?focus dct:license ?x .", "", "dct:license", "MinCountConstraintComponent", "The dataset needs a dct:license IRI"),
    Case("dataset licence a literal", DATASET, "?focus dct:license ?x .", '?focus dct:license "CC-BY-4.0" .', "dct:license", "NodeKindConstraintComponent", "The dataset needs a dct:license IRI"),
    Case("dataset disclaimer missing", DATASET, "?focus omskg:disclaimer ?x .", "", "omskg:disclaimer", "MinCountConstraintComponent", "The dataset must carry its sources' medical disclaimer"),
    Case("dataset disclaimer untagged", DATASET, "", '?focus omskg:disclaimer "Untagged." .', "omskg:disclaimer", "DatatypeConstraintComponent", "The dataset must carry its sources' medical disclaimer"),
    # ---- epidemiology value nodes
    Case("cases missing", INCIDENCE, "?focus omskg:cases ?x .", "", "omskg:cases", "MinCountConstraintComponent", "An incidence rate needs exactly one omskg:cases"),
    Case("two cases", INCIDENCE, "", "?focus omskg:cases 2 .", "omskg:cases", "MaxCountConstraintComponent", "An incidence rate needs exactly one omskg:cases"),
    Case("cases not an integer", INCIDENCE, "?focus omskg:cases ?x .", "?focus omskg:cases 1.5 .", "omskg:cases", "DatatypeConstraintComponent", "An incidence rate needs exactly one omskg:cases"),
    Case("cases negative", INCIDENCE, "?focus omskg:cases ?x .", '?focus omskg:cases "-1"^^xsd:integer .', "omskg:cases", "MinInclusiveConstraintComponent", "An incidence rate needs exactly one omskg:cases"),
    Case("out of missing", INCIDENCE, "?focus omskg:outOf ?x .", "", "omskg:outOf", "MinCountConstraintComponent", "An incidence rate needs exactly one omskg:outOf"),
    Case("two out of", INCIDENCE, "", "?focus omskg:outOf 10 .", "omskg:outOf", "MaxCountConstraintComponent", "An incidence rate needs exactly one omskg:outOf"),
    Case("out of not an integer", INCIDENCE, "?focus omskg:outOf ?x .", '?focus omskg:outOf "5,000,000" .', "omskg:outOf", "DatatypeConstraintComponent", "An incidence rate needs exactly one omskg:outOf"),
    Case("out of zero", INCIDENCE, "?focus omskg:outOf ?x .", "?focus omskg:outOf 0 .", "omskg:outOf", "MinInclusiveConstraintComponent", "An incidence rate needs exactly one omskg:outOf"),
    Case("cases exceed out of", INCIDENCE, "?focus omskg:cases ?x .", "?focus omskg:cases 6000000 .", "omskg:cases", "LessThanOrEqualsConstraintComponent", "An incidence rate's cases must not exceed"),
    Case("period missing", INCIDENCE, "?focus omskg:period ?x .", "", "omskg:period", "MinCountConstraintComponent", "An incidence rate needs exactly one omskg:period"),
    Case("two periods", INCIDENCE, "", '?focus omskg:period "P1M"^^xsd:duration .', "omskg:period", "MaxCountConstraintComponent", "An incidence rate needs exactly one omskg:period"),
    Case("period not a duration", INCIDENCE, "?focus omskg:period ?x .", '?focus omskg:period "per year" .', "omskg:period", "DatatypeConstraintComponent", "An incidence rate needs exactly one omskg:period"),
    Case("rate missing", INCIDENCE, "?focus omskg:rate ?x .", "", "omskg:rate", "MinCountConstraintComponent", "An incidence rate needs exactly one omskg:rate"),
    Case("two rates", INCIDENCE, "", "?focus omskg:rate 0.5 .", "omskg:rate", "MaxCountConstraintComponent", "An incidence rate needs exactly one omskg:rate"),
    Case("rate not a decimal", INCIDENCE, "?focus omskg:rate ?x .", '?focus omskg:rate "2e-7" .', "omskg:rate", "DatatypeConstraintComponent", "An incidence rate needs exactly one omskg:rate"),
    Case("statistic missing", AGE, "?focus omskg:statistic ?x .", "", "omskg:statistic", "MinCountConstraintComponent", "An age range needs exactly one omskg:statistic"),
    Case("two statistics", AGE, "", "?focus omskg:statistic ex:Mean .", "omskg:statistic", "MaxCountConstraintComponent", "An age range needs exactly one omskg:statistic"),
    Case("statistic unknown", AGE, "?focus omskg:statistic ?x .", "?focus omskg:statistic ex:Mean .", "omskg:statistic", "ClassConstraintComponent", "An age range needs exactly one omskg:statistic"),
    Case("min age missing", AGE, "?focus schema:minValue ?x .", "", "schema:minValue", "MinCountConstraintComponent", "An age range needs exactly one schema:minValue"),
    Case("two min ages", AGE, "", "?focus schema:minValue 1.0 .", "schema:minValue", "MaxCountConstraintComponent", "An age range needs exactly one schema:minValue"),
    Case("min age not a decimal", AGE, "?focus schema:minValue ?x .", '?focus schema:minValue "18 months" .', "schema:minValue", "DatatypeConstraintComponent", "An age range needs exactly one schema:minValue"),
    Case("min age negative", AGE, "?focus schema:minValue ?x .", '?focus schema:minValue "-1.0"^^xsd:decimal .', "schema:minValue", "MinInclusiveConstraintComponent", "An age range needs exactly one schema:minValue"),
    Case("max age missing", AGE, "?focus schema:maxValue ?x .", "", "schema:maxValue", "MinCountConstraintComponent", "An age range needs exactly one schema:maxValue"),
    Case("two max ages", AGE, "", "?focus schema:maxValue 30.0 .", "schema:maxValue", "MaxCountConstraintComponent", "An age range needs exactly one schema:maxValue"),
    Case("max age not a decimal", AGE, "?focus schema:maxValue ?x .", '?focus schema:maxValue "20 months" .', "schema:maxValue", "DatatypeConstraintComponent", "An age range needs exactly one schema:maxValue"),
    Case("min age above max age", AGE, "?focus schema:minValue ?x .", "?focus schema:minValue 25.0 .", "schema:minValue", "LessThanOrEqualsConstraintComponent", "An age range's minValue must not exceed"),
    Case("unit missing", AGE, "?focus schema:unitText ?x .", "", "schema:unitText", "MinCountConstraintComponent", "An age range needs exactly one schema:unitText"),
    Case("two units", AGE, "", '?focus schema:unitText "year" .', "schema:unitText", "MaxCountConstraintComponent", "An age range needs exactly one schema:unitText"),
    Case("unit not a string", AGE, "?focus schema:unitText ?x .", '?focus schema:unitText "month"@en .', "schema:unitText", "DatatypeConstraintComponent", "An age range needs exactly one schema:unitText"),
    Case("unit empty", AGE, "?focus schema:unitText ?x .", '?focus schema:unitText "" .', "schema:unitText", "MinLengthConstraintComponent", "An age range needs exactly one schema:unitText"),
]


SUMMARY = "BIND(<https://w3id.org/omskg/dataset> AS ?focus)"
RELEASE = "BIND(<https://w3id.org/omskg/dataset/0.1.0> AS ?focus)"
DIST = "BIND(<https://w3id.org/omskg/dataset/0.1.0/omskg.nt> AS ?focus)"
CHECKSUM = "BIND(<https://w3id.org/omskg/dataset/0.1.0/omskg.nt/sha256> AS ?focus)"
LINKSET = "BIND(<https://w3id.org/omskg/dataset/0.1.0/linkset/MONDO> AS ?focus)"
DCTYPES = "<http://purl.org/dc/dcmitype/Dataset>"
PAV = "<http://purl.org/pav/version>"
SPDX = "http://spdx.org/rdf/terms#"

DESCRIPTION_CASES = [
    Case("summary not a dctypes:Dataset", SUMMARY, f"?focus a {DCTYPES} .", "", "rdf:type", "HasValueConstraintComponent", "HCLS summary level: the dataset must be typed"),
    Case("summary title missing", SUMMARY, "?focus dct:title ?x .", "", "dct:title", "MinCountConstraintComponent", "HCLS summary level: a dct:title"),
    Case("summary title untagged", SUMMARY, "?focus dct:title ?x .", '?focus dct:title "omskg" .', "dct:title", "DatatypeConstraintComponent", "HCLS summary level: a dct:title"),
    Case("summary description missing", SUMMARY, "?focus dct:description ?x .", "", "dct:description", "MinCountConstraintComponent", "HCLS summary level: a dct:description"),
    Case("summary description untagged", SUMMARY, "?focus dct:description ?x .", '?focus dct:description "text" .', "dct:description", "DatatypeConstraintComponent", "HCLS summary level: a dct:description"),
    Case("summary publisher missing", SUMMARY, "?focus dct:publisher ?x .", "", "dct:publisher", "MinCountConstraintComponent", "HCLS summary level: a dct:publisher"),
    Case("summary publisher a literal", SUMMARY, "?focus dct:publisher ?x .", '?focus dct:publisher "someone" .', "dct:publisher", "NodeKindConstraintComponent", "HCLS summary level: a dct:publisher"),
    Case("release not a dctypes:Dataset", RELEASE, f"?focus a {DCTYPES} .", "", "rdf:type", "HasValueConstraintComponent", "HCLS version level: the release must be typed"),
    Case("release title missing", RELEASE, "?focus dct:title ?x .", "", "dct:title", "MinCountConstraintComponent", "HCLS version level: a dct:title"),
    Case("release title untagged", RELEASE, "?focus dct:title ?x .", '?focus dct:title "v" .', "dct:title", "DatatypeConstraintComponent", "HCLS version level: a dct:title"),
    Case("release description missing", RELEASE, "?focus dct:description ?x .", "", "dct:description", "MinCountConstraintComponent", "HCLS version level: a dct:description"),
    Case("release description untagged", RELEASE, "?focus dct:description ?x .", '?focus dct:description "d" .', "dct:description", "DatatypeConstraintComponent", "HCLS version level: a dct:description"),
    Case("release publisher missing", RELEASE, "?focus dct:publisher ?x .", "", "dct:publisher", "MinCountConstraintComponent", "HCLS version level: a dct:publisher"),
    Case("release publisher a literal", RELEASE, "?focus dct:publisher ?x .", '?focus dct:publisher "p" .', "dct:publisher", "NodeKindConstraintComponent", "HCLS version level: a dct:publisher"),
    Case("release creator missing", RELEASE, "?focus dct:creator ?x .", "", "dct:creator", "MinCountConstraintComponent", "HCLS version level and distributions: a dct:creator"),
    Case("release creator a literal", RELEASE, "?focus dct:creator ?x .", '?focus dct:creator "c" .', "dct:creator", "NodeKindConstraintComponent", "HCLS version level and distributions: a dct:creator"),
    Case("version missing", RELEASE, f"?focus {PAV} ?x .", "", PAV, "MinCountConstraintComponent", "HCLS version level: exactly one pav:version"),
    Case("two versions", RELEASE, "", f'?focus {PAV} "9.9.9" .', PAV, "MaxCountConstraintComponent", "HCLS version level: exactly one pav:version"),
    Case("version not a string", RELEASE, f"?focus {PAV} ?x .", f"?focus {PAV} 1 .", PAV, "DatatypeConstraintComponent", "HCLS version level: exactly one pav:version"),
    Case("two summaries", RELEASE, "", "?focus dct:isVersionOf ex:other .", "dct:isVersionOf", "MaxCountConstraintComponent", "HCLS version level: exactly one dct:isVersionOf"),
    Case("summary named by a literal", RELEASE, "?focus dct:isVersionOf ?x .", '?focus dct:isVersionOf "omskg" .', "dct:isVersionOf", "NodeKindConstraintComponent", "HCLS version level: exactly one dct:isVersionOf"),
    Case("issued missing", RELEASE, "?focus dct:issued ?x .", "", "dct:issued", "MinCountConstraintComponent", "HCLS version level: exactly one dct:issued"),
    Case("issued twice", RELEASE, "", '?focus dct:issued "2020-01-01"^^xsd:date .', "dct:issued", "MaxCountConstraintComponent", "HCLS version level: exactly one dct:issued"),
    Case("issued not a date", RELEASE, "?focus dct:issued ?x .", '?focus dct:issued "today" .', "dct:issued", "DatatypeConstraintComponent", "HCLS version level: exactly one dct:issued"),
    Case("release licence missing", RELEASE, "?focus dct:license ?x .", "", "dct:license", "MinCountConstraintComponent", "HCLS version level: a dct:license"),
    Case("release licence a literal", RELEASE, "?focus dct:license ?x .", '?focus dct:license "CC-BY" .', "dct:license", "NodeKindConstraintComponent", "HCLS version level: a dct:license"),
    Case("no distributions", RELEASE, "?focus dcat:distribution ?x .", "", "dcat:distribution", "MinCountConstraintComponent", "HCLS version level: at least one dcat:distribution"),
    Case("distribution not a distribution", RELEASE, "", "?focus dcat:distribution ex:file .", "dcat:distribution", "ClassConstraintComponent", "HCLS version level: at least one dcat:distribution"),
    Case("triples missing", RELEASE, "?focus void:triples ?x .", "", "void:triples", "MinCountConstraintComponent", "VoID: exactly one void:triples"),
    Case("triples twice", RELEASE, "", "?focus void:triples 7 .", "void:triples", "MaxCountConstraintComponent", "VoID: exactly one void:triples"),
    Case("triples not an integer", RELEASE, "?focus void:triples ?x .", '?focus void:triples "many" .', "void:triples", "DatatypeConstraintComponent", "VoID: exactly one void:triples"),
    Case("triples negative", RELEASE, "?focus void:triples ?x .", '?focus void:triples "-1"^^xsd:integer .', "void:triples", "MinInclusiveConstraintComponent", "VoID: exactly one void:triples"),
    Case("entities missing", RELEASE, "?focus void:entities ?x .", "", "void:entities", "MinCountConstraintComponent", "VoID: exactly one void:entities"),
    Case("entities twice", RELEASE, "", "?focus void:entities 7 .", "void:entities", "MaxCountConstraintComponent", "VoID: exactly one void:entities"),
    Case("entities not an integer", RELEASE, "?focus void:entities ?x .", '?focus void:entities "some" .', "void:entities", "DatatypeConstraintComponent", "VoID: exactly one void:entities"),
    Case("release disclaimer missing", RELEASE, "?focus omskg:disclaimer ?x .", "", "omskg:disclaimer", "MinCountConstraintComponent", "The release must carry its source's medical disclaimer"),
    Case("release disclaimer untagged", RELEASE, "?focus omskg:disclaimer ?x .", '?focus omskg:disclaimer "d" .', "omskg:disclaimer", "DatatypeConstraintComponent", "The release must carry its source's medical disclaimer"),
    Case("distribution is a blank node", "", "", "_:d a dcat:Distribution .", "", "NodeKindConstraintComponent", "A distribution must be named by an IRI"),
    Case("distribution title missing", DIST, "?focus dct:title ?x .", "", "dct:title", "MinCountConstraintComponent", "HCLS distribution level: a dct:title"),
    Case("distribution title untagged", DIST, "?focus dct:title ?x .", '?focus dct:title "t" .', "dct:title", "DatatypeConstraintComponent", "HCLS distribution level: a dct:title"),
    Case("distribution publisher missing", DIST, "?focus dct:publisher ?x .", "", "dct:publisher", "MinCountConstraintComponent", "HCLS distribution level: a dct:publisher"),
    Case("distribution creator missing", DIST, "?focus dct:creator ?x .", "", "dct:creator", "MinCountConstraintComponent", "HCLS distribution level: a dct:creator"),
    Case("distribution licence missing", DIST, "?focus dct:license ?x .", "", "dct:license", "MinCountConstraintComponent", "HCLS distribution level: a dct:license"),
    Case("distribution licence a literal", DIST, "?focus dct:license ?x .", '?focus dct:license "CC" .', "dct:license", "NodeKindConstraintComponent", "HCLS distribution level: a dct:license"),
    Case("format missing", DIST, "?focus dct:format ?x .", "", "dct:format", "MinCountConstraintComponent", "HCLS distribution level: a dct:format"),
    Case("format not a string", DIST, "?focus dct:format ?x .", '?focus dct:format "text/turtle"@en .', "dct:format", "DatatypeConstraintComponent", "HCLS distribution level: a dct:format"),
    Case("format not a media type", DIST, "?focus dct:format ?x .", '?focus dct:format "Turtle" .', "dct:format", "PatternConstraintComponent", "HCLS distribution level: a dct:format"),
    Case("two media types", DIST, "", "?focus dcat:mediaType <https://www.iana.org/assignments/media-types/text/plain> .", "dcat:mediaType", "MaxCountConstraintComponent", "DCAT: at most one dcat:mediaType"),
    Case("media type not IANA", DIST, "?focus dcat:mediaType ?x .", "?focus dcat:mediaType ex:turtle .", "dcat:mediaType", "PatternConstraintComponent", "DCAT: at most one dcat:mediaType"),
    Case("byte size missing", DIST, "?focus dcat:byteSize ?x .", "", "dcat:byteSize", "MinCountConstraintComponent", "DCAT: exactly one dcat:byteSize"),
    Case("two byte sizes", DIST, "", '?focus dcat:byteSize "1"^^xsd:nonNegativeInteger .', "dcat:byteSize", "MaxCountConstraintComponent", "DCAT: exactly one dcat:byteSize"),
    Case("byte size not a count", DIST, "?focus dcat:byteSize ?x .", '?focus dcat:byteSize "240 kB" .', "dcat:byteSize", "DatatypeConstraintComponent", "DCAT: exactly one dcat:byteSize"),
    Case("download URL missing", DIST, "?focus dcat:downloadURL ?x .", "", "dcat:downloadURL", "MinCountConstraintComponent", "DCAT: a dcat:downloadURL"),
    Case("download URL a literal", DIST, "?focus dcat:downloadURL ?x .", '?focus dcat:downloadURL "omskg.nt" .', "dcat:downloadURL", "NodeKindConstraintComponent", "DCAT: a dcat:downloadURL"),
    Case("checksum missing", DIST, f"?focus <{SPDX}checksum> ?x .", "", f"<{SPDX}checksum>", "MinCountConstraintComponent", "A distribution needs exactly one spdx:checksum"),
    Case("two checksums on a file", DIST, "", f"?focus <{SPDX}checksum> ex:md5 . ex:md5 a <{SPDX}Checksum> .", f"<{SPDX}checksum>", "MaxCountConstraintComponent", "A distribution needs exactly one spdx:checksum"),
    Case("checksum not a checksum", DIST, f"?focus <{SPDX}checksum> ?x .", f"?focus <{SPDX}checksum> ex:sum .", f"<{SPDX}checksum>", "ClassConstraintComponent", "A distribution needs exactly one spdx:checksum"),
    Case("algorithm missing", CHECKSUM, f"?focus <{SPDX}algorithm> ?x .", "", f"<{SPDX}algorithm>", "MinCountConstraintComponent", "The checksum's spdx:algorithm"),
    Case("algorithm not SHA-256", CHECKSUM, f"?focus <{SPDX}algorithm> ?x .", f"?focus <{SPDX}algorithm> <{SPDX}checksumAlgorithm_md5> .", f"<{SPDX}algorithm>", "HasValueConstraintComponent", "The checksum's spdx:algorithm"),
    Case("checksum value missing", CHECKSUM, f"?focus <{SPDX}checksumValue> ?x .", "", f"<{SPDX}checksumValue>", "MinCountConstraintComponent", "The checksum needs exactly one spdx:checksumValue"),
    Case("two checksum values", CHECKSUM, "", f'?focus <{SPDX}checksumValue> "{"a" * 64}" .', f"<{SPDX}checksumValue>", "MaxCountConstraintComponent", "The checksum needs exactly one spdx:checksumValue"),
    Case("checksum value malformed", CHECKSUM, f"?focus <{SPDX}checksumValue> ?x .", f'?focus <{SPDX}checksumValue> "XYZ" .', f"<{SPDX}checksumValue>", "PatternConstraintComponent", "The checksum needs exactly one spdx:checksumValue"),
    Case("linkset count missing", LINKSET, "?focus void:triples ?x .", "", "void:triples", "MinCountConstraintComponent", "A linkset needs exactly one void:triples"),
    Case("linkset counted twice", LINKSET, "", "?focus void:triples 99 .", "void:triples", "MaxCountConstraintComponent", "A linkset needs exactly one void:triples"),
    Case("linkset count not an integer", LINKSET, "?focus void:triples ?x .", '?focus void:triples "nine" .', "void:triples", "DatatypeConstraintComponent", "A linkset needs exactly one void:triples"),
    Case("empty linkset", LINKSET, "?focus void:triples ?x .", "?focus void:triples 0 .", "void:triples", "MinInclusiveConstraintComponent", "A linkset needs exactly one void:triples"),
    Case("link predicate missing", LINKSET, "?focus void:linkPredicate ?x .", "", "void:linkPredicate", "MinCountConstraintComponent", "A linkset needs its void:linkPredicate"),
    Case("link predicate a literal", LINKSET, "", '?focus void:linkPredicate "exactMatch" .', "void:linkPredicate", "NodeKindConstraintComponent", "A linkset needs its void:linkPredicate"),
    Case("subjects target missing", LINKSET, "?focus void:subjectsTarget ?x .", "", "void:subjectsTarget", "MinCountConstraintComponent", "A linkset needs exactly one void:subjectsTarget"),
    Case("two subjects targets", LINKSET, "", "?focus void:subjectsTarget ex:other .", "void:subjectsTarget", "MaxCountConstraintComponent", "A linkset needs exactly one void:subjectsTarget"),
    Case("objects target missing", LINKSET, "?focus void:objectsTarget ?x .", "", "void:objectsTarget", "MinCountConstraintComponent", "A linkset needs exactly one void:objectsTarget"),
    Case("two objects targets", LINKSET, "", "?focus void:objectsTarget ex:other .", "void:objectsTarget", "MaxCountConstraintComponent", "A linkset needs exactly one void:objectsTarget"),
]


def _mutate(graph: Graph, case: Case, pick: int | None = None) -> tuple[Graph, str]:
    """Apply ``case`` to a copy of ``graph``; with ``pick``, to one of several foci (IRIs, in
    order, counted round)."""
    mutated = Graph(bind_namespaces="none")
    for triple in graph:
        mutated.add(triple)
    if not case.focus:
        mutated.update(PREFIXES + f"INSERT DATA {{ {case.insert} }}")
        return mutated, "[blank node]"
    foci = sorted(mutated.query(PREFIXES + f"SELECT DISTINCT ?focus WHERE {{ {case.focus} }}"), key=str)
    if pick is not None:
        iris = [f for f in foci if isinstance(f[0], URIRef)]  # type: ignore[index]
        foci = [iris[pick % len(iris)]] if iris else []
        case = case._replace(focus=f"VALUES ?focus {{ {foci[0][0].n3()} }} {case.focus}")  # type: ignore[index]
    assert len(foci) == 1, f"{case.name}: the focus pattern must match one node, matched {len(foci)}"
    # Variables the cases may use: ?x any value of ?focus; ?q / ?p a target's quote and
    # position selectors; ?s / ?o a statement's subject and object.
    helpers = " ".join([
        "OPTIONAL { ?focus ?anyp ?x }",
        "OPTIONAL { ?focus oa:hasSelector ?q . ?q a oa:TextQuoteSelector }",
        "OPTIONAL { ?focus oa:hasSelector ?p . ?p a oa:TextPositionSelector }",
        "OPTIONAL { ?focus rdf:subject ?s ; rdf:object ?o }",
    ])
    mutated.update(PREFIXES + f"DELETE {{ {case.delete} }} INSERT {{ {case.insert} }} WHERE {{ {case.focus} {helpers} }}")
    return mutated, _short(mutated, foci[0][0])  # type: ignore[index]


def test_published_graph_conforms(graph: Graph) -> None:
    outcome = validate_graph(graph)
    assert outcome.conforms, "\n".join(map(str, outcome.violations))


@pytest.fixture(scope="module")
def description(built: Path) -> Graph:
    graph = Graph(bind_namespaces="none")
    graph.parse(built / publish.DESCRIPTION, format="turtle")
    return graph


def test_dataset_description_conforms(description: Graph) -> None:
    outcome = validate_graph(description)
    assert outcome.conforms, "\n".join(map(str, outcome.violations))


@pytest.mark.parametrize("case", DESCRIPTION_CASES, ids=[c.name for c in DESCRIPTION_CASES])
def test_description_constraint_rejects(description: Graph, case: Case) -> None:
    test_constraint_rejects(description, case)


def test_mini_graph_conforms(mini_graph: Graph) -> None:
    outcome = validate_graph(mini_graph)
    assert outcome.conforms, "\n".join(map(str, outcome.violations))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_constraint_rejects(mini_graph: Graph, case: Case) -> None:
    mutated, focus = _mutate(mini_graph, case)
    assert not isomorphic(mutated, mini_graph), f"{case.name}: the update changed nothing"
    outcome = validate_graph(mutated)
    assert not outcome.conforms
    matching = [
        v for v in outcome.violations
        if v.component == case.component and v.message.startswith(case.message)
    ]
    assert matching, f"{case.name}: expected {case.component} '{case.message}', got:\n" + "\n".join(map(str, outcome.violations))
    assert any(v.focus == focus and v.path == case.path for v in matching), (
        f"{case.name}: expected focus {focus} path {case.path!r}, got:\n" + "\n".join(map(str, matching))
    )


def _declared_constraints() -> set[tuple[str, str]]:
    """(component, message) for every constraint the shapes declare."""
    shapes = shapes_graph()
    parameters = {
        SH.minCount: "MinCount", SH.maxCount: "MaxCount", SH.datatype: "Datatype", SH.languageIn: "LanguageIn",
        SH.minLength: "MinLength", SH.nodeKind: "NodeKind", SH.pattern: "Pattern", SH["class"]: "Class",
        SH["in"]: "In", SH.minInclusive: "MinInclusive", SH.maxInclusive: "MaxInclusive", SH.lessThan: "LessThan",
        SH.lessThanOrEquals: "LessThanOrEquals", SH.qualifiedMinCount: "QualifiedMinCount",
        SH.qualifiedMaxCount: "QualifiedMaxCount", SH.hasValue: "HasValue",
    }
    declared = set()
    for shape in set(shapes.subjects(SH.message, None)):
        message = str(shapes.value(shape, SH.message))
        if (shape, SH.select, None) in shapes:
            declared.add(("SPARQLConstraintComponent", message))
            continue
        for parameter, component in parameters.items():
            if (shape, parameter, None) in shapes:
                declared.add((f"{component}ConstraintComponent", message))
    return declared


def test_every_constraint_has_a_rejecting_case() -> None:
    declared = _declared_constraints()
    covered = {
        (component, message)
        for component, message in declared
        for case in CASES + DESCRIPTION_CASES
        if case.component == component and message.startswith(case.message)
    }
    assert declared - covered == set()
    assert len(declared) > 100


def test_report_lines_name_focus_path_and_component(mini_graph: Graph) -> None:
    mutated, focus = _mutate(mini_graph, CASES[1])
    (line,) = [str(v) for v in validate_graph(mutated).violations]
    assert line == f"Violation: {focus} rdfs:label [MinCountConstraintComponent]: An entity needs exactly one rdfs:label."


# ---------------------------------------------------------------- the fast engine agrees with pyshacl


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_engines_agree_on_constraint_case(mini_graph: Graph, case: Case) -> None:
    mutated, _ = _mutate(mini_graph, case)
    fast, reference = validate_graph(mutated, engine="fast"), validate_graph(mutated, engine="pyshacl")
    assert fast == reference, _difference(fast, reference)


@pytest.mark.parametrize("case", DESCRIPTION_CASES, ids=[c.name for c in DESCRIPTION_CASES])
def test_engines_agree_on_description_case(description: Graph, case: Case) -> None:
    mutated, _ = _mutate(description, case)
    fast, reference = validate_graph(mutated, engine="fast"), validate_graph(mutated, engine="pyshacl")
    assert fast == reference, _difference(fast, reference)


def test_engines_agree_on_a_corpus_with_every_kind_of_error(mini_graph: Graph) -> None:
    """A corpus of conditions, each the mini graph under its own IRIs with one constraint
    case applied (the first case of each constraint component), validated as one graph:
    every component violated, and the same report from both engines."""
    first_of_each = list({c.component: c for c in reversed(CASES)}.values())
    corpus = Graph(bind_namespaces="none")
    for index, case in enumerate(first_of_each):
        mutated, _ = _mutate(mini_graph, case)
        text = mutated.serialize(format="nt")
        for folder in ("entity/", "statement/", "evidence/", "value/", "source/", "dataset>"):
            text = text.replace(f"<https://w3id.org/omskg/{folder}", f"<https://w3id.org/omskg/c{index}/{folder}")
        corpus.parse(data=text, format="nt")
    fast, reference = validate_graph(corpus, engine="fast"), validate_graph(corpus, engine="pyshacl")
    assert {v.component for v in fast.violations} == {c.component for c in CASES}
    assert fast == reference, _difference(fast, reference)


def _difference(fast: Outcome, reference: Outcome) -> str:
    only_fast = set(fast.violations) - set(reference.violations)
    only_reference = set(reference.violations) - set(fast.violations)
    return "only fast:\n" + "\n".join(map(str, sorted(only_fast))) + "\nonly pyshacl:\n" + "\n".join(
        map(str, sorted(only_reference))
    )


@pytest.mark.parametrize("feature", [
    'sh:message "m" ; sh:maxLength 5',
    'sh:message "m" ; sh:equals rdfs:label',
    'sh:message "m" ; sh:disjoint skos:prefLabel ; sh:uniqueLang true',
    'sh:message "m" ; sh:node omskgsh:Other',
    'sh:message "m" ; sh:not [ sh:minLength 3 ]',
    'sh:message "m" ; sh:or ( [ sh:maxLength 3 ] [ sh:pattern "^a" ] )',
    'sh:message "m" ; sh:deactivated true',
    'sh:message "{$this} has no label"',
    'sh:message "m" ; sh:property [ sh:path rdfs:label ; sh:maxCount 0 ; sh:message "p" ]',
])
def test_engines_agree_on_features_the_omskg_shapes_do_not_use(mini_graph: Graph, feature: str) -> None:
    """Core features beyond those of shapes/ (proven on the W3C suite): the same report."""
    shapes = Graph()
    shapes.parse(data=PREFIXES + f"""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX omskgsh: <https://w3id.org/omskg/shapes/>
        omskgsh:S a sh:NodeShape ; sh:targetClass omskg:Entity ;
            sh:property [ sh:path rdfs:label ; sh:minCount 1 ; {feature} ] .
        omskgsh:Other a sh:NodeShape ; sh:nodeKind sh:BlankNode ; sh:message "o" .
    """, format="turtle")
    fast, reference = validate_graph(mini_graph, shapes, engine="fast"), validate_graph(mini_graph, shapes, engine="pyshacl")
    agrees(of_rdflib(mini_graph), shapes, ontology=True, conforms=fast.conforms)
    assert fast == reference, _difference(fast, reference)


@pytest.mark.parametrize("feature", [
    "sh:target [ a sh:SPARQLTarget ; sh:select 'SELECT ?this WHERE { ?this a omskg:Symptom }' ]",
    "sh:rule [ a sh:TripleRule ]",
    "sh:sparql [ sh:select 'SELECT $this WHERE { GRAPH $shapesGraph { $this ?p ?o } }' ]",
    "sh:sparql [ sh:select 'SELECT $this WHERE { $this ?p ?o } ' ; sh:severity sh:Warning ]",
])
def test_fast_engine_refuses_what_it_does_not_implement(mini_graph: Graph, feature: str) -> None:
    """A shape the fast engine cannot check is refused, never half-checked."""
    shapes = Graph()
    shapes.parse(data=PREFIXES + f"""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX omskgsh: <https://w3id.org/omskg/shapes/>
        omskgsh:S a sh:NodeShape ; sh:targetClass omskg:Entity ; {feature} .
    """, format="turtle")
    with pytest.raises(UnsupportedShape):
        validate_graph(mini_graph, shapes, engine="fast")


def test_a_build_does_not_import_pyshacl(tmp_path: Path) -> None:
    """The default engine is omskg's own: a build never loads pyshacl (0.2 s of start-up)."""
    code = (
        "import sys; from pathlib import Path; from omskg import resources; from omskg.build import build; "
        f"build(resources.conditions_dir(), Path({str(tmp_path / 'dist')!r}), 'https://w3id.org/omskg/'); "
        "print('pyshacl' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


@pytest.mark.parametrize("shape", [
    # a shape with a target but no rdf:type is a shape all the same
    'omskgsh:S sh:targetClass omskg:Entity ; sh:property [ sh:path rdfs:label ; sh:maxCount 0 ; sh:message "m" ] .',
    # a property shape with a target of its own
    'omskgsh:S a sh:PropertyShape ; sh:targetClass omskg:Population ; sh:path rdfs:label ; sh:minLength 9 ; sh:message "m" .',
    'omskgsh:S sh:targetSubjectsOf rdfs:label ; sh:path rdfs:label ; sh:pattern "^[a-m]" ; sh:message "m" .',
])
def test_engines_agree_on_other_shapes(mini_graph: Graph, shape: str) -> None:
    shapes = Graph()
    shapes.parse(data=PREFIXES + "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
                 "PREFIX omskgsh: <https://w3id.org/omskg/shapes/>\n" + shape, format="turtle")
    fast, reference = validate_graph(mini_graph, shapes, engine="fast"), validate_graph(mini_graph, shapes, engine="pyshacl")
    agrees(of_rdflib(mini_graph), shapes, ontology=True, conforms=fast.conforms)
    assert fast.violations, "the shape must find something to report"
    assert fast == reference, _difference(fast, reference)


@pytest.mark.parametrize("extra", ["sh:deactivated true ;", 'sh:message "{?value} is wrong" ;', ""])
def test_engines_agree_on_sparql_constraints_beyond_the_omskg_shapes(mini_graph: Graph, extra: str) -> None:
    shapes = Graph()
    message = "" if "sh:message" in extra else 'sh:message "s" ;'
    shapes.parse(data=PREFIXES + f"""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        PREFIX omskgsh: <https://w3id.org/omskg/shapes/>
        omskgsh:S a sh:NodeShape ; sh:targetClass omskg:Entity ;
            sh:sparql [ {extra} {message} sh:prefixes omskgsh:P ;
                        sh:select "SELECT $this ?value WHERE {{ $this rdfs:label ?value }}" ] .
        omskgsh:P sh:declare [ sh:prefix "rdfs" ; sh:namespace "http://www.w3.org/2000/01/rdf-schema#"^^xsd:anyURI ] .
    """, format="turtle")
    fast, reference = validate_graph(mini_graph, shapes, engine="fast"), validate_graph(mini_graph, shapes, engine="pyshacl")
    agrees(of_rdflib(mini_graph), shapes, ontology=True, conforms=fast.conforms)
    assert fast == reference, _difference(fast, reference)
    assert bool(fast.violations) == ("deactivated" not in extra)
