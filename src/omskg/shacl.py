"""The fast SHACL engine: the shapes' Core constraints checked on the triples as parsed,
their SPARQL constraints run once each over the whole graph in Oxigraph.

pyshacl is the reference (``omskg validate --engine pyshacl``); tests/test_shapes.py shows
that both report the same violations for every constraint of shapes/. This engine is
linear in the graph's size where pyshacl is not: pyshacl re-parses a SPARQL constraint for
every focus node, and looks up each value through rdflib.

Why not everything in SPARQL: Oxigraph stores a literal by its value, so
"68"^^xsd:nonNegativeInteger comes back as "68"^^xsd:integer and "18.0" as "18";
sh:datatype, sh:in, sh:pattern and the counts must see the terms as written.

The SPARQL constraints do see Oxigraph's values: a value they report is written in its
canonical form ("18" for "18.0"^^xsd:decimal), where pyshacl repeats it as written.

Only the SHACL features the shapes use are implemented. A shape using any other is
refused with ``UnsupportedShape`` (use the pyshacl engine for it), never half-checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Graph, Node
from rdflib.collection import Collection

from omskg.vocab import SH

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Values = list[Term]


class UnsupportedShape(ValueError):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the data and of the shapes graph."""

    focus: Term
    path: Node | None
    component: str
    message: str
    value: Term | None
    severity: Node


# ---------------------------------------------------------------- the data, indexed


class DataGraph:
    """The triples, indexed by predicate and subject (and, when a path needs it, object)."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = triples if isinstance(triples, (set, frozenset)) else set(triples)
        self.forward: dict[ox.NamedNode, dict[Term, Values]] = {}
        for triple in self.triples:
            by_subject = self.forward.get(triple.predicate)
            if by_subject is None:
                by_subject = self.forward[triple.predicate] = {}
            objects = by_subject.get(triple.subject)
            if objects is None:
                by_subject[triple.subject] = [triple.object]
            else:
                objects.append(triple.object)
        self._backward: dict[ox.NamedNode, dict[Term, Values]] = {}
        self._instances: dict[ox.NamedNode, set[Term]] = {}
        self._store: ox.Store | None = None

    def objects(self, subject: Term, predicate: ox.NamedNode) -> Values:
        return self.forward.get(predicate, {}).get(subject, [])

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> Values:
        backward = self._backward.get(predicate)
        if backward is None:
            backward = self._backward[predicate] = {}
            for subject, objects in self.forward.get(predicate, {}).items():
                for o in objects:
                    backward.setdefault(o, []).append(subject)
        return backward.get(obj, [])

    def subclasses(self, cls: ox.NamedNode) -> set[Term]:
        """``cls`` and every class below it by rdfs:subClassOf, as the data states it."""
        found: set[Term] = {cls}
        todo: list[Term] = [cls]
        sub_class_of = ox.NamedNode(str(RDFS.subClassOf))
        while todo:
            for sub in self.subjects(sub_class_of, todo.pop()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def instances(self, cls: ox.NamedNode) -> set[Term]:
        """SHACL's instances of ``cls``: nodes with an rdf:type/rdfs:subClassOf* of it."""
        found = self._instances.get(cls)
        if found is None:
            rdf_type = ox.NamedNode(str(RDF.type))
            found = set()
            for sub in self.subclasses(cls):
                found.update(self.subjects(rdf_type, sub))
            self._instances[cls] = found
        return found

    def is_instance(self, node: Term, cls: ox.NamedNode) -> bool:
        return node in self.instances(cls)

    @property
    def store(self) -> ox.Store:
        """An Oxigraph store of the same triples, loaded once, for SPARQL constraints."""
        if self._store is None:
            self._store = ox.Store()
            self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        return self._store


# ---------------------------------------------------------------- the shapes, compiled

Target = Callable[[DataGraph], set[Term]]
Check = Callable[[DataGraph, Term, Values], Iterator[Term | None]]
"""Yields one item per result: the offending value node, or None where SHACL gives none."""


@dataclass
class Constraint:
    component: str
    check: Check


@dataclass
class Shape:
    node: Node
    path: Node | None
    value_nodes: Callable[[DataGraph, Term], Values]
    message: str
    severity: Node
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[tuple[str, str]] = field(default_factory=list)  # (query, message)


@dataclass
class NodeShape:
    shape: Shape
    targets: list[Target]


#: Predicates of a shape that are not constraint parameters (or are handled apart).
_STRUCTURE = {
    RDF.type, SH.path, SH.message, SH.severity, SH.property, SH.sparql, SH.name, SH.description,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.declare,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.flags,
    RDFS.comment, RDFS.label,
}


def _focus_only(data: DataGraph, focus: Term) -> Values:
    return [focus]


