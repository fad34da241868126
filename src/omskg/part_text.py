"""A part of the graph written from its triples as text (``ntriples.TripleLines``): each
subject's JSON-LD node object and Turtle statement, byte for byte as formats writes them
from pyoxigraph triples (``_Compactor.node``; Oxigraph's Turtle writer), without a Python
object per triple.

What recurs is worked out once per process: a predicate's JSON-LD key and coercion for a
kind of value, an IRI's compact and Turtle forms (an instance IRI's, from those of its
head, which its siblings share). ``tests/test_part_text.py`` shows the bytes equal to the
slow path's on hostile terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import pairwise
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import XSD

from omskg.describe import Counts, count_lines, count_rows
from omskg.formats import _NATIVE_UNTYPED, EXPLICIT, PLAIN, RDF_TYPE, _Compactor, native, turtle_prefixes
from omskg.ntriples import Literal, Row, TripleLines
from omskg.rdf import Triples
from omskg.vocab import RDF_LANGSTRING, XSD_STRING

_TYPE = f"<{RDF_TYPE}>"
_PLAIN_LITERALS = frozenset({XSD_STRING, RDF_LANGSTRING})

NodeWriter = Callable[[list[ox.Triple]], tuple[str, str]]


@dataclass(frozen=True)
class Writers:
    """How a subject's triples are written where a part is built: its JSON-LD node object
    and, with ``prefixes``, its Turtle (as formats.turtle writes it with those prefixes),
    from pyoxigraph triples (``node``, parts.turtle_statements) or from rows (``subjects``);
    and VoID's counts."""

    node: NodeWriter
    prefixes: dict[str, str]
    count: Callable[[list[str]], Counts]  # VoID's counts of some lines (describe.count_lines)
    subjects: Subjects
    count_rows: Callable[[Sequence[Row]], Counts]  # describe.count_rows


def writers(context: dict[str, Any], prefixes: dict[str, str], base: str) -> Writers:
    """The writers for a JSON-LD ``context``, Turtle ``prefixes`` and ``base`` (one per
    process: their caches pay off)."""
    compactor = _Compactor(context)
    return Writers(
        compactor.node, prefixes, partial(count_lines, base=base),
        Subjects(compactor, prefixes), partial(count_rows, base=base),
    )


@dataclass
class Part:
    """One fact file's triples as text, and whether they conform with the ontology mixed in."""

    lines: list[str]  # str() of each triple, sorted
    blocks: dict[str, tuple[int, int]]  # subject -> its lines, lines[start:end]
    terms: set[str]  # every IRI and blank node, in any position
    nodes: dict[str, tuple[str, str]]  # subject -> its JSON-LD node object (id, line)
    turtle: dict[str, bytes]  # subject -> its Turtle statement
    counts: Counts  # VoID's counts of its lines
    conforms: bool = True


def make_part(triples: Triples | TripleLines, writers: Writers | None, conforms: bool = True) -> Part:
    """A part of the graph from its triples (as lines, or pyoxigraph triples)."""
    if not isinstance(triples, TripleLines):
        built = TripleLines()
        for triple in triples:
            built.add_triple(triple)
        triples = built
    rows, literals = triples.rows, triples.literals
    lines = sorted(rows)
    ordered = list(map(rows.__getitem__, lines))
    # a subject's lines are together (no term is a subject's term followed by more), in order
    ends = dict(zip(map(itemgetter(0), ordered), range(1, len(ordered) + 1), strict=True))  # subject -> end
    blocks = dict(zip(ends, pairwise([0, *ends.values()]), strict=True))
    nodes: dict[str, tuple[str, str]] = {}
    turtle: dict[str, bytes] = {}
    counts = Counts()
    if writers is not None:
        write = writers.subjects.write
        for subject, (start, end) in blocks.items():
            nodes[subject], turtle[subject] = write(ordered[start:end], literals)
        counts = writers.count_rows(ordered)
        terms = counts.objects - literals.keys()  # (every literal is one of them: TripleLines)
        terms.update(counts.properties)
    else:
        terms = {p for _, p, _ in ordered}
        terms.update([o for _, _, o in ordered if not o.startswith('"')])
    terms.update(blocks)
    return Part(lines, blocks, terms, nodes, turtle, counts, conforms)


