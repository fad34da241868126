"""A fact file's source document: its checksummed text, its header and disclaimer, and
every quote anchored at its first occurrence in that text."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import heapq
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from omskg.bounds import (
    MAX_SOURCE_BYTES,
    UnreadableFile,
    describe_character,
    excerpt,
    hidden_character,
    read_regular_file,
)
from omskg.checking import Checker, is_int
from omskg.records import Evidence, Source
from omskg.yaml_lines import Mapping

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SOURCE_FIELDS = {"id", "file", "sha256", "title", "kind", "last_updated", "header", "disclaimer"}
EVIDENCE_FIELDS = frozenset({"quote", "start", "end"})
_REVIEW = frozenset({"review"})
CONTEXT_CHARACTERS = 32  # of text before and after a quote, kept as its prefix and suffix


@dataclass(frozen=True)
class SourceText:
    source: Source
    text: str


def read_source(checker: Checker, value: Any, line: int) -> SourceText | None:
    """The ``source:`` block of a fact file, its text read and its SHA-256 checked."""
    mapping = checker.mapping(value, line, "source")
    if mapping is None or not checker.check_keys(mapping, "source", SOURCE_FIELDS, set()):
        return None
    source_id = checker.slug(mapping, "id", "source")
    file_name = checker.string(mapping, "file", "source")
    checksum = checker.string(mapping, "sha256", "source")
    if source_id is None or file_name is None or checksum is None:
        return None
    if not SHA256.match(checksum):
        checker.problem(checker.line_of(mapping, "sha256"), "source: sha256 must be 64 hex digits")
        return None
    source_path = Path(os.path.realpath(checker.path.parent / file_name))  # never raises on a loop
    try:
        raw = read_regular_file(source_path, MAX_SOURCE_BYTES)
    except UnreadableFile as error:
        checker.problem(checker.line_of(mapping, "file"), f"source file {source_path}: {error}")
        return None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != checksum:
        checker.problem(
            checker.line_of(mapping, "sha256"),
            f"source file {source_path} has changed: its SHA-256 is {actual}, "
            f"the fact file records {checksum}; re-check every quote, then update sha256",
        )
        return None
    text = _source_text(checker, raw, source_path, checker.line_of(mapping, "file"))
    if text is None:
        return None
    title = checker.string(mapping, "title", "source")
    kind = checker.string(mapping, "kind", "source")
    updated = mapping.get("last_updated")
    if not isinstance(updated, dt.date):
        checker.problem(
            checker.line_of(mapping, "last_updated"), "source: last_updated must be a date (YYYY-MM-DD)"
        )
    header = anchor(checker, text, mapping["header"], checker.line_of(mapping, "header"), "source header")
    disclaimer = anchor(
        checker, text, mapping["disclaimer"], checker.line_of(mapping, "disclaimer"), "source disclaimer"
    )
    if header is not None:
        for key, stated in (("title", title), ("kind", kind), ("last_updated", str(updated))):
            if stated is not None and stated not in header.quote:
                checker.problem(
                    checker.line_of(mapping, key),
                    f"source: {key} {excerpt(stated)} is not what the header quote says",
                )
                return None
    if None in (title, kind, header, disclaimer) or not isinstance(updated, dt.date):
        return None
    assert title and kind and header and disclaimer
    source = Source(source_id, source_path, checksum, title, kind, updated, header, disclaimer)
    return SourceText(source, text)


def _source_text(checker: Checker, raw: bytes, path: Path, line: int) -> str | None:
    """The source's text, if it is UTF-8 without invisible or control characters (its
    quotes and their context are published)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        checker.problem(line, f"source file {path} is not UTF-8 text: {error.reason} at byte {error.start}")
        return None
    index = hidden_character(text)
    if index >= 0:
        row = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        checker.problem(
            line,
            f"source file {path}:{row}:{column}: invisible or control character "
            f"{describe_character(text[index])}; a source is published as it is, so clean it first",
        )
        return None
    return text


def anchor(checker: Checker, text: str, value: Any, line: int, what: str) -> Evidence | None:
    """An evidence block (quote, start, end), checked against the source text: the quote
    must occur verbatim, and start and end must be the offsets of its first occurrence.
    A block still marked for review (a ``review`` field) is refused."""
    return well_formed(text, value) or checked_evidence(checker, text, value, line, what)


