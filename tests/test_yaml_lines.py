"""The YAML reader (``omskg.yaml_lines``, libyaml's node tree built in one walk, or the plain
block style read line by line by ``omskg.yaml_block``) held to its reference
(``tests/yaml_reference.py``, PyYAML's constructor machinery): for hostile and for generated
input, the same values, lines and shared objects, or the same problem on the same line."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from itertools import count, product
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.resolver import Resolver

from omskg import yaml_block, yaml_lines, yaml_scalars
from omskg.bounds import MAX_DEPTH, MAX_VALUES
from omskg.records import InputError

from . import yaml_reference

Loader = Callable[[Path], Any]

# ------------------------------------------------------------------ the comparison


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


_NAMES = count()


def _shape(value: Any, seen: dict[int, int]) -> Any:
    """``value`` with its types, lines, and which lists and mappings are one object."""
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            return ("the same object as", seen[id(value)])
        seen[id(value)] = len(seen)
        if isinstance(value, list):
            return ("list", [_shape(item, seen) for item in value])
        items = [(_shape(k, seen), value.key_lines[k], _shape(v, seen)) for k, v in value.items()]  # type: ignore[attr-defined]
        return (type(value).__name__, value.line, items)  # type: ignore[attr-defined]
    return (type(value).__name__, repr(value))


def _outcome(load: Loader, path: Path) -> Any:
    try:
        return ("read", _shape(load(path), {}))
    except InputError as error:
        return ("refused", [str(problem) for problem in error.problems])
    except Exception as error:  # what neither reader refuses with a message (the same either way)
        return ("raised", type(error).__name__, str(error))


def _both(folder: Path, raw: bytes) -> Any:
    path = folder / f"case-{next(_NAMES)}.yaml"
    path.write_bytes(raw)
    fast, reference = _outcome(yaml_lines.load_file, path), _outcome(yaml_reference.load_file, path)
    if reference == ("raised", "TypeError", "Cannot hash a signaling NaN value"):  # the old reader's traceback
        assert fast[0] == "refused" and all("cannot be a key" in p for p in fast[1]), raw
        return fast
    assert fast == reference, raw
    return fast


# ------------------------------------------------------------------ hostile input, one by one

_ODD_SCALARS = [
    "yes", "no", "on", "off", "y", "n", "Y", "N", "True", "FALSE", "tRuE", "~", "null", "Null", "NULL", "",
    "0", "-0", "+12", "007", "0o17", "0x1F", "0X1f", "0b1010", "0b", "1_000", "1__0", "_1", "190:20:30",
    "-1:30", "123456789012345678", "1234567890123456789", "-999999999999999999", "0x" + "f" * 40,
    "1e3", "1.5e-3", ".5", "1.", "6.8523015e+5", "685.230_15e+03", "190:20:30.15", "-.inf", ".Inf",
    ".NaN", ".nan", "1" * 60 + ".5", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "2002-02-30",
    "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.1234567", "9999-12-31 23:59:60", "=", "<<",
    "!", "'quoted yes'", '"double 0x1F"', '"\\u200b"', '"\\x07"', '"tab\\there"', "a\tb", "é", "ﬁ",
]  # fmt: skip

_TAGGED = [
    "!!str 12", "!!str yes", "!!int '12'", "!!int 0x1f", "!!int 0o17", "!!int 0b101", "!!int 1_000",
    "!!int 1:30", "!!int 012", "!!int ''", "!!int 1.5", "!!int ١٢", "!!int " + "9" * 19, "!!float 1.5",
    "!!float .inf", "!!float .nan", "!!float 1:30.5", "!!float 1", "!!float nan", "!!float snan",
    "!!float ''", "!!float 1e999999", "!!bool yes", "!!bool maybe", "!!null x", "!!timestamp 2020-13-45",
    "!!timestamp nope", "!!timestamp 2020-02-30", "!!timestamp 2020-01-01 25:00:00", "!!binary aGk=",
    "!!set {a}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!python/object:os.system x", "!custom x",
    "!!map [1]", "!!seq {a: 1}", "!!str [1]", "!!str {a: 1}", "!!int [1]", "!!null [1]", "!!bool {}",
    "!!timestamp []", "!!float [x]", "!!merge x", "!!value x", "!!yaml x", "! 12", "! 'true'", "! yes",
    "!<tag:yaml.org,2002:str> 5", "!<tag:yaml.org,2002:int> 5", "!!str", "!!int",
]  # fmt: skip

_DOCUMENTS = [
    "a: 1\na: 2\n", "a: 1\nb: {c: 1, c: 2}\n", "&k a: 1\n*k : 2\n", "1: a\n'1': b\n", "1: a\n!!float 1.0: b\n",
    "true: a\nyes: b\n", "null: a\n~: b\n", "2020-01-01: x\n", ".nan: 1\n.nan: 2\n", "&n .nan : 1\n*n : 2\n",
    "!!float snan : 1\n", "a: &x [1, 2]\nb: *x\nc: *x\n", "a: &x {p: 1}\nb: *x\n", "a: &x 5\nb: *x\nc: &x 6\n",
    "a: &x [*x]\n", "&a [*a]\n", "&a {x: *a}\n", "a: *nowhere\n", "a: &x [1]\nb: [*x, *x, [*x]]\n",
    "<<: {a: 1}\n", "a: &x {b: 1}\nc:\n  <<: *x\n", "a: {<<: [1]}\n", "? [1, 2]\n: x\n", "{a: 1}: x\n",
    "? {a: 1}\n", "a: 1\n---\nb: 2\n", "---\n...\n", "--- a\n--- b\n", "", "# only a comment\n", "---\n",
    "~\n", "null\n", "...\n", "%YAML 1.1\n--- a\n", "%TAG !e! tag:example.com,2000:\n--- !e!x 1\n",
    "%YAML 2.0\n--- a\n", "a:\tb\n", "a:\n\tb: 1\n", "\ta: 1\n", "a: [1,\t2]\n", "\ufeffa: 1\n",
    "a: 1\n\ufeffb: 2\n", "a: \x07\n", "a: \u200b\n", "a: '\u200b'\n", "\u200bkey: 1\n", "a: \x85b\n",
    "a: \u2028b\n", "a: \U000e0001\n", "a: '\ud7ff'\n", "a: [1, 2\n", "a: b: c\n", "- a\nb: c\n",
    "'unterminated\n", "a: 'x'y\n", "[a, b]]\n", "{a: 1\n", "a: |\n  text\n   more\n", "a: >-\n  folded\n\n  x\n",
    "a: |2\n   x\n", "- - - - x\n", "[" * MAX_DEPTH + "]" * MAX_DEPTH, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 25)) + "  " * 25 + "x\n", "[" * 600 + "]" * 600,
    "x: [" + ", ".join(["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 8)]) + "]\n",
    "x: [" + ", ".join(["&a0 [lol, lol, lol]"] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 3) + "]" for i in range(1, 5)]) + "]\n",
    "".join([f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" if i else f"k{j}: lol" for j in range(9)) + "}\n" for i in range(8)]),
    "source:\n  id: x\nentities: []\n", "- 1\n- 2\n", "plain text\n", "12\n", "a: !!binary |\n  aGk=\n",
]  # fmt: skip

_BYTES = [
    b"a: \xff\n", b"\xfe\xff", b"a: \xe9t\xe9\n", b"\xff\xfea\x00:\x00 \x001\x00", b"a: \xed\xa0\x80\n",
    b"a: \xc3\n", b"a: 1\nb: \xf0\x9f\x98\n", b"\x00", b"a: \x00\n", b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n",
]  # fmt: skip


def _cases() -> list[bytes]:
    cases = [text.encode("utf-8", "surrogatepass") for text in _DOCUMENTS] + _BYTES
    for scalar in _ODD_SCALARS + _TAGGED:
        for template in ("a: {}\n", "{}: a\n", "- {}\n", "[{}]\n", "{{k: {}}}\n", "{}\n"):
            cases.append(template.format(scalar).encode("utf-8"))
    return cases


def test_hostile_yaml_reads_as_its_reference_reads_it(folder: Path) -> None:
    outcomes = [_both(folder, raw) for raw in _cases()]
    kinds = {outcome[0] for outcome in outcomes}
    assert kinds == {"read", "refused"}  # every way out; none of them a traceback
    problems = "\n".join(line for outcome in outcomes if outcome[0] == "refused" for line in outcome[1])
    for expected in (
        "duplicate key",
        "found unconstructable recursive node",
        "could not determine a constructor for the tag",
        "cannot tag a list",
        "merge keys (<<) are not supported",
        "a key must be a single value",
        f"nested more than {MAX_DEPTH} deep",
        "an alias bomb?",
        "is not a whole number",
        "has more than 18 digits",
        "is not a date",
        "invisible or control character",
        "not UTF-8 text",
        "but found another document",
        "the file is empty",
        "'snan' cannot be a key",
    ):
        assert expected in problems, expected


def test_the_block_style_is_read_line_by_line_as_its_reference_reads_it(folder: Path) -> None:
    """Each hostile case put to the line-by-line reader itself: what it takes, it reads as
    the reference does; the rest (syntax errors and refusals among them) it leaves."""
    taken = 0
    for raw in _cases():
        outcome = _both(folder, raw)
        if _taken(raw, outcome):
            taken += 1
    assert taken >= 90  # the plain scalars of every kind, as values and as list items


def _taken(raw: bytes, outcome: Any) -> bool:
    """Whether ``yaml_block`` reads ``raw``; if it does, as the reference does (``outcome``)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    document = yaml_block.block_document(text)
    if document is None:
        return False
    assert ("read", _shape(document, {})) == outcome, raw
    return True


