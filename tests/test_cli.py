"""The command line: exit statuses users can script, readable errors, and a failed build
that leaves the previous publication untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from omskg import publish, resources
from omskg.cli import main

from .test_facts import REJECTIONS

FACT_FILE_NAME = "opsoclonus-myoclonus-syndrome.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    shutil.copytree(resources.resource_root() / "data", tmp_path / "data")
    return tmp_path / "data" / "conditions"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _break(facts: Path, old: str, new: str) -> None:
    path = facts / FACT_FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_publishes_every_file(tmp_path: Path) -> None:
    status, out, _ = invoke("build", "--out", str(tmp_path / "dist"))
    assert status == 0
    assert "built 1806 triples and 50 mappings from 54 facts about 42 entities" in out
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == sorted(publish.PUBLISHED_NAMES)


def test_bad_fact_file_exits_2_and_leaves_dist_as_it_was(tmp_path: Path, built: Path, facts: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built, out)
    before = _snapshot(out)
    _break(facts, "approximately 1 in 5,000,000", "approximately 1 in 500,000")
    status, _, err = invoke("build", "--facts", str(facts), "--out", str(out))
    assert status == 2
    assert f"{facts / FACT_FILE_NAME}:" in err and "does not occur in the source" in err
    assert f"{out} left as it was" in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dist"]  # no staging folder left behind


def test_shacl_violation_exits_1_with_one_line_per_result(tmp_path: Path, built: Path, facts: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built, out)
    before = _snapshot(out)
    # the fact-file checks allow it; only the shapes know hasSymptom's domain is a Condition
    _break(facts, "  - id: oms-symptom-myoclonus\n    subject: opsoclonus-myoclonus-syndrome",
           "  - id: oms-symptom-myoclonus\n    subject: ataxia")
    status, _, err = invoke("build", "--facts", str(facts), "--out", str(out))
    assert status == 1
    (line,) = [line for line in err.splitlines() if line.startswith("Violation:")]
    assert line == (
        "Violation: <https://w3id.org/omskg/entity/ataxia> omskg:hasSymptom [SPARQLConstraintComponent] "
        "value=<https://w3id.org/omskg/entity/ataxia>: "
        "The subject of a fact predicate must be of the predicate's rdfs:domain (path: the predicate)."
    )
    assert _snapshot(out) == before


def test_build_refuses_to_replace_a_folder_of_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    status, _, err = invoke("build", "--out", str(tmp_path))
    assert status == 2
    assert "refusing to replace" in err and "notes.txt" in err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_validate_statuses(tmp_path: Path, built: Path) -> None:
    assert invoke("validate", str(built / publish.TURTLE))[0] == 0
    assert invoke("validate", str(built / publish.JSONLD), str(built / publish.NTRIPLES))[0] == 0

    broken = tmp_path / "broken.nt"
    lines = (built / publish.NTRIPLES).read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(line for line in lines if "rdf-schema#label> \"ataxia\"" not in line) + "\n", encoding="utf-8")
    status, _, err = invoke("validate", str(broken))
    assert status == 1
    assert "Violation: <https://w3id.org/omskg/entity/ataxia> rdfs:label [MinCountConstraintComponent]" in err
    assert invoke("validate", "--engine", "pyshacl", str(broken)) == (status, "", err)

    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n", encoding="utf-8")
    status, _, err = invoke("validate", str(garbage))
    assert status == 2 and err.startswith(f"omskg validate: {garbage}:3:11: Parser error")

    big = tmp_path / "big.nt"
    big.write_bytes((built / publish.NTRIPLES).read_bytes())
    status, _, err = invoke("validate", str(big), "--max-mb", "0.1")
    assert status == 2 and "over the limit of 0 MB" in err and "raise --max-mb" in err

    unknown = tmp_path / "facts.csv"
    unknown.write_text("a,b\n", encoding="utf-8")
    status, _, err = invoke("validate", str(unknown))
    assert status == 2 and "unknown RDF format '.csv'" in err


def test_query_shipped_inline_and_formats(built: Path) -> None:
    data = str(built / publish.NTRIPLES)
    status, out, _ = invoke("query", "symptoms", "--data", data)
    assert status == 0 and "developmental regression" in out and "(9 rows)" in out
    status, out, _ = invoke("query", "SELECT ?l WHERE { ?s a omskg:Treatment ; rdfs:label ?l } ORDER BY ?l",
                            "--data", data, "--format", "csv")
    assert status == 0
    assert out.splitlines() == ["l", "corticosteroids", "intravenous immunoglobulin", "other immunosuppressive therapies"]


def test_query_without_data_builds_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no dist/ here
    status, out, _ = invoke("query", "ASK { ?s omskg:hasSymptom ?o }")
    assert (status, out) == (0, "true\n")


def test_query_errors(built: Path, tmp_path: Path) -> None:
    status, _, err = invoke("query", "SELECT ?s WHERE { ?s ?p }", "--data", str(built / publish.NTRIPLES))
    assert status == 2 and err.startswith("omskg query: malformed query:")
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK {}", encoding="utf-8")
    status, _, err = invoke("query", "ASK {}", "--file", str(query_file))
    assert status == 2 and "not both" in err


def test_queries_lists_the_competency_questions() -> None:
    status, out, _ = invoke("queries")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(
        p.stem for p in resources.queries_dir().glob("*.rq")
    )


@pytest.mark.parametrize("command", ["build", "validate", "query", "queries"])
def test_help(command: str) -> None:
    status, out, _ = invoke(command, "--help")
    assert status == 0 and "Usage:" in out


def test_a_query_that_runs_too_long_is_stopped(built: Path) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, err = invoke("query", endless, "--data", str(built / publish.NTRIPLES), "--timeout", "1")
    assert status == 2
    assert err == "omskg query: the query ran longer than 1 s and was stopped (raise --timeout to allow more)\n"


@pytest.mark.parametrize(("name", "old", "new", "needle", "message"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_every_bad_fact_file_exits_2_and_leaves_dist_untouched(
    tmp_path: Path, built: Path, facts: Path, name: str, old: str, new: str, needle: str | None, message: str
) -> None:
    out = tmp_path / "dist"
    shutil.copytree(built, out)
    before = _snapshot(out)
    _break(facts, old, new)
    status, stdout, err = invoke("build", "--facts", str(facts), "--out", str(out))
    assert status == 2, name
    assert message in err and str(facts / FACT_FILE_NAME) in err
    assert stdout == "" and "Traceback" not in err
    assert _snapshot(out) == before