def _ox(node: Node) -> ox.NamedNode | ox.Literal:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
    raise UnsupportedShape(f"a blank node where the fast engine expects an IRI or literal: {node}")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib term pyshacl would see for ``term`` (for comparisons and datatype checks)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise UnsupportedShape("RDF-star triples are not supported by the fast engine")


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes

    def one(self, node: Node, predicate: Node) -> Node | None:
        values = list(self.g.objects(node, predicate))
        if len(values) > 1:
            raise UnsupportedShape(f"{node}: more than one {predicate}")
        return values[0] if values else None

    def path(self, node: Node) -> Callable[[DataGraph, Term], Values]:
        if isinstance(node, rdflib.URIRef):
            predicate = ox.NamedNode(str(node))
            return lambda data, focus: data.objects(focus, predicate)
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            paths = [self.path(p) for p in Collection(self.g, alternatives)]

            def union(data: DataGraph, focus: Term) -> Values:
                return list(dict.fromkeys(v for p in paths for v in p(data, focus)))

            return union
        raise UnsupportedShape(f"path {node}: only predicates and sh:alternativePath are supported")

    def shape(self, node: Node, path: Node | None, nested: bool = False) -> Shape:
        """A shape; ``nested`` for one that only decides conformance (no results reported)."""
        message = self.one(node, SH.message)
        if "{" in str(message):
            raise UnsupportedShape(f"shape {node}: templated messages are not supported")
        if self.one(node, SH.deactivated) is not None:
            raise UnsupportedShape(f"shape {node}: sh:deactivated is not supported")
        value_nodes = self.path(path) if path is not None else _focus_only
        severity = self.one(node, SH.severity) or SH.Violation
        shape = Shape(node, path, value_nodes, str(message or ""), severity)
        handled: set[Node] = set(_STRUCTURE)
        for parameter, build in _PARAMETERS.items():
            argument = self.one(node, parameter)
            if argument is not None:
                built = build(self, node, argument)
                shape.constraints.extend(built if isinstance(built, list) else [built])
                handled.add(parameter)
        for property_node in self.g.objects(node, SH.property):
            if path is not None:
                raise UnsupportedShape(f"shape {node}: sh:property is supported on node shapes only")
            shape.properties.append(self.shape(property_node, self.g.value(property_node, SH.path)))
        for constraint in self.g.objects(node, SH.sparql):
            if path is not None or nested:
                raise UnsupportedShape(f"shape {node}: SPARQL constraints are supported on node shapes only")
            shape.sparql.append(self.sparql(constraint))
        unknown = {p for p in self.g.predicates(node) if p not in handled and str(p).startswith(str(SH))}
        if unknown:
            raise UnsupportedShape(f"shape {node} uses {sorted(map(str, unknown))}")
        if shape.constraints and message is None and not nested:
            raise UnsupportedShape(f"shape {node} has no sh:message (the fast engine needs one)")
        return shape

    def sparql(self, node: Node) -> tuple[str, str]:
        select = self.one(node, SH.select)
        message = self.one(node, SH.message)
        if select is None or message is None:
            raise UnsupportedShape(f"SPARQL constraint {node} needs sh:select and sh:message")
        unknown = {p for p in self.g.predicates(node) if str(p).startswith(str(SH))} - {
            SH.select, SH.message, SH.prefixes
        }
        if unknown or "{" in str(message):
            raise UnsupportedShape(f"SPARQL constraint {node}: only sh:select, sh:message and sh:prefixes")
        prefixes = []
        for declarer in self.g.objects(node, SH.prefixes):
            for declaration in self.g.objects(declarer, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                prefixes.append(f"PREFIX {prefix}: <{self.g.value(declaration, SH.namespace)}>")
        return "\n".join([*prefixes, str(select)]), str(message)

    def node_shapes(self) -> list[NodeShape]:
        """Every shape with a target (typed or not; a property shape too, with its path)."""
        target_kinds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        nodes = {*self.g.subjects(RDF.type, SH.NodeShape), *self.g.subjects(RDF.type, SH.PropertyShape)}
        for kind in target_kinds:
            nodes |= set(self.g.subjects(kind, None))
        compiled = []
        for node in sorted(nodes, key=str):
            targets = [
                _target(kind, _ox(argument))
                for kind in target_kinds
                for argument in self.g.objects(node, kind)
            ]
            if (node, RDF.type, RDFS.Class) in self.g:
                raise UnsupportedShape(f"{node}: implicit class targets are not supported")
            compiled.append(NodeShape(self.shape(node, self.g.value(node, SH.path)), targets))
        return compiled


def _target(kind: Node, argument: ox.NamedNode | ox.Literal) -> Target:
    def nodes(data: DataGraph) -> set[Term]:
        if kind == SH.targetNode:
            return {argument}
        assert isinstance(argument, ox.NamedNode)
        if kind == SH.targetClass:
            return data.instances(argument)
        by_subject = data.forward.get(argument, {})
        if kind == SH.targetSubjectsOf:
            return set(by_subject)
        return {o for objects in by_subject.values() for o in objects}

    return nodes


# ---------------------------------------------------------------- constraint components


def _min_count(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    limit = int(argument)  # type: ignore[call-overload]

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) < limit:
            yield None

    return Constraint("MinCountConstraintComponent", check)


def _max_count(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    limit = int(argument)  # type: ignore[call-overload]

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) > limit:
            yield None

    return Constraint("MaxCountConstraintComponent", check)


def _each(component: str, ok: Callable[[DataGraph, Term], bool]) -> Constraint:
    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        for value in values:
            if not ok(data, value):
                yield value

    return Constraint(component, check)


_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.string): (str, bytes),
    str(RDF.langString): (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}


