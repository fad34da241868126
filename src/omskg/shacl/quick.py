"""The quick check: does a graph conform to compiled shapes, yes or no, with no report.

It answers what ``engine.validate`` would (no result: conforms), reading the graph as text:
each constraint's ``quick`` test (beside its ``check``, in core_values and core), each
target's and path's over a ``QuickGraph``, and each SPARQL constraint of the bulk form by
``quick_sparql``; it stops at the first result. Where it cannot be sure of the engine's
answer it raises ``Unsure`` (then the engine must decide): a shape the engine would refuse
as recursive, a SPARQL construct or value it does not evaluate, a triple term. It is made
for the workers of a build (a yes/no per fact file's part: omskg.parts) and for a build of
a few files (of its whole graph); a report always comes from the engine."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from itertools import chain
from weakref import WeakKeyDictionary

from omskg.shacl.quick_graph import EMPTY, Lines, Ontology, QuickGraph, Unsure
from omskg.shacl.quick_paths import ImageFunction, PathFunction, PathSpec, image_function, path_function
from omskg.shacl.shapes import NodeShape, QuickCheck, QuickEach, Shape

Checker = Callable[[Lines], bool]  # a graph's lines (or their terms by line) -> conforms?


def quick_checker(shapes: list[NodeShape], ontology: Iterable[str]) -> Checker | None:
    """A test of graphs with ``ontology`` (lines) added to each, against ``shapes``; None
    where the shapes use what the quick check does not implement."""
    plans = []
    for node_shape in shapes:
        shape = node_shape.shape
        if shape.deactivated:
            continue
        if not _supported(shape, set()) or any(not s.bulk or s.quick is None for s in shape.sparql):
            return None
        queries = [s.quick for s in shape.sparql if s.quick is not None]
        plans.append((node_shape.quick_targets, _entries(shape), queries))
    base = Ontology(ontology)

    def conforms(lines: Lines) -> bool:
        g = QuickGraph(lines, base)
        try:
            for targets, entries, queries in plans:
                focus: set[str] = set()
                for target in targets:
                    focus |= target(g)
                if not focus:
                    continue
                if not _hold(entries, g, focus):
                    return False
                for query in queries:
                    if query(g, focus):
                        return False
        except RecursionError:
            raise Unsure("shapes nested too deeply") from None
        return True

    return conforms


def _supported(shape: Shape, seen: set[int]) -> bool:
    """Has every constraint of the shape and of its property shapes a quick test?"""
    if id(shape) in seen or shape.deactivated:
        return True
    seen.add(id(shape))
    return all(c.quick is not None for c in shape.constraints) and all(
        not p.sparql and _supported(p, seen) for p in shape.properties
    )


def quick_conforms(g: QuickGraph, shape: Shape, focus: str) -> bool:
    """Does ``focus`` conform to a nested shape (as ``engine._conforms``)?"""
    entries, tests = _nested(shape)
    if tests is not None:  # tests of the focus node alone, none of another shape: no recursion
        return _all_pass(tests, g, (focus,))
    key = (id(shape), focus)
    if key in g.active:
        raise Unsure(f"shape {shape.node} is recursive")
    g.active.add(key)
    try:
        return _hold(entries, g, (focus,))
    finally:
        g.active.discard(key)


# ---------------------------------------------------------------- a shape, compiled


@dataclass
class _Entry:
    """What a shape checks of the value nodes of one path (None: the focus node itself),
    gathered from the shape and, for a node shape, from its property shapes."""

    path: PathSpec | None
    follow: PathFunction | None = None  # a path of more than one predicate: for a node
    image: ImageFunction | None = None  # and for all the focus nodes together
    low: int = 0
    high: int = sys.maxsize
    tests: list[QuickEach] = field(default_factory=list)  # of each value node
    checks: list[QuickCheck] = field(default_factory=list)  # of the value nodes together
    nested: list[Shape] = field(default_factory=list)  # property shapes each value node must meet
    of_shapes: bool = False  # has a test of conformance to a shape (sh:node, sh:not, sh:and...)

    def tests_only(self) -> bool:
        """Are the entry's tests all it checks (so the values of all focus nodes at once will do)?"""
        return not (self.checks or self.nested or self.low or self.high < sys.maxsize)


_NESTED: WeakKeyDictionary[Shape, tuple[list[_Entry], list[QuickEach] | None]] = WeakKeyDictionary()
_OF_SHAPES = {"NodeConstraintComponent", "NotConstraintComponent", "AndConstraintComponent",
              "OrConstraintComponent", "XoneConstraintComponent"}


