"""A draft written as a fact file, in the curated file's layout, and the source text copied
next to the other sources.

Every entity and fact ends with a one-line ``draft:`` field (the last of its fields, so
that deleting the line leaves valid YAML); every sentence is listed once under
``sentences:`` with an anchor that the facts cite (``evidence: *s4``).
"""

from __future__ import annotations

import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

from omskg.draft import Draft, DraftEntity, DraftFact, make_draft
from omskg.draft_text import DraftInputError


def q(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return value[0] if len(value) == 1 else "[" + ", ".join(value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return text if text.replace("-", "").isalnum() and not text[0].isdigit() else q(text)


def render(draft: Draft, source_file: str) -> str:
    summary = draft.summary
    cited = {f.sentence.number for f in draft.facts}
    lines = [
        f"# DRAFT of a fact file, written by `omskg draft` from {summary.path.name}.",
        "# The source block and every quote offset are computed from the text. Every entity and",
        "# fact is a proposal: each ends with a `draft:` line saying what it rests on. Review each",
        "# one (keep, correct or delete it), then delete its draft: line; `omskg build` refuses",
        "# this file while any draft: line is left. Cross-references were looked up offline in",
        f"# {draft.lookup};",
        "# every other vocabulary is left to verify by hand.",
        *[f"# Note: {note}" for note in draft.notes],
        "",
        "source:",
        f"  id: {draft.source_id}",
        f"  file: {source_file}",
        f"  sha256: {summary.sha256}",
        f"  title: {q(summary.name)}  # the source has no other title: the name its heading line gives it",
        f"  kind: {summary.kind}",
        f"  last_updated: {summary.last_updated.isoformat()}",
        f"  header: {{quote: {q(summary.header.text)}, start: {summary.header.start}, "
        f"end: {summary.header.end}}}",
        f"  disclaimer: {{quote: {q(summary.disclaimer.text)}, start: {summary.disclaimer.start}, "
        f"end: {summary.disclaimer.end}}}",
        "",
        "# Every sentence of the source, at its first occurrence (the header and the disclaimer are",
        "# in the source block). Facts cite them by anchor.",
        "sentences:",
    ]
    repeats = summary.repeated_lines()
    line_of_sentence = {s.number: s.line for s in summary.sentences}
    shown: set[int] = set()
    for sentence in summary.sentences:
        for line in sorted(n for n in repeats if n < sentence.line and n not in shown):
            lines.extend(_repeat_comment(line, repeats[line]))
            shown.add(line)
        flag = "" if sentence.number in cited else "  # no fact proposed"
        lines.append(
            f"  - &s{sentence.number} {{quote: {q(sentence.text)}, start: {sentence.start}, "
            f"end: {sentence.end}}}{flag}"
        )
    for line in sorted(n for n in repeats if n not in shown):
        lines.extend(_repeat_comment(line, repeats[line]))
    del line_of_sentence
    lines += ["", "entities:"]
    for entity in draft.entities:
        lines.extend(_entity(entity))
    lines += ["", "facts:"]
    for fact in draft.facts:
        lines.extend(_fact(fact))
    return "\n".join(lines) + "\n"


def _repeat_comment(line: int, repeats: list) -> list[str]:  # type: ignore[type-arg]
    start, end = repeats[0].start, repeats[-1].end
    firsts = ", ".join(f"s{r.first.number} ({r.first.start}-{r.first.end})" for r in repeats)
    return [
        f"  # line {line}, {start}-{end}: {len(repeats)} sentence(s) repeated, cited once at their "
        f"first occurrence: {firsts}"
    ]


def _entity(entity: DraftEntity) -> list[str]:
    lines = [f"  - id: {entity.id}", f"    kind: {entity.kind}", f"    label: {q(entity.label)}"]
    if entity.xrefs:
        lines.append("    xrefs:")
        lines += [f"      {match}: [{', '.join(curies)}]" for match, curies in entity.xrefs.items()]
    lines.append(f"    draft: {q('; '.join(entity.notes))}")
    return lines


def _fact(fact: DraftFact) -> list[str]:
    lines = [f"  - id: {fact.id}", f"    subject: {fact.subject}", f"    predicate: {fact.predicate}"]
    lines.append(f"    {fact.field}: {_value(fact.value)}")
    lines += [f"    {name}: {_value(value)}" for name, value in fact.qualifiers.items()]
    lines.append(f"    evidence: *s{fact.sentence.number}")
    said = f"proposed from sentence s{fact.sentence.number}"
    lines.append(f"    draft: {q('; '.join([said, *fact.notes]))}")
    return lines


def write_draft(draft: Draft, out: Path, sources_dir: Path | None = None, force: bool = False) -> Path:
    """Write the draft to ``out`` and copy the source text into ``sources_dir`` (by default
    ``sources/`` next to the folder of ``out``); the copy's path."""
    if out.exists() and not force:
        raise DraftInputError(f"{out}: already exists; give another --out, or --force to replace it")
    folder = sources_dir or out.parent.parent / "sources"
    copy = folder / f"{draft.source_id}.txt"
    raw = draft.summary.path.read_bytes()
    if copy.exists() and copy.read_bytes() != raw:
        raise DraftInputError(f"{copy}: a different text is already there; give --sources another folder")
    folder.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not copy.exists():
        shutil.copyfile(draft.summary.path, copy)
    relative = Path(os.path.relpath(copy.resolve(), out.parent.resolve())).as_posix()
    out.write_text(render(draft, relative), encoding="utf-8")
    return copy


def draft_to_file(
    summary: Path, condition_id: str | None, out: Path | None, sources_dir: Path | None, force: bool
) -> str:
    """``omskg draft``: draft ``summary`` into ``out`` (default data/conditions/ID.yaml); what was done."""
    began = time.perf_counter()
    default_folder = Path("data/conditions")
    drafted = make_draft(summary, condition_id, out.parent if out else default_folder, exclude=out)
    target = out or default_folder / f"{drafted.condition.id}.yaml"
    copy = write_draft(drafted, target, sources_dir, force)
    xrefs = sum(len(c) for e in drafted.entities for c in e.xrefs.values())
    return (
        f"wrote {target}: {len(drafted.summary.sentences)} sentences ({len(drafted.summary.repeats)} repeats "
        f"cited once), {len(drafted.entities)} entities and {len(drafted.facts)} facts proposed, {xrefs} "
        f"cross-references; text copied to {copy}; in {time.perf_counter() - began:.1f} s. "
        "Review every draft: line, then run omskg build."
    )