_CACHE_LIMIT = 50_000  # IRIs a writer keeps the forms of (the vocabulary's recur; most others do not)
_STRING = "string"  # a plain literal's value written as its JSON string
# An IRI (N-Triples form) as its head, up to its last / or #, and a last segment of characters
# that are written as they are after any prefix (none of them a first "-"). Where every
# namespace ends with / or #, the head alone decides which namespace an IRI is written under
# and how, so the IRI is written as its head's form followed by the segment (worked out
# once per head, for head + "x").
_SPLIT = re.compile(r"<(.*[/#])([A-Za-z0-9_:][A-Za-z0-9_:-]*)>")


class Subjects:
    """Each subject's JSON-LD node object (``_Compactor.node``'s line) and Turtle statement
    (as Oxigraph writes sorted triples with ``prefixes``: parts.turtle_statements), from its
    rows, in one pass over them."""

    def __init__(self, compactor: _Compactor, prefixes: dict[str, str]) -> None:
        self.nodes = JsonLdNodes(compactor)
        self.turtle = TurtleTerms(prefixes)
        self._by_head = all(
            namespace.endswith(("/", "#"))
            for namespace in [n for n, _ in compactor._namespaces] + [n for _, n in self.turtle.prefixes]
        )
        self._iris: dict[str, tuple[str, str, str]] = {}  # IRI (N-Triples form) -> (id, id as JSON, Turtle)
        self._heads: dict[str, tuple[str, str, str, str]] = {}  # _SPLIT's head -> the same around the segment
        self._predicates: dict[str, str] = {}  # predicate -> what comes before its first object

    def iri(self, term: str) -> tuple[str, str, str]:
        """(id, id as JSON, Turtle) of an IRI in its N-Triples form."""
        found = self._iris.get(term)
        if found is None:
            if len(self._iris) > _CACHE_LIMIT:
                self._iris.clear()
                self._heads.clear()
            split = _SPLIT.fullmatch(term) if self._by_head else None
            if split is None:
                written = self.nodes.compactor.shorten(term[1:-1])
                found = (written, encode_basestring(written), self.turtle.shorten(term[1:-1]))
            else:
                head, rest = split.groups()
                around = self._heads.get(head) or self._head(head)
                found = (around[0] + rest, around[1] + rest + '"', around[2] + rest + around[3])
            self._iris[term] = found
        return found

    def _head(self, head: str) -> tuple[str, str, str, str]:
        compact = self.nodes.compactor.shorten(head + "x")[:-1]
        turtle = self.turtle.shorten(head + "x")
        before, after = (turtle[:-2], ">") if turtle.startswith("<") else (turtle[:-1], "")
        found = self._heads[head] = (compact, encode_basestring(compact)[:-1], before, after)
        return found

    def _predicate(self, predicate: str) -> str:
        """The Turtle before a predicate's first object, after the objects of the one before."""
        written = "a" if predicate == _TYPE else self.turtle.iri(predicate)
        found = self._predicates[predicate] = f" ;\n\t{written} "
        return found

    def write(self, rows: list[Row], literals: dict[str, Literal]) -> tuple[tuple[str, str], bytes]:
        """((id, node object as one line of JSON), Turtle statement) of one subject's rows, in
        N-Triples order; the values of a key sorted by their JSON with sorted keys, as
        ``_sorted`` sorts them."""
        nodes, iris, predicates = self.nodes, self._iris, self._predicates
        iri_rules, rules = nodes.iri_rules, nodes.rules
        values: dict[str, list[str]] = {}
        sort_keys: dict[str, str] = {}  # a value -> its sort key, where that differs
        subject = rows[0][0]
        if subject[0] == "<":
            identity = iris.get(subject) or self.iri(subject)
            turtle = [identity[2]]
        else:  # a blank node
            identity = (*nodes.ids(subject), subject)
            turtle = [subject]
        previous = None
        for _, predicate, obj in rows:
            if predicate == previous:
                turtle.append(" , ")
            else:
                turtle.append(predicates.get(predicate) or self._predicate(predicate))
                previous = predicate
            if obj[0] == "<":
                found = iris.get(obj) or self.iri(obj)
                turtle.append(found[2])
                key, form = iri_rules.get(predicate) or nodes.rule(predicate, "<")
                if form == PLAIN:
                    written = found[1]
                else:
                    written = '{"id": ' + found[1] + "}" if form == EXPLICIT else nodes.vocab_json(obj)
            else:
                literal = literals.get(obj)
                if literal is None:  # a blank node
                    turtle.append(obj)
                    key, form = rules.get((predicate, "_")) or nodes.rule(predicate, "_")
                    written = nodes.value(form, obj, None)[0]
                else:
                    turtle.append(obj if literal[4] in _PLAIN_LITERALS else self.turtle.literal(literal))
                    kind = "@" + literal[3] if literal[3] else literal[4]
                    key, form = rules.get((predicate, kind)) or nodes.rule(predicate, kind)
                    if form == _STRING:
                        written = literal[1]
                    else:
                        written, sort_key = nodes.value(form, obj, literal)
                        if sort_key is not None:
                            sort_keys[written] = sort_key
            known = values.get(key)
            if known is None:
                values[key] = [written]
            else:
                known.append(written)
        turtle[1] = " " + turtle[1][4:]  # (the first predicate follows the subject)
        turtle.append(" .\n")
        out = ['{"id": ', identity[1]]
        names = tuple(values)
        for key, written_key in nodes.orders.get(names) or nodes.order(names):
            items = values[key]
            out.append(written_key)
            if len(items) == 1:
                out.append(items[0])
            else:
                if sort_keys:
                    items.sort(key=lambda w: sort_keys.get(w, w))
                else:
                    items.sort()
                out.append("[" + ", ".join(items) + "]")
        out.append("}")
        return (identity[0], "".join(out)), "".join(turtle).encode("utf-8")


