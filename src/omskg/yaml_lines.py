"""YAML read safely, with the line of every mapping and key kept for error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from omskg.records import InputError, Problem


class Mapping(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class LineLoader(yaml.CSafeLoader):
    pass


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_file(path: Path) -> Any:
    """The YAML document in ``path``; an InputError naming the line of a syntax error."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(path, None, f"cannot read: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = f"not UTF-8 text: {error.reason} at byte {error.start}"
        raise InputError([Problem(path, line, message)]) from None
    try:
        document = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        mark_line = mark.line + 1 if mark else None
        raise InputError([Problem(path, mark_line, f"YAML syntax error: {error.problem or error}")]) from None
    if document is None:
        raise InputError([Problem(path, None, "the file is empty")])
    return document
