"""The curated fact file itself, and the fact-file checks: each kind of bad input is
rejected with a message that names the file, the line and the problem."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import RDFS

from omskg import resources
from omskg.facts import read_fact_file
from omskg.records import EntityRef, FactFile, InputError
from omskg.vocab import OMSKG, Vocabulary

REPO = Path(__file__).resolve().parents[1]

FACT_FILE = resources.conditions_dir() / "opsoclonus-myoclonus-syndrome.yaml"
SOURCE_SHA256 = "67bef2e488c6f5aa26cb68343d461e737c1359eadacc966bf235c8dfc0515a10"


# ------------------------------------------------------------------ the curated data


def _raw_evidence(node: object) -> list[dict[str, object]]:
    """Every evidence mapping in the YAML, read with plain PyYAML (not omskg's reader)."""
    if isinstance(node, dict):
        found = [node] if set(node) == {"quote", "start", "end"} else []
        return found + [e for value in node.values() for e in _raw_evidence(value)]
    if isinstance(node, list):
        return [e for item in node for e in _raw_evidence(item)]
    return []


def test_source_copy_is_the_reviewed_summary() -> None:
    source = resources.resource_root() / "data" / "sources" / "oms-summary.txt"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == SOURCE_SHA256


def test_every_quote_is_verbatim_at_its_offsets_and_first_occurrence(source_text: str) -> None:
    evidence = _raw_evidence(yaml.safe_load(FACT_FILE.read_text(encoding="utf-8")))
    assert len(evidence) >= 50
    for item in evidence:
        quote, start, end = item["quote"], item["start"], item["end"]
        assert isinstance(quote, str) and isinstance(start, int) and isinstance(end, int)
        assert source_text[start:end] == quote
        assert source_text.find(quote) == start, f"not the first occurrence: {quote[:40]}"


def test_every_fact_has_a_whole_sentence_as_evidence(fact_file: FactFile, source_text: str) -> None:
    for fact in fact_file.facts:
        quote = fact.evidence.quote
        assert quote[0].isupper() and quote.endswith((".", "?")), fact.id
        before = source_text[: fact.evidence.start].rstrip(" ")
        assert before == "" or before.endswith((".", "?", "\n")), f"{fact.id} does not start a sentence"


def test_nothing_is_curated_from_the_empty_list_or_the_question(fact_file: FactFile) -> None:
    quotes = {f.evidence.quote for f in fact_file.facts}
    assert not any("Key differentiating factors" in q or q.endswith("?") for q in quotes)
    assert any(q.startswith("Distinguishing") for q in quotes)  # a statement of its own


def _sentences(text: str) -> list[str]:
    """The source's sentences: each line, split after '.', '?' or '!' before a capital."""
    return [s for line in text.splitlines() for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", line) if s.strip()]


def _readme_non_facts() -> dict[str, str]:
    """The README's table of the source's sentences that are not facts: sentence -> reason."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Sentences that are not facts.**", 1)[1].split("\n\n", 2)[1]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| \"")]
    return {row[0].removeprefix("| ").strip('"'): row[1].rstrip(" |") for row in rows}


def test_every_sentence_is_a_fact_or_listed_in_the_readme_with_a_reason(
    fact_file: FactFile, source_text: str
) -> None:
    quotes = {f.evidence.quote for f in fact_file.facts}
    listed = _readme_non_facts()
    assert all(reason.strip() for reason in listed.values())
    sentences = _sentences(source_text)
    assert len(sentences) == 24  # 21 distinct: the first paragraph repeats three sentences below it
    for sentence in sentences:
        assert (sentence in quotes) != (sentence in listed), sentence
    assert set(listed) <= set(sentences)
    source = fact_file.source
    assert {source.header.quote, source.disclaimer.quote} <= set(listed)  # carried by the source node


def test_text_objects_occur_in_their_evidence(fact_file: FactFile) -> None:
    from omskg.records import Text

    for fact in fact_file.facts:
        if isinstance(fact.object, Text):
            assert fact.object.value in fact.evidence.quote, fact.id


def test_entity_labels_are_worded_as_in_the_source(fact_file: FactFile, source_text: str) -> None:
    # "rare disorder", "people of any age" and "suppression of ..." paraphrase; the rest are the source's words
    paraphrased = {"rare-disease", "all-ages", "suppression-of-overactive-immune-response",
                   "rapid-onset-over-days-or-weeks", "neural-pathway-inflammation", "cerebellar-neurons",
                   "breast-cancer", "lung-cancer"}  # from "breast or lung cancer"
    lowered = source_text.lower()
    for entity in fact_file.entities:
        if entity.id not in paraphrased:
            assert entity.label.lower() in lowered, entity.id


def test_the_issue_checklist_is_covered(fact_file: FactFile) -> None:
    objects = {(f.predicate, f.object.id) for f in fact_file.facts if isinstance(f.object, EntityRef)}
    for symptom in ["opsoclonus", "myoclonus", "ataxia", "behavioral-changes", "irritability",
                    "sleep-disturbances", "developmental-regression"]:
        assert ("hasSymptom", symptom) in objects
    for place in ["central-nervous-system", "cerebellum", "brainstem-eye-movement-and-motor-areas"]:
        assert ("affects", place) in objects
    assert ("hasAutoimmuneTarget", "cerebellar-neurons") in objects
    for treatment in ["corticosteroids", "intravenous-immunoglobulin", "other-immunosuppressive-therapies"]:
        assert ("treatedWith", treatment) in objects
    for trigger in ["post-viral-immune-response", "tumor", "neuroblastoma"]:
        assert ("triggeredBy", trigger) in objects
    for association in ["neuroblastoma", "breast-cancer", "lung-cancer", "malignancy"]:
        assert ("associatedWith", association) in objects
    for mechanism in ["autoimmune-process", "antibodies-against-cerebellar-neurons", "molecular-mimicry",
                      "immune-attack-on-the-nervous-system"]:
        assert ("hasMechanism", mechanism) in objects
    assert ("differentialDiagnosis", "other-movement-disorders") in objects
    predicates = {f.predicate for f in fact_file.facts}
    assert {"hasIncidence", "hasOnsetAge", "knownGeographicOrEthnicPredisposition", "abbreviation", "synonym"} <= predicates


def test_associated_conditions_are_not_triggers(fact_file: FactFile) -> None:
    """Only what the source says something is "triggered by" (or "begins when") is a Trigger."""
    kinds = {e.id: e.kind for e in fact_file.entities}
    triggered = {f.object.id for f in fact_file.facts if f.predicate == "triggeredBy" and isinstance(f.object, EntityRef)}
    assert {e for e, kind in kinds.items() if kind == "Trigger"} == triggered
    assert {kinds[e] for e in ("malignancy", "breast-cancer", "lung-cancer")} == {"AssociatedFactor"}


def test_the_fifty_percent_is_a_qualified_proportion(fact_file: FactFile) -> None:
    (fact,) = [f for f in fact_file.facts if f.id == "oms-neuroblastoma-in-half-of-pediatric-cases"]
    qualifiers = dict(fact.qualifiers)
    assert qualifiers["population"] == (EntityRef("children"),)
    assert [str(v) for v in qualifiers["proportion"]] == ["0.5"]
    assert qualifiers["approximate"] == (True,)


#: Hedge words in a fact's sentence that qualify another part of the sentence, not the fact.
HEDGES_OF_OTHER_PARTS = {
    # "... sometimes called "dancing eye syndrome," ...": only the synonym is "sometimes"
    **{fact: {"Sometimes"} for fact in ("oms-abbreviation", "oms-rare", "oms-immune-mediated-neurological",
                                        "oms-characterized-by-opsoclonus", "oms-characterized-by-myoclonus",
                                        "opsoclonus-description", "myoclonus-description")},
    # "often triggered by a post-viral immune response or, particularly in children, a tumor"
    "oms-triggered-by-post-viral-immune-response": {"Particularly"},
    # "primarily affects the central nervous system, specifically the cerebellum and the brainstem areas"
    "oms-affects-cns": {"Specifically"},
    "oms-affects-cerebellum": {"Primarily"},
    "oms-affects-brainstem-areas": {"Primarily"},
    # "Patients typically experience a triad ...": the descriptions in brackets are not typical
    **{fact: {"Typically"} for fact in ("opsoclonus-description-triad", "myoclonus-description-triad",
                                        "ataxia-description")},
    # "may also experience significant behavioral changes, irritability, ...": only the behavioral changes
    **{fact: {"Significant"} for fact in ("oms-symptom-irritability", "oms-symptom-sleep-disturbances",
                                          "oms-symptom-developmental-regression")},
    # "driven by an immune attack ..., these symptoms can appear rapidly, often over ...": the onset
    "oms-immune-attack-on-the-nervous-system": {"Can", "Often"},
    # "exceptionally rare, with an estimated incidence ...": rarity is exceptional, the incidence estimated
    "oms-incidence": {"Exceptionally"},
    "oms-exceptionally-rare": {"Estimated"},
    # "While it can occur at any age, it is most frequently diagnosed in young children, with a median ..."
    "oms-any-age": {"MostFrequently"},
    "oms-young-children": {"Can"},
    "oms-median-age-of-onset": {"Can", "MostFrequently"},
    # "Research indicates that ... neuroblastoma, a type of nerve tissue cancer": the apposition defines
    "neuroblastoma-description": {"ResearchIndicates"},
    # "less frequently linked to malignancy and is more often considered a paraneoplastic syndrome
    # (associated with breast or lung cancer) or a post-viral inflammatory response"
    "oms-adults-malignancy": {"MoreOften"},
    **{fact: {"LessFrequently"} for fact in ("oms-adults-paraneoplastic", "oms-adults-breast-cancer",
                                             "oms-adults-lung-cancer", "oms-adults-post-viral-inflammatory")},
    # "This "molecular mimicry" often begins when ... a viral infection or, in some cases, a tumor"
    "oms-molecular-mimicry": {"Often", "InSomeCases"},
    "molecular-mimicry-viral-infection": {"InSomeCases"},
    # "... typically to suppress ... using ... intravenous immunoglobulin (IVIG) ...": the abbreviation is not typical
    "ivig-abbreviation": {"Typically"},
    # "Distinguishing ... from other movement disorders is critical ...": the distinguishing is critical
    "oms-movement-disorder": {"Critical"},
}


def _hedge_words(sentence: str, labels: dict[str, str]) -> set[str]:
    """The hedges whose label occurs in the sentence as words, longest first ("more often" is not "often")."""
    text, found = sentence.lower(), set()
    for name, label in sorted(labels.items(), key=lambda item: -len(item[1])):
        pattern = rf"\b{re.escape(label)}\b"
        if re.search(pattern, text):
            found.add(name)
            text = re.sub(pattern, " ", text)
    return found


def test_every_hedge_and_intensifier_of_a_sentence_is_a_qualifier_of_its_fact(
    fact_file: FactFile, vocab: Vocabulary
) -> None:
    labels = {
        name: str(vocab.graph.value(OMSKG[name], RDFS.label))
        for name, kind in vocab.individuals.items()
        if kind == "Hedge"
    }
    for fact in fact_file.facts:
        hedges = set(dict(fact.qualifiers).get("hedge", ()))
        words = _hedge_words(fact.evidence.quote, labels)
        assert hedges <= words, f"{fact.id}: hedges {sorted(hedges - words)} are not in its sentence"
        assert words - hedges == HEDGES_OF_OTHER_PARTS.get(fact.id, set()), fact.id


# ------------------------------------------------------------------ rejections


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the data folder, so a test can break a fact file without touching the real one."""
    shutil.copytree(resources.resource_root() / "data", tmp_path / "data")
    return tmp_path / "data" / "conditions" / FACT_FILE.name


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _broken(workspace: Path, old: str, new: str, count: int = 1) -> tuple[str, str]:
    text = workspace.read_text(encoding="utf-8")
    assert old in text, old
    broken = text.replace(old, new, count)
    workspace.write_text(broken, encoding="utf-8")
    return text, broken


def _problems(workspace: Path, vocab: Vocabulary) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_fact_file(workspace, vocab)
    return [str(p) for p in caught.value.problems]


REJECTIONS = [
    # (name, old text, new text, needle on the reported line (in the broken file), message fragment)
    ("yaml syntax", "  - id: oms-abbreviation\n", "  - id: [oms-abbreviation\n", None, "YAML syntax error"),
    ("unknown field", "    kind: Symptom\n    label: opsoclonus\n", "    kind: Symptom\n    lable: opsoclonus\n", "lable:", "unknown field 'lable'"),
    ("unknown predicate", "predicate: hasSymptom\n    object: opsoclonus", "predicate: hasSymptoms\n    object: opsoclonus", "predicate: hasSymptoms", "unknown predicate 'hasSymptoms'"),
    ("missing subject", "  - id: oms-rare\n    subject: opsoclonus-myoclonus-syndrome\n", "  - id: oms-rare\n", "id: oms-rare", "missing field 'subject'"),
    ("missing object", "    predicate: inCategory\n    object: rare-disease\n", "    predicate: inCategory\n", "id: oms-rare", "give exactly one object field"),
    ("missing evidence", "    object: rare-disease\n    evidence: *s1\n", "    object: rare-disease\n", "id: oms-rare", "missing field 'evidence'"),
    ("quote not in source", "approximately 1 in 5,000,000 people", "approximately 1 in 500,000 people", "1 in 500,000", "does not occur in the source; closest passage: 'Opsoclonus myoclonus syndrome is exceptionally rare"),
    ("offsets wrong", "start: 1825, end: 1954", "start: 1826, end: 1955", "start: 1826", "offsets 1826-1955 do not match the quote, whose first occurrence is at 1825-1954"),
    ("duplicate entity", "  - id: irritability\n    kind: Symptom", "  - id: ataxia\n    kind: Symptom", None, "entity id 'ataxia' is defined twice"),
    ("duplicate fact id", "  - id: oms-rare\n", "  - id: oms-abbreviation\n", None, "fact id 'oms-abbreviation' is used twice"),
    ("undefined entity", "    object: rare-disease\n", "    object: rare-diseases\n", "id: oms-rare", "object 'rare-diseases' is not a defined entity"),
    ("object of the wrong kind", "predicate: hasSymptom\n    object: opsoclonus", "predicate: hasSymptom\n    object: cerebellum", "id: oms-characterized-by-opsoclonus", "object 'cerebellum' is a BodySystem, but object must be a Symptom"),
    ("title not the source's", "title: Short answer", "title: 'Opsoclonus myoclonus syndrome (OMS): short answer'", "title: 'Opsoclonus", "source: title 'Opsoclonus myoclonus syndrome (OMS): short answer' is not what the header quote says"),
    ("unknown xref prefix", "exact: [HP:0010543]", "exact: [HPO:0010543]", "HPO:0010543", "unknown prefix 'HPO'"),
    ("malformed xref", "exact: [HP:0010543]", "exact: [HP:10543]", "HP:10543", "local id '10543' does not match HP's pattern"),
    ("unknown match type", "      exact: [HP:0000708]", "      same: [HP:0000708]", "same:", "unknown match type 'same'"),
    ("number not a number", "proportion: 0.5", "proportion: half", "proportion: half", "qualifier 'proportion' must be a number"),
    ("proportion above 1", "proportion: 0.5", "proportion: 50", "proportion: 50", "proportion 50 is outside 0 to 1"),
    ("age range reversed", "minValue: 18, maxValue: 20", "minValue: 20, maxValue: 18", "ageRange:", "minValue 20 exceeds maxValue 18"),
    ("incidence period", "period: P1Y", "period: yearly", "incidence:", "is not an ISO 8601 duration"),
    ("unknown hedge", "hedge: Believed", "hedge: Probably", "hedge: Probably", "hedge 'Probably' is not one of"),
    ("unknown kind", "kind: Trigger\n    label: tumor", "kind: Tumour\n    label: tumor", "kind: Tumour", "unknown kind 'Tumour'"),
    ("source changed", "sha256: 67be", "sha256: 67bf", "sha256:", "has changed: its SHA-256 is 67bef2e4"),
    ("source missing", "file: ../sources/oms-summary.txt", "file: ../sources/gone.txt", "file:", "No such file or directory"),
    ("same fact twice", "  - id: oms-affects-females\n    subject: opsoclonus-myoclonus-syndrome\n    predicate: affectsPopulation\n    object: females",
     "  - id: oms-affects-females\n    subject: opsoclonus-myoclonus-syndrome\n    predicate: affectsPopulation\n    object: males", "id: oms-affects-females", "states the same as fact 'oms-affects-males'"),
]


@pytest.mark.parametrize(("name", "old", "new", "needle", "message"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_bad_fact_file_is_rejected_with_file_line_and_problem(
    workspace: Path, vocab: Vocabulary, name: str, old: str, new: str, needle: str | None, message: str
) -> None:
    _, broken = _broken(workspace, old, new)
    problems = _problems(workspace, vocab)
    matching = [p for p in problems if message in p]
    assert matching, f"{name}: no problem says {message!r}; got {problems}"
    assert all(p.startswith(str(workspace)) for p in problems)
    if needle is not None:
        line = _line_of(broken, needle)
        assert any(p.startswith(f"{workspace}:{line}: ") for p in matching), f"{name}: expected line {line}: {matching}"


def test_several_problems_are_all_reported(workspace: Path, vocab: Vocabulary) -> None:
    _broken(workspace, "exact: [HP:0010543]", "exact: [HPO:0010543]")
    _broken(workspace, "proportion: 0.5", "proportion: 5")
    _broken(workspace, "predicate: inCategory\n    object: rare-disease", "predicate: isA\n    object: rare-disease")
    problems = _problems(workspace, vocab)
    assert any("unknown prefix 'HPO'" in p for p in problems)
    assert any("proportion 5 is outside 0 to 1" in p for p in problems)
    assert any("unknown predicate 'isA'" in p for p in problems)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"source:\n  id: oms-summary\n  file: ../sources/oms-", "missing field"),
    (b"\xff\xfesource: x\n", "not UTF-8 text"),
    (b"- just\n- a list\n", "must be a mapping"),
])
def test_empty_truncated_or_misencoded_files_are_rejected(
    workspace: Path, vocab: Vocabulary, content: bytes, message: str
) -> None:
    workspace.write_bytes(content)
    assert any(message in p for p in _problems(workspace, vocab))
