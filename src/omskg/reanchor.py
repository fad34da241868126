"""Carrying every quote of a source over to the source's next version.

For each evidence block of the fact files that cite the source (every fact's, and the
source block's header and disclaimer), the quote is looked for in the new text:

* found verbatim at its old offsets: **unchanged**;
* found verbatim elsewhere: **moved** (new offsets; the prefix and suffix the graph
  publishes are taken from the new text by the build);
* not found, but a passage of the new text is close to it (similarity at least
  ``SIMILAR``): **changed**; the evidence takes that passage, and a ``review`` field
  (holding the old sentence) marks it, which the build refuses until a curator has
  checked the fact against its new sentence and deleted the field;
* nothing close: **vanished**; the quote stays, marked for review with the closest
  passage, for the curator to re-anchor the fact or delete it.

Nothing is written unless asked: ``plan`` only reads, ``write`` edits the fact files in
place (``omskg.yaml_edit``: only the edited characters change), puts the new text over
the old, and updates the source's SHA-256 and date only when told to.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from omskg import yaml_edit
from omskg.fact_objects import OBJECT_PARSERS
from omskg.records import InputError, Problem

SIMILAR = 0.6  # the least similarity (difflib ratio) of a changed sentence to its new passage
Status = Literal["unchanged", "moved", "changed", "vanished"]
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|(?<=[.?!][\"')\]])\s+")


@dataclass(frozen=True)
class Citing:
    """A fact (or the source block's header or disclaimer) that cites an evidence block."""

    name: str  # "fact 'oms-incidence'", "source header"
    line: int
    summary: str  # what the fact says, for the reviewer


@dataclass
class Quote:
    """One evidence block of a fact file (an aliased block is one block, cited many times)."""

    path: Path
    node: yaml.MappingNode
    quote: str
    start: int | None
    end: int | None
    citing: list[Citing] = field(default_factory=list)

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1


@dataclass(frozen=True)
class Finding:
    quote: Quote
    status: Status
    passage: str  # the quote's text in the new source (the closest passage when not found)
    start: int
    end: int
    similarity: float


@dataclass(frozen=True)
class FactFileText:
    path: Path
    text: str
    root: yaml.Node
    source_node: yaml.MappingNode
    source_path: Path


@dataclass(frozen=True)
class Plan:
    source_id: str
    new_text: str
    new_bytes: bytes
    files: list[FactFileText]
    findings: list[Finding]

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status == status)


# ---------------------------------------------------------------------- finding passages


def passages(text: str, sentences: int = 1) -> Iterator[tuple[int, str]]:
    """Every run of ``sentences`` consecutive sentences within a line, with its offset."""
    offset = 0
    for line in text.split("\n"):
        spans: list[tuple[int, int]] = []
        position = 0
        for match in _SENTENCE_END.finditer(line):
            spans.append((position, match.start()))
            position = match.end()
        spans.append((position, len(line.rstrip())))
        spans = [(s, e) for s, e in spans if e > s]
        for i in range(len(spans) - sentences + 1):
            start, end = spans[i][0], spans[i + sentences - 1][1]
            yield offset + start, line[start:end]
        offset += len(line) + 1


def sentence_count(quote: str) -> int:
    return len(_SENTENCE_END.split(quote.strip()))


def closest(quote: str, text: str) -> tuple[str, int, float]:
    """The passage of ``text`` most like ``quote`` (as many sentences long), its first
    offset and its similarity (0 to 1)."""
    best: tuple[float, int, str] = (0.0, 0, "")
    seen: set[str] = set()
    for _, passage in passages(text, sentence_count(quote)):
        if passage in seen:
            continue
        seen.add(passage)
        ratio = difflib.SequenceMatcher(None, quote, passage, autojunk=False).ratio()
        if ratio > best[0]:
            best = (ratio, text.find(passage), passage)
    return best[2], best[1], best[0]


def find(quote: Quote, text: str) -> Finding:
    first = text.find(quote.quote)
    if first >= 0:
        end = first + len(quote.quote)
        status: Status = "unchanged" if (quote.start, quote.end) == (first, end) else "moved"
        return Finding(quote, status, quote.quote, first, end, 1.0)
    passage, start, similarity = closest(quote.quote, text)
    status = "changed" if similarity >= SIMILAR else "vanished"
    return Finding(quote, status, passage, start, start + len(passage), similarity)


# ---------------------------------------------------------------------- reading the fact files


def _render(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return ",".join(_render(n) for n in node.value)
    if isinstance(node, yaml.MappingNode):
        return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in node.value) + "}"
    return "?"


