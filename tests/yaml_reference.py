"""The reference for ``omskg.yaml_lines``: the reader as it was before libyaml's node tree
was built in one walk of omskg's own (commit 61d5f0b), through PyYAML's constructor
machinery (``get_single_data``, ``construct_object``, a constructor per tag). Kept word for
word, as the oracle that ``test_yaml_lines.py`` holds the fast reader to: the same values,
lines and aliases, or the same problem, for any input.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from omskg.bounds import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_FACT_FILE_BYTES,
    MAX_VALUES,
    UnreadableFile,
    cut,
    describe_character,
    excerpt,
    hidden_character_problem,
    read_regular_file,
)
from omskg.records import InputError, Problem

_MERGE_TAG = "tag:yaml.org,2002:merge"
_LARGEST = 10**MAX_DIGITS


class Mapping(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class Refused(ConstructorError):
    """Well-formed YAML that a fact file may not hold (not a syntax error)."""

    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(None, None, message, node.start_mark)


class LineLoader(yaml.CSafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.sizes: dict[yaml.Node, int] = {}  # values under a list or mapping, aliases expanded

    def counted(self, node: yaml.Node, children: list[yaml.Node]) -> None:
        sizes = self.sizes
        size = len(children) + 1
        for child in children:
            size += sizes.get(child, 1) - 1
        if size > MAX_VALUES:
            raise Refused(
                f"this holds more than {MAX_VALUES:,} values (aliases counted at their full size); "
                "an alias that repeats an alias (an alias bomb?) or a file too large to check",
                node,
            )
        sizes[node] = size


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, yaml.SequenceNode) else "a single value"


def _enter(loader: LineLoader, node: yaml.Node, kind: type[yaml.Node]) -> None:
    if not isinstance(node, kind):
        raise Refused(f"{excerpt(node.tag)} cannot tag {_kind(node)}", node)
    loader.depth += 1
    if loader.depth > MAX_DEPTH:
        raise Refused(f"mappings and lists nested more than {MAX_DEPTH} deep", node)


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> Mapping:
    _enter(loader, node, yaml.MappingNode)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    children = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            raise Refused("merge keys (<<) are not supported in fact files; write the fields out", key_node)
        if not isinstance(key_node, yaml.ScalarNode):
            raise Refused("a key must be a single value, not a list or a mapping", key_node)
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise ConstructorError(None, None, f"duplicate key {excerpt(key)}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
        children.append(value_node)
    loader.counted(node, children)
    loader.depth -= 1
    return mapping


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> list[Any]:
    _enter(loader, node, yaml.SequenceNode)
    items = [loader.construct_object(child, deep=True) for child in node.value]
    loader.counted(node, node.value)
    loader.depth -= 1
    return items


def _scalar(loader: LineLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise Refused(f"{excerpt(node.tag)} cannot tag {_kind(node)}", node)
    value: str = node.value
    return value


def _construct_string(loader: LineLoader, node: yaml.ScalarNode) -> str:
    value = node.value
    if type(value) is not str:  # a list or mapping tagged !!str
        raise Refused(f"{excerpt(node.tag)} cannot tag {_kind(node)}", node)
    if not value.isprintable():  # cheap: true for almost every string
        problem = hidden_character_problem(value)
        if problem is not None:
            raise Refused(problem, node)
    return value


def _construct_int(loader: LineLoader, node: yaml.ScalarNode) -> int:
    written = _scalar(loader, node).replace("_", "")
    if len(written) > 2 * MAX_DIGITS + 8:  # even in binary, more than MAX_DIGITS decimal digits
        raise Refused(_too_many_digits(written), node)
    try:
        number: int = SafeConstructor.construct_yaml_int(loader, node)
    except (ValueError, IndexError):
        raise Refused(f"{excerpt(written)} is not a whole number", node) from None
    if abs(number) >= _LARGEST:
        raise Refused(_too_many_digits(written), node)
    return number


def _too_many_digits(written: str) -> str:
    return (
        f"the whole number {excerpt(written, 30)} has more than {MAX_DIGITS} digits, more than "
        "xsd:integer and xsd:decimal keep exactly in every triple store"
    )


def _construct_float(loader: LineLoader, node: yaml.ScalarNode) -> Decimal | float:
    written = _scalar(loader, node).replace("_", "")
    if ":" in written or written.lower().lstrip("+-") in (".inf", ".nan"):
        if len(written) > 2 * MAX_DIGITS + 8:
            raise Refused(_too_many_digits(written), node)
        try:
            number: float = SafeConstructor.construct_yaml_float(loader, node)
        except (ValueError, IndexError):
            raise Refused(f"{excerpt(written)} is not a number", node) from None
        return number  # sexagesimal, infinite or not a number: refused where a number is read
    try:
        return Decimal(written)  # exactly as written: its digits are checked where it is read
    except InvalidOperation:
        raise Refused(f"{excerpt(written)} is not a number", node) from None


def _construct_bool(loader: LineLoader, node: yaml.ScalarNode) -> bool:
    written = _scalar(loader, node)
    value = SafeConstructor.bool_values.get(written.lower())
    if value is None:
        raise Refused(f"{excerpt(written)} is not true or false", node)
    return value


def _construct_null(loader: LineLoader, node: yaml.ScalarNode) -> None:
    _scalar(loader, node)


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode) -> Any:
    written = _scalar(loader, node)
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError, AttributeError) as error:
        raise Refused(f"{excerpt(written, 40)} is not a date: {error}", node) from None


LineLoader.yaml_constructors = {
    "tag:yaml.org,2002:null": _construct_null,
    "tag:yaml.org,2002:bool": _construct_bool,
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": _construct_float,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
    "tag:yaml.org,2002:str": _construct_string,
    "tag:yaml.org,2002:seq": _construct_sequence,
    "tag:yaml.org,2002:map": _construct_mapping,
    None: SafeConstructor.construct_undefined,  # any other tag: "could not determine a constructor"
}


def load_file(path: Path) -> Any:
    """The YAML document in ``path``; an InputError naming the line of a syntax error or of
    what a fact file may not hold."""
    try:
        raw = read_regular_file(path, MAX_FACT_FILE_BYTES)
    except UnreadableFile as error:
        raise InputError([Problem(path, None, f"cannot read: {error}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = f"not UTF-8 text: {error.reason} at byte {error.start}"
        raise InputError([Problem(path, line, message)]) from None
    loader = LineLoader(text)
    try:
        document = loader.get_single_data()
    except Refused as error:
        mark = error.problem_mark
        raise InputError([Problem(path, mark.line + 1 if mark else None, str(error.problem))]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        mark_line = mark.line + 1 if mark else None
        problem = cut(error.problem or str(error))
        raise InputError([Problem(path, mark_line, f"YAML syntax error: {problem}")]) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        code = error.character
        character = describe_character(chr(code)) if isinstance(code, int) else "a character"
        raise InputError([Problem(path, line, f"YAML syntax error: {character}: {error.reason}")]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(path, None, f"YAML syntax error: {cut(str(error))}")]) from None
    finally:
        loader.dispose()
    if document is None:
        raise InputError([Problem(path, None, "the file is empty")])
    return document
