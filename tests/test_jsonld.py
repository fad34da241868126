"""The graph's JSON-LD as a JSON reader meets it: native booleans and integers where the
datatype allows it losslessly, decimals kept exact as strings, one key per term of the
context, and two independent processors (pyld, jsonld.js) reading it to exactly the
triples of omskg.nt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from omskg import publish
from omskg.formats import native

JS = Path(__file__).resolve().parent / "js"


def _document(built: Path) -> dict[str, Any]:
    return json.loads((built / publish.JSONLD).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in document["@graph"] if n["id"] == node_id)  # type: ignore[no-any-return]


def _triples(text: str) -> set[Any]:
    graph = Graph()
    graph.parse(data=text, format="nt")
    return set(graph)


def test_booleans_and_integers_are_native_json_decimals_stay_exact_strings(built: Path) -> None:
    document = _document(built)
    oms = _node(document, "entity:opsoclonus-myoclonus-syndrome")
    statements = [n for n in document["@graph"] if n["id"].startswith("statement:")]
    approximate = [s["approximate"] for s in statements if "approximate" in s]
    assert approximate and all(value is True for value in approximate)
    predisposition = next(s for s in statements if s["predicate"] == "knownGeographicOrEthnicPredisposition")
    assert predisposition["object"] == {"@value": False}
    assert "hasIncidence" not in oms  # estimated and approximate: no plain triple (the truthy policy)
    (rate,) = [s["object"] for s in statements if s["predicate"] == "hasIncidence"]
    incidence = _node(document, rate)
    assert (incidence["cases"], incidence["outOf"], incidence["period"]) == (1, 5000000, "P1Y")
    assert incidence["rate"] == "0.0000002"  # an xsd:decimal: a JSON number would read back as a double
    positions = [n for n in document["@graph"] if n.get("type") == "oa:TextPositionSelector"]
    assert positions and all(type(n["start"]) is int and type(n["end"]) is int for n in positions)
    anywhere = json.dumps(document["@graph"])
    assert '"true"' not in anywhere and '"false"' not in anywhere


def test_one_key_per_term_and_the_keys_are_the_contexts_terms(built: Path) -> None:
    document = _document(built)
    context = document["@context"]
    keys = {key for node in document["@graph"] for key in node}
    assert keys - set(context) == set()  # no compact-IRI keys such as "rdf:predicate"
    statements = [n for n in document["@graph"] if n["id"].startswith("statement:")]
    assert statements and all(isinstance(s["predicate"], str) and ":" not in s["predicate"] for s in statements)
    assert all(isinstance(s["subject"], str) for s in statements)
    entity_objects = [s["object"] for s in statements if isinstance(s["object"], str)]
    assert entity_objects and all(o.startswith(("entity:", "value:")) for o in entity_objects)
    oms = _node(document, "entity:opsoclonus-myoclonus-syndrome")
    # the super-properties the build materialises are there, under keys that say whose they are
    assert oms["biolink_has_phenotype"] == oms["hasSymptom"] == oms["RO_has_symptom"] == oms["schema_signOrSymptom"]


def test_the_data_comes_first_and_the_ontology_after_it(built: Path) -> None:
    ids = [n["id"] for n in _document(built)["@graph"]]
    first_term = next(i for i, node_id in enumerate(ids) if node_id.startswith(("omskg:", "https://w3id.org/omskg/vocab/")))
    assert all(node_id.startswith(("omskg:", "https://w3id.org/omskg/vocab/")) for node_id in ids[first_term:])
    assert any(node_id.startswith("statement:") for node_id in ids[:first_term])


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("true", "http://www.w3.org/2001/XMLSchema#boolean", True),
        ("false", "http://www.w3.org/2001/XMLSchema#boolean", False),
        ("1", "http://www.w3.org/2001/XMLSchema#boolean", None),  # not canonical: would read back as "true"
        ("5000000", "http://www.w3.org/2001/XMLSchema#integer", 5000000),
        ("68", "http://www.w3.org/2001/XMLSchema#nonNegativeInteger", 68),
        ("007", "http://www.w3.org/2001/XMLSchema#integer", None),  # would read back as "7"
        ("+7", "http://www.w3.org/2001/XMLSchema#integer", None),
        (str(2**53), "http://www.w3.org/2001/XMLSchema#integer", None),  # a JavaScript reader would round it
        ("0.5", "http://www.w3.org/2001/XMLSchema#decimal", None),  # JSON-LD reads 0.5 as an xsd:double
        ("18", "http://www.w3.org/2001/XMLSchema#decimal", None),
        ("P1Y", "http://www.w3.org/2001/XMLSchema#duration", None),
    ],
)
def test_a_literal_is_native_json_only_where_it_reads_back_unchanged(lexical: str, datatype: str, expected: object) -> None:
    assert native(lexical, datatype) == expected
    assert type(native(lexical, datatype)) is type(expected)


def test_pyld_reads_exactly_the_triples_of_the_ntriples_file(built: Path) -> None:
    from pyld import jsonld

    def refuse(url: str, options: object = None) -> None:
        raise AssertionError(f"a remote document was asked for: {url}")

    nquads = jsonld.to_rdf(_document(built), {"format": "application/n-quads", "documentLoader": refuse})
    assert _triples(nquads) == _triples((built / publish.NTRIPLES).read_text(encoding="utf-8"))


def node_reader() -> list[str]:
    """The command that runs jsonld.js, or a skip (outside CI) when node or the package is absent."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not (JS / "node_modules" / "jsonld").is_dir():
        missing = "jsonld.js is not installed (run `npm ci` in tests/js)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must run the jsonld.js check")
        pytest.skip(missing)
    return ["node", str(JS / "to_nquads.js")]


def test_jsonld_js_reads_exactly_the_triples_of_the_ntriples_file(built: Path) -> None:
    run = subprocess.run([*node_reader(), str(built / publish.JSONLD)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert _triples(run.stdout) == _triples((built / publish.NTRIPLES).read_text(encoding="utf-8"))


def test_jsonld_js_refuses_a_remote_context(tmp_path: Path) -> None:
    """The check is offline: a document that needs a remote context fails instead of fetching it."""
    document = tmp_path / "remote.jsonld"
    document.write_text(json.dumps({"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a",
                                    "label": "x"}), encoding="utf-8")
    run = subprocess.run([*node_reader(), str(document)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "refusing to load a remote document" in run.stderr