_TEXT_TYPES = frozenset({str(XSD.string), str(RDF.langString)})


def _datatype(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    """As pyshacl decides it: same datatype IRI, and a lexical form rdflib can read as one."""
    rule = str(argument)
    expected = _VALUE_TYPES.get(rule)

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal):
            return False
        if rule == str(RDFS.Literal):
            return True
        datatype = str(RDF.langString) if value.language else value.datatype.value
        if rule == str(RDFS.Datatype):
            return not value.language
        if datatype != rule:
            return False
        if rule in _TEXT_TYPES:
            return True  # rdflib reads every string as itself: never ill-typed
        literal = to_rdflib(value)
        if getattr(literal, "ill_typed", None) is True:
            return False
        return expected is None or isinstance(literal.value, expected)  # type: ignore[attr-defined]

    return _each("DatatypeConstraintComponent", ok)


_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


def _node_kind(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    kinds = _NODE_KINDS[argument]  # type: ignore[index]
    return _each("NodeKindConstraintComponent", lambda data, value: isinstance(value, kinds))


def _class(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    cls = _ox(argument)
    assert isinstance(cls, ox.NamedNode)
    return _each(
        "ClassConstraintComponent",
        lambda data, value: not isinstance(value, ox.Literal) and data.is_instance(value, cls),
    )


def _string(value: Term) -> str | None:
    """The string pyshacl's string constraints test: the IRI or lexical form; None for a blank node."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value.value
    return None


def _min_length(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    limit = int(argument)  # type: ignore[call-overload]

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) >= limit

    return _each("MinLengthConstraintComponent", ok)


def _pattern(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    flags_node = compiler.one(shape, SH.flags)
    flags = 0
    for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
        if flags_node is not None and letter in str(flags_node).lower():
            flags |= flag
    regex = re.compile(str(argument), flags)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and regex.search(text) is not None

    return _each("PatternConstraintComponent", ok)


def _language_in(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    ranges = [str(tag).lower() for tag in Collection(compiler.g, argument)]

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal) or not value.language:
            return False
        tag = value.language.lower()
        return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)

    return _each("LanguageInConstraintComponent", ok)


def _in(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    allowed = {_ox(member) for member in Collection(compiler.g, argument)}
    return _each("InConstraintComponent", lambda data, value: value in allowed)


def _has_value(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    expected = _ox(argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if expected not in values:
            yield None

    return Constraint("HasValueConstraintComponent", check)


def _comparable(value: Term) -> tuple[bool, object]:
    """A value as pyshacl's property-pair constraints compare it: (is it a string, the value).
    (rdflib terms are themselves str, so the flag cannot be read off the result.)"""
    term = to_rdflib(value)
    if isinstance(term, rdflib.URIRef):
        return True, str(term)
    if isinstance(term, rdflib.Literal) and isinstance(term.value, str):
        return True, term.value
    return False, term


def _range(component: str, argument: Node, holds: Callable[[int], bool]) -> Constraint:
    bound = argument
    assert isinstance(bound, rdflib.Literal)
    bound_is_string = isinstance(bound.value, str)

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal):
            return False
        literal = to_rdflib(value)
        assert isinstance(literal, rdflib.Literal)
        if isinstance(literal.value, str) != bound_is_string:
            return False
        try:
            if literal.eq(bound):
                order = 0
            else:
                order = 1 if literal > bound else -1
        except (TypeError, NotImplementedError):
            return False
        return holds(order)

    return _each(component, ok)


def _min_inclusive(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    return _range("MinInclusiveConstraintComponent", argument, lambda order: order >= 0)


def _max_inclusive(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    return _range("MaxInclusiveConstraintComponent", argument, lambda order: order <= 0)


def _pair(component: str, argument: Node, holds: Callable[[object, object], bool]) -> Constraint:
    other = ox.NamedNode(str(argument))

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            a_is_string, a = _comparable(value)
            for compared in others:
                b_is_string, b = _comparable(compared)
                if a_is_string != b_is_string:
                    yield value
                    continue
                try:
                    if not holds(a, b):
                        yield value
                except TypeError:
                    yield value

    return Constraint(component, check)


def _less_than(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    return _pair("LessThanConstraintComponent", argument, lambda a, b: a < b)  # type: ignore[operator]


def _less_than_or_equals(compiler: _Compiler, shape: Node, argument: Node) -> Constraint:
    return _pair("LessThanOrEqualsConstraintComponent", argument, lambda a, b: a <= b)  # type: ignore[operator]


def _qualified(compiler: _Compiler, shape: Node, argument: Node) -> list[Constraint]:
    if compiler.one(shape, SH.qualifiedValueShapesDisjoint) not in (None, rdflib.Literal(False)):
        raise UnsupportedShape(f"{shape}: sh:qualifiedValueShapesDisjoint is not supported")
    nested = compiler.shape(argument, None, nested=True)
    constraints = []
    for parameter, component, fails in (
        (SH.qualifiedMinCount, "QualifiedMinCountConstraintComponent", lambda n, limit: n < limit),
        (SH.qualifiedMaxCount, "QualifiedMaxCountConstraintComponent", lambda n, limit: n > limit),
    ):
        limit = compiler.one(shape, parameter)
        if limit is None:
            continue

        def check(
            data: DataGraph, focus: Term, values: Values, limit: int = int(limit), fails: Callable = fails  # type: ignore[call-overload, type-arg]
        ) -> Iterator[Term | None]:
            if fails(sum(1 for value in values if _conforms(data, nested, value)), limit):
                yield None

        constraints.append(Constraint(component, check))
    return constraints


Parameter = Callable[[_Compiler, Node, Node], Constraint | list[Constraint]]

_PARAMETERS: dict[Node, Parameter] = {
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.datatype: _datatype,
    SH.nodeKind: _node_kind,
    SH["class"]: _class,
    SH.minLength: _min_length,
    SH.pattern: _pattern,
    SH.languageIn: _language_in,
    SH["in"]: _in,
    SH.hasValue: _has_value,
    SH.minInclusive: _min_inclusive,
    SH.maxInclusive: _max_inclusive,
    SH.lessThan: _less_than,
    SH.lessThanOrEquals: _less_than_or_equals,
    SH.qualifiedValueShape: _qualified,
}


# ---------------------------------------------------------------- evaluation


def _results(data: DataGraph, shape: Shape, focus: Term) -> Iterator[Result]:
    values = shape.value_nodes(data, focus)
    for constraint in shape.constraints:
        for value in constraint.check(data, focus, values):
            yield Result(focus, shape.path, constraint.component, shape.message, value, shape.severity)
    for prop in shape.properties:
        yield from _results(data, prop, focus)


def _conforms(data: DataGraph, shape: Shape, focus: Term) -> bool:
    return next(_results(data, shape, focus), None) is None


def _sparql_results(data: DataGraph, shape: Shape, focus_nodes: set[Term]) -> Iterator[Result]:
    """Each SPARQL constraint once over the whole graph, kept for the shape's focus nodes.

    The same as binding $this to each focus node in turn, as SHACL says, because each of
    the queries binds $this in its outer pattern (checked: a row without it is an error)."""
    for query, message in shape.sparql:
        solutions = data.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = {v.value for v in solutions.variables}
        if "this" not in names:
            raise UnsupportedShape(f"a SPARQL constraint of {shape.node} does not select $this")
        for row in solutions:
            this = row["this"]
            if this is None:
                raise UnsupportedShape(f"a SPARQL constraint of {shape.node} left $this unbound")
            if this not in focus_nodes:
                continue
            path = row["path"] if "path" in names else None
            value = row["value"] if "value" in names else None
            yield Result(
                this,
                rdflib.URIRef(path.value) if isinstance(path, ox.NamedNode) else shape.path,
                "SPARQLConstraintComponent",
                message,
                value if value is not None else this,
                shape.severity,
            )


def compile_shapes(shapes: Graph) -> list[NodeShape]:
    return _Compiler(shapes).node_shapes()


def validate(data: DataGraph, shapes: list[NodeShape]) -> list[Result]:
    results: list[Result] = []
    for node_shape in shapes:
        focus_nodes: set[Term] = set()
        for target in node_shape.targets:
            focus_nodes |= target(data)
        for focus in focus_nodes:
            results.extend(_results(data, node_shape.shape, focus))
        if node_shape.shape.sparql and focus_nodes:
            results.extend(_sparql_results(data, node_shape.shape, focus_nodes))
    return results
