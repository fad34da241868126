"""`omskg draft`: a summary -> a fact file to review. Drafted from the real OMS summary and
compared with the curated file; drafted from fictional summaries (tests/drafts/, never
published) and built once the draft marks are removed; bad inputs refused in one line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from omskg import resources
from omskg.draft import make_draft
from omskg.draft_compare import compare
from omskg.draft_render import write_draft
from omskg.facts import read_fact_file
from omskg.hpo_lookup import load_lookup, read_hpo
from omskg.records import FactFile, InputError
from omskg.vocab import Vocabulary

REPO = Path(__file__).resolve().parents[1]
DRAFTS = Path(__file__).parent / "drafts"
GLIMMERFOOT = DRAFTS / "glimmerfoot-summary.txt"
QUILLREST = DRAFTS / "quillrest-summary.txt"
CURATED = resources.conditions_dir() / "opsoclonus-myoclonus-syndrome.yaml"


def omskg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "omskg.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


def undraft(path: Path) -> None:
    """What a curator does once every proposal is reviewed: delete the draft: lines."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("    draft: ")), encoding="utf-8")


# ------------------------------------------------------------------ the real summary


@pytest.fixture(scope="module")
def oms_comparison(vocab: Vocabulary, fact_file: FactFile) -> tuple[object, dict[str, int], list[str]]:
    draft = make_draft(fact_file.source.path, out_dir=CURATED.parent, exclude=CURATED)
    result = compare(draft, fact_file)
    return draft, result.figures, result.lines


def test_oms_draft_source_block_and_every_quote_offset_are_exact(oms_comparison, fact_file: FactFile) -> None:
    draft, figures, lines = oms_comparison
    assert draft.source_id == fact_file.source.id
    # every field, the title included (both name the summary as its heading line does)
    assert figures["source fields the same"] == 8, lines
    assert figures["quotes_same_offsets"] == figures["curated_quotes"] > 10
    assert figures["repeats"] == 3  # the repeated paragraph and the repeated first sentence of the next
    assert figures["facts_without_verbatim_quote"] == 0
    text = fact_file.source.path.read_text(encoding="utf-8")
    for fact in draft.facts:
        assert text[fact.sentence.start : fact.sentence.end] == fact.sentence.text


def test_oms_draft_proposes_the_symptom_hpo_ids_and_the_orphanet_id(oms_comparison, fact_file: FactFile) -> None:
    draft, figures, lines = oms_comparison
    assert figures["symptom_hp"] == figures["symptom_hp_proposed"] == 7
    assert figures["symptom_hp_same"] == 7, lines
    # Where the match type differs, the draft says exact because HPO lists the source's
    # words as an EXACT synonym of the term, and the curated file says close.
    curated = {(e.id, x.curie): x.match for e in fact_file.entities for x in e.xrefs}
    for entity in draft.entities:
        for candidate in entity.candidates:
            key = (entity.id, candidate.curie)
            if key in curated and curated[key] != candidate.match:
                assert candidate.evidence.startswith("EXACT synonym") and curated[key] == "close", key
    assert figures["symptom_hp_same"] >= 5
    assert draft.condition.xrefs == {"exact": ["ORPHA:1183"]}
    assert any("condition opsoclonus-myoclonus-syndrome: proposed ORPHA:1183 (exact)" == line for line in lines)
    assert figures["facts_in_both"] >= 25 and figures["xrefs_in_both"] >= 9


