"""SPARQL query text: what SHACL allows in a constraint, what may run once over the whole
graph (the bulk form, an allowlist), and SHACL's pre-binding as a substitution."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import rdflib

from omskg.shacl.terms import ShapesError, Term, UnsupportedShape


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
    is of the form that may run once over the whole graph (see the docstring of omskg.shacl)."""
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
