"""The fast SHACL engine: the Core constraints checked on the triples as parsed (terms as
written), the SPARQL constraints run in Oxigraph.

pyshacl is the reference (``omskg validate --engine pyshacl``). tests/test_shapes.py shows
that both report the same results for every constraint of shapes/, and
tests/test_shacl_engine.py runs the W3C SHACL test suite (when OMSKG_SHACL_SUITE names it):
on every test this engine gives the expected report or refuses the shapes. It is linear in
the graph's size where pyshacl is not: pyshacl re-parses a SPARQL constraint for every
focus node, and looks up each value through rdflib.

What is implemented: every SHACL Core target, path and constraint component (recursive
shapes are refused); SPARQL-based constraints and SPARQL-based constraint components
(ASK and SELECT validators) with $this, $value, $PATH and the component's parameters
pre-bound. What is refused with ``UnsupportedShape``, never half-checked: $shapesGraph and
$currentShape, SHACL-AF (sh:target, rules, functions), JavaScript, and any sh: term on a
shape this module does not know. A shapes graph that SHACL calls ill-formed (a SPARQL
query with MINUS, SERVICE, VALUES or ``AS $this``; a sh:minCount that is not a number;
a ?failure row) raises ``ShapesError``.

How a SPARQL constraint runs. SHACL defines it per focus node, with $this pre-bound
(Replace(E, mu) of the standard: every basic graph pattern and path joined with
{this: focus}). Oxigraph's query substitutions implement that binding, and are used per
focus node for any query. A query of one proven form is run once over the whole graph
instead, its rows kept for the shape's focus nodes (``_bulk_form``, an allowlist): a
SELECT whose outer pattern binds $this in a plain triple pattern, built only of triple
patterns, paths, OPTIONAL blocks of triple patterns and paths (with their FILTER), and
FILTERs; $this in a FILTER or OPTIONAL only where the pattern under it binds $this;
EXISTS blocks of triple patterns and FILTERs. For that form the two evaluations give the
same rows: every solution binds $this, so joining each pattern with {this: focus} keeps
exactly the rows whose $this is the focus.

Why the Core is not SPARQL: Oxigraph stores a literal by its value, so
"68"^^xsd:nonNegativeInteger comes back as "68"^^xsd:integer and "18.0" as "18";
sh:datatype, sh:in, sh:pattern and the counts must see the terms as written. The SPARQL
constraints do see Oxigraph's values (a query's DATATYPE() or STR() of such a literal
gives the value's, not the written form's); a value or focus node they report is mapped
back to the term as written in the data.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Graph, Node
from rdflib.collection import Collection

from omskg.vocab import SH

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Values = list[Term]


class ShapesError(ValueError):
    """The shapes cannot be checked: ill-formed, or a SHACL failure while validating."""


class UnsupportedShape(ShapesError):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the data and of the shapes graph."""

    focus: Term
    path: Node | None
    component: str  # the local name of a sh: component, else the component's full IRI
    message: str
    value: Term | None
    severity: Node
    shape: Node | None = None
    source: Node | None = None  # the SPARQL constraint or validator, where there is one


@contextlib.contextmanager
def as_written() -> Iterator[None]:
    """rdflib keeps every literal's lexical form while this is open ("yes"^^xsd:boolean
    stays "yes" instead of becoming "false"; "01"^^xsd:integer stays "01")."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


# ---------------------------------------------------------------- the data, indexed


class DataGraph:
    """The triples, indexed by predicate and subject (and, when needed, object and subject)."""

    def __init__(self, triples: Iterable[ox.Triple], ntriples: bytes | None = None) -> None:
        """``ntriples``: the same triples as N-Triples, if at hand (the store loads them faster)."""
        self.triples = triples if isinstance(triples, (set, frozenset)) else set(triples)
        self._ntriples = ntriples
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
        self._instances: dict[Term, set[Term]] = {}
        self._outgoing: dict[Term, list[tuple[ox.NamedNode, Term]]] | None = None
        self._store: ox.Store | None = None
        self._written: dict[ox.Literal, ox.Literal | None] | None = None
        self.active: set[tuple[int, Term]] = set()  # (shape, focus) being checked, against recursion

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

    def outgoing(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        if self._outgoing is None:
            self._outgoing = {}
            for triple in self.triples:
                self._outgoing.setdefault(triple.subject, []).append((triple.predicate, triple.object))
        return self._outgoing.get(subject, [])

    def subclasses(self, cls: Term) -> set[Term]:
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

    def instances(self, cls: Term) -> set[Term]:
        """SHACL's instances of ``cls``: nodes with an rdf:type/rdfs:subClassOf* of it."""
        found = self._instances.get(cls)
        if found is None:
            rdf_type = ox.NamedNode(str(RDF.type))
            found = set()
            for sub in self.subclasses(cls):
                found.update(self.subjects(rdf_type, sub))
            self._instances[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        return node in self.instances(cls)

    @property
    def store(self) -> ox.Store:
        """An Oxigraph store of the same triples, loaded once, for SPARQL constraints."""
        if self._store is None:
            self._store = ox.Store()
            if self._ntriples is not None:
                self._store.bulk_load(self._ntriples, format=ox.RdfFormat.N_TRIPLES)
            else:
                self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        return self._store

    def as_written(self, term: Term) -> Term:
        """The data's own literal for a literal Oxigraph gives back by its value ("18" for
        "18.0"^^xsd:decimal); the term itself when there is none or more than one."""
        if not isinstance(term, ox.Literal) or term.language or term.datatype.value == str(XSD.string):
            return term
        if self._written is None:
            typed = {
                o for t in self.triples
                if isinstance(o := t.object, ox.Literal)
                and not o.language and o.datatype.value != str(XSD.string)
            }
            probe = ox.Store()
            subject, predicate = ox.NamedNode("urn:omskg:probe"), ox.NamedNode("urn:omskg:value")
            written: dict[ox.Literal, ox.Literal | None] = {}
            for literal in typed:
                probe.add(ox.Quad(subject, predicate, literal))
                stored = next(iter(probe.quads_for_pattern(subject, predicate, None))).object
                probe.remove(ox.Quad(subject, predicate, literal))
                assert isinstance(stored, ox.Literal)
                if stored != literal:
                    written[stored] = None if stored in written else literal
            self._written = written
        return self._written.get(term) or term


# ---------------------------------------------------------------- terms


def _ox(node: Node) -> Term:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))
    raise ShapesError(f"not an RDF term: {node!r}")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib term for ``term``, its lexical form as written."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdflib warns about every ill-typed literal
            if term.language:
                return rdflib.Literal(term.value, lang=term.language, normalize=False)
            if term.datatype.value == str(XSD.string):
                return rdflib.Literal(term.value, normalize=False)
            return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise UnsupportedShape("RDF-star triples are not supported by the fast engine")


