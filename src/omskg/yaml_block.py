"""The plain block style that fact files are written in, read line by line: what
``yaml_lines.LineLoader`` (libyaml) would read, at a fraction of its cost, for a file in
which every line is in that style; anything else is left to LineLoader."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from omskg.bounds import MAX_DEPTH, MAX_VALUES
from omskg.yaml_scalars import IMPLICIT, SCALARS, STRING, Mapping, plain_tag

#: The lines of the plain block style fact files are written in, each: indentation, "- " or
#: not, then "key:" (a short word), a value, or both. A value is a single-quoted scalar or a
#: plain one that is nothing else: no indicator first, no ": " or "#" in it, no ":" or space
#: last. A line not in this style is matched by nothing. (A key of 64 characters at most:
#: libyaml refuses one over 1024, and plain_tag remembers the tags of 64.)
_BLOCK_LINES = re.compile(
    r"^( *)(- )?(?:([A-Za-z_][A-Za-z0-9_-]{0,63}):(?: (?=[^ \n])|$))?"
    r"(?:('[^'\n]*+(?:''[^'\n]*+)*+')"
    r"|([^-?:,\[\]{}#&*!|>'\"%@` \n][^:#\n]*+(?::(?! |$)[^:#\n]*+)*+(?<! )))?$",
    re.MULTILINE,
)
_NOT_PLAIN = object()  # a scalar that block_document leaves to LineLoader
_NO_VALUE = object()  # a line that ends at its key or its "-"
_CONSTRUCTOR = SafeConstructor()  # what SCALARS' constructors ask of a loader (no state)


def block_document(text: str) -> Any:
    """``text`` read as LineLoader reads it, when every line is in the plain block style
    (``_BLOCK_LINES``) and nothing in it is refused; None otherwise (LineLoader then reads
    it, or tells what is wrong). Such a line has one reading only: no flow style, anchor,
    tag, comment, document marker, empty value or scalar over several lines."""
    if text[:1] in ("#", "%"):
        return None  # a comment or a directive first, as in curated and drafted files: not the style
    lines = text.count("\n") + 1
    if 3 * lines >= MAX_VALUES or not text.replace("\n", "").isprintable():
        return None  # at most 3 values a line: none over MAX_VALUES (and no row for each of millions)
    rows = _BLOCK_LINES.findall(text)
    if len(rows) != lines:
        return None
    container: Any
    stack: list[tuple[int, Any]] = []  # the mappings and lists open, each with its indentation
    top, container = -1, None  # the innermost of them (none yet)
    opened: tuple[Mapping, str, int] | None = None  # a key whose value is the block below it
    keys: set[str] = set()  # the keys met so far, each a string
    scalars: dict[str, Any] = {}  # the quoted or typed scalars met so far, by their text
    for number, (spaces, dash, key, quoted, plain) in enumerate(rows, 1):
        indent = len(spaces)
        if key and indent == top and not dash and opened is None and type(container) is Mapping:
            pass  # the next key of the same mapping
        elif not (dash or key or quoted or plain):
            if spaces:
                return None
            continue  # an empty line
        elif opened is not None:
            parent, parent_key, key_indent = opened
            if indent < key_indent or (indent == key_indent and not dash):
                return None  # the key has no value
            container = [] if dash else _mapping(number)
            parent[parent_key] = container
            top, opened = indent, None
            stack.append((top, container))
        elif stack:
            while top > indent:
                stack.pop()
                top, container = stack[-1]
            if top == indent and not dash and type(container) is list and len(stack) > 1:
                stack.pop()  # a list as indented as its key ends at the next key
                top, container = stack[-1]
            if top != indent:
                return None
        elif indent == 0:
            container = [] if dash else _mapping(number)
            top = 0
            stack.append((top, container))
        else:
            return None
        if plain and plain[0] not in IMPLICIT:
            value = plain  # a string, whatever follows
        elif plain or quoted:
            value = scalars.get(plain or quoted, _NOT_PLAIN)
            if value is _NOT_PLAIN:
                value = scalars[plain or quoted] = _block_scalar(quoted, plain)
                if value is _NOT_PLAIN:
                    return None
        else:
            value = _NO_VALUE
        if dash:
            if type(container) is not list:
                return None
            if not key:
                if value is _NO_VALUE:
                    return None  # "- " and nothing after it
                container.append(value)
                continue
            item = _mapping(number)
            container.append(item)
            top, container = indent + 2, item
            stack.append((top, container))
        elif not key or type(container) is list:
            return None
        if key in container or len(stack) >= MAX_DEPTH:
            return None
        if key not in keys:
            if key[0] in IMPLICIT and plain_tag(key) != STRING:
                return None
            keys.add(key)
        container.key_lines[key] = number
        if value is _NO_VALUE:
            opened = (container, key, top)
        else:
            container[key] = value
    return stack[0][1] if stack and opened is None else None


def _mapping(line: int) -> Mapping:
    mapping = Mapping()
    mapping.line = line
    mapping.key_lines = {}
    return mapping


def _block_scalar(quoted: str, plain: str) -> Any:
    if quoted:
        return quoted[1:-1].replace("''", "'")
    tag = plain_tag(plain)
    return plain if tag == STRING else _plain_value(tag, plain)


@lru_cache(maxsize=1024)
def _plain_value(tag: str, text: str) -> Any:
    """A plain scalar other than a string, built by ``SCALARS`` (each value it builds is
    immutable, so one can stand for every occurrence)."""
    build = SCALARS.get(tag)
    if build is None:
        return _NOT_PLAIN
    try:
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except yaml.YAMLError:  # refused: LineLoader tells why, on its line
        return _NOT_PLAIN