class JsonLdNodes:
    """What node objects are made of: the key and form of a predicate's values of each kind,
    blank nodes' ids, values' JSON, keys' order."""

    def __init__(self, compactor: _Compactor) -> None:
        self.compactor = compactor
        self._ids: dict[str, tuple[str, str]] = {}  # IRI or blank node (N-Triples) -> (id, id as JSON)
        self._vocab: dict[str, str] = {}  # IRI (N-Triples) -> its value for an @vocab term, as JSON
        self.iri_rules: dict[str, tuple[str, str]] = {_TYPE: ("type", PLAIN)}  # predicate -> (key, form)
        self.rules: dict[tuple[str, str], tuple[str, str]] = {}  # (predicate, kind) -> (key, form)
        self._keys: dict[str, str] = {"type": '"type"'}  # key -> as JSON
        self.orders: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # keys -> in order, with ', "key": '
        self._types: dict[str, str] = {}  # datatype IRI -> its compact IRI as JSON

    def ids(self, term: str) -> tuple[str, str]:
        """(id, id as JSON) of an IRI or blank node in its N-Triples form."""
        found = self._ids.get(term)
        if found is None:
            if len(self._ids) > _CACHE_LIMIT:
                self._ids.clear()
            written = self.compactor.shorten(term[1:-1]) if term.startswith("<") else term
            found = self._ids[term] = (written, encode_basestring(written))
        return found

    def rule(self, predicate: str, kind: str) -> tuple[str, str]:
        """The key and form of a value of ``predicate`` (``_Compactor.rule``): kind "<" an
        IRI, "_" a blank node, "@" and a tag a language-tagged string, else a literal's
        datatype; form _STRING where a plain literal's value is written as it is."""
        found = self.rules.get((predicate, kind))
        if found is None:
            if kind in ("<", "_"):
                found = self.compactor.rule(predicate[1:-1], "@id", None, kind == "<")
            elif kind.startswith("@") or kind == XSD_STRING:
                found = self.compactor.rule(predicate[1:-1], None, kind[1:] if kind.startswith("@") else None)
                found = (found[0], _STRING) if found[1] == PLAIN else found
            else:
                found = self.compactor.rule(predicate[1:-1], kind, None)
            self.rules[(predicate, kind)] = found
            self._keys[found[0]] = encode_basestring(found[0])
            if kind == "<":
                self.iri_rules[predicate] = found
        return found

    def value(self, form: str, obj: str, literal: Literal | None) -> tuple[str, str | None]:
        """(value, its sort key where that differs) as JSON, of a blank node or a literal
        that is not a plain value written as it is."""
        if literal is None:
            written = self.ids(obj)[1]
            return (written if form == PLAIN else '{"id": ' + written + "}"), None
        _, string, value, language, datatype = literal
        if datatype in _PLAIN_LITERALS:
            if not language:
                return f'{{"@value": {string}}}', None
            tag = encode_basestring(language)
            sort_key = f'{{"@language": {tag}, "@value": {string}}}'
            return f'{{"@value": {string}, "@language": {tag}}}', sort_key
        number = None if native(value, datatype) is None else value  # its JSON is its lexical form
        if form == PLAIN:
            return (string if number is None else number), None
        if number is not None and datatype in _NATIVE_UNTYPED:
            return f'{{"@value": {number}}}', None
        return f'{{"@value": {string}, "type": {self._type_json(datatype)}}}', None

    def vocab_json(self, obj: str) -> str:
        found = self._vocab.get(obj)
        if found is None:
            found = self._vocab[obj] = encode_basestring(self.compactor.vocab_value(obj[1:-1]))
        return found

    def _type_json(self, datatype: str) -> str:
        found = self._types.get(datatype)
        if found is None:
            found = self._types[datatype] = encode_basestring(self.compactor.iri(datatype))
        return found

    def order(self, keys: tuple[str, ...]) -> list[tuple[str, str]]:
        """The keys in a node's order (type, then the rest by name), each with ', "key": '."""
        ordered = sorted(keys, key=lambda k: (k != "type", k))
        found = self.orders[keys] = [(key, f", {self._keys[key]}: ") for key in ordered]
        return found