def checked_evidence(checker: Checker, text: str, value: Any, line: int, what: str) -> Evidence | None:
    """``anchor``, each check in turn, every problem told."""
    where = f"{what}: evidence"
    mapping = checker.mapping(value, line, where)
    if mapping is None or not checker.check_keys(mapping, where, EVIDENCE_FIELDS, _REVIEW):
        return None
    if "review" in mapping:  # set by `omskg reanchor` when the source's sentence changed
        checker.problem(  # the file is refused; the rest is still checked, to list every mark
            checker.line_of(mapping, "review"),
            f"{what}: the evidence is marked for review; check the fact against its quote "
            "(the review field says what changed), then delete the review field",
        )
    quote = checker.string(mapping, "quote", where)
    start, end = mapping["start"], mapping["end"]
    if quote is None:
        return None
    if not (is_int(start) and is_int(end)):
        checker.problem(mapping, f"{what}: evidence start and end must be whole numbers")
        return None
    first = text.find(quote) if len(quote) <= len(text) else -1
    if first < 0:
        why = "" if checker.full else _why(quote, text)
        checker.problem(mapping, f"{what}: the evidence quote does not occur in the source{why}")
        return None
    if (start, end) != (first, first + len(quote)):
        checker.problem(
            mapping,
            f"{what}: evidence offsets {start}-{end} do not match the quote, "
            f"whose first occurrence is at {first}-{first + len(quote)}",
        )
        return None
    before = text[max(0, start - CONTEXT_CHARACTERS) : start]
    return Evidence(quote, start, end, before, text[end : end + CONTEXT_CHARACTERS])


def well_formed(text: str, value: Any) -> Evidence | None:
    """``anchor`` for the usual block, exactly quote, start and end that pass its checks,
    taken at once; None for anything else (``checked_evidence`` tells what is wrong)."""
    if type(value) is not Mapping or value.keys() != EVIDENCE_FIELDS:
        return None
    quote, start, end = value["quote"], value["start"], value["end"]
    if type(quote) is not str or type(start) is not int or type(end) is not int or not quote.strip():
        return None
    if start < 0 or text.find(quote) != start or end != start + len(quote):
        return None
    return Evidence(
        quote,
        start,
        end,
        text[max(0, start - CONTEXT_CHARACTERS) : start],
        text[end : end + CONTEXT_CHARACTERS],
    )


def _why(quote: str, text: str) -> str:
    """Why a quote does not occur, when that can be told, and the closest passage."""
    reason = ""
    nfc_quote, nfc_text = _normalised("NFC", quote), _normalised("NFC", text)
    if nfc_quote in nfc_text:
        reason = (
            f": Unicode normalisation differs (NFD vs NFC): the quote is {_form(quote)}, "
            f"the source {_form(text)}; copy the quote from the source"
        )
    elif _normalised("NFKC", quote) in _normalised("NFKC", text):
        reason = (
            ": compatibility characters differ (NFKC), such as a ligature, a full-width letter "
            "or a no-break space"
        )
    return f"{reason}; closest passage: {excerpt(closest_passage(quote, text), 240)}"


@lru_cache(maxsize=8)
def _normalised(form: Literal["NFC", "NFD", "NFKC", "NFKD"], text: str) -> str:
    return unicodedata.normalize(form, text)


def _form(text: str) -> str:
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, text):
            return f"in {form}"
    return "in neither NFC nor NFD"


def closest_passage(quote: str, text: str) -> str:
    """The sentence of ``text`` most like ``quote``: the few sentences that share the most
    words with it (cheap), ranked by difflib (dear)."""
    sentences = _sentences(text)
    quote = quote[:CLOSEST_QUOTE_CHARACTERS]
    words = set(_WORD.findall(quote.lower()))
    candidates = heapq.nlargest(CLOSEST_CANDIDATES, sentences, key=lambda s: len(words & s[1]))
    ranked = difflib.get_close_matches(quote, [s for s, _ in candidates], n=1, cutoff=0.0)
    return ranked[0] if ranked else ""


_WORD = re.compile(r"\w+")
CLOSEST_QUOTE_CHARACTERS = 1000
CLOSEST_CANDIDATES = 20


@lru_cache(maxsize=4)
def _sentences(text: str) -> list[tuple[str, set[str]]]:
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+|\n", text) if s.strip()]
    return [(s, set(_WORD.findall(s[:CLOSEST_QUOTE_CHARACTERS].lower()))) for s in sentences]
