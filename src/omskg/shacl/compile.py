"""The shapes graph compiled: shapes, their Core and SPARQL constraints, SPARQL-based
constraint components, targets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, RDFS, XSD, Graph, Node
from rdflib.collection import Collection

from omskg.shacl.core import _PARAMETERS
from omskg.shacl.data import DataGraph
from omskg.shacl.paths import _compile_path
from omskg.shacl.quick_graph import QuickGraph
from omskg.shacl.quick_sparql import compile_query
from omskg.shacl.shapes import NodeShape, QuickTarget, Shape, Sparql, Target
from omskg.shacl.sparql import _analyse
from omskg.shacl.terms import ShapesError, Term, UnsupportedShape, Values, _ox
from omskg.vocab import SH

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
        present = set(self.g.predicates(node))  # (most parameters are absent from any one shape)
        for parameter, build in _PARAMETERS.items():
            if parameter not in present:
                continue
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
            p for p in present if p not in _STRUCTURE and p not in _PARAMETERS and str(p).startswith(str(SH))
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
                      "SPARQLConstraintComponent", {}, bulk, compile_query(query) if bulk else None)

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
            pairs = [(kind, _ox(argument)) for kind in _TARGETS for argument in self.g.objects(node, kind)]
            if node in typed and (node, RDF.type, RDFS.Class) in self.g:
                pairs.append((SH.targetClass, _ox(node)))  # an implicit class target
            compiled.append(NodeShape(
                self.shape(node), [_target(*pair) for pair in pairs], [_quick_target(*pair) for pair in pairs]
            ))
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


def _quick_target(kind: Node, argument: Term) -> QuickTarget:
    """``_target`` for the quick check."""
    text = str(argument)
    node, named = kind == SH.targetNode, isinstance(argument, ox.NamedNode)  # (decided once)
    of_class, subjects_of = kind == SH.targetClass, kind == SH.targetSubjectsOf

    def nodes(g: QuickGraph) -> set[str]:
        if node:
            return {text}
        if not named:
            return set()
        if of_class:
            return g.instances(text)
        by_subject = g.forward.get(text, {})
        if subjects_of:
            return set(by_subject)
        return {o for objects in by_subject.values() for o in objects}

    return nodes


def compile_shapes(shapes: Graph) -> list[NodeShape]:
    return _Compiler(shapes).node_shapes()
