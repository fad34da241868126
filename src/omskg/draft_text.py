"""A medically reviewed summary, read for drafting: its header line (kind and date), its
medical disclaimer, and its sentences, each at its first occurrence, repeats recognised.

The kind of document this reads: a header line such as
``Short answer · Medically reviewed summary · Last updated: 2026-04-07``, paragraphs (one a
line) that sometimes repeat, perhaps a question, and a last paragraph beginning
``Medical disclaimer:``. Offsets are in Unicode code points, end exclusive, as the fact
reader counts them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

HEADER = re.compile(r"^(?P<parts>.+?) · Last updated: (?P<date>\d{4}-\d{2}-\d{2})$")
DISCLAIMER = "Medical disclaimer:"
# A sentence ends at . ? or ! (and a closing quote after it) before white space, or at a line's end.
_SENTENCE_END = re.compile(r"(?<=[.?!])[\"”’)]?(?=\s)|(?=\n)")
_NOT_AN_END = re.compile(r"\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|approx|No|St)\.$")


class DraftInputError(Exception):
    """A summary that cannot be drafted from: one line saying where and why."""


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence(Span):
    number: int  # 1, 2, ... in order of first occurrence
    line: int  # the paragraph (line of the text) it first occurs in, from 1


@dataclass(frozen=True)
class Repeat(Span):
    line: int
    first: Sentence  # the earlier occurrence it repeats


@dataclass(frozen=True)
class Summary:
    path: Path
    text: str
    sha256: str
    header: Span
    name: str  # what the header line calls the document (its first part): its only title
    kind: str
    last_updated: dt.date
    disclaimer: Span
    sentences: tuple[Sentence, ...]  # every sentence but the header and disclaimer, once
    repeats: tuple[Repeat, ...]  # later occurrences of a sentence, not cited

    def repeated_lines(self) -> dict[int, list[Repeat]]:
        lines: dict[int, list[Repeat]] = {}
        for repeat in self.repeats:
            lines.setdefault(repeat.line, []).append(repeat)
        return lines


def read_summary(path: Path) -> Summary:
    """The summary in ``path``, or a DraftInputError naming the first thing wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DraftInputError(f"{path}: cannot read: {error.strerror}") from None
    if not raw.strip():
        raise DraftInputError(f"{path}: the file is empty")
    if b"\x00" in raw:
        raise DraftInputError(f"{path}: a binary file (it holds NUL bytes), not a text summary")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DraftInputError(
            f"{path}:{line}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    first = text.split("\n", 1)[0]
    header = HEADER.match(first.rstrip())
    if header is None:
        raise DraftInputError(
            f"{path}:1: no header line of the form 'Short answer · <kind> · Last updated: YYYY-MM-DD'"
        )
    try:
        updated = dt.date.fromisoformat(header["date"])
    except ValueError:
        raise DraftInputError(f"{path}:1: the header's date {header['date']!r} is not a date") from None
    kind = header["parts"].split(" · ")[-1].strip()
    disclaimer = _disclaimer(path, text)
    sentences, repeats = split_sentences(text, len(first.rstrip()), disclaimer.start)
    if not sentences:
        raise DraftInputError(f"{path}: no sentences between the header and the disclaimer")
    return Summary(
        path,
        text,
        hashlib.sha256(raw).hexdigest(),
        Span(first.rstrip(), 0, len(first.rstrip())),
        header["parts"].split(" · ")[0].strip(),
        kind,
        updated,
        disclaimer,
        tuple(sentences),
        tuple(repeats),
    )


def _disclaimer(path: Path, text: str) -> Span:
    at = text.rfind("\n" + DISCLAIMER)
    if at < 0:
        raise DraftInputError(f"{path}: no medical disclaimer (a paragraph beginning {DISCLAIMER!r})")
    start = at + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    quote = text[start:end].rstrip()
    return Span(quote, start, start + len(quote))


def split_sentences(text: str, start: int, stop: int) -> tuple[list[Sentence], list[Repeat]]:
    """The sentences of ``text[start:stop]``: the first occurrence of each, and the repeats."""
    firsts: dict[str, Sentence] = {}
    sentences: list[Sentence] = []
    repeats: list[Repeat] = []
    for span in _spans(text, start, stop):
        line = text.count("\n", 0, span.start) + 1
        earlier = firsts.get(span.text)
        if earlier is not None:
            repeats.append(Repeat(span.text, span.start, span.end, line, earlier))
            continue
        sentence = Sentence(span.text, span.start, span.end, len(sentences) + 1, line)
        firsts[span.text] = sentence
        sentences.append(sentence)
    return sentences, repeats


def _spans(text: str, start: int, stop: int) -> list[Span]:
    spans: list[Span] = []
    begin = start
    for end in [m.end() for m in _SENTENCE_END.finditer(text, start, stop)] + [stop]:
        if end <= begin or _NOT_AN_END.search(text, begin, end):
            continue
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            offset = begin + len(piece) - len(piece.lstrip())
            spans.append(Span(stripped, offset, offset + len(stripped)))
        begin = end
    return spans
