"""The records the pipeline passes along (fact files -> records -> graph), and the
problems found in its input.

Records are frozen: once a fact file has been read and checked, nothing changes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Evidence:
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Source:
    id: str
    path: Path
    sha256: str
    title: str
    kind: str
    last_updated: dt.date
    header: Evidence
    disclaimer: Evidence


@dataclass(frozen=True)
class Xref:
    curie: str
    iri: str
    match: str  # a key of MATCH_PROPERTIES


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    label: str
    xrefs: tuple[Xref, ...]


@dataclass(frozen=True)
class EntityRef:
    id: str


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Incidence:
    cases: int
    out_of: int
    period: str


@dataclass(frozen=True)
class AgeRange:
    statistic: str
    min_value: Decimal
    max_value: Decimal
    unit_text: str


FactObject = EntityRef | Text | Boolean | Incidence | AgeRange
QualifierValue = EntityRef | Decimal | bool | str  # str: a controlled value's local name
Qualifiers = tuple[tuple[str, tuple[QualifierValue, ...]], ...]


def value_types(qualifiers: Qualifiers) -> tuple[type, ...] | None:
    """What can tell equal qualifiers apart: the types of their values, where one is not a
    str or an EntityRef (True == Decimal(1)); None where none is (equal ones are alike)."""
    types = tuple([type(value) for _, values in qualifiers for value in values])
    return None if all(kind is str or kind is EntityRef for kind in types) else types


@dataclass(frozen=True)
class Fact:
    id: str
    subject: str
    predicate: str
    object: FactObject
    qualifiers: Qualifiers  # sorted by name
    evidence: Evidence


@dataclass(frozen=True)
class FactFile:
    path: Path
    source: Source
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: every problem found, each with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