# ---------------------------------------------------------------- comparing literals

_INTEGERS = {
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
}
_XSD = str(XSD)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_FLOAT = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN")
_TEMPORAL = {
    "dateTime": re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
    "date": re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)()()()()(Z|[+-]\d\d:\d\d)?"),
    "time": re.compile(r"()()()(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
}
_FOURTEEN_HOURS = timedelta(hours=14)


def _temporal(kind: str, lexical: str) -> tuple[datetime, timedelta | None] | None:
    """A date, time or dateTime as (local time, its time-zone offset or None)."""
    match = _TEMPORAL[kind].fullmatch(lexical)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year or 1972), int(month or 12), int(day or 31),
            0 if hour == "24" else int(hour or 0), int(minute or 0), int(second or 0),
            int(Decimal(fraction or "0") * 1_000_000),
        )
    except ValueError:
        return None  # a year outside 1..9999, or no such day
    if hour == "24":
        if minute != "00" or second != "00" or (fraction or ".0").strip(".0"):
            return None
        moment += timedelta(days=1)
    if zone is None:
        return moment, None
    if zone == "Z":
        return moment, timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    return moment, sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))


def _sort_key(term: Term) -> tuple[str, Any] | None:
    """A literal as SPARQL's < compares it: (its kind, its value); None where it has no
    order (an IRI, a blank node, a language-tagged string, an ill-typed or unordered literal)."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    datatype, lexical = term.datatype.value, term.value
    if not datatype.startswith(_XSD):
        return None
    local = datatype[len(_XSD):]
    if local == "string":
        return "string", lexical
    if local == "boolean":
        truth = {"true": True, "1": True, "false": False, "0": False}.get(lexical)
        return None if truth is None else ("boolean", truth)
    if local in _INTEGERS or local == "decimal":
        literal = to_rdflib(term)
        if getattr(literal, "ill_typed", False) or not _NUMBER.fullmatch(lexical) or (
            local != "decimal" and "." in lexical
        ):
            return None
        return "number", Decimal(lexical)
    if local in ("float", "double"):
        if not _FLOAT.fullmatch(lexical) or lexical == "NaN":
            return None
        return "number", Decimal(lexical.replace("INF", "Infinity"))
    if local in _TEMPORAL:
        moment = _temporal(local, lexical)
        return None if moment is None else (local, moment)
    return None


def compare(a: Term, b: Term) -> int | None:
    """-1, 0 or 1 as SPARQL's operators order ``a`` and ``b``; None where they are
    incomparable (which SHACL's range and property-pair constraints count as a violation).
    A time zone against none is ordered only when they differ by more than 14 hours (XSD)."""
    key_a, key_b = _sort_key(a), _sort_key(b)
    if key_a is None or key_b is None or key_a[0] != key_b[0]:
        return None
    x, y = key_a[1], key_b[1]
    if key_a[0] in _TEMPORAL:
        (local_x, zone_x), (local_y, zone_y) = x, y
        if (zone_x is None) == (zone_y is None):
            x = local_x - (zone_x or timedelta(0))
            y = local_y - (zone_y or timedelta(0))
        elif zone_x is None:
            instant = local_y - zone_y
            if local_x + _FOURTEEN_HOURS < instant:
                return -1
            if local_x - _FOURTEEN_HOURS > instant:
                return 1
            return None
        else:
            order = compare(b, a)
            return None if order is None else -order
    try:
        return int(x > y) - int(x < y)
    except (TypeError, InvalidOperation):
        return None


# ---------------------------------------------------------------- paths

PathFn = Callable[["DataGraph", Term], Values]


def _unique(values: Iterable[Term]) -> Values:
    return list(dict.fromkeys(values))


def _closure(step: PathFn, data: DataGraph, start: Term, with_start: bool) -> Values:
    found: dict[Term, None] = {start: None} if with_start else {}
    todo = [start]
    seen = {start}
    while todo:
        for node in step(data, todo.pop()):
            found.setdefault(node, None)
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return list(found)


@dataclass
class Path:
    """A SHACL property path: its node in the shapes graph, both directions, SPARQL syntax."""

    node: Node
    forward: PathFn
    backward: PathFn
    sparql: str


def _compile_path(g: Graph, node: Node, depth: int = 0) -> Path:
    if depth > 50:
        raise ShapesError(f"path {node}: nested too deeply (a cycle?)")
    if isinstance(node, rdflib.URIRef):
        predicate = ox.NamedNode(str(node))
        return Path(
            node,
            lambda data, focus: data.objects(focus, predicate),
            lambda data, value: data.subjects(predicate, value),
            f"<{node}>",
        )
    if not isinstance(node, rdflib.BNode):
        raise ShapesError(f"sh:path {node}: a path must be an IRI or a blank node")
    if (node, RDF.first, None) in g:
        steps = [_compile_path(g, p, depth + 1) for p in Collection(g, node)]
        if len(steps) < 2:
            raise ShapesError(f"path {node}: a sequence path needs at least two members")

        def forward(data: DataGraph, focus: Term) -> Values:
            nodes = [focus]
            for step in steps:
                nodes = _unique(v for n in nodes for v in step.forward(data, n))
            return nodes

        def backward(data: DataGraph, value: Term) -> Values:
            nodes = [value]
            for step in reversed(steps):
                nodes = _unique(v for n in nodes for v in step.backward(data, n))
            return nodes

        return Path(node, forward, backward, "(" + "/".join(s.sparql for s in steps) + ")")
    kinds = {
        SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath
    } & set(g.predicates(node))
    if len(kinds) != 1 or len(list(g.predicate_objects(node))) != 1:
        raise ShapesError(f"path {node}: not a SHACL property path")
    kind = kinds.pop()
    argument = g.value(node, kind)
    assert argument is not None
    if kind == SH.alternativePath:
        if (argument, RDF.first, None) not in g:
            raise ShapesError(f"path {node}: sh:alternativePath needs a list")
        options = [_compile_path(g, p, depth + 1) for p in Collection(g, argument)]
        if len(options) < 2:
            raise ShapesError(f"path {node}: sh:alternativePath needs at least two members")
        return Path(
            node,
            lambda data, focus: _unique(v for p in options for v in p.forward(data, focus)),
            lambda data, value: _unique(v for p in options for v in p.backward(data, value)),
            "(" + "|".join(p.sparql for p in options) + ")",
        )
    inner = _compile_path(g, argument, depth + 1)
    if kind == SH.inversePath:
        return Path(node, inner.backward, inner.forward, f"(^{inner.sparql})")
    if kind == SH.zeroOrOnePath:
        return Path(
            node,
            lambda data, focus: _unique([focus, *inner.forward(data, focus)]),
            lambda data, value: _unique([value, *inner.backward(data, value)]),
            f"({inner.sparql})?",
        )
    with_start = kind == SH.zeroOrMorePath
    return Path(
        node,
        lambda data, focus: _closure(inner.forward, data, focus, with_start),
        lambda data, value: _closure(inner.backward, data, value, with_start),
        f"({inner.sparql}){'*' if with_start else '+'}",
    )


# ---------------------------------------------------------------- the shapes, compiled

Target = Callable[[DataGraph], set[Term]]
Check = Callable[[DataGraph, Term, Values], Iterator["Term | None | Hit"]]
"""Yields one item per result: the offending value node, None where SHACL gives none, or a
``Hit`` where the result has a path of its own (sh:closed)."""


@dataclass(frozen=True)
class Hit:
    value: Term
    path: Node


@dataclass
class Constraint:
    component: str
    check: Check
    default_message: str


@dataclass(eq=False)
class Sparql:
    """A SPARQL-based constraint, or one use of a SPARQL-based constraint component."""

    node: Node
    query: str
    ask: bool
    message: str | None
    component: str
    bindings: dict[str, Term]  # parameters, pre-bound with $this
    bulk: bool  # may run once over the whole graph (see the module's docstring)


@dataclass(eq=False)
class Shape:
    node: Node
    path: Path | None
    value_nodes: PathFn
    message: str | None
    severity: Node
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[Sparql] = field(default_factory=list)


@dataclass
class NodeShape:
    shape: Shape
    targets: list[Target]


#: Predicates of a shape that are not constraint parameters (or are handled apart).
_STRUCTURE = {
    RDF.type, SH.path, SH.message, SH.severity, SH.property, SH.sparql, SH.name, SH.description,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.declare,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.flags,
    SH.deactivated, SH.ignoredProperties, SH.order, SH.group, SH.defaultValue, SH.prefixes,
    SH.labelTemplate, SH.parameter, SH.validator, SH.nodeValidator, SH.propertyValidator,
    SH.optional, SH.select, SH.ask, SH.prefix, SH.namespace, SH.suggestedShapesGraph,
    SH.shapesGraph, SH.entailment, SH.conforms, SH.result, SH.focusNode, SH.resultPath,
    SH.resultSeverity, SH.sourceConstraintComponent, SH.sourceShape, SH.value, SH.resultMessage,
    RDFS.comment, RDFS.label, RDFS.subClassOf, RDFS.seeAlso, RDFS.isDefinedBy, OWL.imports,
}

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _focus_only(data: DataGraph, focus: Term) -> Values:
    return [focus]


def _pick_message(values: Iterable[Node]) -> str | None:
    """One sh:message, deterministically: one without a language, else English, else the first."""
    messages = sorted(values, key=lambda m: (getattr(m, "language", None) not in (None, "en"),
                                             getattr(m, "language", None) or "", str(m)))
    return str(messages[0]) if messages else None


def _local(iri: Node) -> str:
    return re.split(r"[/#]", str(iri))[-1]


@dataclass
class _Component:
    """A SPARQL-based constraint component declared in the shapes graph."""

    node: Node
    parameters: list[tuple[rdflib.URIRef, bool]]  # (path, optional)
    validator: Node | None
    node_validator: Node | None
    property_validator: Node | None
    message: str | None


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.compiled: dict[Node, Shape] = {}
        self.components = self._components()
        self.parameters = {path for c in self.components for path, _ in c.parameters}

    def one(self, node: Node, predicate: Node) -> Node | None:
        values = list(self.g.objects(node, predicate))
        if len(values) > 1:
            raise ShapesError(f"{node}: more than one {predicate}")
        return values[0] if values else None

    def integer(self, node: Node, predicate: Node, argument: Node) -> int:
        if not isinstance(argument, rdflib.Literal) or not isinstance(argument.toPython(), int) or (
            isinstance(argument.toPython(), bool)
        ):
            raise ShapesError(f"{node}: {predicate} must be an integer, not {argument}")
        return int(argument.toPython())

    def boolean(self, node: Node, predicate: Node) -> bool:
        value = self.one(node, predicate)
        if value is None:
            return False
        if not isinstance(value, rdflib.Literal) or value.datatype != XSD.boolean or str(value) not in (
            "true", "false", "1", "0"
        ):
            raise ShapesError(f"{node}: {predicate} must be an xsd:boolean, not {value}")
        return str(value) == "true"  # SHACL names the value true: "1"^^xsd:boolean is not it

    def items(self, node: Node, argument: Node, predicate: Node) -> list[Node]:
        if argument != RDF.nil and (argument, RDF.first, None) not in self.g:
            raise ShapesError(f"{node}: the value of {predicate} must be a list")
        return list(Collection(self.g, argument))

    def shape(self, node: Node) -> Shape:
        """The shape at ``node`` (compiled once; a shape that refers to itself is allowed
        here and refused if validation ever recurses into it)."""
        known = self.compiled.get(node)
        if known is not None:
            return known
        if isinstance(node, rdflib.Literal):
            raise ShapesError(f"a literal where a shape is expected: {node}")
        path_node = self.one(node, SH.path)
        path = _compile_path(self.g, path_node) if path_node is not None else None
        severity = self.one(node, SH.severity) or SH.Violation
        shape = Shape(
            node, path, path.forward if path is not None else _focus_only,
            _pick_message(self.g.objects(node, SH.message)), severity,
            deactivated=self.boolean(node, SH.deactivated),
        )
        self.compiled[node] = shape
        for parameter, build in _PARAMETERS.items():
            for argument in sorted(self.g.objects(node, parameter), key=str):
                built = build(self, shape, argument)
                shape.constraints.extend(built if isinstance(built, list) else [built])
        for property_node in sorted(self.g.objects(node, SH.property), key=str):
            if self.one(property_node, SH.path) is None:
                raise ShapesError(f"{node}: the sh:property {property_node} has no sh:path")
            shape.properties.append(self.shape(property_node))
        for constraint in sorted(self.g.objects(node, SH.sparql), key=str):
            compiled = self.sparql(constraint, shape)
            if compiled is not None:
                shape.sparql.append(compiled)
        for component in self.components:
            shape.sparql.extend(self.component(component, shape))
        unknown = {
            p for p in self.g.predicates(node)
            if p not in _STRUCTURE and p not in _PARAMETERS and str(p).startswith(str(SH))
        }
        if unknown:
            raise UnsupportedShape(f"shape {node} uses {', '.join(sorted(map(str, unknown)))}")
        return shape

    # ------------------------------------------------------------ SPARQL

    def prefixes(self, node: Node) -> str:
        declared: dict[str, str] = {}
        declarers = list(self.g.objects(node, SH.prefixes))
        for declarer in declarers:
            declarers.extend(i for i in self.g.objects(declarer, OWL.imports) if i not in declarers)
            for declaration in self.g.objects(declarer, SH.declare):
                prefix, namespace = self.one(declaration, SH.prefix), self.one(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise ShapesError(f"{declarer}: a sh:declare needs sh:prefix and sh:namespace")
                if declared.get(str(prefix), str(namespace)) != str(namespace):
                    raise ShapesError(f"{declarer}: prefix {prefix} declared twice")
                declared[str(prefix)] = str(namespace)
        return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(declared.items()))

    def sparql(self, node: Node, shape: Shape) -> Sparql | None:
        unknown = {p for p in self.g.predicates(node) if str(p).startswith(str(SH))} - {
            SH.select, SH.message, SH.prefixes, SH.deactivated
        }
        if node in self.compiled or any((node, kind, None) in self.g for kind in _TARGETS):
            # the constraint is a shape as well (sparql/node/sparql-002)
            unknown -= _STRUCTURE | set(_PARAMETERS)
        if unknown:
            raise UnsupportedShape(f"SPARQL constraint {node} uses {', '.join(sorted(map(str, unknown)))}")
        select = self.one(node, SH.select)
        if select is None:
            raise ShapesError(f"SPARQL constraint {node} needs a sh:select")
        if self.boolean(node, SH.deactivated):
            return None
        query = self.prefixes(node) + self.substitute_path(str(select), shape, node)
        bulk = _analyse(query, {"this"}, ask=False, where=f"the SPARQL constraint {node} of {shape.node}")
        return Sparql(node, query, False, _pick_message(self.g.objects(node, SH.message)),
                      "SPARQLConstraintComponent", {}, bulk)

    def substitute_path(self, query: str, shape: Shape, where: Node) -> str:
        if re.search(r"\$PATH\b", query) is None:
            return query
        if shape.path is None:
            raise ShapesError(f"{where}: $PATH in a query of the node shape {shape.node}")
        return re.sub(r"\$PATH\b", shape.path.sparql, query)

    def _components(self) -> list[_Component]:
        components = []
        classes: list[Node] = [SH.ConstraintComponent]
        for cls in classes:
            classes.extend(c for c in self.g.subjects(RDFS.subClassOf, cls) if c not in classes)
        declared = {node for cls in classes for node in self.g.subjects(RDF.type, cls)}
        for node in sorted(declared, key=str):
            parameters = []
            for parameter in self.g.objects(node, SH.parameter):
                path = self.one(parameter, SH.path)
                if not isinstance(path, rdflib.URIRef):
                    raise ShapesError(f"{node}: a sh:parameter needs an IRI as its sh:path")
                parameters.append((path, self.boolean(parameter, SH.optional)))
            if not parameters:
                raise ShapesError(f"constraint component {node} has no sh:parameter")
            components.append(_Component(
                node, sorted(parameters), self.one(node, SH.validator), self.one(node, SH.nodeValidator),
                self.one(node, SH.propertyValidator), _pick_message(self.g.objects(node, SH.message)),
            ))
        return components

    def component(self, component: _Component, shape: Shape) -> list[Sparql]:
        """The uses of a SPARQL-based constraint component by ``shape``: one per combination
        of its parameters' values, where every mandatory parameter has one."""
        values = {p: sorted(self.g.objects(shape.node, p), key=str) for p, _ in component.parameters}
        mandatory = [p for p, optional in component.parameters if not optional]
        if not any(values.values()) or any(not values[p] for p in mandatory):
            return []
        if any(p in (SH.path, SH.message) for p, _ in component.parameters):
            raise UnsupportedShape(f"constraint component {component.node}: a parameter named sh:path")
        combinations: list[dict[str, Term]] = [{}]
        for path, _ in component.parameters:
            name = _local(path)
            if values[path]:
                combinations = [{**c, name: _ox(v)} for c in combinations for v in values[path]]
        if shape.path is None:
            validator = component.node_validator or component.validator
        else:
            validator = component.property_validator or component.validator
        if validator is None:
            raise UnsupportedShape(
                f"constraint component {component.node} has no validator for "
                f"{'property' if shape.path is not None else 'node'} shapes (used by {shape.node})"
            )
        ask, select = self.one(validator, SH.ask), self.one(validator, SH.select)
        if (ask is None) == (select is None):
            raise UnsupportedShape(
                f"validator {validator} of {component.node}: only SPARQL ASK or SELECT validators"
            )
        if ask is not None and validator in (component.node_validator, component.property_validator):
            raise ShapesError(f"validator {validator}: node and property validators must be SELECT queries")
        body = str(ask if ask is not None else select)
        text = self.prefixes(validator) + self.substitute_path(body, shape, validator)
        prebound = {"this", *(_local(p) for p, _ in component.parameters)}
        if ask is not None:
            prebound.add("value")
        _analyse(text, prebound, ask=ask is not None, where=f"the validator {validator} of {component.node}")
        message = _pick_message(self.g.objects(validator, SH.message)) or component.message
        return [
            Sparql(validator, text, ask is not None, message, str(component.node), bindings, bulk=False)
            for bindings in combinations
        ]

    # ------------------------------------------------------------ targets

    def node_shapes(self) -> list[NodeShape]:
        """Every shape with a target (typed or not; a property shape too, with its path)."""
        typed = {*self.g.subjects(RDF.type, SH.NodeShape), *self.g.subjects(RDF.type, SH.PropertyShape)}
        nodes = {n for n in typed if (n, RDF.type, RDFS.Class) in self.g}
        for kind in _TARGETS:
            nodes |= set(self.g.subjects(kind, None))
        if (None, SH.target, None) in self.g:
            raise UnsupportedShape("sh:target (SHACL Advanced Features) is not supported")
        compiled = []
        for node in sorted(nodes, key=str):
            targets = [
                _target(kind, _ox(argument)) for kind in _TARGETS for argument in self.g.objects(node, kind)
            ]
            if node in typed and (node, RDF.type, RDFS.Class) in self.g:
                targets.append(_target(SH.targetClass, _ox(node)))  # an implicit class target
            compiled.append(NodeShape(self.shape(node), targets))
        return compiled


def _target(kind: Node, argument: Term) -> Target:
    def nodes(data: DataGraph) -> set[Term]:
        if kind == SH.targetNode:
            return {argument}
        if not isinstance(argument, ox.NamedNode):
            return set()
        if kind == SH.targetClass:
            return data.instances(argument)
        by_subject = data.forward.get(argument, {})
        if kind == SH.targetSubjectsOf:
            return set(by_subject)
        return {o for objects in by_subject.values() for o in objects}

    return nodes


# ---------------------------------------------------------------- SPARQL queries: what may run how


def _variables(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, rdflib.Variable):
        found.add(str(value))
    elif isinstance(value, dict):  # CompValue is an OrderedDict
        for key, item in value.items():
            if key != "_vars":
                _variables(item, found)
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "ParseResults":
        for item in value:
            _variables(item, found)
    return found


def _nodes(value: Any) -> Iterator[Any]:
    """Every algebra or parse-tree node (rdflib CompValue) under ``value``."""
    if isinstance(value, dict):
        if hasattr(value, "name"):
            yield value
        for key, item in value.items():
            if key != "_vars":
                yield from _nodes(item)
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "ParseResults":  # (pyparsing's)
        for item in value:
            yield from _nodes(item)


def _analyse(query: str, prebound: set[str], ask: bool, where: str, quick: bool = True) -> bool:
    """Refuse what SHACL forbids and what this engine cannot bind; say whether the query
    is of the form that may run once over the whole graph (see the module's docstring)."""
    try:
        ox.Store().query(query)  # Oxigraph runs it: its parser must take it too (no default prefixes)
    except SyntaxError as error:
        raise ShapesError(f"{where}: not a valid SPARQL query: {error}") from None
    if quick and not ask and _simple_bulk_form(query):
        return True  # proven without a SPARQL parser (a build need not load rdflib's)
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except Exception as error:  # pyparsing's errors have no common base worth naming
        raise ShapesError(f"{where}: not a valid SPARQL query: {error}") from None
    for node in _nodes(list(tree)):
        if node.name == "SubSelect":
            projection = node["projection"] if "projection" in node else None
            if not projection:  # SELECT *: the variables of its triple patterns
                returned = _variables([n for n in _nodes(node["where"]) if n.name == "TriplesBlock"], set())
            else:
                returned = {str(p["var"] if "var" in p else p["evar"]) for p in projection}
            missing = (prebound - {"shapesGraph", "currentShape"}) - returned
            if missing:
                needed = ", $".join(sorted(missing))
                raise ShapesError(f"{where}: SHACL requires a subquery to return ${needed}")
    try:
        algebra = translateQuery(tree).algebra  # (after the subqueries: translating rewrites the tree)
    except Exception as error:
        raise ShapesError(f"{where}: not a valid SPARQL query: {error}") from None
    if algebra.name != ("AskQuery" if ask else "SelectQuery"):
        raise ShapesError(f"{where}: must be a SPARQL {'ASK' if ask else 'SELECT'} query")
    variables = _variables(algebra, set())
    for name in ("shapesGraph", "currentShape"):
        if name in variables:
            raise UnsupportedShape(f"{where}: ${name} is not supported")
    for node in _nodes(algebra):
        if node.name in ("Minus", "MinusGraphPattern"):
            raise ShapesError(f"{where}: SHACL forbids MINUS in a SPARQL constraint")
        if node.name == "ServiceGraphPattern":
            raise ShapesError(f"{where}: SHACL forbids SERVICE in a SPARQL constraint")
        if node.name in ("values", "InlineData", "ValuesClause"):
            raise ShapesError(f"{where}: SHACL forbids VALUES in a SPARQL constraint")
        if node.name in ("Extend", "Bind") and str(node.get("var")) in prebound:
            raise ShapesError(f"{where}: SHACL forbids AS ${node.get('var')} for a pre-bound variable")
    if ask:
        return False
    project = algebra.p
    while project.name in ("Distinct", "Reduced"):
        project = project.p
    if project.name != "Project" or "this" not in {str(v) for v in project.PV}:
        return False
    return _binds_this(project.p) and _bulk_pattern(project.p)


_LEXEME = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*')"
    r"(?:\^\^(?:<[^<>\"{}|^`\\\s]*>|[\w.-]*:[\w.-]*)|@[A-Za-z]+(?:-[A-Za-z0-9]+)*)?"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<number>[+-]?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
    r"|(?P<name>[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*|[A-Za-z_]\w*)"
    r"|(?P<space>\s+)"
    r"|(?P<punct>&&|\|\||!=|<=|>=|\^\^|[{}()\[\];,.*/|^+?!=<>-])",
)
#: Words that leave the simple form (the full analysis decides on those queries).
_NOT_SIMPLE = {
    "minus", "service", "values", "bind", "graph", "union", "as", "group", "order", "limit", "offset",
    "having", "from", "construct", "ask", "describe", "base", "select", "undef", "load", "insert", "delete",
}


