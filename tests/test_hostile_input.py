"""Fact files and sources made to hang, exhaust or fool the build: each is refused with one
line naming the file, the line and the problem, exit status 2, a bounded message, and
dist/ left byte for byte as it was. Run through the command line, as a curator would."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskg import resources
from omskg.bounds import (
    MAX_SOURCE_BYTES,
    READ_CHUNK_BYTES,
    UnreadableFile,
    _read_capped,
    excerpt,
    hidden_character,
    inline,
    read_regular_file,
)
from omskg.checking import inexact
from omskg.iris import InvalidBase, Iris

FACT_FILE_NAME = "opsoclonus-myoclonus-syndrome.yaml"
SOURCE_NAME = "oms-summary.txt"
LONGEST_MESSAGE = 600  # characters in any line the user sees


# ------------------------------------------------------------------ editing a copy of data/


def _fact_file(data: Path) -> Path:
    return data / "conditions" / FACT_FILE_NAME


def _replace(data: Path, old: str, new: str) -> None:
    path = _fact_file(data)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rewrite_source(data: Path, old: bytes, new: bytes) -> None:
    """Change the source and record its new SHA-256, so only the change itself is wrong."""
    source = data / "sources" / SOURCE_NAME
    before = source.read_bytes()
    assert old in before
    after = before.replace(old, new, 1)
    source.write_bytes(after)
    _replace(data, hashlib.sha256(before).hexdigest(), hashlib.sha256(after).hexdigest())


def _object(data: Path, yaml_value: str) -> None:
    """The object of fact 'oms-rare' (line 241 of the curated file) replaced."""
    _replace(data, "predicate: inCategory\n    object: rare-disease", f"predicate: inCategory\n    object: {yaml_value}")


def _alias_bomb(levels: int) -> str:
    parts = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    parts += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


def _source_special(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(data: Path) -> None:
        source = data / "sources" / SOURCE_NAME
        source.unlink()
        make(source)

    return setup


def _extra_facts(data: Path, count: int, object_id: str) -> None:
    path = _fact_file(data)
    facts = "".join(
        f"  - id: extra-{i}\n    subject: opsoclonus-myoclonus-syndrome\n    predicate: hasSymptom\n"
        f"    object: {object_id}-{i}\n    evidence: *s1\n"
        for i in range(count)
    )
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + facts, encoding="utf-8")


def _nfd_quote(data: Path) -> None:
    # "rare" -> "raré" in the source (one code point in NFC, so no offset moves), and the
    # quote that holds it written in NFD (e + combining acute accent): it looks the same
    _rewrite_source(data, b"exceptionally rare,", "exceptionally raré,".encode())
    _replace(data, "exceptionally rare,", unicodedata.normalize("NFD", "exceptionally raré,"))


def _large_source(data: Path) -> None:
    source = data / "sources" / SOURCE_NAME
    text = source.read_bytes()
    _rewrite_source(data, text[-20:], text[-20:] + b"\n" + b"x" * MAX_SOURCE_BYTES)


# ------------------------------------------------------------------ the cases


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], None]
    where: str | None  # the file:line the message starts with ({fact}, {source}), None: no file
    message: str
    base: str | None = None


FACT = "{fact}"
CASES = [
    Case("alias bomb", lambda d: _object(d, _alias_bomb(9)), f"{FACT}:241",
         "this holds more than 1,000,000 values (aliases counted at their full size)"),
    Case("alias bomb under the bound", lambda d: _object(d, _alias_bomb(6)), f"{FACT}:241",
         "object must be an entity id, got [['lol', 'lol', 'lol', 'lol', ...], [['lol', 'lol', 'lol', 'lol', ...], ['lol',…"),
    Case("recursive alias", lambda d: _object(d, "&r [*r]"), f"{FACT}:241",
         "YAML syntax error: found unconstructable recursive node"),
    Case("deep nesting", lambda d: _object(d, "[" * 900 + "]" * 900), f"{FACT}:241",
         "mappings and lists nested more than 20 deep"),
    Case("merge key", lambda d: _object(d, "{<<: {a: b}}"), f"{FACT}:241",
         "merge keys (<<) are not supported in fact files; write the fields out"),
    Case("list as a key", lambda d: _object(d, "{[a]: b}"), f"{FACT}:241",
         "a key must be a single value, not a list or a mapping"),
    Case("signalling NaN as a key", lambda d: _object(d, "{!!float snan: b}"), f"{FACT}:241", "'snan' cannot be a key"),
    Case("tag that does not fit", lambda d: _object(d, "!!int abc"), f"{FACT}:241", "'abc' is not a whole number"),
    Case("python tag", lambda d: _object(d, "!!python/object/apply:os.system [ls]"), f"{FACT}:241",
         "could not determine a constructor for the tag"),
    Case("list where a word goes", lambda d: _replace(d, "kind: Symptom\n    label: opsoclonus",
                                                       "kind: [Symptom]\n    label: opsoclonus"),
         f"{FACT}:59", "entity 'opsoclonus': unknown kind ['Symptom'] (known:"),
    Case("huge value in a message", lambda d: _replace(d, "predicate: inCategory", "predicate: " + "x" * 3_000_000),
         f"{FACT}:240", "unknown predicate 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (known:"),
    Case("impossible date", lambda d: _replace(d, "last_updated: 2026-04-07", "last_updated: 2026-02-30"),
         f"{FACT}:21", "'2026-02-30' is not a date: day is out of range for month"),
    Case("outOf with 5,001 digits", lambda d: _replace(d, "outOf: 5000000", "outOf: " + "9" * 5001), f"{FACT}:395",
         "the whole number '999999999999999999999999999999'… has more than 18 digits"),
    Case("maxValue 1e1000000", lambda d: _replace(d, "maxValue: 20", "maxValue: 1e1000000"), f"{FACT}:420",
         "ageRange maxValue '1E+1000000' needs 1,000,001 digits as an xsd:decimal, and XSD guarantees 18"),
    Case("proportion 1e-100000000", lambda d: _replace(d, "proportion: 0.5", "proportion: 1e-100000000"),
         f"{FACT}:428", "qualifier 'proportion': '1E-100000000' needs 100,000,000 digits as an xsd:decimal"),
    Case("proportion with 32 digits", lambda d: _replace(d, "proportion: 0.5", "proportion: 0.50000000000000000000000000000001"),
         f"{FACT}:428", "'0.50000000000000000000000000000001' needs 32 digits as an xsd:decimal, and XSD "
         "guarantees 18 in every store: it would be published as another number"),
    Case("zero-width space in a label", lambda d: _replace(d, "label: opsoclonus\n", "label: opso\u200bclonus\n"),
         f"{FACT}:60", "invisible or control character U+200B ZERO WIDTH SPACE (Cf) at character 5 of 'opso\\u200bclonus'"),
    Case("right-to-left override in a text", lambda d: _replace(d, "text: dancing eye syndrome", 'text: "dancing \\u202Eeye syndrome"'),
         f"{FACT}:235", "invisible or control character U+202E RIGHT-TO-LEFT OVERRIDE (Cf) at character 9"),
    Case("NFD quote, NFC source", _nfd_quote, f"{FACT}:398",
         "the evidence quote does not occur in the source: Unicode normalisation differs (NFD vs NFC): "
         "the quote is in NFD, the source in NFC"),
    Case("source is a FIFO", _source_special(lambda p: os.mkfifo(p)), f"{FACT}:17", "not a regular file (a FIFO)"),
    Case("source links to /dev/zero", _source_special(lambda p: p.symlink_to("/dev/zero")), f"{FACT}:17",
         "source file /dev/zero: not a regular file (a character device)"),
    Case("source symlink loop", _source_special(lambda p: p.symlink_to(p.name)), f"{FACT}:17",
         "Too many levels of symbolic links"),
    Case("source too large", _large_source, f"{FACT}:17", f"bytes, over the limit of {MAX_SOURCE_BYTES:,}"),
    Case("source not UTF-8", lambda d: _rewrite_source(d, b"rare,", b"rar\xe9,"), f"{FACT}:17",
         "is not UTF-8 text: invalid continuation byte"),
    Case("source with a right-to-left override", lambda d: _rewrite_source(d, b"rare,", "rare\u202e,".encode()),
         f"{FACT}:17", f"{SOURCE_NAME}:2:88: invisible or control character U+202E RIGHT-TO-LEFT OVERRIDE (Cf)"),
    Case("fact file is a FIFO", lambda d: os.mkfifo(d / "conditions" / "more.yaml"), "{conditions}/more.yaml",
         "cannot read: not a regular file (a FIFO)"),
    Case("NUL byte in a fact file", lambda d: (d / "conditions" / "more.yaml").write_bytes(b"source:\n  id: \0\n"),
         "{conditions}/more.yaml:2", "YAML syntax error: U+0000 (Cc): control characters are not allowed"),
    Case("fact file of 1 GB", lambda d: os.truncate(_touch(d / "conditions" / "more.yaml"), 2**30),
         "{conditions}/more.yaml", "cannot read: 1,073,741,824 bytes, over the limit of 16,777,216"),
    Case("10,001 facts in one file", lambda d: _extra_facts(d, 10_001 - 54, "ataxia"), f"{FACT}:225",
         "facts: 10,001 in one file, over the limit of 10,000; split the file"),
    Case("thousands of problems", lambda d: _extra_facts(d, 5000, "nothing"), None,
         "checking stopped after 100 problems; fix these first"),
    Case("base IRI with '>' and spaces", lambda d: None, None,
         "omskg build: base IRI 'http://x/> .../' is not an absolute IRI: Invalid IRI code point '>'",
         base="http://x/> .../"),
    Case("base IRI without a scheme", lambda d: None, None,
         "omskg build: base IRI 'omskg/' is not an absolute IRI: No scheme found in an absolute IRI", base="omskg/"),
]


def _touch(path: Path) -> Path:
    path.touch()
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_refused_in_one_line(tmp_path: Path, built: Path, case: Case) -> None:
    data = tmp_path / "data"
    shutil.copytree(resources.resource_root() / "data", data)
    out = tmp_path / "dist"
    shutil.copytree(built, out)
    before = _snapshot(out)
    case.setup(data)
    args = ["build", "--facts", str(data / "conditions"), "--out", str(out)]
    args += ["--base", case.base] if case.base else []
    # in a process of its own, with a timeout: a regression must fail, not hang the suite
    env = {name: value for name, value in os.environ.items() if name != "OMSKG_BASE"}
    done = subprocess.run([sys.executable, "-m", "omskg.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)
    err = done.stderr
    assert done.returncode == 2, err[:2000]
    assert done.stdout == "" and "Traceback" not in err
    lines = err.splitlines()
    assert all(len(line) <= LONGEST_MESSAGE for line in lines), max(lines, key=len)[:2000]
    assert len(lines) <= 102  # at most 100 problems and the stop line for a file, then the summary
    found = [line for line in lines if case.message in line]
    assert found, f"{case.message!r} not in:\n{err[:3000]}"
    if case.where is not None:
        where = case.where.format(fact=_fact_file(data), conditions=data / "conditions")
        assert found[0].startswith(f"{where}:" if re.search(r":\d+$", where) else f"{where}: "), found[0]
    assert _snapshot(out) == before


# ------------------------------------------------------------------ the rules themselves


@pytest.mark.parametrize(("written", "digits"), [
    ("0.5", None), ("18", None), ("0", None), ("0E-50", None), ("5.000000000000000000000000", None),
    ("123456789012345678", None), ("0.000000000000000001", None), ("-99.5", None),
    ("1234567890123456789", 19), ("0.0000000000000000001", 19), ("0.50000000000000000000000000000001", 32),
    ("1e-100000000", 100_000_000), ("1e1000000", 1_000_001),
])
def test_a_decimal_is_accepted_only_when_published_exactly(written: str, digits: int | None) -> None:
    problem = inexact(Decimal(written))
    if digits is None:
        assert problem is None
    else:
        assert problem is not None and f"needs {digits:,} digits" in problem


def test_every_accepted_decimal_survives_the_round_trip_through_oxigraph() -> None:
    import pyoxigraph as ox

    from omskg.rdf import decimal

    for written in ["0.5", "123456789012345678", "0.000000000000000001", "-99.5", "18", "0.123456789012345678"]:
        number = Decimal(written)
        assert inexact(number) is None
        store = ox.Store()
        node = ox.NamedNode("https://example.org/x")
        store.add(ox.Quad(node, node, decimal(number)))
        rows = list(store.query("SELECT (STR(?o + 0) AS ?v) WHERE { ?s ?p ?o }"))
        assert Decimal(rows[0][0].value) == number, written


def test_hidden_characters_are_found_and_visible_ones_are_not() -> None:
    for text in ["opsoclonus", "dancing eye syndrome", "line\nbreak\tand tab", "café", "naïve – “quoted”", "\u00a0"]:
        assert hidden_character(text) == -1, text
    for text, at in [("a\u200bb", 1), ("\u202eabc", 0), ("ab\u2066c", 2), ("x\x00", 1), ("\ufeff", 0),
                     ("a\u00adb", 1), ("a\u2028b", 1), ("\ue000", 0), ("a\U000e0041", 1)]:
        assert hidden_character(text) == at, text


def test_an_excerpt_is_bounded_however_large_the_value() -> None:
    shared: list[object] = ["lol"] * 9
    for _ in range(12):  # 9**12 leaves when printed in full
        shared = [shared] * 9
    assert len(excerpt(shared)) <= 80
    assert len(excerpt("x" * 10_000_000)) <= 84
    assert inline("a\nb" + "c" * 1000).startswith("a\\nb") and len(inline("c" * 1000)) <= 81


@pytest.mark.parametrize("base", ["http://x/> .../", "omskg/", "http://x y/", "https://example.org/\u202e/",
                                  "https://example.org/x"])
def test_an_invalid_base_is_refused(base: str) -> None:
    with pytest.raises(InvalidBase):
        Iris(base)


def test_valid_bases_are_accepted() -> None:
    for base in ["https://w3id.org/omskg/", "http://127.0.0.1:8000/", "urn:example:omskg/", "https://example.org/kg#"]:
        Iris(base)


@settings(max_examples=200, deadline=None)
@given(length=st.integers(0, 3 * READ_CHUNK_BYTES), told=st.integers(0, 3 * READ_CHUNK_BYTES),
       cap=st.integers(0, 3 * READ_CHUNK_BYTES))
def test_a_file_is_read_to_its_end_or_one_byte_past_the_cap_whatever_its_size_said(
    tmp_path_factory: pytest.TempPathFactory, length: int, told: int, cap: int
) -> None:
    path = tmp_path_factory.mktemp("read") / "f"
    data = bytes(range(256)) * (length // 256) + b"x" * (length % 256)
    path.write_bytes(data)
    descriptor = os.open(path, os.O_RDONLY)
    try:  # the size told is what a file that grows or shrinks while read, or one in /proc, says
        assert _read_capped(descriptor, told, cap) == data[: cap + 1]
    finally:
        os.close(descriptor)
    if length <= cap:
        assert read_regular_file(path, cap) == data
    else:
        with pytest.raises(UnreadableFile, match=f"{length:,} bytes, over the limit of {cap:,}"):
            read_regular_file(path, cap)
