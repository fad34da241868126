"""Editing a YAML file in place, so that its comments, anchors and layout survive.

The file is composed (not constructed) to find where each node starts and ends; an edit
replaces exactly the characters of one scalar, or inserts one key into a mapping. Every
other character of the file stays as it was, so a file nobody asked to change is never
rewritten and an edited one differs only where it was edited.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets in the file's text
    end: int
    text: str


def compose(text: str) -> yaml.Node:
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    if node is None:
        raise ValueError("the YAML document is empty")
    return node


def get(mapping: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node, or None."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def quoted(value: str) -> str:
    """``value`` as a single-quoted YAML scalar (the style of the fact files)."""
    if "\n" in value:
        raise ValueError("a quoted scalar of one line cannot hold a line break")
    written = "'" + value.replace("'", "''") + "'"
    assert yaml.safe_load(written) == value
    return written


def replace(node: yaml.Node, written: str) -> Edit:
    """Replace a scalar node with ``written`` (already in YAML syntax)."""
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError(f"line {node.start_mark.line + 1}: expected a single value")
    return Edit(node.start_mark.index, node.end_mark.index, written)


def add_key(text: str, mapping: yaml.Node, key: str, written: str) -> Edit:
    """Add ``key: written`` as the last entry of a mapping node, flow or block."""
    if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
        raise ValueError(f"line {mapping.start_mark.line + 1}: expected a non-empty mapping")
    if mapping.flow_style:
        closing = text.rindex("}", mapping.start_mark.index, mapping.end_mark.index)
        return Edit(closing, closing, f", {key}: {written}")
    first_key = mapping.value[0][0]
    last_value = mapping.value[-1][1]
    indent = " " * first_key.start_mark.column
    return Edit(last_value.end_mark.index, last_value.end_mark.index, f"\n{indent}{key}: {written}")


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with the edits made (they must not overlap)."""
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            raise ValueError(f"overlapping edits at characters {before.start} and {after.start}")
    out: list[str] = []
    position = 0
    for edit in ordered:
        out.append(text[position : edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def write_text(path: Path, text: str) -> None:
    """Replace a file's text in one step (a sibling file renamed over it)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, content: bytes) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        staging.write_bytes(content)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
