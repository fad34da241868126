"""RDF terms, triples and files: the one table of RDF formats, reading RDF files as
written, literals in canonical form, and conversion to and from rdflib for small graphs.

The graph is a set of pyoxigraph triples: at a million triples they take a third of the
memory and time of an rdflib Graph. rdflib is kept for small graphs (the ontology, the
shapes, pages) and for pyshacl.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import XSD

from omskg.vocab import PREFIXES

Triples = set[ox.Triple]

#: RDF formats by file ending, for every command that reads RDF files.
RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class RdfInputError(ValueError):
    """An RDF file that cannot be read: unknown format, too large, or a syntax error."""


def rdf_format(path: Path) -> ox.RdfFormat:
    found = RDF_FORMATS.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise RdfInputError(f"{path}: unknown RDF format {path.suffix!r} (known endings: {known})")
    return found


def read_rdf(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Triples:
    """Read RDF files into one set of triples, as written (no literal is normalised). A file
    over ``max_bytes`` is refused up front (the graph is held in memory, at several times the
    file's size); a syntax error names the file, line and column."""
    data: Triples = set()
    for path in paths:
        found = rdf_format(path)
        size = path.stat().st_size
        if size > max_bytes:
            raise RdfInputError(
                f"{path}: {size / 1e6:.0f} MB is over the limit of {max_bytes / 1e6:.0f} MB for validation "
                "in memory; validate it in parts, or raise --max-mb"
            )
        try:
            data.update(quad.triple for quad in ox.parse(path=str(path), format=found))
        except SyntaxError as error:
            raise RdfInputError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
        except UnicodeDecodeError as error:
            raise RdfInputError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return data


def parse_ntriples(data: bytes, checked: bool = False) -> Triples:
    """The triples of N-Triples text, in one call to Oxigraph's parser. ``checked``: the text
    was written from terms already checked (omskg.ntriples), so their IRIs and language tags
    are not checked again."""
    return {quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=checked)}


def as_rdflib(triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None) -> Graph:
    """An rdflib Graph of the same triples, with ``prefixes`` (default: the shared ones) bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (prefixes or PREFIXES).items():
        graph.bind(prefix, namespace)
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def of_rdflib(graph: Graph) -> Triples:
    """The triples of an rdflib Graph (for small graphs: it goes through N-Triples)."""
    return parse_ntriples(graph.serialize(format="nt", encoding="utf-8"))


# ---------------------------------------------------------------------- literals

XSD_STRING = ox.NamedNode(str(XSD.string))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
_XSD_DECIMAL = ox.NamedNode(str(XSD.decimal))


def text(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value, datatype=XSD_STRING)


def typed(value: str, datatype: URIRef) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=_XSD_BOOLEAN)


def decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(decimal_lexical(value), datatype=_XSD_DECIMAL)


def decimal_lexical(value: Decimal) -> str:
    """An xsd:decimal in its canonical form: fixed-point, with a decimal point ('18.0',
    '0.0000002'), which Turtle writers keep as it is."""
    written = format(value.normalize(), "f")
    return written if "." in written else written + ".0"


class TripleSet:
    """A set of triples built from IRIs given as strings, one NamedNode per IRI (creating
    one checks the IRI, which costs more than a lookup)."""

    def __init__(self) -> None:
        self.triples: Triples = set()
        self._nodes: dict[str, ox.NamedNode] = {}

    def node(self, iri: str) -> ox.NamedNode:
        found = self._nodes.get(iri)
        if found is None:
            found = self._nodes[iri] = ox.NamedNode(iri)
        return found

    def term(self, o: str | ox.Literal) -> ox.NamedNode | ox.Literal:
        return o if isinstance(o, ox.Literal) else self.node(o)

    def add(self, s: str, p: str, o: str | ox.Literal) -> None:
        self.triples.add(ox.Triple(self.node(s), self.node(p), self.term(o)))