def _summary(fact: yaml.MappingNode) -> str:
    fields = {k.value: v for k, v in fact.value if isinstance(k, yaml.ScalarNode)}
    objects = [_render(fields[k]) for k in OBJECT_PARSERS if k in fields]
    qualifiers = [
        f"{k}={_render(v)}"
        for k, v in fields.items()
        if k not in {"id", "subject", "predicate", "evidence", "review", *OBJECT_PARSERS}
    ]
    said = " ".join([_render(fields.get("subject", yaml.ScalarNode("", "?"))),
                     _render(fields.get("predicate", yaml.ScalarNode("", "?"))), *objects])
    return said + (f" [{' '.join(qualifiers)}]" if qualifiers else "")


def _quote_of(path: Path, node: yaml.Node) -> Quote:
    quote = yaml_edit.get(node, "quote")
    start, end = yaml_edit.get(node, "start"), yaml_edit.get(node, "end")
    if not isinstance(node, yaml.MappingNode) or not isinstance(quote, yaml.ScalarNode):
        raise InputError([Problem(path, node.start_mark.line + 1, "evidence must be a mapping with a quote")])

    def number(n: yaml.Node | None) -> int | None:
        return int(n.value) if isinstance(n, yaml.ScalarNode) and n.value.isdigit() else None

    return Quote(path, node, quote.value, number(start), number(end))


