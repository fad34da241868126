"""A SPARQL constraint of the bulk form evaluated on a QuickGraph, for the quick check: has
its WHERE group a solution whose $this is one of the focus nodes? (The engine keeps a row of
the bulk form exactly when its $this is a focus node: see the docstring of omskg.shacl.)

The evaluation is SPARQL's algebra, read over what the store would hold (``QuickGraph``'s
stored view): a group is the join of its triple patterns and OPTIONALs, left to right,
filtered by its FILTERs; OPTIONAL is the left join with its group's FILTERs as condition;
EXISTS substitutes the solution's bindings into its group. Joins run as nested loops over
a row of variable slots, bound in the order ``_order`` picks (a join's solutions do not
depend on its order). Where SPARQL would raise an error (an unbound variable, a type error,
an effective boolean value of a term, a path with neither end bound) the quick check
raises ``Unsure`` instead of deciding."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from omskg.shacl.quick_expressions import Done, Row, Step, Value, conjunction, truth
from omskg.shacl.quick_graph import EMPTY, RDF_TYPE, QuickGraph, Unsure
from omskg.shacl.quick_parse import Expression, Group, Node, Pattern, Unsupported, parse
from omskg.shacl.quick_paths import PathSpec, path_function

QuickQuery = Callable[[QuickGraph, set[str]], bool]
Reader = Callable[[Row], "str | None"]  # the term at a position of a pattern, None if unbound


def compile_query(text: str) -> QuickQuery | None:
    """The query as a test for a row of a focus node; None where it is beyond quick_parse."""
    try:
        query = parse(text)
    except Unsupported:
        return None
    this, size = query.slots["this"], len(query.slots)
    where = _group(query.where, set(), {this})  # (a row is kept for its $this alone)

    def has_row(g: QuickGraph, focus: set[str]) -> bool:
        row: Row = [None] * size

        def found() -> bool:
            node = row[this]
            if node is None or node[0] == '"':
                raise Unsure("a row whose $this is unbound or a literal")
            return node in focus

        return where(g, row, found)

    return has_row


# ---------------------------------------------------------------- groups


def _group(group: Group, bound: set[int], live: set[int] | None = None) -> Step:
    """A group's parts joined left to right, then its FILTERs; ``bound``: the variables
    bound before it; ``live``: the variables what comes after the group reads (None: any)."""
    bound = set(bound)
    plan: list[Callable[[Step], Step]] = []  # each part, given what comes after it
    for position, part in enumerate(group.parts):
        if isinstance(part, list):
            before = set(bound)
            rest = Group(group.parts[position + 1:], group.filters)
            later = None if live is None else live | _read_group(rest)
            plan.append(partial(_patterns, _order(part, bound), before, later))  # (_order binds them)
        else:
            inner_bound = bound | {v for patterns in part.parts if isinstance(patterns, list)
                                   for p in patterns for v in _variables(p)}
            condition = conjunction(part.filters, inner_bound, _group)
            inner = _group(Group(part.parts), bound)
            plan.append(partial(_optional, inner, condition, _rejects(group, part)))
    step = _end(conjunction(group.filters, bound, _group))
    for make in reversed(plan):
        step = make(step)
    return step


def _patterns(patterns: list[Pattern], bound: set[int], live: set[int] | None, after: Step) -> Step:
    """The patterns in order. Where one binds a variable as its subject and more patterns
    have that subject, the variable is first bound from the shortest of their lists of
    subjects (those whose predicate and object are bound then); each pattern is then
    checked as it comes. A variable a pattern binds that nothing after it reads (``live``:
    what the patterns' group reads after them, None: any) is bound to one term, not to
    each: what comes after gives the same for each."""
    starts: dict[int, list[Pattern]] = {}
    dead: list[frozenset[int]] = []
    for position, pattern in enumerate(patterns):
        subject = pattern.subject
        if isinstance(subject, int) and subject not in bound:
            star = [p for p in patterns[position:]
                    if p.subject == subject and not isinstance(p.predicate, tuple)]
            if len(star) > 1:
                starts[position] = star
        read = None if live is None else live.union(*map(_variables, patterns[position + 1:]))
        dead.append(frozenset() if read is None else frozenset(_variables(pattern) - bound - read))
        bound = bound | _variables(pattern)
    step = after
    for position in range(len(patterns) - 1, -1, -1):
        step = _pattern(patterns[position], step, dead[position])
        if position in starts:
            step = _shortest(starts[position], step)
    return step


def _shortest(star: list[Pattern], after: Step) -> Step:
    slot = star[0].subject
    assert isinstance(slot, int)
    ends = [(_reader(p.predicate), _reader(p.obj)) for p in star if not isinstance(p.predicate, tuple)]

    def step(g: QuickGraph, row: Row, done: Done) -> bool:
        best: list[str] | None = None
        if row[slot] is None:
            for predicate, obj in ends:
                pv, ov = predicate(row), obj(row)
                if pv is not None and ov is not None:
                    subjects = g.stored_backward[pv].get(ov, EMPTY)
                    if best is None or len(subjects) < len(best):
                        best = subjects
        if best is None:
            return after(g, row, done)
        return _each(g, row, done, after, slot, best)

    return step


def _reader(node: Node) -> Reader:
    if isinstance(node, int):
        return lambda row: row[node]
    return lambda row: node


def _read_group(group: Group) -> set[int]:
    """The variables a group reads: of its patterns, OPTIONALs and FILTERs."""
    found: set[int] = set()
    for part in group.parts:
        if isinstance(part, list):
            found = found.union(*map(_variables, part))
        else:
            found |= _read_group(part)
    return found.union(*map(_read_expression, group.filters))


def _read_expression(expression: Expression) -> set[int]:
    operator, *operands = expression
    if operator in ("var", "bound"):
        return {operands[0]}
    if operator in ("exists", "not exists"):
        return _read_group(operands[0])
    if operator == "term":
        return set()
    return set().union(*map(_read_expression, operands))


def _variables(pattern: Pattern) -> set[int]:
    nodes = [pattern.subject, pattern.obj]
    if isinstance(pattern.predicate, int):
        nodes.append(pattern.predicate)
    return {n for n in nodes if isinstance(n, int)}


def _score(pattern: Pattern, bound: set[int]) -> float:
    """How few rows a pattern is likely to give, given the bound variables (higher: fewer)."""
    def known(node: Node) -> bool:
        return isinstance(node, str) or node in bound

    s, o, p = known(pattern.subject), known(pattern.obj), pattern.predicate
    if isinstance(p, tuple):  # a path: walked from a known end
        return 9.0 if s and o else 7.0 if s else 5.0 if o else -10.0
    if not known(p):  # (a subject's triples are indexed by object: known ends are looked up at once)
        return 8.5 if s and o else 5.0 if o else 2.0 if s else 0.0
    if s:
        return 10.0 if o else 8.0
    if o:
        return 3.0 if p == RDF_TYPE else 6.0
    return 1.5 if isinstance(p, int) else 1.0


def _order(patterns: list[Pattern], bound: set[int]) -> list[Pattern]:
    remaining, ordered = list(patterns), []
    while remaining:
        best = max(remaining, key=lambda p: _score(p, bound))  # (the first of equals: as written)
        remaining.remove(best)
        ordered.append(best)
        bound |= _variables(best)
    return ordered


def _end(condition: Value | None) -> Step:
    def end(g: QuickGraph, row: Row, done: Done) -> bool:
        if condition is not None and not truth(condition(g, row)):
            return False
        return done()

    return end


def _rejects(group: Group, optional: Group) -> bool:
    """Does a FILTER (!BOUND(?v)) of the group reject every row the OPTIONAL extends (each
    of its solutions binds ?v)? Then one solution of it is enough to know."""
    binds = {v for part in optional.parts if isinstance(part, list) for p in part for v in _variables(p)}
    return any(f[0] == "!" and f[1][0] == "bound" and f[1][1] in binds for f in group.filters)


def _optional(inner: Step, condition: Value | None, rejects: bool, after: Step) -> Step:
    """OPTIONAL: the left join. Where the group's FILTERs reject each row it extends
    (``rejects``), the search stops at the first solution: no row (a FILTER of SPARQL that
    is false for a row is false whatever the other FILTERs give, errors too)."""
    def optional(g: QuickGraph, row: Row, done: Done) -> bool:
        matched = False

        def joined() -> bool:
            nonlocal matched
            if condition is not None and not truth(condition(g, row)):
                return False
            matched = True
            return rejects or after(g, row, done)

        if inner(g, row, joined):
            return not rejects
        return False if matched else after(g, row, done)

    return optional


# ---------------------------------------------------------------- triple patterns


def _pattern(pattern: Pattern, after: Step, dead: frozenset[int]) -> Step:
    """A pattern's step; ``dead``: the variables it binds that nothing after it reads."""
    s, p, o = pattern.subject, pattern.predicate, pattern.obj
    if isinstance(p, tuple):
        return _path(s, p, o, after, dead)
    if isinstance(s, int) and isinstance(p, str):
        if isinstance(o, int) and s != o:
            return _usual(s, p, o, after, dead)
        if isinstance(o, str):
            return _typed(s, p, o, after, s in dead)
    return _general(s, p, o, after, dead)


def _general(s: Node, p: Node, o: Node, after: Step, dead: frozenset[int]) -> Step:
    read_s, read_p, read_o = _reader(s), _reader(p), _reader(o)
    # (a position read as None is a variable's, unbound: its slot)
    s_slot, o_slot = s if isinstance(s, int) else -1, o if isinstance(o, int) else -1
    one_s, one_o = s_slot in dead, o_slot in dead

    def step(g: QuickGraph, row: Row, done: Done) -> bool:
        sv, pv, ov = read_s(row), read_p(row), read_o(row)
        if pv is not None and sv is not None:
            objects = g.stored_forward[pv].get(sv, EMPTY)
            if ov is not None:
                return ov in objects and after(g, row, done)
            return _each(g, row, done, after, o_slot, objects[:1] if one_o else objects)
        if pv is not None and ov is not None:
            subjects = g.stored_backward[pv].get(ov, EMPTY)
            return _each(g, row, done, after, s_slot, subjects[:1] if one_s else subjects)
        if pv is not None and s_slot != o_slot:  # (unbound, so both variables)
            return _every(g, row, done, after, s_slot, o_slot, g.stored_forward[pv], one_o)
        return _anywhere(g, row, done, after, (s, p, o), (sv, pv, ov))

    return step


def _typed(s: int, p: str, o: str, after: Step, one: bool) -> Step:
    """``_pattern`` of a variable, a predicate and a term (as ``?x a ex:C``); ``one``: the
    variable bound to one subject (nothing after reads it)."""
    def step(g: QuickGraph, row: Row, done: Done) -> bool:
        sv = row[s]
        if sv is not None:
            return o in g.stored_forward[p].get(sv, EMPTY) and after(g, row, done)
        subjects = g.stored_backward[p].get(o, EMPTY)
        return _each(g, row, done, after, s, subjects[:1] if one else subjects)

    return step


def _usual(s: int, p: str, o: int, after: Step, dead: frozenset[int]) -> Step:
    """``_pattern`` of the usual kind: two variables and a predicate."""
    one_s, one_o = s in dead, o in dead

    def step(g: QuickGraph, row: Row, done: Done) -> bool:
        sv, ov = row[s], row[o]
        if sv is not None:
            objects = g.stored_forward[p].get(sv, EMPTY)
            if ov is not None:
                return ov in objects and after(g, row, done)
            return _each(g, row, done, after, o, objects[:1] if one_o else objects)
        if ov is not None:
            subjects = g.stored_backward[p].get(ov, EMPTY)
            return _each(g, row, done, after, s, subjects[:1] if one_s else subjects)
        return _every(g, row, done, after, s, o, g.stored_forward[p], one_o)

    return step


def _every(
    g: QuickGraph, row: Row, done: Done, after: Step, s: int, o: int, by_subject: dict[str, list[str]],
    one: bool,
) -> bool:
    """Each triple of a predicate bound to two unbound variables (not the same one) in turn;
    with ``one``, a subject's first object alone (nothing after reads the object)."""
    for subject, objects in by_subject.items():
        row[s] = subject
        for obj in objects[:1] if one else objects:
            row[o] = obj
            if after(g, row, done):
                row[s] = row[o] = None
                return True
    row[s] = row[o] = None
    return False


def _each(g: QuickGraph, row: Row, done: Done, after: Step, slot: int, nodes: list[str]) -> bool:
    """Each node bound to an unbound variable in turn."""
    for node in nodes:
        row[slot] = node
        if after(g, row, done):
            row[slot] = None
            return True
    row[slot] = None
    return False


def _anywhere(
    g: QuickGraph, row: Row, done: Done, after: Step, nodes: tuple[Node, Node, Node],
    known: tuple[str | None, str | None, str | None],
) -> bool:
    """A pattern with its predicate unknown, or its subject and object: every triple that
    matches what is known, each of its variables bound (a variable twice: to one term)."""
    sv, pv, ov = known
    triples: Iterable[tuple[str, str, str]]
    if pv is not None:
        triples = ((s, pv, o) for s, objects in g.stored_forward[pv].items() for o in objects)
    elif sv is not None:
        out = g.stored_out[sv]
        predicate = nodes[1]
        if ov is not None:
            if isinstance(predicate, int) and predicate not in (nodes[0], nodes[2]):
                return _each(g, row, done, after, predicate, out.get(ov, EMPTY))
            triples = ((sv, p, ov) for p in out.get(ov, ()))
        else:
            triples = ((sv, p, o) for o, predicates in out.items() for p in predicates)
    elif ov is not None:
        triples = ((s, p, ov) for s, p in g.stored_in(ov))
    else:
        triples = g.stored_triples()
    for triple in triples:
        bound: list[int] = []
        for node, term in zip(nodes, triple, strict=True):
            if isinstance(node, int) and row[node] is None:
                row[node] = term
                bound.append(node)
            elif (row[node] if isinstance(node, int) else node) != term:
                break
        else:
            if after(g, row, done):
                for slot in bound:
                    row[slot] = None
                return True
        for slot in bound:
            row[slot] = None
    return False


def _path(s: Node, spec: PathSpec, o: Node, after: Step, dead: frozenset[int]) -> Step:
    read_s, read_o = _reader(s), _reader(o)
    s_slot, o_slot = s if isinstance(s, int) else -1, o if isinstance(o, int) else -1
    forward, backward = path_function(spec, stored=True), path_function(spec, stored=True, inverse=True)

    def step(g: QuickGraph, row: Row, done: Done) -> bool:
        sv, ov = read_s(row), read_o(row)
        if sv is not None:
            nodes, target, slot = g.reached(forward, sv), ov, o_slot
        elif ov is not None:
            nodes, target, slot = g.reached(backward, ov), sv, s_slot
        else:
            raise Unsure("a property path with neither end bound")
        if target is not None:
            return target in nodes and after(g, row, done)
        return _each(g, row, done, after, slot, nodes[:1] if slot in dead else nodes)

    return step
