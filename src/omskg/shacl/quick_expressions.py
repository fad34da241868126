"""FILTER expressions of a SPARQL constraint, for the quick check (quick_sparql): each
compiled to a function of a row of variable slots, giving a term (N-Triples, as stored) or
a boolean. Where SPARQL would raise an error (an unbound variable, a type error, the
effective boolean value of a term, literals compared by value) it raises ``Unsure``: the
quick check then leaves the graph to the engine."""

from __future__ import annotations

from collections.abc import Callable

from omskg.shacl.quick_graph import QuickGraph, Unsure, datatype, is_iri
from omskg.shacl.quick_parse import Expression, Group

Row = list["str | None"]
Done = Callable[[], bool]  # called on each solution; True stops the search
Step = Callable[[QuickGraph, Row, Done], bool]  # True: a solution stopped the search
Value = Callable[[QuickGraph, Row], "str | bool"]
# (an EXISTS group, the variables bound before it, those read after it: none, one solution is all it asks)
GroupCompiler = Callable[[Group, set[int], set[int]], Step]

_TESTS: dict[str, Callable[[str], bool]] = {
    "isliteral": lambda term: term[0] == '"',
    "isiri": is_iri,
    "isuri": is_iri,
    "isblank": lambda term: term[:2] == "_:",
}


def truth(value: str | bool) -> bool:
    if value is True or value is False:
        return value
    raise Unsure("the effective boolean value of a term")


def _term(value: str | bool) -> str:
    if isinstance(value, str):
        return value
    raise Unsure("a boolean where a term is expected")


def conjunction(filters: list[Expression], bound: set[int], group: GroupCompiler) -> Value | None:
    """The FILTERs of a group together (None for none); ``bound``: the variables every
    solution of the group binds."""
    if not filters:
        return None
    expression = filters[0]
    for other in filters[1:]:
        expression = ("&&", expression, other)
    return _expression(expression, bound, group)


def _expression(expression: Expression, bound: set[int], group: GroupCompiler) -> Value:
    operator, *operands = expression
    if operator == "var":
        return _variable(operands[0])
    if operator == "term":
        constant: str = operands[0]
        return lambda g, row: constant
    if operator == "bound":
        slot: int = operands[0]
        return lambda g, row: row[slot] is not None
    if operator in ("exists", "not exists"):
        inner, wanted = group(operands[0], bound, set()), operator == "exists"
        return lambda g, row: inner(g, row, _stop) is wanted
    values = [_expression(operand, bound, group) for operand in operands]
    if operator == "!":
        return lambda g, row: not truth(values[0](g, row))
    if operator in ("||", "&&"):
        decides = operator == "||"  # the value of one side that decides alone
        first, second = values
        return lambda g, row: decides if truth(first(g, row)) is decides else truth(second(g, row))
    if operator == "if":
        test, then, otherwise = values
        return lambda g, row: then(g, row) if truth(test(g, row)) else otherwise(g, row)
    if operator in ("=", "!=", "sameterm"):
        return _equal(operator, *values)
    if operator in _TESTS:
        kind, argument = _TESTS[operator], values[0]
        return lambda g, row: kind(_term(argument(g, row)))
    assert operator == "datatype", operator  # (quick_parse reads no other function)
    return _datatype(values[0])


def _variable(slot: int) -> Value:
    def variable(g: QuickGraph, row: Row) -> str:
        value = row[slot]
        if value is None:
            raise Unsure("an unbound variable in an expression")
        return value

    return variable


def _equal(operator: str, first: Value, second: Value) -> Value:
    same_if_equal = operator != "!="

    def equal(g: QuickGraph, row: Row) -> bool:
        a, b = _term(first(g, row)), _term(second(g, row))
        if "<<" in (a[:2], b[:2]):
            raise Unsure("a triple term compared")
        if operator == "sameterm" or (a[0] != '"' and b[0] != '"'):
            return (a == b) is same_if_equal  # IRIs and blank nodes, or terms as stored: the same or not
        if a == b and a[-1] == '"':
            return same_if_equal  # the same simple literal
        raise Unsure("literals compared by value")

    return equal


def _datatype(argument: Value) -> Value:
    def datatype_of(g: QuickGraph, row: Row) -> str:
        term = _term(argument(g, row))
        if term[0] != '"':
            raise Unsure("DATATYPE of a term that is not a literal")
        return datatype(term)

    return datatype_of


def _stop() -> bool:
    return True
