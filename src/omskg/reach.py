"""Condition 4 of the split gate (omskg.parts): whether the shapes read forward only.

A SPARQL constraint's query is read with the quick check's parser (omskg.shacl.quick_parse),
which reads the part of SPARQL the omskg shapes use; a query beyond it is read by rdflib's
SPARQL algebra, whose parser takes ~0.2 s to load (a build with the omskg shapes never does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from omskg.shacl import quick_parse


@dataclass(frozen=True)
class Reach:
    """What the shapes read: ``forward`` when conditions 4 hold; ``backward_shapes``, the
    node shapes (by node) whose SPARQL constraints step backward from $this."""

    forward: bool
    backward_shapes: frozenset[Any]
    object_targets: frozenset[str] = frozenset()  # sh:targetObjectsOf predicates (N-Triples)


@cache
def shapes_reach() -> Reach:
    """Condition 4 for the default shapes (computed once)."""
    from omskg.validate import shapes_graph

    return forward_only(shapes_graph())


def forward_only(shapes: Any) -> Reach:
    from rdflib import RDF, RDFS, Graph

    from omskg.vocab import SH

    g: Graph = shapes
    if any((None, p, None) in g for p in (SH.inversePath, SH.validator, SH.nodeValidator,
                                          SH.propertyValidator, SH.target)):
        return Reach(False, frozenset())
    object_targets = frozenset(f"<{o}>" for o in g.objects(None, SH.targetObjectsOf))
    kinds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    top = {s for p in kinds for s in g.subjects(p, None)}
    typed = {*g.subjects(RDF.type, SH.NodeShape), *g.subjects(RDF.type, SH.PropertyShape)}
    top |= {s for s in typed if (s, RDF.type, RDFS.Class) in g}  # implicit class targets
    backward: set[Any] = set()
    for owner, sparql in g.subject_objects(SH.sparql):
        shape = owner if owner in top else next((s for s in g.subjects(SH.property, owner) if s in top), None)
        select = g.value(sparql, SH.select)
        if shape is None or select is None or "$PATH" in str(select):
            return Reach(False, frozenset())  # a nested shape's, or one this check does not read
        reach = pattern_reach(_prefixes(g, sparql) + str(select))
        if reach == "none":
            return Reach(False, frozenset())
        if reach == "backward":
            backward.add(shape)
    return Reach(True, frozenset(backward), object_targets)


def _prefixes(g: Any, sparql: Any) -> str:
    from omskg.vocab import SH

    declared: dict[str, str] = {}
    for declarer in g.objects(sparql, SH.prefixes):
        for declaration in g.objects(declarer, SH.declare):
            declared[str(g.value(declaration, SH.prefix))] = str(g.value(declaration, SH.namespace))
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(declared.items()))


def pattern_reach(query: str) -> str:
    """"forward" when every triple pattern of ``query`` that must be read as in the whole
    graph is reached forward from $this (or from a variable reached so), "backward" when
    some need one plain step backward from $this, "none" when some pattern is reached
    otherwise (or the query cannot be read).

    A pattern under NOT EXISTS needs no reach: a part's graph holds a subset of the whole
    graph's triples, so what has no match in the whole graph has none in the part. Its
    variables are bound to terms of the part (complete ones), from which a pattern under
    a second NOT EXISTS must again be reached forward. Under any other operator an EXISTS
    is read as if it were not negated."""
    try:
        parsed = quick_parse.parse(query)
    except quick_parse.Unsupported:
        return pattern_reach_by_rdflib(query)
    this = parsed.slots["this"]
    found = _group_reach(parsed.where, {this}, this, True)
    return "none" if found is None else "backward" if found else "forward"


def _group_reach(group: quick_parse.Group, bound: set[int], this: int, exact: bool) -> bool | None:
    """Whether a group needs the backward step from $this (None: it is not reached as
    it must be), its variables in ``bound`` bound to complete terms; ``exact``: its matches
    must be the whole graph's (not under NOT EXISTS)."""
    required = [(p.subject, p.predicate, p.obj) for part in group.parts if isinstance(part, list)
                for p in part]
    variable = lambda n: isinstance(n, int)  # noqa: E731
    outer = bound
    if exact:
        reached = _reach(required, bound, this, variable, _plain_quick, _forward_quick)
        if reached is None:
            return None
        bound, backward = reached
    else:
        bound = bound | {n for pattern in required for n in pattern if isinstance(n, int)}
        backward = False
    filters = [(e, True, bound) for e in group.filters]
    before = set(outer)  # an OPTIONAL is joined to the parts before it: reached from their variables
    for part in group.parts:  # (its own variables may stay unbound: nothing is reached from them)
        if isinstance(part, list):
            before |= {n for p in part for n in (p.subject, p.predicate, p.obj) if isinstance(n, int)}
            continue
        patterns = [(p.subject, p.predicate, p.obj) for p in _own_patterns(part)]
        reached = _reach(patterns, before, this, variable, _plain_quick, _forward_quick)
        if reached is None:
            return None
        backward |= reached[1]
        filters += [(e, False, reached[0]) for e in part.filters]  # (an OPTIONAL's: may count either way)
    for expression, plain_filter, known in filters:
        for inner, negated in _exists_groups(expression, False if plain_filter else None):
            found = _group_reach(inner, known, this, True if negated is None else exact != negated)
            if found is None:
                return None
            backward |= found
    return backward