def test_an_alias_is_the_very_same_object_and_lines_are_kept(folder: Path) -> None:
    path = folder / "aliases.yaml"
    path.write_text("a: &x [1, {b: 2}]\n\nc: *x\nd:\n  e: *x\n", encoding="utf-8")
    document = yaml_lines.load_file(path)
    assert document["a"] is document["c"] is document["d"]["e"]
    assert (document.line, document.key_lines, document["d"].line) == (1, {"a": 1, "c": 3, "d": 4}, 5)
    assert document["a"][1].line == 1


# ------------------------------------------------------------------ generated input

_SCALAR = st.sampled_from(_ODD_SCALARS) | st.text(alphabet="ab yn01:-.#'\"!&*<=~_+x\\", max_size=6)
_TAG = st.sampled_from(["", "", "", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!timestamp ",
                        "!!map ", "!!seq ", "!x ", "! "])  # fmt: skip
_ANCHOR = st.sampled_from(["", "", "", "&a ", "&b ", "&c "])
_ALIAS = st.sampled_from(["*a", "*b", "*c"])


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    listed = st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    mapped = st.lists(st.tuples(_SCALAR | _ALIAS, children), max_size=4).map(
        lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    )
    return st.builds(lambda tag, anchor, body: tag + anchor + body, _TAG, _ANCHOR, listed | mapped)


