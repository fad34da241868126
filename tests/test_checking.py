"""The checker's quick answers for the usual mapping (every required field there, nothing
unknown), the usual slug and the usual qualifier agree with its field-by-field checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omskg.bounds import excerpt
from omskg.checking import SLUG, Checker
from omskg.cross_references import read_xrefs
from omskg.facts import _Reader, read_fact_file
from omskg.records import FactFile
from omskg.vocab import Vocabulary, load_vocabulary, xref_converter
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


QUALIFIER_VALUES = [True, False, None, 3, -1, "0.5", Decimal("0.5"), Decimal(2), Decimal("0.1234567890123456789"), "1e400",
                    "Often", "May", "Probably", "tumor", "Bad Slug", "", {"x": 1}]


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(load_vocabulary().qualifiers)), value=st.sampled_from(QUALIFIER_VALUES))
def test_a_qualifier_of_one_value_reads_as_a_list_of_that_value(name: str, value: Any) -> None:
    readers = [_Reader(Path("f.yaml"), load_vocabulary()) for _ in range(2)]
    one = readers[0].qualifiers(_mapping({name: value}), "fact 'f'")
    listed = readers[1].qualifiers(_mapping({name: [value]}), "fact 'f'")
    assert one == listed
    assert readers[0].problems == readers[1].problems
    assert (one is None) == bool(readers[0].problems)


def test_a_name_of_the_vocabulary_and_a_cross_reference_are_one_object_in_every_record(
    fact_file: FactFile, vocab: Vocabulary
) -> None:
    """Records share what they share (the pickle a worker sends holds each once), and a
    cross-reference that is refused is told each time it is given."""
    for names in ([f.predicate for f in fact_file.facts], [e.kind for e in fact_file.entities],
                  [v for f in fact_file.facts for n, vs in f.qualifiers for v in vs if n == "hedge"]):
        assert len(names) > len(set(names)) and len({id(n) for n in names}) == len(set(names))
    again = read_fact_file(fact_file.path, vocab)
    assert again.entities[0].xrefs[0] is fact_file.entities[0].xrefs[0]
    checker = Checker(Path("f.yaml"))
    for line in (3, 4):
        assert read_xrefs(checker, _mapping({"exact": ["HPO:1", "HP:1"]}), line, "entity 'e'") is None
    assert [(p.line, p.message) for p in checker.problems] == [
        (5, f"entity 'e': cross-reference HPO:1: unknown prefix 'HPO' (known: {', '.join(sorted(xref_converter().get_prefixes()))})"),
        (5, "entity 'e': cross-reference HP:1: local id '1' does not match HP's pattern ^\\d{7}$"),
    ] * 2