# ---------------------------------------------------------------- Turtle, as Oxigraph writes it

_BARE = {  # datatypes whose literals Oxigraph writes bare where their lexical form allows
    str(XSD.boolean): re.compile(r"true|false"),
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.double): re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
}
_PREFIX_LINE = re.compile(r"@prefix ([^:]*): <([^>]*)> \.")
_SIMPLE_LOCAL = re.compile(r"[A-Za-z0-9_:](?:[A-Za-z0-9_:.-]*[A-Za-z0-9_:-])?")
_ESCAPABLE = frozenset("_~.-!$&'()*+,;=/?#@%")


@cache
def _pn_chars() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Turtle's PN_CHARS_U, and PN_CHARS past it and the digits: compiled when a local name
    first needs them (the Unicode ranges took 5 ms of every build's start)."""
    return re.compile(
        "[A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
        "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]"
    ), re.compile("[-\u00b7\u0300-\u036f\u203f-\u2040]")


_ASCII_LOCAL = re.compile(r"[A-Za-z0-9_:.\-~!$&'()*+,;=/?#@%]+")
_ALWAYS_ESCAPED = "~!$&'()*+,;=/?#@%"  # (not PN_CHARS anywhere in a local name)


def escape_local_name(local: str) -> str | None:
    """A local name as Oxigraph's Turtle writer writes it after a prefix, or None where it
    cannot (its ``escape_local_name``: PLX escapes, no percent-encoding)."""
    if _SIMPLE_LOCAL.fullmatch(local):
        return local
    if _ASCII_LOCAL.fullmatch(local):  # (as below, in fewer steps)
        escaped = local
        for char in _ALWAYS_ESCAPED:
            if char in escaped:
                escaped = escaped.replace(char, "\\" + char)
        if local[0] in "-.":
            escaped = "\\" + escaped
        return escaped[:-1] + "\\." if local[-1] == "." and len(local) > 1 else escaped
    out: list[str] = []
    last = len(local) - 1
    pn_chars_u, pn_chars_more = _pn_chars()
    for index, char in enumerate(local):
        if pn_chars_u.match(char) or char == ":" or "0" <= char <= "9" or index > 0 and (
            pn_chars_more.match(char) or char == "." and index < last
        ):
            out.append(char)
        elif char in _ESCAPABLE:
            out.append("\\" + char)
        else:
            return None
    return "".join(out) or None


class TurtleTerms:
    """IRIs and typed literals as Oxigraph's Turtle writer writes them with ``prefixes``."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        written = turtle_prefixes(prefixes).decode("utf-8")
        self.prefixes = [(m[1], m[2]) for m in _PREFIX_LINE.finditer(written)]  # in Oxigraph's order
        self._iris: dict[str, str] = {}  # IRI (N-Triples form) -> as Turtle

    def iri(self, term: str) -> str:
        found = self._iris.get(term)
        if found is None:
            if len(self._iris) > _CACHE_LIMIT:
                self._iris.clear()
            found = self._iris[term] = self.shorten(term[1:-1])
        return found

    def shorten(self, iri: str) -> str:
        """The first prefix (in Oxigraph's order) under which the IRI has a local name, else <iri>."""
        for name, namespace in self.prefixes:
            if iri.startswith(namespace):
                if len(iri) == len(namespace):
                    return f"{name}:"
                local = escape_local_name(iri[len(namespace) :])
                if local is not None:
                    return f"{name}:{local}"
        return f"<{iri}>"

    def literal(self, literal: Literal) -> str:
        """A literal that is not a plain or language-tagged string."""
        term, _, value, _, datatype = literal
        bare = _BARE.get(datatype)
        if bare is not None and bare.fullmatch(value):
            return value
        return term[: -len(datatype) - 4] + "^^" + self.iri(f"<{datatype}>")
