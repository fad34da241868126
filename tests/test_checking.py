"""The checker's quick answers for the usual mapping (every required field there, nothing
unknown) and the usual slug agree with its field-by-field checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omskg.bounds import excerpt
from omskg.checking import SLUG, Checker
from omskg.yaml_lines import Mapping

NAMES = ["id", "kind", "label", "xrefs", "draft", "quote", 3, True]


def _mapping(fields: dict[Any, Any]) -> Mapping:
    mapping = Mapping(fields)
    mapping.line = 4
    mapping.key_lines = {key: 5 + number for number, key in enumerate(fields)}
    return mapping


@settings(max_examples=400, deadline=None)
@given(
    keys=st.lists(st.sampled_from(NAMES), unique=True, max_size=6),
    required=st.sets(st.sampled_from(["id", "kind", "label"])),
    allowed=st.sets(st.sampled_from(["xrefs", "draft", "id"])),
)
def test_check_keys_tells_each_unknown_and_missing_field(
    keys: list[Any], required: set[str], allowed: set[str]
) -> None:
    mapping = _mapping({key: "x" for key in keys})
    checker = Checker(Path("f.yaml"))
    unknown = sorted(set(keys) - allowed - required, key=str)
    missing = sorted(required - set(keys))
    expected = [(mapping.key_lines[key], f"e: unknown field {excerpt(key)}") for key in unknown]
    expected += [(4, f"e: missing field {key!r}") for key in missing]
    ok = checker.check_keys(mapping, "e", frozenset(required), frozenset(allowed))
    assert ok == (not expected)
    assert [(p.line, p.message) for p in checker.problems] == expected


@settings(max_examples=400, deadline=None)
@given(
    value=st.text(alphabet="ab1-_ \n\tA", max_size=8) | st.sampled_from([None, 3, True, ["a"], "a\n", " a"])
)
def test_slug_takes_what_string_and_the_slug_pattern_take(value: Any) -> None:
    mapping = _mapping({"id": value})
    checker = Checker(Path("f.yaml"))
    expected = value if isinstance(value, str) and value.strip() and SLUG.match(value) else None
    assert checker.slug(mapping, "id", "entity") == expected
    assert bool(checker.problems) == (expected is None)