def _nested(shape: Shape) -> tuple[list[_Entry], list[QuickEach] | None]:
    """A nested shape's entries (sh:node, sh:property...), compiled once; and where it only
    tests the focus node itself, with no test of another shape, those tests."""
    found = _NESTED.get(shape)
    if found is None:
        entries = _entries(shape, nested=True)
        simple = all(e.path is None and e.low <= 1 <= e.high and not (e.checks or e.nested or e.of_shapes)
                     for e in entries)
        found = _NESTED[shape] = (entries, [t for e in entries for t in e.tests] if simple else None)
    return found


def _entries(shape: Shape, nested: bool = False) -> list[_Entry]:
    """The shape's checks, as the engine's ``_results`` makes them. A nested shape's SPARQL
    constraints run per focus node: not quick. (A target's run apart, once.)"""
    entries: dict[PathSpec | None, _Entry] = {}
    _gather(shape, nested, entries)
    return list(entries.values())


def _gather(shape: Shape, nested: bool, entries: dict[PathSpec | None, _Entry]) -> None:
    if shape.deactivated:
        return
    if nested and shape.sparql:
        raise Unsure(f"the SPARQL constraints of the nested shape {shape.node}")
    path = shape.path.spec if shape.path is not None else None
    entry = entries.get(path)
    if entry is None:
        entry = entries[path] = _Entry(path)
        if path is not None and path[0] != "p":
            entry.follow, entry.image = path_function(path, stored=False), image_function(path)
    for constraint in shape.constraints:
        if constraint.count is not None:
            entry.low = max(entry.low, constraint.count[0])
            entry.high = min(entry.high, constraint.count[1])
        elif constraint.each is not None:
            entry.tests.append(constraint.each)
            entry.of_shapes = entry.of_shapes or constraint.component in _OF_SHAPES
        elif constraint.quick is not None:
            entry.checks.append(constraint.quick)
        else:
            raise Unsure(f"a constraint of {shape.node} the quick check does not implement")
    for prop in shape.properties:
        if path is None:
            _gather(prop, True, entries)  # a node shape's value node is its focus node
        else:
            entry.nested.append(prop)


def _hold(entries: list[_Entry], g: QuickGraph, focus: Iterable[str]) -> bool:
    """Do the focus nodes meet every entry? An entry of one predicate is checked over all
    the focus nodes at once: their counts, then each distinct value node once."""
    nodes = focus if isinstance(focus, set) else set(focus)
    for entry in entries:
        path = entry.path
        if path is not None and path[0] == "p":
            table = g.forward.get(path[1], _NONE)
            if table.keys() >= nodes:  # (as usual: every focus node has a value)
                lists = list(map(table.__getitem__, nodes))
            elif entry.low:
                return False  # a focus node without a value
            else:
                lists = list(map(table.__getitem__, table.keys() & nodes))
            if entry.low > 1 or entry.high < sys.maxsize:
                lengths = list(map(len, lists))
                if lengths and not entry.low <= min(lengths) <= max(lengths) <= entry.high:
                    return False
            if entry.tests and not _all_pass(entry.tests, g, set(chain.from_iterable(lists))):
                return False
            if entry.checks or entry.nested:
                for node in nodes:
                    if not _meets(entry, g, node, table.get(node, EMPTY)):
                        return False
        elif path is None:
            if entry.high < 1 or entry.low > 1 or not _all_pass(entry.tests, g, nodes):
                return False
            if entry.checks or entry.nested:
                for node in nodes:
                    if not _meets(entry, g, node, [node]):
                        return False
        elif entry.tests_only():
            if not _all_pass(entry.tests, g, entry.image(g, nodes)):  # type: ignore[misc]
                return False
        else:
            for node in nodes:
                values = entry.follow(g, node)  # type: ignore[misc]
                if not entry.low <= len(values) <= entry.high or not _all_pass(entry.tests, g, values):
                    return False
                if not _meets(entry, g, node, values):
                    return False
    return True


def _all_pass(tests: list[QuickEach], g: QuickGraph, values: Collection[str]) -> bool:
    for test in tests:
        if not test(g, values):
            return False
    return True


def _meets(entry: _Entry, g: QuickGraph, node: str, values: list[str]) -> bool:
    """The entry's checks of all the values, and its nested shapes on each value."""
    for check in entry.checks:
        if not check(g, node, values):
            return False
    for shape in entry.nested:
        if values and not _hold(_nested(shape)[0], g, values):
            return False
    return True


_NONE: dict[str, list[str]] = {}


__all__ = ["Checker", "Unsure", "quick_checker", "quick_conforms"]
