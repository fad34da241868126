"""The cross-references of an entity (``xrefs:``): CURIEs under a known prefix whose local
id matches the prefix's pattern, each expanded to its IRI."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from omskg.bounds import excerpt, inline
from omskg.checking import Checker
from omskg.records import Xref
from omskg.vocab import MATCH_PROPERTIES, xref_converter

if TYPE_CHECKING:
    import curies


def read_xrefs(checker: Checker, value: Any, line: int, what: str) -> tuple[Xref, ...] | None:
    """The ``xrefs:`` mapping of ``what`` (match type -> CURIEs), sorted; None after a problem."""
    mapping = checker.mapping(value, line, f"{what}: xrefs")
    if mapping is None:
        return None
    converter = xref_converter()
    found: list[Xref] = []
    ok = True
    for match, listed in mapping.items():
        key_line = checker.line_of(mapping, match)
        if match not in MATCH_PROPERTIES:
            known = ", ".join(MATCH_PROPERTIES)
            checker.problem(key_line, f"{what}: unknown match type {excerpt(match)} (known: {known})")
            ok = False
            continue
        if not isinstance(listed, list):
            checker.problem(key_line, f"{what}: xrefs {match} must be a list of CURIEs")
            ok = False
            continue
        for curie in listed:
            xref = _xref(checker, curie, match, key_line, what, converter)
            ok = ok and xref is not None
            if xref is not None:
                found.append(xref)
    seen: set[str] = set()
    for xref in found:
        if xref.curie in seen:
            checker.problem(line, f"{what}: cross-reference {xref.curie} is given twice")
            ok = False
        seen.add(xref.curie)
    if not ok:
        return None
    return tuple(found) if len(found) < 2 else tuple(sorted(found, key=lambda x: (x.match, x.curie)))


def _xref(
    checker: Checker, curie: Any, match: str, line: int, what: str, converter: curies.Converter
) -> Xref | None:
    if not isinstance(curie, str) or ":" not in curie:
        checker.problem(line, f"{what}: cross-reference {excerpt(curie)} is not a CURIE (PREFIX:local)")
        return None
    found = _standard_xref(converter, str(curie), match)
    if isinstance(found, str):
        checker.problem(line, f"{what}: cross-reference {inline(curie)}: {found}")
        return None
    return found


@lru_cache(maxsize=16384)
def _standard_xref(converter: curies.Converter, curie: str, match: str) -> Xref | str:
    """The cross-reference of ``PREFIX:local``, or what is wrong with it: worked out once for
    each CURIE and match (one record, shared by every entity and file that gives it)."""
    prefix, local = curie.split(":", 1)
    record = _record(converter, prefix)
    if record is None:
        known = ", ".join(sorted(converter.get_prefixes()))
        return f"unknown prefix {excerpt(prefix)} (known: {known})"
    if record.pattern and not _compiled(record.pattern).match(local):
        return f"local id {excerpt(local)} does not match {record.prefix}'s pattern {record.pattern}"
    standard = f"{record.prefix}:{local}"
    return Xref(standard, _expand(converter, standard), match)


# What the converter answers again and again, remembered: it looks a prefix up through all
# its records, and builds its whole prefix map for each CURIE it expands.

_compiled = lru_cache(maxsize=256)(re.compile)


@lru_cache(maxsize=1024)
def _record(converter: curies.Converter, prefix: str) -> curies.Record | None:
    return converter.get_record(prefix)


@lru_cache(maxsize=16384)
def _expand(converter: curies.Converter, curie: str) -> str:
    return converter.expand(curie)
