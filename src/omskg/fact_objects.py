"""The objects a fact may have, each read from its YAML field: an entity id (``object``),
``text``, ``boolean``, an ``incidence`` rate or an ``ageRange``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from omskg.bounds import excerpt
from omskg.checking import SLUG, Checker, decimal, inexact, is_int
from omskg.records import AgeRange, Boolean, EntityRef, FactObject, Incidence, Text
from omskg.vocab import Vocabulary

DURATION = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")

ObjectParser = Callable[[Checker, Vocabulary, Any, int, str], FactObject | None]


def _entity(checker: Checker, vocab: Vocabulary, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, str) and SLUG.match(value):
        return EntityRef(value)
    checker.problem(line, f"{what}: object must be an entity id, got {excerpt(value)}")
    return None


def _text(checker: Checker, vocab: Vocabulary, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, str) and value.strip():
        return Text(value)
    checker.problem(line, f"{what}: text must be a non-empty string")
    return None


def _boolean(checker: Checker, vocab: Vocabulary, value: Any, line: int, what: str) -> FactObject | None:
    if isinstance(value, bool):
        return Boolean(value)
    checker.problem(line, f"{what}: boolean must be true or false, got {excerpt(value)}")
    return None


def _incidence(checker: Checker, vocab: Vocabulary, value: Any, line: int, what: str) -> FactObject | None:
    mapping = checker.mapping(value, line, f"{what}: incidence")
    if mapping is None or not checker.check_keys(
        mapping, f"{what}: incidence", {"cases", "outOf", "period"}, set()
    ):
        return None
    cases, out_of, period = mapping["cases"], mapping["outOf"], mapping["period"]
    if not (is_int(cases) and is_int(out_of)) or cases < 0 or out_of < 1:
        checker.problem(
            mapping, f"{what}: incidence cases and outOf must be whole numbers, cases >= 0, outOf >= 1"
        )
        return None
    if cases > out_of:
        checker.problem(mapping, f"{what}: incidence cases ({cases}) exceed outOf ({out_of})")
        return None
    if not isinstance(period, str) or not DURATION.match(period):
        checker.problem(
            mapping, f"{what}: incidence period {excerpt(period)} is not an ISO 8601 duration such as P1Y"
        )
        return None
    return Incidence(cases, out_of, period)


def _age_range(checker: Checker, vocab: Vocabulary, value: Any, line: int, what: str) -> FactObject | None:
    mapping = checker.mapping(value, line, f"{what}: ageRange")
    fields = {"statistic", "minValue", "maxValue", "unitText"}
    if mapping is None or not checker.check_keys(mapping, f"{what}: ageRange", fields, set()):
        return None
    statistic = mapping["statistic"]
    statistics = sorted(n for n, c in vocab.individuals.items() if c == "Statistic")
    low, high = decimal(mapping["minValue"]), decimal(mapping["maxValue"])
    unit = checker.string(mapping, "unitText", f"{what}: ageRange")
    if statistic not in statistics:
        checker.problem(
            mapping, f"{what}: ageRange statistic {excerpt(statistic)} is not one of: {', '.join(statistics)}"
        )
        return None
    if low is None or high is None:
        checker.problem(mapping, f"{what}: ageRange minValue and maxValue must be numbers")
        return None
    for key, number in (("minValue", low), ("maxValue", high)):
        problem = inexact(number)
        if problem is not None:
            checker.problem(checker.line_of(mapping, key), f"{what}: ageRange {key} {problem}")
            return None
    if low > high:
        checker.problem(mapping, f"{what}: ageRange minValue {low} exceeds maxValue {high}")
        return None
    if unit is None:
        return None
    return AgeRange(statistic, low, high, unit)


#: The object fields of a fact, by their YAML key.
OBJECT_PARSERS: dict[str, ObjectParser] = {
    "object": _entity,
    "text": _text,
    "boolean": _boolean,
    "incidence": _incidence,
    "ageRange": _age_range,
}
