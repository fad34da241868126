"""Validation: each shape's focus nodes checked, SPARQL constraints run per focus node or
once over the graph, the results."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
import rdflib
from rdflib import XSD

from omskg.shacl.data import DataGraph
from omskg.shacl.shapes import Hit, NodeShape, Result, Shape, Sparql
from omskg.shacl.sparql import prebind
from omskg.shacl.terms import ShapesError, Term, UnsupportedShape, Values, to_rdflib


def _results(data: DataGraph, shape: Shape, focus: Term, bulk_done: bool = False) -> Iterator[Result]:
    if shape.deactivated:
        return
    values = shape.value_nodes(data, focus)
    path = shape.path.node if shape.path is not None else None
    for constraint in shape.constraints:
        for value in constraint.check(data, focus, values):
            message = shape.message or constraint.default_message
            if isinstance(value, Hit):
                yield Result(
                    focus, value.path, constraint.component, message, value.value, shape.severity, shape.node
                )
            else:
                yield Result(focus, path, constraint.component, message, value, shape.severity, shape.node)
    for prop in shape.properties:
        for value in values:
            yield from _results(data, prop, value)
    for sparql in shape.sparql:
        if not (bulk_done and sparql.bulk):
            yield from _sparql_per_focus(data, shape, sparql, focus, values)


def _conforms(data: DataGraph, shape: Shape, focus: Term) -> bool:
    key = (id(shape), focus)
    if key in data.active:
        raise UnsupportedShape(f"shape {shape.node} is recursive (it checks {focus} against itself)")
    data.active.add(key)
    try:
        return next(_results(data, shape, focus), None) is None
    finally:
        data.active.discard(key)


def _message(sparql: Sparql, row: dict[str, Term]) -> str:
    message = sparql.message or (
        "SPARQL constraint violated" if sparql.component == "SPARQLConstraintComponent"
        else f"Value does not satisfy {sparql.component}"
    )
    for name, value in row.items():
        if value is not None:
            text = str(to_rdflib(value)).replace("\\", "\\\\")
            message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", text, message)
    return message


def _row(solution: ox.QuerySolution, names: list[str]) -> dict[str, Term]:
    return {name: value for name in names if (value := solution[name]) is not None}


def _sparql_result(data: DataGraph, shape: Shape, sparql: Sparql, focus: Term, row: dict[str, Term],
                   value_node: Term | None) -> Result:
    failure = row.get("failure")
    if (
        isinstance(failure, ox.Literal)
        and failure.value in ("true", "1")
        and failure.datatype.value == str(XSD.boolean)
    ):
        raise ShapesError(f"the SPARQL query {sparql.node} of {shape.node} reported a failure for {focus}")
    path = row.get("path")
    value = row.get("value")
    return Result(
        focus,
        rdflib.URIRef(path.value) if isinstance(path, ox.NamedNode)
        else (shape.path.node if shape.path else None),
        sparql.component,
        _message(sparql, {**sparql.bindings, **row, "this": focus}),
        data.as_written(value) if value is not None else value_node,
        shape.severity,
        shape.node,
        sparql.node,
    )


def _sparql_per_focus(
    data: DataGraph, shape: Shape, sparql: Sparql, focus: Term, values: Values
) -> Iterator[Result]:
    """The query with $this (and the parameters, and $value for an ASK validator) pre-bound."""
    if sparql.ask:
        for value in values:
            if not bool(_run(data, shape, sparql, {**sparql.bindings, "this": focus, "value": value})):
                yield _sparql_result(data, shape, sparql, focus, {"value": value}, value)
        return
    solutions = _run(data, shape, sparql, {**sparql.bindings, "this": focus})
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = _row(solution, names)
        row.pop("this", None)
        yield _sparql_result(data, shape, sparql, focus, row, focus if shape.path is None else None)


def _run(data: DataGraph, shape: Shape, sparql: Sparql, bindings: dict[str, Term]) -> object:
    blank = {name for name, value in bindings.items() if isinstance(value, ox.BlankNode)}
    if not blank:
        query = prebind(sparql.query, bindings)
        try:
            return data.store.query(query)
        except SyntaxError as error:  # a pre-binding this module cannot write (a guard)
            where = f"the SPARQL query {sparql.node} of {shape.node}"
            raise UnsupportedShape(f"{where}, pre-bound: {error}") from None
    if blank == {"this"} and sparql.bulk:
        # A blank node cannot be written into a query. For a query of the allowlisted form,
        # binding $this at the top (Oxigraph's substitutions) gives the same rows.
        others = {name: value for name, value in bindings.items() if name != "this"}
        return data.store.query(
            prebind(sparql.query, others), substitutions={ox.Variable("this"): bindings["this"]}
        )
    raise UnsupportedShape(
        f"the SPARQL query {sparql.node} of {shape.node} cannot be pre-bound to a blank node "
        f"(${', $'.join(sorted(blank))}) unless it is of the form that binds $this in its outer pattern"
    )


def _sparql_bulk(data: DataGraph, shape: Shape, sparql: Sparql, focus_nodes: set[Term]) -> Iterator[Result]:
    """A query of the allowlisted form, once over the whole graph, kept for the focus nodes."""
    solutions = data.store.query(sparql.query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = _row(solution, names)
        this = row.pop("this", None)
        if this is None:  # the form binds $this in every row; this is a guard, not a branch
            raise ShapesError(f"a SPARQL constraint of {shape.node} left $this unbound")
        this = data.as_written(this)
        if this in focus_nodes:
            yield _sparql_result(data, shape, sparql, this, row, this if shape.path is None else None)


def validate(data: DataGraph, shapes: list[NodeShape]) -> list[Result]:
    results: list[Result] = []
    for node_shape in shapes:
        shape = node_shape.shape
        focus_nodes: set[Term] = set()
        for target in node_shape.targets:
            focus_nodes |= target(data)
        if shape.deactivated or not focus_nodes:
            continue
        for focus in focus_nodes:
            results.extend(_results(data, shape, focus, bulk_done=True))
        for sparql in shape.sparql:
            if sparql.bulk:
                results.extend(_sparql_bulk(data, shape, sparql, focus_nodes))
    return results
