"""What a single value of a fact file's YAML means (its tag, and the value built for it), and
the mapping that keeps the line of every key: shared by the two readers of ``yaml_lines``
(libyaml's node tree, and the plain block style read line by line)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from re import Pattern
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from omskg.bounds import MAX_DIGITS, excerpt

_LARGEST = 10**MAX_DIGITS
STRING = Resolver.DEFAULT_SCALAR_TAG
#: PyYAML's implicit resolvers (YAML 1.1), by the first character of a plain scalar.
IMPLICIT: dict[str, list[tuple[str, Pattern[str]]]] = Resolver.yaml_implicit_resolvers


class Mapping(dict[str, Any]):
    __slots__ = ("line", "key_lines")
    line: int
    key_lines: dict[str, int]


class Refused(ConstructorError):
    """Well-formed YAML that a fact file may not hold (not a syntax error)."""

    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(None, None, message, node.start_mark)


_REMEMBERED = 64  # characters of a plain scalar whose tag is remembered (the words and numbers that recur)


def plain_tag(value: str) -> str:
    """The tag of a plain scalar (one neither quoted nor tagged)."""
    if value and value[0] not in IMPLICIT:  # a string, whatever follows
        return STRING
    return _implicit_tag(value) if len(value) <= _REMEMBERED else _implicit_tag.__wrapped__(value)


@lru_cache(maxsize=4096)
def _implicit_tag(value: str) -> str:
    """The tag of a plain scalar, matched against the implicit resolvers of its first character."""
    for tag, pattern in IMPLICIT[value[:1]]:
        if pattern.match(value):
            return tag
    return STRING


def _construct_int(loader: SafeConstructor, node: yaml.ScalarNode) -> int:
    written = node.value.replace("_", "")
    if len(written) > 2 * MAX_DIGITS + 8:  # even in binary, more than MAX_DIGITS decimal digits
        raise Refused(_too_many_digits(written), node)
    if written.isascii() and written.isdigit() and (written[0] != "0" or written == "0"):
        number = int(written)  # the usual case (a leading 0 would make it octal)
    else:
        try:
            number = SafeConstructor.construct_yaml_int(loader, node)
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


def _construct_float(loader: SafeConstructor, node: yaml.ScalarNode) -> Decimal | float:
    written = node.value.replace("_", "")
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


def _construct_bool(loader: SafeConstructor, node: yaml.ScalarNode) -> bool:
    written = node.value
    value = SafeConstructor.bool_values.get(written.lower())
    if value is None:
        raise Refused(f"{excerpt(written)} is not true or false", node)
    return value


def _construct_null(loader: SafeConstructor, node: yaml.ScalarNode) -> None:
    return None


def _construct_timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError, AttributeError) as error:
        raise Refused(f"{excerpt(node.value, 40)} is not a date: {error}", node) from None


#: How each tag of a single value other than a string is built (any other tag is refused).
SCALARS: dict[str, Callable[[SafeConstructor, yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:null": _construct_null,
    "tag:yaml.org,2002:bool": _construct_bool,
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": _construct_float,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
}
