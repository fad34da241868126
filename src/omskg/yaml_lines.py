"""YAML read safely, with the line of every mapping and key kept for error messages.

Only what a fact file needs is constructed: mappings, lists, strings, whole numbers,
decimals, booleans, dates and nothing. A decimal is kept as written (a ``Decimal`` of the
text, never a float), so what is published is what the curator wrote. Hostile input is
refused with the line it is on: a file that is not a regular file or is too large,
aliases that expand past ``MAX_VALUES`` values (an alias bomb), nesting deeper than
``MAX_DEPTH``, merge keys, other tags, keys that are lists or mappings, whole numbers
of more than ``MAX_DIGITS`` digits, impossible dates, and invisible or control characters.

A file written wholly in the plain block style (as fact files are) is read line by line by
``omskg.yaml_block``, to the same values and lines; libyaml reads any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from omskg.bounds import (
    MAX_DEPTH,
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
from omskg.yaml_block import block_document
from omskg.yaml_scalars import SCALARS, STRING, Mapping, Refused, plain_tag

__all__ = ["LineLoader", "Mapping", "load_file"]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SCALAR_NODE = yaml.ScalarNode
_UNFINISHED = object()  # what a list or mapping is built as until it is (an alias inside it is refused)
_SEQUENCE = yaml.CSafeLoader.DEFAULT_SEQUENCE_TAG
_MAPPING = yaml.CSafeLoader.DEFAULT_MAPPING_TAG


class LineLoader(yaml.CSafeLoader):
    """libyaml composes the node tree (in C); ``document`` builds the values from it in one
    walk, meaning what PyYAML's SafeConstructor means by the tags a fact file may hold."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.sizes: dict[yaml.Node, int] = {}  # values under a list or mapping, aliases expanded
        self.built: dict[yaml.Node, Any] = {}  # so that an alias gives the very same object

    # PyYAML's Resolver, less its bookkeeping for path resolvers (there are none): libyaml's
    # composer calls these three for every node.

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is _SCALAR_NODE:
            return plain_tag(value) if implicit[0] else STRING
        return _SEQUENCE if kind is yaml.SequenceNode else _MAPPING

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def document(self) -> Any:
        node = self.get_single_node()
        return None if node is None else self.value(node, 0)

    def value(self, node: yaml.Node, depth: int) -> Any:
        """What ``node`` stands for, ``depth`` lists and mappings down."""
        tag = node.tag
        if tag == STRING and type(node) is yaml.ScalarNode:
            return _string(node)  # the same object for an alias too: node.value itself
        built = self.built
        if node in built:
            if built[node] is _UNFINISHED:
                raise ConstructorError(None, None, "found unconstructable recursive node", node.start_mark)
            return built[node]
        if tag == _MAPPING and type(node) is yaml.MappingNode:
            value: Any = self.mapping(node, depth + 1)
        elif tag == _SEQUENCE and type(node) is yaml.SequenceNode:
            value = self.sequence(node, depth + 1)
        elif tag in SCALARS and type(node) is yaml.ScalarNode:
            value = SCALARS[tag](self, node)
        elif tag in SCALARS or tag in (STRING, _SEQUENCE, _MAPPING):
            raise Refused(f"{excerpt(tag)} cannot tag {_kind(node)}", node)
        else:
            raise ConstructorError(
                None, None, f"could not determine a constructor for the tag {tag!r}", node.start_mark
            )
        built[node] = value
        return value

    # Most keys and values are strings without a hidden character: these loops take them
    # without a call to value(), which would take them the same way.

    def mapping(self, node: yaml.MappingNode, depth: int) -> Mapping:
        self.enter(node, depth)
        mapping = Mapping()
        mapping.line = node.start_mark.line + 1
        key_lines = mapping.key_lines = {}
        sizes, string, scalar = self.sizes, STRING, _SCALAR_NODE
        size = 1 + len(node.value)
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag != string or type(key_node) is not scalar or not key.isprintable():
                key = self.key(key_node, depth)
            if key in mapping:
                raise ConstructorError(None, None, f"duplicate key {excerpt(key)}", key_node.start_mark)
            value = value_node.value
            if value_node.tag != string or type(value_node) is not scalar or not value.isprintable():
                value = self.value(value_node, depth)
                size += sizes.get(value_node, 1) - 1
            mapping[key] = value
            key_lines[key] = key_node.start_mark.line + 1
        if size > MAX_VALUES:
            raise _too_many_values(node)
        sizes[node] = size
        return mapping

    def key(self, node: yaml.Node, depth: int) -> Any:
        if node.tag == _MERGE_TAG:
            raise Refused("merge keys (<<) are not supported in fact files; write the fields out", node)
        if type(node) is not yaml.ScalarNode:
            raise Refused("a key must be a single value, not a list or a mapping", node)
        key = self.value(node, depth)
        try:
            hash(key)
        except TypeError:  # a signalling NaN (!!float snan) cannot be compared, so not be a key
            raise Refused(f"{excerpt(node.value)} cannot be a key", node) from None
        return key

    def sequence(self, node: yaml.SequenceNode, depth: int) -> list[Any]:
        self.enter(node, depth)
        items = []
        sizes, string, scalar = self.sizes, STRING, _SCALAR_NODE
        size = 1 + len(node.value)
        for child in node.value:
            value = child.value
            if child.tag != string or type(child) is not scalar or not value.isprintable():
                value = self.value(child, depth)
                size += sizes.get(child, 1) - 1
            items.append(value)
        if size > MAX_VALUES:
            raise _too_many_values(node)
        sizes[node] = size  # values under it, itself included, aliases expanded
        return items

    def enter(self, node: yaml.Node, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise Refused(f"mappings and lists nested more than {MAX_DEPTH} deep", node)
        self.built[node] = _UNFINISHED


def _too_many_values(node: yaml.Node) -> Refused:
    return Refused(
        f"this holds more than {MAX_VALUES:,} values (aliases counted at their full size); "
        "an alias that repeats an alias (an alias bomb?) or a file too large to check",
        node,
    )


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, yaml.SequenceNode) else "a single value"


def _string(node: yaml.Node) -> str:
    value: str = node.value
    if not value.isprintable():  # cheap: true for almost every string
        problem = hidden_character_problem(value)
        if problem is not None:
            raise Refused(problem, node)
    return value


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
    document = block_document(text)
    return _composed(path, text) if document is None else document


def _composed(path: Path, text: str) -> Any:
    """The document in ``text`` read by LineLoader (libyaml's node tree)."""
    loader = LineLoader(text)
    try:
        document = loader.document()
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
