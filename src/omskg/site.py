"""What `omskg serve` knows: the graph built under the server's own base, so that every
IRI in it dereferences on this server, its descriptions, and its HTML pages."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, Graph, Literal, Node, URIRef
from rdflib.namespace import DCTERMS, PROV

from omskg import formats
from omskg.build import Publication
from omskg.iris import INSTANCE_PATHS, Iris
from omskg.publish import NTRIPLES
from omskg.query import Bounds
from omskg.rdf import as_rdflib, of_rdflib
from omskg.vocab import BIOLINK, MATCH_PROPERTIES, OMSKG, SCHEMA, load_vocabulary, shorten, shortener_for

DEREFERENCEABLE = tuple(path.strip("/") for path in INSTANCE_PATHS.values()) + ("dataset",)
EXAMPLE_QUERIES = ("symptoms", "triggers", "epidemiology")


@dataclass
class Site:
    base: str
    graph: Graph
    files: Mapping[str, bytes]
    context: dict[str, object]
    queries: dict[str, str]
    bounds: Bounds

    @classmethod
    def of(cls, publication: Publication, queries_dir: Path, bounds: Bounds) -> Site:
        """Queries run in child processes on the published N-Triples (see query.run_bounded)."""
        base = publication.base
        graph = as_rdflib(publication.triples, Iris(base).prefix_map())
        queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(queries_dir.glob("*.rq"))}
        context = formats.jsonld_context(load_vocabulary(), base)
        return cls(base, graph, publication.files, context, queries, bounds)

    @property
    def ntriples(self) -> bytes:
        return self.files[NTRIPLES]

    # ------------------------------------------------------------------ descriptions

    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def exists(self, iri: URIRef) -> bool:
        return (iri, None, None) in self.graph

    def describe(self, iri: URIRef) -> Graph:
        """The resource's own triples, and the statements about it with their triples, so
        that every fact about it comes with its evidence sentence."""
        description = Graph(bind_namespaces="none")
        for prefix, namespace in self.graph.namespaces():
            description.bind(prefix, namespace)
        for triple in self.graph.triples((iri, None, None)):
            description.add(triple)
        for statement in self.graph.subjects(RDF.subject, iri):
            for triple in self.graph.triples((statement, None, None)):
                description.add(triple)
        return description

    def turtle(self, iri: URIRef) -> bytes:
        return formats.turtle(formats.SortedTriples(of_rdflib(self.describe(iri))), Iris(self.base).prefix_map())

    def jsonld(self, iri: URIRef) -> bytes:
        return formats.jsonld(formats.SortedTriples(of_rdflib(self.describe(iri))), self.context)

    # ------------------------------------------------------------------ HTML

    def label(self, node: object) -> str:
        if isinstance(node, URIRef):
            label = self.graph.value(node, RDFS.label)
            return str(label) if label is not None else str(node).rsplit("/", 1)[-1]
        return str(node)

    def link(self, node: object) -> str:
        if isinstance(node, URIRef) and str(node).startswith(str(OMSKG)):
            return html.escape(self.label(node))  # a term of the vocabulary: its label
        if isinstance(node, URIRef) and str(node).startswith(self.base):
            return f'<a href="{html.escape(str(node))}">{html.escape(self.label(node))}</a>'
        if isinstance(node, URIRef):
            return f'<a href="{html.escape(str(node))}">{html.escape(str(node))}</a>'
        if isinstance(node, Literal):
            return html.escape(str(node))
        return html.escape(str(node))

    def value_text(self, node: object) -> str:
        """An object for display: an entity link, a literal, or a value node's numbers."""
        if isinstance(node, URIRef) and (node, RDF.type, OMSKG.IncidenceRate) in self.graph:
            cases, out_of = self.graph.value(node, OMSKG.cases), self.graph.value(node, OMSKG.outOf)
            return html.escape(f"{cases} in {out_of} people per {self.graph.value(node, OMSKG.period)}")
        if isinstance(node, URIRef) and (node, RDF.type, OMSKG.AgeRange) in self.graph:
            g = self.graph
            low, high, unit = (g.value(node, p) for p in (SCHEMA.minValue, SCHEMA.maxValue, SCHEMA.unitText))
            statistic = self.label(g.value(node, OMSKG.statistic))
            return html.escape(f"{statistic} {low} to {high} {unit}")
        return self.link(node)

    def page(self, iri: URIRef) -> str:
        g = self.graph
        title = self.label(iri)
        kinds = sorted(self.label(k) for k in g.objects(iri, RDF.type) if str(k).startswith(str(OMSKG)))
        rows = [
            self._fact_row(s, outgoing=True)
            for s in self._by_predicate(g.subjects(RDF.subject, iri), RDF.object)
        ]
        incoming = [
            self._fact_row(s, outgoing=False)
            for s in self._by_predicate(g.subjects(RDF.object, iri), RDF.subject)
        ]
        xrefs = [
            f"<li>{name} match: {self.link(target)}</li>"
            for name, prop in MATCH_PROPERTIES.items()
            for target in sorted(g.objects(iri, prop), key=str)
        ]
        other = [
            f"<tr><td>{html.escape(self._term(p))}</td><td>{self.value_text(o)}</td></tr>"
            for p, o in sorted(g.predicate_objects(iri), key=lambda po: (str(po[0]), str(po[1])))
            if not str(p).startswith(str(OMSKG)) and p not in MATCH_PROPERTIES.values()
        ]
        body = [
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="kind">{html.escape(", ".join(kinds))} · <code>{html.escape(str(iri))}</code></p>',
        ]
        if rows:
            body += ["<h2>Facts</h2>", '<table class="facts">', *rows, "</table>"]
        if incoming:
            body += ["<h2>Facts that mention it</h2>", '<table class="facts">', *incoming, "</table>"]
        if xrefs:
            body += ['<h2>Cross-references</h2><ul class="xrefs">', *xrefs, "</ul>"]
        body += ["<h2>All properties</h2>", '<table class="properties">', *other, "</table>"]
        jsonld = self.jsonld(iri).decode("utf-8").replace("</", "<\\/")
        return _document(title, "\n".join(body), jsonld, self._disclaimer())

    def _by_predicate(self, statements: Iterable[Node], other_end: URIRef) -> list[Node]:
        """Statements grouped by predicate, then by the label of their other end."""
        g = self.graph

        def key(statement: Node) -> tuple[str, str, str]:
            predicate, other = g.value(statement, RDF.predicate), g.value(statement, other_end)
            return (self.label(predicate), self.label(other), str(statement))

        return sorted(statements, key=key)

    def _fact_row(self, statement: Node, outgoing: bool) -> str:
        g = self.graph
        predicate = g.value(statement, RDF.predicate)
        other = g.value(statement, RDF.object if outgoing else RDF.subject)
        qualifiers = []
        for name in sorted(load_vocabulary().qualifiers):
            for value in sorted(g.objects(statement, OMSKG[name]), key=str):
                qualifiers.append(f"{name}: {self.value_text(value)}")
        evidence = g.value(statement, BIOLINK.supporting_text)
        annotation = g.value(statement, PROV.wasDerivedFrom)
        where = ""
        if annotation is not None:
            where = html.escape(str(annotation).rsplit("/", 1)[-1].replace("-", "–"))
        verb = html.escape(self.label(predicate))
        fact = f"{verb} {self.value_text(other)}" if outgoing else f"{self.link(other)} {verb} this"
        return (
            f'<tr><td class="fact">{fact}</td><td class="qualifiers">{"; ".join(qualifiers)}</td>'
            f'<td><blockquote class="evidence">{html.escape(str(evidence))}</blockquote>'
            f'<span class="where">characters {where} of the source</span></td></tr>'
        )

    def _term(self, iri: object) -> str:
        return shorten(str(iri), shortener_for(Iris(self.base).prefix_map()))

    def _disclaimer(self) -> str:
        value = self.graph.value(None, OMSKG.disclaimer)
        return str(value) if value is not None else ""

    def landing(self) -> str:
        dataset = self.iri("dataset")
        title = str(self.graph.value(dataset, DCTERMS.title))
        conditions = sorted(self.graph.subjects(RDF.type, OMSKG.Condition), key=str)
        files = [
            f'<li><a href="/files/{name}">{name}</a> ({len(content)} bytes)</li>'
            for name, content in sorted(self.files.items())
        ]
        examples = [
            f'<li><a href="/sparql?query={quote(self.queries[name], safe="")}">{html.escape(name)}</a>: '
            f"{html.escape(self.queries[name].splitlines()[0].lstrip('# '))}</li>"
            for name in EXAMPLE_QUERIES
            if name in self.queries
        ]
        body = "\n".join(
            [
                f"<h1>{html.escape(title)}</h1>",
                "<p>An evidence-traced knowledge graph: every fact carries the sentence of the source that states it.</p>",
                "<h2>Conditions</h2><ul>",
                *[f"<li>{self.link(c)}</li>" for c in conditions],
                "</ul><h2>Files</h2><ul>",
                *files,
                "</ul>",
                '<h2>SPARQL</h2><p>A read-only SPARQL 1.1 endpoint is at <a href="/sparql">/sparql</a> (GET or POST; '
                "JSON, XML, CSV or TSV results by <code>Accept</code>). Examples:</p><ul>",
                *examples,
                "</ul>",
            ]
        )
        description = json.dumps({"@context": self.context, "@id": str(dataset)}, ensure_ascii=False)
        return _document(title, body, description.replace("</", "<\\/"), self._disclaimer())


def _document(title: str, body: str, jsonld: str, disclaimer: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} · omskg</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
table {{ border-collapse: collapse; width: 100%; }} td {{ border-top: 1px solid #ddd; padding: .4rem; vertical-align: top; }}
blockquote {{ margin: 0; font-style: italic; }} .where, .kind {{ color: #666; font-size: .85rem; }}
footer {{ margin-top: 3rem; color: #666; font-size: .85rem; }}
</style>
<script type="application/ld+json">
{jsonld}
</script>
</head>
<body>
<nav><a href="/">omskg</a></nav>
{body}
<footer>{html.escape(disclaimer)}</footer>
</body>
</html>
"""