_FLOW = st.recursive(
    st.builds(lambda tag, anchor, scalar: tag + anchor + scalar, _TAG, _ANCHOR, _SCALAR) | _ALIAS,
    _flow,
    max_leaves=12,
)


@st.composite
def _block(draw: st.DrawFn, indent: int = 0) -> str:
    """A block mapping or list, its values flow nodes or (less often) blocks again."""
    lines = []
    dash = draw(st.booleans())
    for _ in range(draw(st.integers(1, 4))):
        head = "- " if dash else draw(_SCALAR | _ALIAS) + ": "
        if indent < 6 and draw(st.integers(0, 3)) == 0:
            lines.append(" " * indent + head.rstrip() + "\n" + draw(_block(indent + 2)))
        else:
            lines.append(" " * indent + head + draw(_FLOW) + "\n")
    return "".join(lines)


@settings(max_examples=400, deadline=None)
@given(document=_FLOW | _block() | st.text(alphabet="ab:-[]{},&*!\n\t #'\"\\~?|>%.01", max_size=40))
def test_generated_yaml_reads_as_its_reference_reads_it(folder: Path, document: str) -> None:
    _both(folder, document.encode("utf-8"))


_KEY = (
    st.sampled_from(["id", "kind", "label", "quote", "start", "end", "b-c", "_x", "outOf", "a1"])
    | st.sampled_from(["yes", "on", "y", "null", "NULL", "k" * 64, "k" * 65])
    | st.text(alphabet="abyn_-0", min_size=1, max_size=4)
)
_WORDS = st.from_regex(r"[A-Za-z0-9é][A-Za-z0-9é ,.()/'\"-]{0,12}", fullmatch=True)
_LEAF = (
    _WORDS
    | _WORDS
    | _SCALAR
    | st.text(alphabet="ab :#'\"-.0é[]{},!&*?|>%@`~=<", max_size=8)
    | st.sampled_from(["'it''s'", "''", "'a: b # c'", "'x'y", "a: b", "C#", "x:", "x :y", "2026-04-07", "69"])
)
_TREE = st.recursive(
    _LEAF,
    lambda children: st.lists(children, min_size=1, max_size=3)
    | st.lists(st.tuples(_KEY, children), min_size=1, max_size=3),
    max_leaves=10,
)