def _simple_bulk_form(query: str) -> bool:
    """A quick proof, without a SPARQL parser, that ``query`` is of the form run once over the
    graph (``_bulk_pattern``) and uses nothing SHACL forbids; False where it cannot tell.

    Accepted: PREFIX declarations; SELECT [DISTINCT] with variables only, $this among them;
    a WHERE group of triple patterns (the first of them binding $this as subject or object
    under a plain predicate), OPTIONAL groups of triple patterns and FILTERs, and FILTERs
    whose EXISTS and NOT EXISTS groups hold only triple patterns and FILTERs."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        match = _LEXEME.match(query, position)
        if match is None:
            return False
        position = match.end()
        kind = match.lastgroup or "string"
        if kind not in ("space", "comment"):
            tokens.append((kind, match[0]))
    words = [text.lower() for kind, text in tokens if kind == "name"]
    # the prologue
    index = 0
    while index < len(tokens) and tokens[index][1].lower() == "prefix":
        if index + 2 >= len(tokens) or tokens[index + 2][0] != "iri":
            return False
        index += 3
    if index >= len(tokens) or tokens[index][1].lower() != "select" or words.count("select") != 1:
        return False
    if any(word in _NOT_SIMPLE - {"select"} for word in words):
        return False
    if any(text.lower() in ("?shapesgraph", "$shapesgraph", "?currentshape", "$currentshape")
           for _, text in tokens):
        return False
    index += 1
    if index < len(tokens) and tokens[index][1].lower() in ("distinct", "reduced"):
        index += 1
    projected = []
    while index < len(tokens) and tokens[index][0] == "var":
        projected.append(tokens[index][1][1:])
        index += 1
    if "this" not in projected:
        return False
    if index < len(tokens) and tokens[index][1].lower() == "where":
        index += 1
    if index >= len(tokens) or tokens[index][1] != "{" or tokens[-1][1] != "}":
        return False
    body = tokens[index + 1:-1]
    # every group is the WHERE group, an OPTIONAL group in it, or an EXISTS group
    depth, first_block, seen_other, optional_depth = 1, [], False, None
    for position, (kind, text) in enumerate(body):
        before = body[position - 1][1].lower() if position else ""
        if text == "{":
            if before == "optional" and depth == 1:
                optional_depth = depth + 1
            elif before != "exists":
                return False
            depth += 1
        elif text == "}":
            depth -= 1
            if depth < 1:
                return False
            if optional_depth is not None and depth < optional_depth:
                optional_depth = None
        elif text in ("[", "("):
            if depth == 1 and not seen_other or text == "[":
                return False  # a blank node or a list in a triple pattern: not the simple form
        elif text.lower() == "optional" and depth != 1:
            return False
        if depth == 1 and text.lower() in ("optional", "filter"):
            seen_other = True
        if depth == 1 and not seen_other and text != "{":
            first_block.append((kind, text))
    return depth == 1 and _binds_this_plainly(first_block)


def _binds_this_plainly(block: list[tuple[str, str]]) -> bool:
    """Has a triples block a pattern with $this as subject or object under a plain predicate?"""
    statements: list[list[tuple[str, str]]] = [[]]
    for token in block:
        if token[1] == ".":
            statements.append([])
        else:
            statements[-1].append(token)
    for statement in statements:
        if not statement:
            continue
        subject, rest = statement[0], statement[1:]
        for part in _split(rest, ";"):
            pieces = _split(part, ",")
            if not pieces or len(pieces[0]) < 2:
                continue
            predicate, objects = pieces[0][:-1], [pieces[0][-1], *(p[0] for p in pieces[1:] if len(p) == 1)]
            plain = len(predicate) == 1 and predicate[0][0] in ("iri", "name", "var")
            if plain and any(t[1][1:] == "this" and t[0] == "var" for t in [subject, *objects]):
                return True
    return False


def _split(tokens: list[tuple[str, str]], separator: str) -> list[list[tuple[str, str]]]:
    parts: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token[1] == separator:
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


_THIS = rdflib.Variable("this")


def _binds_this(pattern: Any) -> bool:
    """Does every solution of ``pattern`` bind $this, by a plain triple pattern?"""
    if pattern.name == "BGP":
        return any(_THIS in (s, o) and not isinstance(p, rdflib.paths.Path) for s, p, o in pattern.triples)
    if pattern.name == "Join":
        return _binds_this(pattern.p1) or _binds_this(pattern.p2)
    if pattern.name in ("Filter", "LeftJoin"):
        return _binds_this(pattern.p if pattern.name == "Filter" else pattern.p1)
    return False


def _flat_group(group: Any) -> bool:
    """An EXISTS block of triple patterns and FILTERs (whose EXISTS blocks are flat too), as
    parsed or as translated to the algebra."""
    name = getattr(group, "name", None)
    if name == "BGP":
        return True
    if name == "Join":
        return _flat_group(group.p1) and _flat_group(group.p2)
    if name == "Filter":
        return _flat_expression(group.expr) and _flat_group(group.p)
    if name != "GroupGraphPatternSub":
        return False
    for part in group.part or []:
        if part.name == "TriplesBlock":
            continue
        if part.name == "Filter" and _flat_expression(part.expr):
            continue
        return False
    return True


def _flat_expression(expression: Any) -> bool:
    return all(
        _flat_group(node.graph)
        for node in _nodes(expression)
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
    )


def _bulk_pattern(pattern: Any) -> bool:
    name = pattern.name
    if name == "BGP":
        return True
    if name == "Join":
        return _bulk_pattern(pattern.p1) and _bulk_pattern(pattern.p2)
    if name == "Filter":
        if "this" in _variables(pattern.expr, set()) and not _binds_this(pattern.p):
            return False
        return _flat_expression(pattern.expr) and _bulk_pattern(pattern.p)
    if name == "LeftJoin":
        expression = pattern.expr
        if "this" in _variables(expression, set()) and not _binds_this(pattern.p1):
            return False
        return (
            _flat_expression(expression) and _bulk_pattern(pattern.p1) and _bgps_only(pattern.p2)
        )
    return False


def _bgps_only(pattern: Any) -> bool:
    if pattern.name == "BGP":
        return True
    return pattern.name == "Join" and _bgps_only(pattern.p1) and _bgps_only(pattern.p2)


# ---------------------------------------------------------------- constraint components

Parameter = Callable[[_Compiler, Shape, Node], "Constraint | list[Constraint]"]


def _min_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.minCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) < limit:
            yield None

    return Constraint("MinCountConstraintComponent", check, f"Fewer than {limit} values")


def _max_count(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxCount, argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if len(values) > limit:
            yield None

    return Constraint("MaxCountConstraintComponent", check, f"More than {limit} values")


def _each(component: str, ok: Callable[[DataGraph, Term], bool], message: str) -> Constraint:
    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        for value in values:
            if not ok(data, value):
                yield value

    return Constraint(component, check, message)


_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.string): (str, bytes),
    str(RDF.langString): (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.dateTime): datetime,
}


_TEXT_TYPES = frozenset({str(XSD.string), str(RDF.langString)})


def _datatype(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    """Same datatype IRI, and a lexical form rdflib can read as one (as pyshacl decides)."""
    if not isinstance(argument, rdflib.URIRef):
        raise ShapesError(f"{shape.node}: sh:datatype must be an IRI")
    rule = str(argument)
    expected = _VALUE_TYPES.get(rule)

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal):
            return False
        datatype = str(RDF.langString) if value.language else value.datatype.value
        if datatype != rule:
            return False
        if rule in _TEXT_TYPES:
            return True  # rdflib reads every string as itself: never ill-typed
        literal = to_rdflib(value)
        if getattr(literal, "ill_typed", None) is True:
            return False
        return expected is None or isinstance(literal.value, expected)  # type: ignore[attr-defined]

    return _each("DatatypeConstraintComponent", ok, f"Value is not a literal of datatype {argument}")


_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


def _node_kind(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    kinds = _NODE_KINDS.get(argument)  # type: ignore[call-overload]
    if kinds is None:
        raise ShapesError(f"{shape.node}: {argument} is not a node kind")
    return _each("NodeKindConstraintComponent", lambda data, value: isinstance(value, kinds),
                 f"Value is not of node kind {argument}")


def _class(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    cls = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        return not isinstance(value, ox.Literal) and data.is_instance(value, cls)

    return _each("ClassConstraintComponent", ok, f"Value is not an instance of {argument}")


def _string(value: Term) -> str | None:
    """The string SHACL's string constraints test: the IRI or lexical form; None for a blank node."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value.value
    return None


