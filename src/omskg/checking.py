"""Checking structured input (a fact file's YAML): every problem collected with its file
and line, so that a curator fixes them all in one pass."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from omskg.records import Problem
from omskg.yaml_lines import Mapping

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Checker:
    """Collects the problems of one file while its parts are turned into records."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, where: Mapping | int | None, message: str) -> None:
        line = where.line if isinstance(where, Mapping) else where
        self.problems.append(Problem(self.path, line, message))

    def line_of(self, mapping: Mapping, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def mapping(self, value: Any, where: Mapping | int | None, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.problem(where, f"{what} must be a mapping, got {kind_of(value)}")
        return None

    def check_keys(self, mapping: Mapping, what: str, required: set[str], allowed: set[str]) -> bool:
        ok = True
        for key in sorted(set(mapping) - allowed - required, key=str):
            self.problem(self.line_of(mapping, key), f"{what}: unknown field {key!r}")
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
        value = self.string(mapping, key, what)
        if value is not None and not SLUG.match(value):
            self.problem(
                self.line_of(mapping, key),
                f"{what}: {key!r} {value!r} is not a slug (lower-case words joined by '-')",
            )
            return None
        return value


def kind_of(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
