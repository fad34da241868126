"""``omskg draft --compare``: how a draft of a summary differs from the curated fact file
of the same summary: the source block, the sentences, the facts and the identifiers the
draft found that the curated file has, and the ones it missed or added.

Entities are matched by id or by label (case aside); a fact is the same fact when its
subject, predicate, object and evidence sentence are; its qualifiers are compared apart.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from omskg.draft import Draft, DraftFact, make_draft
from omskg.facts import read_fact_file
from omskg.records import AgeRange, Boolean, EntityRef, Fact, FactFile, Incidence, Text
from omskg.vocab import load_vocabulary


@dataclass(frozen=True)
class Comparison:
    lines: list[str]
    figures: dict[str, int]


def _norm(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).lower()


def compare_files(summary: Path, curated: Path, condition_id: str | None = None) -> list[str]:
    """``omskg draft --compare``: the report, its first line saying how long the draft took."""
    fact_file = read_fact_file(curated, load_vocabulary())
    began = time.perf_counter()
    drafted = make_draft(summary, condition_id, curated.parent, exclude=curated)
    seconds = time.perf_counter() - began
    head = f"a draft of {summary} (made in {seconds:.1f} s) compared with {curated}:"
    return [head, *compare(drafted, fact_file).lines]


def compare(draft: Draft, curated: FactFile) -> Comparison:
    labels = {e.id: e.label.lower() for e in curated.entities}
    by_label = {label: entity_id for entity_id, label in labels.items()}
    kinds = {e.id: e.kind for e in curated.entities}
    same_entity = {
        e.id: e.id if e.id in labels else by_label.get(e.label.lower(), f"draft:{e.id}")
        for e in draft.entities
    }
    lines: list[str] = []
    figures: dict[str, int] = {}
    summary = draft.summary

    # ------------------------------------------------------------------ source block
    source = curated.source
    checks = {
        "id": draft.source_id == source.id,
        "file": (curated.path.parent.parent / "sources" / f"{draft.source_id}.txt").resolve() == source.path,
        "sha256": summary.sha256 == source.sha256,
        "kind": summary.kind == source.kind,
        "last_updated": summary.last_updated == source.last_updated,
        "header quote and offsets": (summary.header.text, summary.header.start, summary.header.end)
        == (source.header.quote, source.header.start, source.header.end),
        "disclaimer quote and offsets": (
            summary.disclaimer.text,
            summary.disclaimer.start,
            summary.disclaimer.end,
        )
        == (source.disclaimer.quote, source.disclaimer.start, source.disclaimer.end),
        "title": summary.name == source.title,
    }
    same = [k for k, ok in checks.items() if ok]
    differ = [k for k, ok in checks.items() if not ok]
    figures["source fields the same"] = len(same)
    lines.append(f"source block: {len(same)} of {len(checks)} fields the same ({', '.join(same)})")
    if differ:
        lines.append(f"  differ: {', '.join(differ)} (curated title {source.title!r})")

    # ------------------------------------------------------------------ sentences
    drafted = {(s.text, s.start, s.end) for s in summary.sentences}
    quoted = {(f.evidence.quote, f.evidence.start, f.evidence.end) for f in curated.facts}
    cited_by_draft = {f.sentence.number for f in draft.facts}
    both = quoted & drafted
    figures.update(
        sentences_drafted=len(drafted),
        repeats=len(summary.repeats),
        curated_quotes=len(quoted),
        quotes_same_offsets=len(both),
    )
    lines.append(
        f"sentences: the draft lists {len(drafted)} (each at its first occurrence; {len(summary.repeats)} "
        f"repeated sentences recognised and cited once); the curated facts quote {len(quoted)}; "
        f"{len(both)} of those {len(quoted)} are in the draft with the same offsets"
    )
    for quote, start, end in sorted(quoted - drafted, key=lambda q: q[1]):
        lines.append(f"  curated quote the draft lacks: {start}-{end} {quote[:70]!r}")
    uncarried = [s for s in summary.sentences if (s.text, s.start, s.end) not in quoted]
    lines.append(
        f"  sentences with a drafted fact: {len(cited_by_draft)}; "
        f"with no curated fact: {len(uncarried)}: "
        + ", ".join(f"s{s.number} {s.text[:40]!r}" for s in uncarried)
    )

    # ------------------------------------------------------------------ facts
    def curated_key(fact: Fact) -> tuple[str, ...]:
        return (
            labels[fact.subject],
            fact.predicate,
            _object_key(fact.object, labels),
            str(fact.evidence.start),
        )

    def draft_key(fact: DraftFact) -> tuple[str, ...]:
        subject = draft.entity(fact.subject).label.lower()
        if fact.field == "object":
            obj = draft.entity(str(fact.value)).label.lower()
            mapped = same_entity[str(fact.value)]
            obj = labels.get(mapped, obj)
        elif isinstance(fact.value, dict):
            obj = "|".join(_norm(v) for v in fact.value.values())
        else:
            obj = _norm(fact.value)
        subject = labels.get(same_entity[fact.subject], subject)
        return (subject, fact.predicate, obj, str(fact.sentence.start))

    curated_facts = {curated_key(f): f for f in curated.facts}
    draft_facts = {draft_key(f): f for f in draft.facts}
    found = [k for k in draft_facts if k in curated_facts]
    same_qualifiers = [
        k
        for k in found
        if _curated_qualifiers(curated_facts[k], labels) == _draft_qualifiers(draft_facts[k], draft)
    ]
    missed = [k for k in curated_facts if k not in draft_facts]
    added = [k for k in draft_facts if k not in curated_facts]
    figures.update(
        curated_facts=len(curated_facts),
        draft_facts=len(draft_facts),
        facts_in_both=len(found),
        facts_same_qualifiers=len(same_qualifiers),
        facts_missed=len(missed),
        facts_added=len(added),
    )
    lines.append(
        f"facts: curated {len(curated_facts)}, drafted {len(draft_facts)}; in both {len(found)} "
        f"({len(same_qualifiers)} with the same qualifiers); curated facts the draft missed {len(missed)}; "
        f"drafted facts the curated file does not have {len(added)}"
    )
    for key in found:
        if key not in same_qualifiers:
            c, d = _curated_qualifiers(curated_facts[key], labels), _draft_qualifiers(draft_facts[key], draft)
            lines.append(f"  other qualifiers: {curated_facts[key].id}: curated {c}, draft {d}")
    lines += [f"  missed: {curated_facts[k].id} ({k[1]} {k[2]})" for k in missed]
    lines += [f"  added: {draft_facts[k].id} ({k[1]} {k[2]})" for k in added]

    # ------------------------------------------------------------------ identifiers
    curated_xrefs = {(e.id, x.curie): x.match for e in curated.entities for x in e.xrefs}
    draft_xrefs = {
        (same_entity[e.id], curie): match
        for e in draft.entities
        for match, listed in e.xrefs.items()
        for curie in listed
    }
    in_both = [k for k in draft_xrefs if k in curated_xrefs]
    same_match = [k for k in in_both if draft_xrefs[k] == curated_xrefs[k]]
    missed_x = [k for k in curated_xrefs if k not in draft_xrefs]
    added_x = [k for k in draft_xrefs if k not in curated_xrefs]
    by_prefix = Counter(curie.split(":")[0] for _, curie in missed_x)
    figures.update(
        curated_xrefs=len(curated_xrefs),
        draft_xrefs=len(draft_xrefs),
        xrefs_in_both=len(in_both),
        xrefs_same_match=len(same_match),
    )
    lines.append(
        f"identifiers: curated {len(curated_xrefs)}, drafted {len(draft_xrefs)}; in both {len(in_both)} "
        f"({len(same_match)} with the same match type); missed {len(missed_x)} "
        f"({', '.join(f'{p} {n}' for p, n in sorted(by_prefix.items()))}); added {len(added_x)}"
    )
    for key in in_both:
        if key not in same_match:
            lines.append(
                f"  other match type: {key[0]} {key[1]}: "
                f"curated {curated_xrefs[key]}, draft {draft_xrefs[key]}"
            )
    lines += [f"  added: {e} {c} ({draft_xrefs[(e, c)]})" for e, c in added_x]
    symptom_hp = [k for k in curated_xrefs if kinds.get(k[0]) == "Symptom" and k[1].startswith("HP:")]
    hp_same = [k for k in symptom_hp if draft_xrefs.get(k) == curated_xrefs[k]]
    hp_proposed = [k for k in symptom_hp if k in draft_xrefs]
    figures.update(
        symptom_hp=len(symptom_hp), symptom_hp_proposed=len(hp_proposed), symptom_hp_same=len(hp_same)
    )
    lines.append(
        f"symptom HP ids: curated {len(symptom_hp)}; proposed {len(hp_proposed)}; "
        f"with the same match type {len(hp_same)}"
    )
    condition = same_entity[draft.condition.id]
    condition_ids = sorted(f"{c} ({m})" for (e, c), m in draft_xrefs.items() if e == condition)
    lines.append(f"condition {condition}: proposed {', '.join(condition_ids) or 'no identifier'}")

    # ------------------------------------------------------------------ quotes
    unquoted = [
        f.id for f in draft.facts if summary.text[f.sentence.start : f.sentence.end] != f.sentence.text
    ]
    figures["facts_without_verbatim_quote"] = len(unquoted)
    lines.append(
        f"drafted facts without a verbatim quote at their offsets: {len(unquoted)} of {len(draft.facts)}"
    )
    return Comparison(lines, figures)


def _object_key(obj: object, labels: dict[str, str]) -> str:
    if isinstance(obj, EntityRef):
        return labels[obj.id]
    if isinstance(obj, (Text, Boolean)):
        return _norm(obj.value)
    if isinstance(obj, Incidence):
        return "|".join(_norm(v) for v in (obj.cases, obj.out_of, obj.period))
    if isinstance(obj, AgeRange):
        return "|".join(_norm(v) for v in (obj.statistic, obj.min_value, obj.max_value, obj.unit_text))
    return _norm(obj)


def _curated_qualifiers(fact: Fact, labels: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: sorted(labels[v.id] if isinstance(v, EntityRef) else _norm(v) for v in values)
        for name, values in fact.qualifiers
    }


def _draft_qualifiers(fact: DraftFact, draft: Draft) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in fact.qualifiers.items():
        values = value if isinstance(value, list) else [value]
        ids = {e.id for e in draft.entities}
        found[name] = sorted(
            draft.entity(v).label.lower() if isinstance(v, str) and v in ids and name != "hedge" else _norm(v)
            for v in values
        )
    return dict(sorted(found.items()))
