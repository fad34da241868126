"""JSON as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, in pieces: the
nested condition document is written one item at a time, and its items ahead of time."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any


class Written:
    """A value written ahead, as ``Indented`` writes it at no indent: it stands at any depth
    with each of its lines indented (a JSON text has no newline inside a string)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def items_parts(items: list[Any]) -> list[bytes]:
    """A list of the document, as ``json.dumps(..., indent=2)`` writes it two levels down, in
    parts, an item each (so that no second copy of the whole document is made as text)."""
    if not items:
        return [b"[]"]
    writer = Indented()
    parts: list[bytes] = []
    separator = b"[\n    "
    for item in items:
        text: list[str] = []
        writer.write(item, "    ", text)
        parts += (separator, "".join(text).encode("utf-8"))
        separator = b",\n    "
    parts.append(b"\n  ]")
    return parts


class Indented:
    """Values as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes them, in pieces.

    The standard library's C encoder does not indent and its Python one is slow: this one
    writes str, list, dict (with str keys), int, float, bool and None itself, each key once
    per depth, and leaves the rest to ``json.dumps``; a ``Written`` value is its text,
    indented where it stands."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}  # indent -> key -> ',\n{indent}"key": '

    def text(self, value: Any, indent: str) -> str:
        """``value`` as it stands ``len(indent) // 2`` levels down."""
        kind = type(value)
        if kind is str:
            return encode_basestring(value)
        if kind is int:
            return repr(value)
        out: list[str] = []
        self.write(value, indent, out)
        return "".join(out)

    def write(self, value: Any, indent: str, out: list[str]) -> None:
        """Append ``value`` as it stands ``len(indent) // 2`` levels down to ``out``."""
        kind = type(value)
        if kind is dict and value:
            mark, inner = len(out), indent + "  "
            keys = self.keys.get(inner)
            if keys is None:
                keys = self.keys[inner] = {}
            for key, item in value.items():
                written = keys.get(key)
                if written is None:
                    if type(key) is not str:  # (json.dumps makes numbers, booleans and None keys)
                        del out[mark:]
                        out.append(_dumped(value, indent))
                        return
                    written = keys[key] = ",\n" + inner + encode_basestring(key) + ": "
                item_kind = type(item)  # (the most frequent values here, rather than a call down)
                if item_kind is str:
                    out.append(written + encode_basestring(item))
                elif item is None:
                    out.append(written + "null")
                elif item_kind is list and not item:
                    out.append(written + "[]")
                elif item_kind is int:
                    out.append(written + repr(item))
                else:
                    out.append(written)
                    self.write(item, inner, out)
            out[mark] = "{" + out[mark][1:]  # (the first key follows the brace, not a comma)
            out.append("\n" + indent + "}")
        elif kind is list and value:
            inner = indent + "  "
            separator = "[\n" + inner
            for item in value:
                if type(item) is str:
                    out.append(separator + encode_basestring(item))
                else:
                    out.append(separator)
                    self.write(item, inner, out)
                separator = ",\n" + inner
            out.append("\n" + indent + "]")
        elif kind is str:
            out.append(encode_basestring(value))
        elif kind is list or kind is dict:
            out.append("[]" if kind is list else "{}")
        elif value is None or kind is bool:
            out.append("null" if value is None else "true" if value else "false")
        elif kind is int or (kind is float and math.isfinite(value)):
            out.append(repr(value))
        elif kind is Written:
            out.append(value.text.replace("\n", "\n" + indent))
        else:  # NaN and infinities, tuples, subclasses; what JSON cannot hold raises as there
            out.append(_dumped(value, indent))


def _dumped(value: Any, indent: str) -> str:
    # (a JSON text has no newline inside a string: every newline starts a line of the indentation)
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