def _min_length(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.minLength, argument)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) >= limit

    return _each("MinLengthConstraintComponent", ok, f"Value is shorter than {limit} characters")


def _max_length(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    limit = compiler.integer(shape.node, SH.maxLength, argument)

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and len(text) <= limit

    return _each("MaxLengthConstraintComponent", ok, f"Value is longer than {limit} characters")


def _pattern(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    flags_node = compiler.one(shape.node, SH.flags)
    flags = 0
    for letter in str(flags_node or ""):
        flag = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(letter)
        if flag is None:
            raise UnsupportedShape(f"{shape.node}: the regular-expression flag {letter!r} is not supported")
        flags |= flag
    try:
        regex = re.compile(str(argument), flags)
    except re.error as error:
        raise ShapesError(f"{shape.node}: sh:pattern {str(argument)!r}: {error}") from None

    def ok(data: DataGraph, value: Term) -> bool:
        text = _string(value)
        return text is not None and regex.search(text) is not None

    return _each("PatternConstraintComponent", ok, f"Value does not match {str(argument)!r}")


def _language_in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    ranges = [str(tag).lower() for tag in compiler.items(shape.node, argument, SH.languageIn)]

    def ok(data: DataGraph, value: Term) -> bool:
        if not isinstance(value, ox.Literal) or not value.language:
            return False
        tag = value.language.lower()
        return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)

    return _each("LanguageInConstraintComponent", ok, f"Language tag not in {ranges}")


def _unique_lang(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if not isinstance(argument, rdflib.Literal) or argument.datatype != XSD.boolean:
        raise ShapesError(f"{shape.node}: sh:uniqueLang must be an xsd:boolean")
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:uniqueLang on a node shape")
    if str(argument) != "true":  # "1"^^xsd:boolean is not true (core/property/uniqueLang-002)
        return []

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        seen: dict[str, int] = {}
        for value in values:
            if isinstance(value, ox.Literal) and value.language:
                tag = value.language.lower()
                seen[tag] = seen.get(tag, 0) + 1
        for count in seen.values():
            if count > 1:
                yield None

    return [Constraint("UniqueLangConstraintComponent", check, "Language tag used more than once")]


def _in(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    allowed = {_ox(member) for member in compiler.items(shape.node, argument, SH["in"])}
    return _each(
        "InConstraintComponent", lambda data, value: value in allowed, "Value is not among the allowed values"
    )


def _has_value(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    expected = _ox(argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        if expected not in values:
            yield None

    return Constraint("HasValueConstraintComponent", check, f"Missing the value {argument}")


def _range(component: str, argument: Node, holds: Callable[[int], bool], what: str) -> Constraint:
    if not isinstance(argument, rdflib.Literal):
        raise ShapesError(f"sh:{what} must be a literal, not {argument}")
    bound = _ox(argument)

    def ok(data: DataGraph, value: Term) -> bool:
        order = compare(value, bound)
        return order is not None and holds(order)

    return _each(component, ok, f"Value is not {what} {argument}")


def _min_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinInclusiveConstraintComponent", argument, lambda order: order >= 0, "minInclusive")


def _max_inclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxInclusiveConstraintComponent", argument, lambda order: order <= 0, "maxInclusive")


def _min_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MinExclusiveConstraintComponent", argument, lambda order: order > 0, "minExclusive")


def _max_exclusive(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _range("MaxExclusiveConstraintComponent", argument, lambda order: order < 0, "maxExclusive")


def _predicate(shape: Shape, parameter: str, argument: Node) -> ox.NamedNode:
    if not isinstance(argument, rdflib.URIRef):
        raise ShapesError(f"{shape.node}: sh:{parameter} must be an IRI")
    return ox.NamedNode(str(argument))


def _pair(
    component: str, shape: Shape, argument: Node, holds: Callable[[int], bool], what: str
) -> Constraint:
    other = _predicate(shape, what, argument)
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:{what} on a node shape")

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            for compared in others:
                order = compare(value, compared)
                if order is None or not holds(order):
                    yield value

    return Constraint(component, check, f"Value is not {what} the values of {argument}")


def _less_than(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _pair("LessThanConstraintComponent", shape, argument, lambda order: order < 0, "lessThan")


def _less_than_or_equals(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _pair(
        "LessThanOrEqualsConstraintComponent", shape, argument, lambda order: order <= 0, "lessThanOrEquals"
    )


def _equals(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    other = _predicate(shape, "equals", argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            if value not in others:
                yield value
        for value in others:
            if value not in values:
                yield value

    return Constraint("EqualsConstraintComponent", check, f"Values differ from the values of {argument}")


def _disjoint(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    other = _predicate(shape, "disjoint", argument)

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Term | None]:
        others = data.objects(focus, other)
        for value in values:
            if value in others:
                yield value

    return Constraint("DisjointConstraintComponent", check, f"Value is also a value of {argument}")


def _conforming(compiler: _Compiler, component: str, argument: Node, message: str) -> Constraint:
    nested = compiler.shape(argument)
    wanted = component != "NotConstraintComponent"
    return _each(component, lambda data, value: _conforms(data, nested, value) == wanted, message)


def _node(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _conforming(compiler, "NodeConstraintComponent", argument, f"Value does not conform to {argument}")


def _not(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
    return _conforming(compiler, "NotConstraintComponent", argument, f"Value conforms to {argument}")


def _logical(component: str, count_ok: Callable[[int, int], bool], message: str) -> Parameter:
    def build(compiler: _Compiler, shape: Shape, argument: Node) -> Constraint:
        parameter = SH[component.removesuffix("ConstraintComponent").lower()]
        members = [compiler.shape(m) for m in compiler.items(shape.node, argument, parameter)]

        def ok(data: DataGraph, value: Term) -> bool:
            if component == "XoneConstraintComponent":
                return count_ok(sum(_conforms(data, m, value) for m in members), len(members))
            if component == "OrConstraintComponent":
                return any(_conforms(data, m, value) for m in members)
            return all(_conforms(data, m, value) for m in members)

        return _each(component, ok, message)

    return build


def _qualified(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if shape.path is None:
        raise ShapesError(f"{shape.node}: sh:qualifiedValueShape on a node shape")
    nested = compiler.shape(argument)
    siblings: list[Shape] = []
    if compiler.boolean(shape.node, SH.qualifiedValueShapesDisjoint):
        for parent in compiler.g.subjects(SH.property, shape.node):
            for sibling_property in compiler.g.objects(parent, SH.property):
                for sibling in compiler.g.objects(sibling_property, SH.qualifiedValueShape):
                    if sibling != argument:
                        siblings.append(compiler.shape(sibling))
    constraints = []
    for parameter, component, fails in (
        (SH.qualifiedMinCount, "QualifiedMinCountConstraintComponent", lambda n, limit: n < limit),
        (SH.qualifiedMaxCount, "QualifiedMaxCountConstraintComponent", lambda n, limit: n > limit),
    ):
        limit_node = compiler.one(shape.node, parameter)
        if limit_node is None:
            continue
        limit = compiler.integer(shape.node, parameter, limit_node)

        def check(
            data: DataGraph, focus: Term, values: Values,
            limit: int = limit, fails: Callable[[int, int], bool] = fails,
        ) -> Iterator[Term | None]:
            count = sum(
                1 for value in values
                if _conforms(data, nested, value) and not any(_conforms(data, s, value) for s in siblings)
            )
            if fails(count, limit):
                yield None

        side = "below" if "Min" in component else "above"
        constraints.append(Constraint(component, check, f"Qualified count {side} {limit}"))
    return constraints


def _closed(compiler: _Compiler, shape: Shape, argument: Node) -> list[Constraint]:
    if not isinstance(argument, rdflib.Literal) or argument.datatype != XSD.boolean:
        raise ShapesError(f"{shape.node}: sh:closed must be an xsd:boolean")
    if str(argument) != "true":
        return []
    allowed = {
        ox.NamedNode(str(p))
        for prop in compiler.g.objects(shape.node, SH.property)
        for p in compiler.g.objects(prop, SH.path)
        if isinstance(p, rdflib.URIRef)
    }
    for ignored in compiler.g.objects(shape.node, SH.ignoredProperties):
        allowed |= {ox.NamedNode(str(p)) for p in compiler.items(shape.node, ignored, SH.ignoredProperties)}

    def check(data: DataGraph, focus: Term, values: Values) -> Iterator[Hit]:
        for value in values:
            for predicate, obj in data.outgoing(value):
                if predicate not in allowed:
                    yield Hit(obj, rdflib.URIRef(predicate.value))

    return [Constraint("ClosedConstraintComponent", check, "Predicate is not allowed (closed shape)")]


_PARAMETERS: dict[Node, Parameter] = {
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.datatype: _datatype,
    SH.nodeKind: _node_kind,
    SH["class"]: _class,
    SH.minLength: _min_length,
    SH.maxLength: _max_length,
    SH.pattern: _pattern,
    SH.languageIn: _language_in,
    SH.uniqueLang: _unique_lang,
    SH["in"]: _in,
    SH.hasValue: _has_value,
    SH.minInclusive: _min_inclusive,
    SH.maxInclusive: _max_inclusive,
    SH.minExclusive: _min_exclusive,
    SH.maxExclusive: _max_exclusive,
    SH.lessThan: _less_than,
    SH.lessThanOrEquals: _less_than_or_equals,
    SH.equals: _equals,
    SH.disjoint: _disjoint,
    SH.node: _node,
    SH["not"]: _not,
    SH["and"]: _logical(
        "AndConstraintComponent", lambda n, total: n == total, "Value does not conform to every shape"
    ),
    SH["or"]: _logical(
        "OrConstraintComponent", lambda n, total: n > 0, "Value conforms to none of the shapes"
    ),
    SH.xone: _logical(
        "XoneConstraintComponent", lambda n, total: n == 1, "Value does not conform to exactly one shape"
    ),
    SH.qualifiedValueShape: _qualified,
    SH.closed: _closed,
}


# ---------------------------------------------------------------- evaluation


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


_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<bound>\bBOUND\s*\(\s*[?$](?P<bound_name>\w+)\s*\))"
    r"|(?P<var>[?$](?P<name>\w+))"
    r"|(?P<select>\bSELECT\b)|(?P<body>\bWHERE\b|\{)|(?P<open>\()|(?P<close>\))",
    re.IGNORECASE,
)


def prebind(query: str, bindings: dict[str, Term]) -> str:
    """``query`` with each variable of ``bindings`` replaced by its value (IRIs and literals):
    SHACL's pre-binding, Replace(E, mu), as a substitution (SPARQL-dev SEP-0007). A
    projected variable becomes (value AS ?var); BOUND(?var) becomes true."""
    text = {name: str(value) for name, value in bindings.items()}
    in_select, depth, selects = False, 0, 0

    def replace(match: re.Match[str]) -> str:
        nonlocal in_select, depth
        nonlocal selects
        if match["bound"]:
            return "(true)" if match["bound_name"] in text else match[0]
        if match["var"] and match["name"] in text:
            value = text[match["name"]]
            if not (in_select and depth == 0):
                return value
            # a subquery's projection gets a name of its own, not to clash with the query's
            name = match["name"] if selects == 1 else f"omskg_prebound_{selects}_{match['name']}"
            return f"({value} AS ?{name})"
        if match["select"]:
            in_select, depth = True, 0
            selects += 1
        elif match["body"]:
            in_select = False
        elif match["open"]:
            depth += 1
        elif match["close"]:
            depth -= 1
        return match[0]

    return _TOKEN.sub(replace, query)


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


def compile_shapes(shapes: Graph) -> list[NodeShape]:
    return _Compiler(shapes).node_shapes()


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
