"""The pages of `omskg serve` that are about the service rather than one resource: the
landing page, the SPARQL query form with its results as a table, and the SPARQL service
description."""

from __future__ import annotations

import html
import json
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.namespace import VOID

from omskg.html_document import document
from omskg.site import DCT, EXAMPLE_QUERIES, MAX_TABLE_ROWS, OMSKG, RDF, TYPE, XSD, Site
from omskg.vocab import ENTAILMENT, FORMATS, SD, shorten

# ------------------------------------------------------------------ the landing page

def landing(site: Site) -> str:
    about = site.about
    dataset = site.iri("dataset")
    conditions = site._subjects(TYPE, ox.NamedNode(OMSKG + "Condition"))
    shown = conditions[:50]
    files = [
        f'<li><a href="/files/{name}">{name}</a> ({len(content):,} bytes)</li>'
        for name, content in sorted(site.files.items())
    ]
    examples = [
        f'<li><a href="/sparql?query={quote(site.queries[name], safe="")}">{html.escape(name)}</a>: '
        f"{html.escape(site.queries[name].splitlines()[0].lstrip('# '))}</li>"
        for name in EXAMPLE_QUERIES
        if name in site.queries
    ]
    sources = [
        f'<li><a href="{html.escape(iri)}">{html.escape(title)}</a>, last updated {html.escape(date)}</li>'
        for iri, title, date in about.sources[:5]
    ]
    if len(about.sources) > 5:
        sources.append(f"<li>and {len(about.sources) - 5:,} more</li>")
    body = "\n".join([
        f"<h1>{html.escape(about.title)}</h1>",
        f'<p class="what">{html.escape(about.description)}</p>',
        '<p class="what">An evidence-traced knowledge graph: every fact carries the sentence of the source '
        "that states it, its place in the source, and the source's own hedges, populations and proportions.</p>",
        '<dl class="facts-about">',
        f"<dt>Size</dt><dd>{about.triples:,} triples: {about.facts:,} facts about {about.entities:,} entities</dd>",
        f"<dt>Version</dt><dd>{html.escape(about.version)} (modified {html.escape(about.modified)})</dd>",
        f'<dt>Source</dt><dd><ul class="sources">{"".join(sources)}</ul></dd>',
        f'<dt>Dataset</dt><dd><a href="{html.escape(dataset.value)}">{html.escape(dataset.value)}</a></dd>',
        "</dl>",
        "<h2>Conditions</h2><ul>",
        *[f"<li>{site.link(c)}</li>" for c in shown],
        f"<li>and {len(conditions) - len(shown):,} more</li>" if len(conditions) > len(shown) else "",
        "</ul><h2>Files</h2><ul>",
        *files,
        "</ul>",
        '<h2>SPARQL</h2><p>A read-only SPARQL 1.1 endpoint is at <a href="/sparql">/sparql</a> (a query form in '
        "a browser; GET or POST with JSON, XML, CSV or TSV results by <code>Accept</code>). Examples:</p><ul>",
        *examples,
        "</ul>",
    ])
    description = json.dumps({"@context": site.context, "@id": dataset.value}, ensure_ascii=False)
    return document(about.title, body, description.replace("</", "<\\/"), site.disclaimer)



# ------------------------------------------------------------------ the SPARQL form

def sparql_form(site: Site, query: str, results: str = "", problem: str = "") -> str:
    examples = [
        f'<li><a href="/sparql?query={quote(text, safe="")}">{html.escape(name)}</a>: '
        f"{html.escape(text.splitlines()[0].lstrip('# '))}</li>"
        for name, text in sorted(site.queries.items())
    ]
    body = "\n".join([
        "<h1>SPARQL</h1>",
        "<p>A read-only SPARQL 1.1 endpoint over this graph. The prefixes "
        f"<code>{html.escape(' '.join(sorted(p for p in site.prefix_map)))}</code> are declared. "
        "Programs get JSON, XML, CSV or TSV by <code>Accept</code>; a browser gets this page.</p>",
        '<form method="get" action="/sparql" class="query">',
        '<label for="query">Query</label>',
        f'<textarea id="query" name="query" rows="12" spellcheck="false">{html.escape(query)}</textarea>',
        '<button type="submit">Run query</button>',
        "</form>",
        f'<p class="problem" role="alert">{html.escape(problem)}</p>' if problem else "",
        results,
        "<h2>Examples</h2><ul class=\"examples\">",
        *examples,
        "</ul>",
    ])
    return document("SPARQL", body, "{}", site.disclaimer)

def results_table(site: Site, form: str, body: bytes) -> str:
    """A query's answer (JSON results, or N-Triples for a graph) as an HTML table."""
    if form == "graph":
        names = ["subject", "predicate", "object"]
        rows = [[_cell(site, t.subject), _cell(site, t.predicate), _cell(site, t.object)]
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    else:
        document = json.loads(body)
        if "boolean" in document:
            return f'<table class="results"><tr><th>answer</th></tr><tr><td>{str(document["boolean"]).lower()}</td></tr></table>'
        names = document["head"]["vars"]
        rows = [[_json_cell(site, b.get(n)) for n in names] for b in document["results"]["bindings"]]
    count = len(rows)
    shown = rows[:MAX_TABLE_ROWS]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    lines = ["".join(f"<td>{cell}</td>" for cell in row) for row in shown]
    note = f" (the first {MAX_TABLE_ROWS} shown)" if count > MAX_TABLE_ROWS else ""
    return (
        f'<h2>Results</h2><p class="count">{count} row{"s" if count != 1 else ""}{note}</p>'
        f'<div class="scroll"><table class="results"><tr>{head}</tr>'
        + "".join(f"<tr>{line}</tr>" for line in lines)
        + "</table></div>"
    )

def _cell(site: Site, term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return _iri_cell(site, term.value)
    return html.escape(str(getattr(term, "value", term)))

def _json_cell(site: Site, term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return _iri_cell(site, term["value"])
    return html.escape(term["value"])

def _iri_cell(site: Site, iri: str) -> str:
    return f'<a href="{html.escape(iri)}">{html.escape(shorten(iri, site.shortener))}</a>'

def service_description(site: Site, endpoint: str) -> list[ox.Triple]:
    """A SPARQL 1.1 service description (sd:Service) of /sparql."""
    sd, fmt = str(SD), str(FORMATS)
    me = ox.NamedNode(endpoint)
    dataset, graph = ox.NamedNode(endpoint + "#dataset"), ox.NamedNode(endpoint + "#default-graph")

    def t(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    triples = [
        t(me, RDF + "type", ox.NamedNode(sd + "Service")),
        t(me, sd + "endpoint", me),
        t(me, sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query")),
        t(me, sd + "defaultEntailmentRegime", ox.NamedNode(str(ENTAILMENT) + "Simple")),
        t(me, sd + "defaultDataset", dataset),
        t(dataset, RDF + "type", ox.NamedNode(sd + "Dataset")),
        t(dataset, sd + "defaultGraph", graph),
        t(dataset, DCT + "source", site.iri("dataset")),
        t(graph, RDF + "type", ox.NamedNode(sd + "Graph")),
        t(graph, str(VOID) + "triples", ox.Literal(str(site.about.triples), datatype=ox.NamedNode(XSD + "integer"))),
        t(me, DCT + "title", ox.Literal(f"SPARQL endpoint of {site.about.title}", language="en")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "N-Triples", "Turtle"):
        triples.append(t(me, sd + "resultFormat", ox.NamedNode(fmt + name)))
    return triples


