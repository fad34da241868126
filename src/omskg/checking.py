"""Checking structured input (a fact file's YAML): every problem collected with its file
and line, so that a curator fixes them all in one pass."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from omskg.bounds import MAX_DIGITS, MAX_PROBLEMS, excerpt
from omskg.records import Problem
from omskg.yaml_lines import Mapping

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Checker:
    """Collects the problems of one file while its parts are turned into records."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.full = False  # MAX_PROBLEMS found: the file is not checked further

    def problem(self, where: Mapping | int | None, message: str) -> None:
        if self.full:
            return
        line = where.line if isinstance(where, Mapping) else where
        self.problems.append(Problem(self.path, line, message))
        if len(self.problems) >= MAX_PROBLEMS:
            self.full = True
            self.problems.append(
                Problem(self.path, None, f"checking stopped after {MAX_PROBLEMS} problems; fix these first")
            )

    def line_of(self, mapping: Mapping, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def mapping(self, value: Any, where: Mapping | int | None, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.problem(where, f"{what} must be a mapping, got {kind_of(value)}")
        return None

    def check_keys(
        self, mapping: Mapping, what: str, required: AbstractSet[str], allowed: AbstractSet[str]
    ) -> bool:
        keys = mapping.keys()
        if keys >= required and (len(keys) == len(required) or keys - required <= allowed):
            return True
        ok = True
        for key in sorted(set(mapping) - allowed - required, key=str):
            self.problem(self.line_of(mapping, key), f"{what}: unknown field {excerpt(key)}")
            ok = False
        for key in sorted(required - set(mapping)):
            self.problem(mapping, f"{what}: missing field {key!r}")
            ok = False
        return ok

    def string(self, mapping: Mapping, key: str, what: str) -> str | None:
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return value
        self.problem(self.line_of(mapping, key), f"{what}: {key!r} must be a non-empty string")
        return None

    def slug(self, mapping: Mapping, key: str, what: str) -> str | None:
        value = mapping.get(key)
        if isinstance(value, str) and SLUG.match(value):  # the usual case: a slug is a non-empty string
            return value
        value = self.string(mapping, key, what)
        if value is not None and not SLUG.match(value):
            self.problem(
                self.line_of(mapping, key),
                f"{what}: {key!r} {excerpt(value)} is not a slug (lower-case words joined by '-')",
            )
            return None
        return value


def kind_of(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decimal(value: Any) -> Decimal | None:
    """A number as written: a whole number, a decimal (which the YAML reader keeps as
    written), or a string of one; None for anything else, a float included (only infinity,
    not-a-number and sexagesimal numbers are read as floats)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = Decimal(value if isinstance(value, int) else value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def inexact(number: Decimal) -> str | None:
    """Why ``number`` would not be published exactly as an xsd:decimal, or None.

    Every digit written must survive: at most ``MAX_DIGITS`` digits in all, from the first
    significant digit to the last non-zero one (XSD 1.0 requires every processor to support
    18; Oxigraph, the store omskg validates, queries and serves with, holds 18 after the
    point). Larger or finer numbers would be rounded, turned to zero, or made unreadable.
    """
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    count = len(digits)
    while count > 1 and digits[count - 1] == 0:
        count -= 1
        exponent += 1
    if count == 1 and digits[0] == 0:
        return None
    total = count + exponent if exponent >= 0 else max(count, -exponent)
    if total <= MAX_DIGITS:
        return None
    return (
        f"{excerpt(str(number), 40)} needs {total:,} digits as an xsd:decimal, and XSD guarantees "
        f"{MAX_DIGITS} in every store: it would be published as another number"
    )
