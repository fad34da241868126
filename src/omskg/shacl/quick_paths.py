"""SHACL and SPARQL property paths followed over a QuickGraph: from a node (each node
reached once), or from a set of nodes at once; in the terms as written or as stored."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Any, TypeVar

from omskg.shacl.quick_graph import EMPTY, QuickGraph

PathSpec = tuple[str, Any]  # ("p", iri) | ("^", path) | ("/", paths) | ("|", paths) | ("*"/"+"/"?", path)


PathFunction = Callable[[QuickGraph, str], list[str]]


def path_function(spec: PathSpec, stored: bool, inverse: bool = False) -> PathFunction:
    """The nodes the path ``spec`` reaches from a node (backward with ``inverse``), each
    once, in the terms as written or (``stored``) as stored."""
    kind, argument = spec
    if kind == "p":
        if stored:
            if inverse:
                return lambda g, node: g.stored_backward[argument].get(node, EMPTY)
            return lambda g, node: g.stored_forward[argument].get(node, EMPTY)
        if inverse:
            return lambda g, node: g.subjects(node, argument)
        return lambda g, node: g.objects(node, argument)
    if kind == "^":
        return path_function(argument, stored, not inverse)
    if kind in ("/", "|"):
        steps = argument[::-1] if inverse and kind == "/" else argument  # (backward: the last step first)
        parts = [path_function(a, stored, inverse) for a in steps]
        return _sequence(parts) if kind == "/" else _alternative(parts)
    inner = path_function(argument, stored, inverse)
    if kind == "?":
        return lambda g, node: list(dict.fromkeys([node, *inner(g, node)]))
    closure = _closure(inner, kind == "*")
    return lambda g, node: g.reached(closure, node)  # (walked once per node and graph)


ImageFunction = Callable[[QuickGraph, set[str]], set[str]]


def image_function(spec: PathSpec, inverse: bool = False) -> ImageFunction:
    """Every node the path ``spec`` reaches from any of a set of nodes, as written: what
    ``path_function`` gives each node, together."""
    kind, argument = spec
    if kind == "p":
        def image(g: QuickGraph, nodes: set[str]) -> set[str]:
            table = g.backward[argument] if inverse else g.forward.get(argument, {})
            return set(chain.from_iterable(map(table.__getitem__, nodes.intersection(table))))
        return image
    if kind == "^":
        return image_function(argument, not inverse)
    parts = [image_function(a, inverse) for a in (argument[::-1] if inverse and kind == "/" else argument)] \
        if kind in ("/", "|") else [image_function(argument, inverse)]
    if kind == "/":
        def sequence(g: QuickGraph, nodes: set[str]) -> set[str]:
            for part in parts:
                nodes = part(g, nodes)
            return nodes
        return sequence
    if kind == "|":
        return lambda g, nodes: set().union(*(part(g, nodes) for part in parts))
    if kind == "?":
        return lambda g, nodes: nodes | parts[0](g, nodes)

    def closure(g: QuickGraph, nodes: set[str]) -> set[str]:
        found, seen, frontier = set(nodes) if kind == "*" else set(), set(nodes), nodes
        while frontier:
            reached = parts[0](g, frontier)
            found |= reached
            frontier = reached - seen
            seen |= reached
        return found

    return closure


def _sequence(steps: list[PathFunction]) -> PathFunction:
    def follow(g: QuickGraph, node: str) -> list[str]:
        nodes = [node]
        for step in steps:
            reached: list[str] = []
            for n in nodes:
                reached += step(g, n)
            nodes = list(dict.fromkeys(reached)) if len(reached) > 1 else reached
        return nodes

    return follow


def _alternative(options: list[PathFunction]) -> PathFunction:
    def follow(g: QuickGraph, node: str) -> list[str]:
        reached: list[str] = []
        for option in options:
            reached += option(g, node)
        return list(dict.fromkeys(reached)) if len(reached) > 1 else reached

    return follow


def _closure(step: PathFunction, with_start: bool) -> PathFunction:
    return lambda g, node: closure(step, g, node, with_start)


G = TypeVar("G")
N = TypeVar("N", bound=Hashable)


def closure(step: Callable[[G, N], Iterable[N]], graph: G, start: N, with_start: bool) -> list[N]:
    """Every node ``step`` reaches from ``start`` in one or more steps (and ``start`` itself
    ``with_start``), each once, in the order first reached: p+ and p* (here and in omskg.shacl.paths)."""
    found: dict[N, None] = {start: None} if with_start else {}
    todo, seen = [start], {start}
    while todo:
        for reached in step(graph, todo.pop()):
            found.setdefault(reached, None)
            if reached not in seen:
                seen.add(reached)
                todo.append(reached)
    return list(found)