def _render(data: st.DataObject, node: Any, indent: int) -> list[str]:
    """``node`` (a leaf's text, a list, or a list of key-value pairs) in block style at
    ``indent``, each list as indented as its key or more, each mapping more."""
    pad, lines = " " * indent, []
    mapping = isinstance(node, list) and bool(node) and isinstance(node[0], tuple)
    for item in node:
        key, value = item if mapping else (None, item)
        head = f"{pad}{key}:" if mapping else f"{pad}-"
        if isinstance(value, str):
            lines.append(f"{head} {value}" if value else head)
            continue
        if mapping:
            compact = not (value and isinstance(value[0], tuple)) and data.draw(st.booleans())
            lines.append(head)
            lines.extend(_render(data, value, indent if compact else indent + data.draw(st.integers(1, 3))))
        else:
            inner = _render(data, value, indent + 2)
            lines.extend([head + inner[0][indent + 1 :], *inner[1:]])
    return lines


@settings(max_examples=400, deadline=None)
@given(data=st.data(), tree=_TREE.filter(lambda tree: isinstance(tree, list)))
def test_generated_block_style_reads_as_its_reference_reads_it(
    folder: Path, data: st.DataObject, tree: Any
) -> None:
    """Documents in (or, after one change, just out of) the plain block style: the reader,
    and the line-by-line reader when it takes them, agree with the reference."""
    lines = _render(data, tree, 0)
    if data.draw(st.booleans()):  # one character put in, the kind that changes what a line is
        row = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.integers(0, len(lines[row])))
        lines[row] = lines[row][:at] + data.draw(st.sampled_from(" \t#:'-\n!&*[{")) + lines[row][at:]
    raw = ("\n".join(lines) + data.draw(st.sampled_from(["\n", "", "\n\n"]))).encode("utf-8")
    _taken(raw, _both(folder, raw))


def test_a_file_of_too_many_lines_is_left_to_libyaml_before_its_lines_are_matched() -> None:
    assert yaml_block.block_document("a: 1\n" + "\n" * (MAX_VALUES // 3 - 2)) == {"a": 1}
    assert yaml_block.block_document("a: 1\n" + "\n" * (MAX_VALUES // 3 - 1)) is None  # millions of rows else


def test_a_fact_file_in_the_block_style_is_read_line_by_line() -> None:
    text = (
        "source:\n  id: s\n  last_updated: 2026-04-07\n  header:\n    quote: 'Last updated: 2026-04-07'\n"
        "    start: 0\n    end: 24\nentities:\n- id: e\n  xrefs:\n    exact:\n    - MONDO:0015247\n\n"
        "  label: it's a rare, immune-mediated disorder (OMS) [sic] {x}\nfacts:\n  - id: f\n    coreFeature: true\n"
    )
    document = yaml_block.block_document(text)
    assert document == yaml_lines.LineLoader(text).document()
    assert (document.line, document.key_lines) == (1, {"source": 1, "entities": 8, "facts": 15})
    assert (document["source"].line, document["entities"][0].line, document["facts"][0].key_lines) == (
        2,
        9,
        {"id": 16, "coreFeature": 17},
    )


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=12) | _SCALAR)
def test_each_tag_is_resolved_as_pyyaml_resolves_it(value: str) -> None:
    loader = yaml_lines.LineLoader("")
    try:
        for text, implicit in product(
            (value, value * 20), ((True, False), (False, True), (False, False), (True, True))
        ):
            expected = Resolver.resolve(loader, yaml.ScalarNode, text, implicit)
            assert loader.resolve(yaml.ScalarNode, text, implicit) == expected  # long: not remembered
        for kind in (yaml.SequenceNode, yaml.MappingNode):
            assert loader.resolve(kind, None, True) == Resolver.resolve(loader, kind, None, True)
    finally:
        loader.dispose()
    # what LineLoader.resolve leaves out of PyYAML's: path resolvers and resolvers for any text
    assert not yaml_lines.LineLoader.yaml_path_resolvers
    assert None not in yaml_lines.LineLoader.yaml_implicit_resolvers
    assert yaml_lines.LineLoader.yaml_implicit_resolvers is yaml_scalars.IMPLICIT  # what plain_tag resolves by