def read_citing(path: Path, source_id: str) -> tuple[FactFileText, list[Quote]] | None:
    """The fact file's evidence blocks if it cites ``source_id``, else None."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml_edit.compose(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise InputError([Problem(path, None, f"cannot read as YAML: {error}")]) from None
    source = yaml_edit.get(root, "source")
    source_id_node = yaml_edit.get(source, "id") if source is not None else None
    if not isinstance(source_id_node, yaml.ScalarNode) or source_id_node.value != source_id:
        return None
    file_node = yaml_edit.get(source, "file") if source is not None else None
    if not isinstance(source, yaml.MappingNode) or not isinstance(file_node, yaml.ScalarNode):
        raise InputError([Problem(path, source_id_node.start_mark.line + 1, "source: 'file' is missing")])
    found: dict[int, Quote] = {}

    def cite(node: yaml.Node | None, citing: Citing) -> None:
        if node is None:
            return
        quote = found.get(id(node))
        if quote is None:
            quote = found[id(node)] = _quote_of(path, node)
        quote.citing.append(citing)

    for part in ("header", "disclaimer"):
        node = yaml_edit.get(source, part)
        if node is not None:
            cite(node, Citing(f"source {part}", node.start_mark.line + 1, f"the source's {part}"))
    facts = yaml_edit.get(root, "facts")
    for fact in facts.value if isinstance(facts, yaml.SequenceNode) else []:
        fact_id = yaml_edit.get(fact, "id")
        name = f"fact {fact_id.value!r}" if isinstance(fact_id, yaml.ScalarNode) else "fact"
        cite(yaml_edit.get(fact, "evidence"), Citing(name, fact.start_mark.line + 1, _summary(fact)))
    source_path = (path.parent / file_node.value).resolve()
    return FactFileText(path, text, root, source, source_path), list(found.values())


def plan(source_id: str, new_text_file: Path, fact_files: list[Path]) -> Plan:
    """Where every quote of the source is in the new text (reads only)."""
    try:
        new_bytes = new_text_file.read_bytes()
        new_text = new_bytes.decode("utf-8")
    except OSError as error:
        raise InputError([Problem(new_text_file, None, f"cannot read: {error.strerror}")]) from None
    except UnicodeDecodeError as error:
        raise InputError([Problem(new_text_file, None, f"not UTF-8 text: {error.reason}")]) from None
    files: list[FactFileText] = []
    findings: list[Finding] = []
    for path in fact_files:
        read = read_citing(path, source_id)
        if read is not None:
            files.append(read[0])
            findings.extend(find(quote, new_text) for quote in read[1])
    if not files:
        raise InputError([Problem(fact_files[0].parent if fact_files else new_text_file, None,
                                  f"no fact file cites a source with id {source_id!r}")])
    return Plan(source_id, new_text, new_bytes, files, findings)


# ---------------------------------------------------------------------- writing


def edits(plan: Plan, path: Path, checksum: bool, last_updated: dt.date | None) -> list[yaml_edit.Edit]:
    """The edits of one fact file: offsets, quotes and review marks, and the source block's
    SHA-256 and date when asked."""
    (fact_file,) = [f for f in plan.files if f.path == path]
    text = fact_file.text
    made: list[yaml_edit.Edit] = []
    for finding in plan.findings:
        quote = finding.quote
        if quote.path != path or finding.status == "unchanged":
            continue
        node = quote.node
        if finding.status in ("moved", "changed"):
            for key, value in (("start", finding.start), ("end", finding.end)):
                target = yaml_edit.get(node, key)
                if target is None:
                    made.append(yaml_edit.add_key(text, node, key, str(value)))
                else:
                    made.append(yaml_edit.replace(target, str(value)))
        if finding.status == "changed":
            target = yaml_edit.get(node, "quote")
            assert target is not None
            made.append(yaml_edit.replace(target, yaml_edit.quoted(finding.passage)))
            made.append(_review(text, node, f"the sentence changed; it was: {quote.quote}"))
        if finding.status == "vanished":
            made.append(_review(
                text, node,
                f"the quote is not in the new text; the closest passage ({finding.similarity:.2f}) is: "
                f"{finding.passage}",
            ))
    source = fact_file.source_node
    if checksum:
        target = yaml_edit.get(source, "sha256")
        if target is not None:
            made.append(yaml_edit.replace(target, hashlib.sha256(plan.new_bytes).hexdigest()))
    if last_updated is not None:
        target = yaml_edit.get(source, "last_updated")
        if target is not None:
            made.append(yaml_edit.replace(target, last_updated.isoformat()))
    return made


def _review(text: str, node: yaml.MappingNode, note: str) -> yaml_edit.Edit:
    existing = yaml_edit.get(node, "review")
    if existing is not None:
        return yaml_edit.replace(existing, yaml_edit.quoted(note))
    return yaml_edit.add_key(text, node, "review", yaml_edit.quoted(note))


def write(plan: Plan, checksum: bool = False, last_updated: dt.date | None = None) -> list[Path]:
    """Put the new text in place and edit the fact files; the files written."""
    written: list[Path] = []
    for source_path in sorted({f.source_path for f in plan.files}):
        if source_path.read_bytes() != plan.new_bytes:
            yaml_edit.write_bytes(source_path, plan.new_bytes)
            written.append(source_path)
    for fact_file in plan.files:
        edited = yaml_edit.apply(fact_file.text, edits(plan, fact_file.path, checksum, last_updated))
        if edited != fact_file.text:
            yaml_edit.compose(edited)  # still YAML
            yaml_edit.write_text(fact_file.path, edited)
            written.append(fact_file.path)
    return written


# ---------------------------------------------------------------------- the report


def report(plan: Plan, shown: dict[Path, str] | None = None) -> list[str]:
    """The review list, grouped by fact: what to review, then what only moved."""
    names = shown or {}

    def where(path: Path, line: int) -> str:
        return f"{names.get(path, str(path))}:{line}"

    lines = [
        f"{plan.source_id}: {len(plan.findings)} quote(s) in {len(plan.files)} fact file(s): "
        + ", ".join(f"{plan.count(s)} {s}" for s in ("unchanged", "moved", "changed", "vanished"))
    ]
    to_review = [f for f in plan.findings if f.status in ("changed", "vanished")]
    moved = [f for f in plan.findings if f.status == "moved"]
    by_fact = _by_fact(to_review)
    if by_fact:
        lines.append("to review (the build refuses these until the review field is deleted):")
    for citing, finding in by_fact:
        quote = finding.quote
        lines.append(f"  {citing.name} ({where(quote.path, citing.line)}): {citing.summary}")
        if finding.status == "changed":
            evidence = where(quote.path, quote.line)
            lines.append(f"    changed (similarity {finding.similarity:.2f}); evidence at {evidence}")
            lines.append(f"      was {quote.start}-{quote.end}: {quote.quote!r}")
            lines.append(f"      now {finding.start}-{finding.end}: {finding.passage!r}")
        else:
            lines.append(f"    vanished; evidence at {where(quote.path, quote.line)}")
            lines.append(f"      was {quote.start}-{quote.end}: {quote.quote!r}")
            lines.append(f"      closest ({finding.similarity:.2f}): {finding.passage!r}")
    moved_by_fact = _by_fact(moved)
    if moved_by_fact:
        lines.append("moved (new offsets, nothing to review):")
    for citing, finding in moved_by_fact:
        quote = finding.quote
        lines.append(
            f"  {citing.name} ({where(quote.path, citing.line)}): "
            f"{quote.start}-{quote.end} -> {finding.start}-{finding.end}"
        )
    return lines


def _by_fact(findings: list[Finding]) -> list[tuple[Citing, Finding]]:
    """One entry per citing fact, in file and line order."""
    pairs = [(c, f) for f in findings for c in f.quote.citing]
    return sorted(pairs, key=lambda cf: (str(cf[1].quote.path), cf[0].line))