def test_every_proposal_is_marked_and_the_reader_refuses_each_mark_with_its_line(
    tmp_path: Path, vocab: Vocabulary
) -> None:
    draft = make_draft(GLIMMERFOOT, out_dir=tmp_path / "conditions")
    out = tmp_path / "conditions" / "g.yaml"
    write_draft(draft, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    mark_lines = {n for n, line in enumerate(lines, 1) if line.startswith("    draft: ")}
    assert len(mark_lines) == len(draft.entities) + len(draft.facts)
    with pytest.raises(InputError) as refused:
        read_fact_file(out, vocab)
    drafts = [p for p in refused.value.problems if "is still a draft" in p.message]
    assert {p.line for p in drafts} == mark_lines
    assert all(p.path == out for p in drafts)
    assert len(refused.value.problems) == len(drafts)  # nothing else is wrong with it


def test_a_fictional_draft_proposes_each_pattern_with_its_qualifiers(tmp_path: Path, vocab: Vocabulary) -> None:
    draft = make_draft(GLIMMERFOOT, out_dir=tmp_path)
    facts = {(f.predicate, str(f.value)): f for f in draft.facts}
    assert draft.condition.label == "Glimmerfoot tremor syndrome" and draft.source_id == "gts-summary"
    assert facts[("synonym", "lantern gait")].qualifiers == {"hedge": ["Sometimes"]}
    assert facts[("hasSymptom", "ataxia")].qualifiers == {}
    assert facts[("describedAs", "unsteady, swaying gait")].subject == "ataxia"
    assert facts[("triggeredBy", "post-viral-immune-response")].qualifiers == {"hedge": ["Often"]}
    tumor = {"hedge": ["Often", "Particularly"], "population": "adults"}
    assert facts[("triggeredBy", "tumor")].qualifiers == facts[("triggeredBy", "neuroblastoma")].qualifiers == tumor
    assert facts[("affects", "central-nervous-system")].qualifiers == {"hedge": ["Primarily"]}
    assert ("affects", "cerebellum") in facts
    for symptom in ("irritability", "sleep-disturbances"):
        assert facts[("hasSymptom", symptom)].qualifiers == {"hedge": ["May"]}
    assert facts[("hasSymptom", "developmental-regression")].qualifiers == {"hedge": ["May"], "population": "children"}
    incidence = facts[("hasIncidence", str({"cases": 1, "outOf": 2000000, "period": "P1Y"}))]
    assert incidence.qualifiers == {"hedge": ["Estimated"], "approximate": True}
    (age,) = [f for f in draft.facts if f.predicate == "hasOnsetAge"]
    assert age.value["minValue"] == 30 and age.value["maxValue"] == 36 and age.qualifiers == {"approximate": True}
    treatments = [str(f.value) for f in draft.facts if f.predicate == "treatedWith"]
    assert treatments == ["corticosteroids", "intravenous-immunoglobulin", "physical-therapy"]
    assert facts[("abbreviation", "IVIG")].subject == "intravenous-immunoglobulin"
    # the repeated paragraph is recognised, and its sentence cited once, at its first occurrence
    assert [(r.first.number, r.line) for r in draft.summary.repeats] == [(1, 3)]
    assert len({s.text for s in draft.summary.sentences}) == len(draft.summary.sentences) == 9


def test_draft_then_review_then_build(tmp_path: Path) -> None:
    """The command line end to end: the draft is refused by the build, then builds once the
    draft marks are removed, into a folder of its own (--facts)."""
    made = omskg("draft", str(GLIMMERFOOT), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "data" / "conditions" / "glimmerfoot-tremor-syndrome.yaml"
    assert (tmp_path / "data" / "sources" / "gts-summary.txt").read_bytes() == GLIMMERFOOT.read_bytes()
    yaml.safe_load(out.read_text(encoding="utf-8"))
    refused = omskg("build", "--facts", "data/conditions", "--out", "dist", cwd=tmp_path)
    assert refused.returncode == 2 and not (tmp_path / "dist").exists()
    assert re.search(r"glimmerfoot-tremor-syndrome\.yaml:\d+: fact 'gts-symptom-ataxia' is still a draft", refused.stderr)
    undraft(out)
    built = omskg("build", "--facts", "data/conditions", "--out", "dist", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "statement/" in (tmp_path / "dist" / "omskg.ttl").read_text(encoding="utf-8")
    again = omskg("draft", str(GLIMMERFOOT), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_an_unlisted_identifier_is_flagged_and_the_gate_still_refuses_it(tmp_path: Path) -> None:
    made = omskg("draft", str(QUILLREST), "--out", "c/quillrest.yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "c" / "quillrest.yaml"
    rigidity = next(e for e in yaml.safe_load(out.read_text(encoding="utf-8"))["entities"] if e["id"] == "rigidity")
    assert rigidity["xrefs"] == {"exact": ["HP:0002063"]}
    assert "HP:0002063 'Rigidity': label equal ('Rigidity'), so exact; NOT in data/xref-targets.tsv" in rigidity["draft"]
    undraft(out)
    refused = omskg("build", "--facts", "c", "--out", "dist", cwd=tmp_path)
    assert refused.returncode == 2
    assert "cross-reference HP:0002063 is not among the verified identifiers" in refused.stderr


def test_the_draft_of_another_condition_does_not_reuse_an_id_defined_elsewhere(tmp_path: Path) -> None:
    conditions = tmp_path / "conditions"
    conditions.mkdir()
    (conditions / "other.yaml").write_text("entities:\n  - id: ataxia\n    kind: Symptom\n", encoding="utf-8")
    draft = make_draft(GLIMMERFOOT, out_dir=conditions)
    ataxia = next(e for e in draft.entities if e.label == "ataxia")
    assert ataxia.id == "gts-ataxia" and any("already defined in other.yaml" in n for n in ataxia.notes)


def test_compare_prints_the_figures() -> None:
    shown = omskg("draft", "--compare", str(CURATED), str(CURATED.parent.parent / "sources" / "oms-summary.txt"))
    assert shown.returncode == 0, shown.stderr
    assert "symptom HP ids: curated 7; proposed 7;" in shown.stdout
    assert "drafted facts without a verbatim quote at their offsets: 0 of" in shown.stdout


BAD_INPUTS = {
    "empty": (b"", "the file is empty"),
    "no header": (b"Just a paragraph.\nMedical disclaimer: none.\n", "no header line"),
    "no disclaimer": (
        "Short answer · Medically reviewed summary · Last updated: 2030-01-01\nA sentence.\n".encode(),
        "no medical disclaimer",
    ),
    "not UTF-8": (
        "Short answer · Medically reviewed summary · Last updated: 2030-01-01\nCaf\xe9.\n".encode("latin-1"),
        "not UTF-8 text",
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "a binary file"),
    "bad date": (
        "Short answer · Medically reviewed summary · Last updated: 2030-02-30\nA.\nMedical disclaimer: x.\n".encode(),
        "is not a date",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    content, expected = BAD_INPUTS[case]
    summary = tmp_path / "summary.txt"
    summary.write_bytes(content)
    result = omskg("draft", str(summary), "--out", str(tmp_path / "out.yaml"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and expected in result.stderr, result.stderr
    assert result.stderr.startswith(f"omskg draft: {summary}")
    assert not (tmp_path / "out.yaml").exists() and result.stdout == ""


def test_hpo_synonym_scopes_give_their_match_types(tmp_path: Path) -> None:
    obo = tmp_path / "hp.obo"
    obo.write_text(
        "format-version: 1.2\n\n[Term]\nid: HP:0000001\nname: Wobbly gait\n"
        'synonym: "Wobbling" EXACT []\nsynonym: "Gait trouble" BROAD []\n'
        'synonym: "Left wobble" NARROW []\nsynonym: "Sway" RELATED []\n\n'
        "[Term]\nid: HP:0000002\nname: Old term\nis_obsolete: true\n",
        encoding="utf-8",
    )
    found = {name: [(c.curie, c.match) for c in cands] for name, cands in read_hpo(obo).items()}
    assert found["wobbly gait"] == [("HP:0000001", "exact")]
    assert found["wobbling"] == [("HP:0000001", "exact")]
    assert found["gait trouble"] == [("HP:0000001", "narrow")]  # our words are broader than the term
    assert found["left wobble"] == [("HP:0000001", "broad")]  # our words are narrower than the term
    assert found["sway"] == [("HP:0000001", "related")]
    assert "old term" not in found


def test_the_real_hpo_file_gives_the_curated_symptoms() -> None:
    lookup = load_lookup()
    assert lookup is not None
    (sleep,) = lookup.phenotype("sleep disturbances")
    assert (sleep.curie, sleep.match) == ("HP:0002360", "exact") and sleep.evidence.startswith("EXACT synonym")
    (orpha,) = lookup.disease("Opsoclonus myoclonus syndrome")
    assert orpha.curie == "ORPHA:1183" and "up to case, hyphens and spacing" in orpha.evidence
    assert lookup.phenotype("a made-up sign") == []


def test_the_sentences_list_is_checked_like_evidence(tmp_path: Path, vocab: Vocabulary) -> None:
    draft = make_draft(GLIMMERFOOT, out_dir=tmp_path / "conditions")
    out = tmp_path / "conditions" / "g.yaml"
    write_draft(draft, out)
    undraft(out)
    read_fact_file(out, vocab)
    first = draft.summary.sentences[0]
    text = out.read_text(encoding="utf-8")
    out.write_text(text.replace(f"start: {first.start}, end: {first.end}}}", "start: 1, end: 2}", 1), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_fact_file(out, vocab)
    assert any("sentence 1: evidence offsets 1-2 do not match" in p.message for p in refused.value.problems)


def _walkthrough() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a condition", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_the_readme_walkthrough_runs(tmp_path: Path) -> None:
    """The README's "Adding a condition" commands, run as written in an empty folder."""
    commands = _walkthrough()
    assert [c.split()[:2] for c in commands] == [["omskg", "draft"], ["omskg", "build"], ["sed", "-i"], ["omskg", "build"]]
    (tmp_path / "new-summary.txt").write_bytes(GLIMMERFOOT.read_bytes())
    bin_dir = str(Path(sys.executable).parent)
    for command in commands:
        expected = 2 if "# exit 2" in command else 0
        ran = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300,
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert ran.returncode == expected, (command, ran.stderr)
    assert (tmp_path / "dist" / "omskg.ttl").is_file()
