"""An evidence block is taken at once when it is the usual one (``sources.well_formed``),
and checked field by field otherwise (``sources.checked_evidence``): the quick way never
takes what the checks refuse, and gives the very record they give."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omskg.checking import Checker
from omskg.facts import _Reader
from omskg.sources import anchor, checked_evidence, well_formed
from omskg.vocab import Vocabulary
from omskg.yaml_lines import Mapping

TEXT = "Ataxia. Ataxia is common. It is common in children.\nIt is rare. \u00e9t\u00e9 ataxia is common. "


def _block(fields: dict[str, Any]) -> Mapping:
    block = Mapping(fields)
    block.line = 7
    block.key_lines = {key: 8 + number for number, key in enumerate(fields)}
    return block


def _offsets(quote: str, text: str) -> st.SearchStrategy[tuple[Any, Any]]:
    first = text.find(quote)
    near = st.integers(-3, 3)
    right = st.just((first, first + len(quote))) if first >= 0 else st.nothing()
    return (
        right
        | st.tuples(near.map(lambda d: first + d), near.map(lambda d: first + len(quote) + d))
        | st.tuples(st.integers(-5, len(text) + 5), st.integers(-5, len(text) + 5))
        | st.tuples(st.sampled_from([True, False, None, "3", Decimal(3), 3.0]), st.integers(0, 9))
    )


@st.composite
def _evidence(draw: st.DrawFn) -> Any:
    start = draw(st.integers(0, len(TEXT)))
    quote = draw(
        st.just(TEXT[start : draw(st.integers(start, len(TEXT)))])
        | st.sampled_from(["", " ", "Ataxia", "common", "is common", "nowhere", "Ataxia.", "été", "ete"])
        | st.text(alphabet="Ataxi .\n", max_size=6)
    )
    first, last = draw(_offsets(quote, TEXT))
    fields: dict[str, Any] = {"quote": quote, "start": first, "end": last}
    extra = draw(st.sampled_from(["none", "none", "review", "other", "no quote", "no end", "quote not text"]))
    if extra in ("review", "other"):
        fields[extra] = "changed"
    elif extra == "no quote":
        del fields["quote"]
    elif extra == "no end":
        del fields["end"]
    elif extra == "quote not text":
        fields["quote"] = draw(st.sampled_from([3, None, True, ["Ataxia"]]))
    return _block(fields) if draw(st.integers(0, 9)) else dict(fields)


@settings(max_examples=600, deadline=None)
@given(value=_evidence())
def test_the_usual_block_is_taken_as_the_checks_take_it(value: Any) -> None:
    checker = Checker(Path("facts.yaml"))
    checked = checked_evidence(checker, TEXT, value, 3, "fact 'f'")
    quick = well_formed(TEXT, value)
    if quick is not None:
        assert (checked, checker.problems) == (quick, [])
    elif checked is not None and not checker.problems:
        assert value.keys() != {"quote", "start", "end"}  # only the usual block is taken at once
    other = Checker(Path("facts.yaml"))
    assert (anchor(other, TEXT, value, 3, "fact 'f'"), other.problems) == (checked, checker.problems)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_evidence(), min_size=1, max_size=5), again=st.lists(st.integers(0, 4), max_size=8))
def test_a_recurring_block_is_anchored_once_as_each_would_be(
    vocab: Vocabulary, values: list[Any], again: list[int]
) -> None:
    """A fact file's reader anchors a block it has anchored before at once, to the very
    same record; any other block (a refused one, one whose start is True or 3.0 where the
    first was 1 or 3) it anchors as ``anchor`` does, every problem told each time."""
    blocks = values + [values[number % len(values)] for number in again]
    reader, checker = _Reader(Path("facts.yaml"), vocab), Checker(Path("facts.yaml"))
    reader.source_text = TEXT
    found = [reader.evidence(block, 3, "fact 'f'") for block in blocks]
    assert found == [anchor(checker, TEXT, block, 3, "fact 'f'") for block in blocks]
    assert reader.problems == checker.problems
    for block, evidence in zip(blocks, found, strict=True):
        if evidence is not None and type(block) is Mapping and block.keys() == {"quote", "start", "end"}:
            assert evidence is reader.anchored[(block["quote"], block["start"], block["end"])]


def test_offsets_equal_to_a_recurring_blocks_but_not_whole_numbers_are_refused(vocab: Vocabulary) -> None:
    reader = _Reader(Path("facts.yaml"), vocab)
    reader.source_text = TEXT
    for quote, start, end in (("Ataxia", 0, 6), ("A", 0, 1)):
        assert reader.evidence(_block({"quote": quote, "start": start, "end": end}), 3, "fact 'f'")
    for start, end in ((False, 6), (0.0, 6), (Decimal(0), 6), (0, Decimal(6)), (0, 6.0)):
        assert reader.evidence(_block({"quote": "Ataxia", "start": start, "end": end}), 3, "fact 'f'") is None
    assert reader.evidence(_block({"quote": "A", "start": 0, "end": True}), 3, "fact 'f'") is None
    assert [problem.message for problem in reader.problems] == 6 * [
        "fact 'f': evidence start and end must be whole numbers"
    ]


def test_a_quote_before_its_first_occurrence_or_off_by_one_is_refused() -> None:
    later = TEXT.index("Ataxia is common")
    for start, end in ((later, later + 6), (0, 5), (-1, 5), (1, 7)):
        checker = Checker(Path("facts.yaml"))
        block = _block({"quote": "Ataxia", "start": start, "end": end})
        assert well_formed(TEXT, block) is None
        assert anchor(checker, TEXT, block, 3, "fact 'f'") is None
        assert "evidence offsets" in checker.problems[0].message
    evidence = anchor(
        Checker(Path("facts.yaml")), TEXT, _block({"quote": "Ataxia", "start": 0, "end": 6}), 3, "x"
    )
    assert evidence is not None and (evidence.prefix, evidence.suffix) == ("", TEXT[6:38])