def _own_patterns(group: quick_parse.Group) -> Iterator[quick_parse.Pattern]:
    """The triple patterns of a group and of its OPTIONAL groups (not of its filters)."""
    for part in group.parts:
        yield from _own_patterns(part) if isinstance(part, quick_parse.Group) else part


def _exists_groups(expression: Any, negated: bool | None) -> Iterator[tuple[quick_parse.Group, bool | None]]:
    """Each (NOT) EXISTS group of a filter, and whether it is negated: by NOT EXISTS or !,
    under && and || only (None: under any other operator, where it may count either way)."""
    operator = expression[0]
    if operator in ("exists", "not exists"):
        yield expression[1], None if negated is None else negated != (operator == "not exists")
        return
    keeps = operator in ("!", "&&", "||") and negated is not None
    for operand in expression[1:]:
        if isinstance(operand, tuple):
            yield from _exists_groups(operand, negated != (operator == "!") if keeps else None)


def _plain_quick(predicate: Any) -> bool:
    return isinstance(predicate, (int, str))


def _forward_quick(predicate: Any) -> bool:
    if not isinstance(predicate, tuple):
        return True  # a variable or an IRI
    kind, argument = cast(tuple[str, Any], predicate)
    if kind in ("/", "|"):
        return all(_forward_quick(a) for a in argument)
    if kind in ("*", "+", "?"):
        return _forward_quick(argument)
    return kind == "p"  # ("^", ...): backward


def _reach(
    patterns: list[tuple[Any, Any, Any]], bound: set[Any], this: Any, variable: Callable[[Any], bool],
    plain: Callable[[Any], bool], forward: Callable[[Any], bool],
) -> tuple[set[Any], bool] | None:
    """The variables reached (from ``bound``) and whether the backward step from ``this``
    was taken; None when some pattern is not reached."""
    reached = set(bound)
    pending = list(patterns)
    backward = False
    changed = True
    while pending and changed:
        changed = False
        for pattern in list(pending):
            s, p, o = pattern
            if s in reached and forward(p):
                step = {o, p} if plain(p) else {o}
            elif o == this and plain(p):
                step, backward = {s, p}, True
            else:
                continue
            reached |= {v for v in step if variable(v)}
            pending.remove(pattern)
            changed = True
    return None if pending else (reached, backward)


def pattern_reach_by_rdflib(query: str) -> str:
    """``pattern_reach`` of a query read by rdflib's SPARQL algebra."""
    import rdflib
    from rdflib.paths import AlternativePath, MulPath, NegatedPath, Path, SequencePath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # pyparsing's errors share no base worth naming
        return "none"
    patterns: list[tuple[Any, Any, Any]] = []
    unread: list[Any] = []  # (EXISTS groups are left untranslated; OPTIONAL's bindings may not be made)

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            name = getattr(value, "name", None)
            if name == "BGP":
                patterns.extend(value["triples"])
            elif name in ("Builtin_EXISTS", "Builtin_NOTEXISTS", "LeftJoin"):
                unread.append(value)
            for key, item in value.items():
                if key != "_vars":
                    collect(item)
        elif isinstance(value, (list, tuple)) or type(value).__name__ == "ParseResults":
            for item in value:
                collect(item)

    collect(algebra)
    if unread:
        return "none"

    def forward_path(p: Any) -> bool:
        if isinstance(p, (rdflib.URIRef, rdflib.Variable)):
            return True
        if isinstance(p, (SequencePath, AlternativePath)):
            return all(forward_path(a) for a in p.args)
        if isinstance(p, MulPath):
            return forward_path(p.path)
        if isinstance(p, NegatedPath):
            return all(isinstance(a, rdflib.URIRef) for a in p.args)
        return not isinstance(p, Path)

    def plain(p: Any) -> bool:
        return isinstance(p, (rdflib.URIRef, rdflib.Variable))

    def variable(v: Any) -> bool:
        return isinstance(v, rdflib.Variable)

    this = rdflib.Variable("this")
    found = _reach(patterns, {this}, this, variable, plain, forward_path)
    return "none" if found is None else "backward" if found[1] else "forward"
