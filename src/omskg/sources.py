"""A fact file's source document: its checksummed text, its header and disclaimer, and
every quote anchored at its first occurrence in that text."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from omskg.checking import Checker, is_int
from omskg.records import Evidence, Source

SHA256 = re.compile(r"^[0-9a-f]{64}$")
SOURCE_FIELDS = {"id", "file", "sha256", "title", "kind", "last_updated", "header", "disclaimer"}
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
    source_path = (checker.path.parent / file_name).resolve()
    try:
        raw = source_path.read_bytes()
    except OSError as error:
        checker.problem(checker.line_of(mapping, "file"), f"source file {source_path}: {error.strerror}")
        return None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != checksum:
        checker.problem(
            checker.line_of(mapping, "sha256"),
            f"source file {source_path} has changed: its SHA-256 is {actual}, "
            f"the fact file records {checksum}; re-check every quote, then update sha256",
        )
        return None
    text = raw.decode("utf-8")
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
        for key, stated in (("kind", kind), ("last_updated", str(updated))):
            if stated is not None and stated not in header.quote:
                checker.problem(
                    checker.line_of(mapping, key),
                    f"source: {key} {stated!r} is not what the header quote says",
                )
                return None
    if None in (title, kind, header, disclaimer) or not isinstance(updated, dt.date):
        return None
    assert title and kind and header and disclaimer
    source = Source(source_id, source_path, checksum, title, kind, updated, header, disclaimer)
    return SourceText(source, text)


def anchor(checker: Checker, text: str, value: Any, line: int, what: str) -> Evidence | None:
    """An evidence block (quote, start, end), checked against the source text: the quote
    must occur verbatim, and start and end must be the offsets of its first occurrence.
    A block still marked for review (a ``review`` field) is refused."""
    mapping = checker.mapping(value, line, f"{what}: evidence")
    if mapping is None:
        return None
    if not checker.check_keys(mapping, f"{what}: evidence", {"quote", "start", "end"}, {"review"}):
        return None
    if "review" in mapping:  # set by `omskg reanchor` when the source's sentence changed
        checker.problem(  # the file is refused; the rest is still checked, to list every mark
            checker.line_of(mapping, "review"),
            f"{what}: the evidence is marked for review; check the fact against its quote "
            "(the review field says what changed), then delete the review field",
        )
    quote = checker.string(mapping, "quote", f"{what}: evidence")
    start, end = mapping["start"], mapping["end"]
    if quote is None:
        return None
    if not (is_int(start) and is_int(end)):
        checker.problem(mapping, f"{what}: evidence start and end must be whole numbers")
        return None
    first = text.find(quote)
    if first < 0:
        checker.problem(
            mapping,
            f"{what}: the evidence quote does not occur in the source; "
            f"closest passage: {closest_passage(quote, text)!r}",
        )
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


def closest_passage(quote: str, text: str) -> str:
    sentences = [s for s in re.split(r"(?<=[.?!:])\s+|\n", text) if s.strip()]
    ranked = difflib.get_close_matches(quote, sentences, n=1, cutoff=0.0)
    return ranked[0] if ranked else ""

