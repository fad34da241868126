"""The nested document per condition: what json.load gives, its JSON Schema, the README's
three lines, and its JSON-LD reading, which is the graph's statements fact for fact."""

from __future__ import annotations

import copy
import enum
import json
import re
import subprocess
import sys
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from omskg import publish
from omskg.records import InputError
from tests.test_jsonld import node_reader

REPO = Path(__file__).resolve().parents[1]
OMSKG = "https://w3id.org/omskg/vocab/"
NOT_IN_ITEMS = {  # said once for the whole dataset, not repeated on every item
    URIRef("https://w3id.org/biolink/vocab/knowledge_level"),
    URIRef("https://w3id.org/biolink/vocab/agent_type"),
    RDF.type,
}


def _document(built: Path) -> dict[str, Any]:
    return json.loads((built / publish.CONDITIONS).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _graph(built: Path) -> Graph:
    graph = Graph()
    graph.parse(built / publish.NTRIPLES, format="nt")
    return graph


def _items(node: Any) -> list[dict[str, Any]]:
    """Every item (statement) anywhere in the document."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("evidence"), dict):
            found.append(node)
        for value in node.values():
            found.extend(_items(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_items(value))
    return found


def _pyld(document: dict[str, Any]) -> Graph:
    from pyld import jsonld

    graph = Graph()
    graph.parse(data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nt")
    return graph


def test_the_condition_reads_with_plain_json(built: Path) -> None:
    (oms,) = _document(built)["conditions"]
    assert oms["label"] == "Opsoclonus myoclonus syndrome"
    assert {x["id"]: (x["label"], x["match"]) for x in oms["xrefs"]}["MONDO:0015247"] == ("opsoclonus-myoclonus syndrome", "exact")
    assert [n["text"] for n in oms["names"]] == ["OMS", "dancing eye syndrome"]
    symptoms = {s["label"]: s for s in oms["symptoms"]}
    assert symptoms["ataxia"]["hedge"] == ["typically"] and symptoms["ataxia"]["coreFeature"] is True
    assert symptoms["developmental regression"]["population"] == ["children"]
    assert symptoms["sleep disturbances"]["xrefs"] == [
        {"id": "HP:0002360", "iri": "http://purl.obolibrary.org/obo/HP_0002360", "label": "Sleep abnormality", "match": "exact"}]
    evidence = symptoms["ataxia"]["evidence"]
    source = (REPO / "data" / "sources" / "oms-summary.txt").read_text(encoding="utf-8")
    assert source[evidence["start"]:evidence["end"]] == evidence["quote"]
    assert evidence["statement"].startswith("https://w3id.org/omskg/statement/")
    neuroblastoma = next(a for a in oms["associatedConditions"] if a["label"] == "neuroblastoma")
    assert (neuroblastoma["proportion"], neuroblastoma["approximate"], neuroblastoma["hedge"]) == (0.5, True, ["research indicates"])
    assert type(neuroblastoma["proportion"]) is float
    for key in ("bodySystems", "triggers", "treatments", "mechanisms"):
        assert oms[key] and all(item["label"] and item["entity"] for item in oms[key])
    (incidence,) = oms["epidemiology"]["incidence"]
    assert incidence["value"] == {"id": incidence["value"]["id"], "cases": 1, "outOf": 5000000, "period": "P1Y", "rate": 2e-07}
    (onset,) = oms["epidemiology"]["onsetAge"]
    assert {k: v for k, v in onset["value"].items() if k != "id"} == {
        "statistic": "median", "min": 18, "max": 20, "unit": "mo", "unitText": "month"}
    assert onset["approximate"] is True
    (predisposition,) = oms["epidemiology"]["geographicOrEthnicPredisposition"]
    assert predisposition["value"] is False
    mimicry = next(m for m in oms["mechanisms"] if m["label"] == "molecular mimicry")
    assert sorted(f["label"] for f in mimicry["facts"]) == ["tumor", "viral infection"]  # facts about the item


def test_every_fact_is_in_the_document_and_nothing_else(built: Path, fact_file: Any) -> None:
    (oms,) = _document(built)["conditions"]
    assert {i["fact"] for i in _items(oms)} == {f.id for f in fact_file.facts}
    # the condition's own facts once each; a fact about an entity under every item of that entity
    top = [i["fact"] for key, items in oms.items() if key not in ("xrefs", "otherFacts") and isinstance(items, list)
           for i in items] + [i["fact"] for items in oms["epidemiology"].values() for i in items]
    assert sorted(top) == sorted(f.id for f in fact_file.facts if f.subject == "opsoclonus-myoclonus-syndrome")


def test_it_reads_as_json_ld_to_the_graphs_statements_fact_for_fact(built: Path) -> None:
    """Every triple a JSON-LD processor reads from it is in the graph, exactly; and every
    statement of the graph is in it with its subject, predicate, object, qualifiers, quote,
    source and evidence. Decimals are JSON numbers, which JSON-LD would read as doubles, so
    the context leaves them out of the RDF reading; they are checked here by value."""
    graph, document = _graph(built), _document(built)
    read = _pyld(document)
    assert len(read) > 300
    assert set(read) - set(graph) == set()
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    values = {o for s in statements for o in graph.objects(s, RDF.object) if str(o).startswith("https://w3id.org/omskg/value/")}
    decimals = set()
    for node in statements | values:
        for p, o in graph.predicate_objects(node):
            if p in NOT_IN_ITEMS:
                continue
            if isinstance(o, Literal) and o.datatype == XSD.decimal:
                decimals.add((node, p, o))
            else:
                assert (node, p, o) in read, f"{node} {p} {o} is not in the document's JSON-LD reading"
    by_statement = {i["evidence"]["statement"]: i for i in _items(document)}
    numbers = {"proportion": "proportion", "rate": "rate", "minValue": "min", "maxValue": "max"}
    assert len(decimals) >= 4
    for node, p, o in decimals:
        name = numbers[str(p).rsplit("/", 1)[-1]]
        if str(node) in by_statement:
            number = by_statement[str(node)][name]
        else:
            number = next(i["value"][name] for i in by_statement.values() if isinstance(i.get("value"), dict) and i["value"]["id"] == str(node))
        assert Decimal(str(number)) == o.toPython(), (node, p)


def test_jsonld_js_reads_it_as_pyld_does(built: Path, tmp_path: Path) -> None:
    run = subprocess.run([*node_reader(), str(built / publish.CONDITIONS), "--keys-may-be-ignored"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    read = Graph()
    read.parse(data=run.stdout, format="nt")
    assert set(read) == set(_pyld(_document(built)))


def _validator(built: Path) -> Any:
    import jsonschema

    schema = json.loads((built / publish.CONDITIONS_SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_published_json_schema_accepts_the_document(built: Path) -> None:
    errors = list(_validator(built).iter_errors(_document(built)))
    assert errors == []


def _first_symptom(document: dict[str, Any]) -> dict[str, Any]:
    return document["conditions"][0]["symptoms"][0]  # type: ignore[no-any-return]


BREAKAGES = {
    "hedge as one string": lambda d: _first_symptom(d).__setitem__("hedge", "typically"),
    "approximate as a string": lambda d: _first_symptom(d).__setitem__("approximate", "true"),
    "no evidence": lambda d: _first_symptom(d).pop("evidence"),
    "an offset as a string": lambda d: _first_symptom(d)["evidence"].__setitem__("start", "1261"),
    "an unknown match type": lambda d: _first_symptom(d)["xrefs"][0].__setitem__("match", "exactish"),
    "an unknown key": lambda d: _first_symptom(d).__setitem__("severity", "high"),
    "a missing array": lambda d: d["conditions"][0].pop("treatments"),
    "rate as a string": lambda d: d["conditions"][0]["epidemiology"]["incidence"][0]["value"].__setitem__("rate", "0.0000002"),
    "a unit that is not UCUM": lambda d: d["conditions"][0]["epidemiology"]["onsetAge"][0]["value"].__setitem__("unit", "months"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_the_json_schema_refuses_a_broken_document(built: Path, breakage: str) -> None:
    document = copy.deepcopy(_document(built))
    BREAKAGES[breakage](document)
    assert list(_validator(built).iter_errors(document)) != []


def _readme_example() -> tuple[str, str]:
    """The README's Python example and the output it shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?omskg\.conditions\.json.*?)```\n\nprints\n\n```text\n(.*?)```", readme, re.S)
    assert match, "README: no python example over omskg.conditions.json followed by its output"
    return match.group(1), match.group(2)


def test_the_readmes_three_lines_run_word_for_word(built: Path, tmp_path: Path, graph: Graph) -> None:
    code, shown = _readme_example()
    assert len(code.strip().splitlines()) == 3
    (tmp_path / "dist").symlink_to(built)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout == shown
    # and it says what the graph says: each symptom with the labels of its statement's hedges
    rows = graph.query("""
        SELECT ?label (GROUP_CONCAT(?hedge; separator=", ") AS ?hedges) WHERE {
          ?s a rdf:Statement ; rdf:predicate omskg:hasSymptom ; rdf:object ?symptom .
          ?symptom rdfs:label ?label .
          OPTIONAL { ?s omskg:hedge/rdfs:label ?hedge }
        } GROUP BY ?label""", initNs={"omskg": OMSKG})
    expected = {str(r[0]): str(r[1]) for r in rows}  # type: ignore[index]
    printed = dict(line.split(": ", 1) for line in run.stdout.splitlines())
    assert printed == expected


def _rebuilt(fact_file: Any, vocab: Any, **changes: Any) -> bytes:
    import dataclasses

    from omskg import mappings, resources
    from omskg.condition_json import conditions_document
    from omskg.vocab import DEFAULT_BASE

    targets = mappings.load_targets(resources.xref_targets_file())
    return conditions_document([dataclasses.replace(fact_file, **changes)], targets, vocab, DEFAULT_BASE)


def test_two_values_with_one_label_are_refused_not_confused(fact_file: Any, vocab: Any) -> None:
    import dataclasses

    entities = tuple(dataclasses.replace(e, label="children") if e.id == "adults" else e for e in fact_file.entities)
    with pytest.raises(InputError, match="opsoclonus-myoclonus-syndrome.yaml: the nested condition document: two population values are both labelled 'children'"):
        _rebuilt(fact_file, vocab, entities=entities)


def test_an_age_unit_without_a_ucum_code_is_refused(fact_file: Any, vocab: Any) -> None:
    import dataclasses

    from omskg.records import AgeRange

    facts = tuple(dataclasses.replace(f, object=dataclasses.replace(f.object, unit_text="fortnight"))
                  if isinstance(f.object, AgeRange) else f for f in fact_file.facts)
    with pytest.raises(InputError, match="no UCUM code known for the unit 'fortnight'"):
        _rebuilt(fact_file, vocab, facts=facts)


def test_two_conditions_each_with_their_own_words(tmp_path: Path) -> None:
    """Entities of different conditions may share a label ("children"): each condition's
    words are in a context of its own, and the JSON-LD reading stays exactly the graph's."""
    from omskg.build import build
    from omskg.vocab import DEFAULT_BASE
    from tests.test_parallel import _two_conditions

    out = tmp_path / "dist"
    build(_two_conditions(tmp_path), out, DEFAULT_BASE)
    document = _document(out)
    assert len(document["conditions"]) == 2
    populations = [c["@context"]["population"]["@context"]["children"] for c in document["conditions"]]
    assert len(set(populations)) == 2
    assert list(_validator(out).iter_errors(document)) == []
    read, graph = _pyld(document), _graph(out)
    assert set(read) - set(graph) == set()
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    assert statements == set(read.subjects(RDF.predicate, None))


def test_facts_of_a_file_without_a_condition_are_kept_at_the_top(fact_file: Any, vocab: Any) -> None:
    facts = tuple(f for f in fact_file.facts if f.id == "opsoclonus-description")
    entities = tuple(e for e in fact_file.entities if e.kind != "Condition")
    document = json.loads(_rebuilt(fact_file, vocab, facts=facts, entities=entities))
    assert document["conditions"] == [] and [f["fact"] for f in document["otherFacts"]] == ["opsoclonus-description"]
    read = _pyld(document)
    (statement,) = set(read.subjects(RDF.predicate, None))
    assert str(read.value(statement, RDF.subject)) == "https://w3id.org/omskg/entity/opsoclonus"
    assert read.value(statement, RDF.object) == Literal("involuntary, erratic eye movements", lang="en")



def test_no_qualifier_of_the_vocabulary_is_named_after_a_key_of_the_items(vocab: Any) -> None:
    """An item's qualifiers are fields beside its own keys, and items are written as text: a
    qualifier named after one of its keys would give items that key twice."""
    from omskg.condition_json import ITEM_KEYS

    assert sorted(ITEM_KEYS & vocab.qualifiers) == []


def test_equal_qualifiers_in_two_conditions_give_each_its_words(fact_file: Any, vocab: Any) -> None:
    """Qualifiers are written once for equal ones: the words of their entities are still in
    the context of each condition that uses them."""
    import dataclasses

    from omskg.records import EntityRef

    condition = next(e for e in fact_file.entities if e.kind == "Condition")
    twin = dataclasses.replace(condition, id="twin-condition", label="Twin condition")
    fact = next(f for f in fact_file.facts if f.subject == condition.id
                and any(isinstance(v, EntityRef) for _, values in f.qualifiers for v in values))
    copied = dataclasses.replace(fact, id="twin-fact", subject=twin.id)
    document = json.loads(_rebuilt(fact_file, vocab, entities=(*fact_file.entities, twin),
                                   facts=(*fact_file.facts, copied)))
    first, second = document["conditions"]
    labels = {e.id: e.label for e in fact_file.entities}
    for name, values in fact.qualifiers:
        for value in values:
            if isinstance(value, EntityRef):
                for written in (first, second):
                    assert written["@context"][name]["@context"][labels[value.id]].endswith(f"/entity/{value.id}")


def test_qualifiers_equal_but_of_other_types_are_written_apart(fact_file: Any, vocab: Any) -> None:
    """True == Decimal(1): qualifiers written once for equal ones are told apart by the types
    of their values, each written as a new builder writes it."""
    import dataclasses

    from omskg import mappings, resources
    from omskg.condition_json import _Document
    from omskg.minted import Minted
    from omskg.vocab import DEFAULT_BASE

    targets = mappings.load_targets(resources.xref_targets_file())
    variants = [(("coreFeature", (Decimal(1),)),), (("coreFeature", (True,)),), (("coreFeature", (Decimal("1.0"),)),),
                (("approximate", (Decimal(0),)), ("hedge", ("May",))), (("approximate", (False,)), ("hedge", ("May",)))]
    facts = [dataclasses.replace(fact_file.facts[0], qualifiers=q) for q in variants + variants]

    def builder() -> Any:
        made = _Document([fact_file], targets, vocab, Minted(DEFAULT_BASE))
        made.local = {}
        return made

    once = builder()
    texts = [once.qualifiers_text(f) for f in facts]
    assert texts == [builder().qualifiers_text(f) for f in facts]
    assert ['"coreFeature": 1' in t for t in texts[:3]] == [True, False, True]
    assert ['"approximate": false' in t for t in texts[3:5]] == [False, True]

class _Word(str):
    pass


class _Level(enum.IntEnum):
    LOW = 1


_CHARACTERS = st.characters() | st.characters(categories=["Cs"]) | st.sampled_from('"\\\n\t\x00\u2028é')
_TEXT = st.text(_CHARACTERS, max_size=8)
_KEYS = st.sampled_from(["id", "facts", "evidence", "é"]) | _TEXT  # (keys met again: the writer's cache)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
    | st.builds(_Word, _TEXT) | st.just(_Level.LOW) | st.just(float("-inf")),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(_KEYS, inner, max_size=4)
    | st.dictionaries(_KEYS | st.integers() | st.floats() | st.booleans() | st.none() | st.builds(_Word, _TEXT),
                      inner, max_size=4)
    | st.builds(OrderedDict, st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(values=st.lists(_JSON, min_size=1, max_size=3), depth=st.integers(0, 3))
def test_the_indented_writer_writes_what_json_dumps_does(values: list[Any], depth: int) -> None:
    """The document's items are written as json.dumps(indent=2) writes them, at any depth,
    whatever the values (surrogates, NaN, keys that are no strings, subclasses, tuples)."""
    from omskg.indented import Indented

    indent, writer = "  " * depth, Indented()
    for value in values + values:  # (the second time with the keys the writer has seen)
        out: list[str] = []
        writer.write(value, indent, out)
        assert "".join(out) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


@pytest.mark.parametrize("value", [{"a": [1, object()]}, {"a": 1, (1, 2): 2}, [Decimal(1)], {"a": {1j: 1}}])
def test_the_indented_writer_refuses_what_json_dumps_refuses(value: Any) -> None:
    from omskg.indented import Indented

    with pytest.raises(TypeError) as refused:
        Indented().write(value, "  ", [])
    with pytest.raises(TypeError) as expected:
        json.dumps(value, indent=2)
    assert str(refused.value) == str(expected.value)


def test_the_document_is_json_dumps_own_text(built: Path) -> None:
    text = (built / publish.CONDITIONS).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


_PLAIN = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('"\\\n\t\x00\u2028{}[]é'), max_size=6)


@settings(max_examples=60, deadline=None)
@given(quote=_PLAIN, label=_PLAIN.filter(lambda t: ":" not in t), text=_PLAIN,
       proportion=st.decimals(allow_nan=False, allow_infinity=False) | st.sampled_from([Decimal("-0.0"), Decimal("NaN")]),
       core=st.booleans())
def test_items_written_ahead_read_back_as_written(
    fact_file: Any, vocab: Any, quote: str, label: str, text: str, proportion: Decimal, core: bool
) -> None:
    """Items are written ahead, at no indent, and indented where they stand: with quotes,
    labels and texts of any characters and odd numbers, the document is what json.dumps
    writes of what it reads, and reads back the values given."""
    import dataclasses

    from omskg.records import Text

    entities = tuple(dataclasses.replace(e, label=f"x{label} {e.id}") for e in fact_file.entities)
    facts = tuple(
        dataclasses.replace(
            f, evidence=dataclasses.replace(f.evidence, quote=quote),
            object=Text(text) if isinstance(f.object, Text) else f.object,
            qualifiers=tuple(sorted({**dict(f.qualifiers), "proportion": (proportion,), "coreFeature": (core,)}.items())),
        )
        for f in fact_file.facts
    )
    written = _rebuilt(fact_file, vocab, entities=entities, facts=facts).decode("utf-8")
    document = json.loads(written)
    assert written == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    items = _items(document)
    assert {i["fact"] for i in items} == {f.id for f in facts}
    assert {i["evidence"]["quote"] for i in items} == {quote}
    assert {i["coreFeature"] for i in items} == {core}
    assert {i["text"] for i in items if "text" in i} == {text}
    assert {i["label"] for i in items if "label" in i} <= {e.label for e in entities}
    expected = json.loads(json.dumps(int(proportion) if proportion == proportion.to_integral_value() else float(proportion)))
    assert all(i["proportion"] == expected or expected != expected for i in items)
