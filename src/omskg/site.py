"""What `omskg serve` shows: the graph built under the server's own base (so every IRI in it
dereferences on this server), read from the same on-disk store the query workers use, as
descriptions (Turtle, JSON-LD) and HTML pages that show every fact with its nuance."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from omskg import diagram, formats
from omskg.build import Publication
from omskg.iris import INSTANCE_PATHS, Iris
from omskg.rdf import Triples
from omskg.vocab import MATCH_PROPERTIES, load_vocabulary, shorten, shortener_for, xref_converter

DEREFERENCEABLE = tuple(path.strip("/") for path in INSTANCE_PATHS.values()) + ("dataset",)
EXAMPLE_QUERIES = ("symptoms", "triggers", "epidemiology")
MAX_TABLE_ROWS = 1000

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OMSKG = "https://w3id.org/omskg/vocab/"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
BIOLINK = "https://w3id.org/biolink/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"

TYPE = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
TITLE = ox.NamedNode(DCT + "title")
SUBJECT, PREDICATE, OBJECT = (ox.NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
SUPPORTING_TEXT = ox.NamedNode(BIOLINK + "supporting_text")
DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
DISCLAIMER = ox.NamedNode(OMSKG + "disclaimer")
HEDGE = ox.NamedNode(OMSKG + "hedge")
#: The order in which a fact's qualifiers are read out.
QUALIFIERS = ("hedge", "approximate", "proportion", "population", "coreFeature", "diseaseContext",
              "therapeuticGoal")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class About:
    """What the landing page says about the dataset."""

    title: str
    description: str
    version: str
    modified: str
    triples: int
    facts: int
    entities: int
    sources: tuple[tuple[str, str, str], ...]  # (IRI, title, last updated)


@dataclass
class Site:
    base: str
    store: ox.Store
    files: dict[str, bytes]
    context: dict[str, object]
    queries: dict[str, str]
    xref_labels: dict[str, str]  # cross-reference target IRI -> its label in data/xref-targets.tsv
    about: About

    @classmethod
    def of(cls, publication: Publication, queries_dir: Path, store: ox.Store) -> Site:
        """`store` holds the publication's graph (see workers.store_folder)."""
        base = publication.base
        queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(queries_dir.glob("*.rq"))}
        context = formats.jsonld_context(load_vocabulary(), base)
        converter = xref_converter()
        labels = {}
        for curie, target in publication.assembled.targets.items():
            iri = converter.expand(curie)
            if iri and target.label:
                labels[iri] = target.label
        assembled = publication.assembled
        meta = assembled.meta
        sources = tuple(
            (Iris(base).source(f.source), f.source.title, f.source.last_updated.isoformat())
            for f in assembled.fact_files
        )
        about = About(meta.title, meta.description, meta.version, meta.modified.isoformat(),
                      len(assembled.triples), assembled.facts, assembled.entities, sources)
        return cls(base, store, publication.files, context, queries, labels, about)

    def __post_init__(self) -> None:
        # the graph never changes while served: each document is made once (up to a bound)
        self.page = lru_cache(maxsize=512)(self._page)
        self.turtle = lru_cache(maxsize=512)(self._turtle)
        self.jsonld = lru_cache(maxsize=512)(self._jsonld)
        self.prefix_map = Iris(self.base).prefix_map()
        self._shortener = shortener_for(self.prefix_map)
        self._xrefs = xref_converter()
        disclaimer = self._value(self.iri("dataset"), DISCLAIMER)
        if disclaimer is None:
            found = next(iter(self.store.quads_for_pattern(None, DISCLAIMER, None)), None)
            disclaimer = found.object if found is not None else None
        self.disclaimer = str(disclaimer.value) if isinstance(disclaimer, ox.Literal) else ""

    # ------------------------------------------------------------------ the store

    def _objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        if isinstance(subject, ox.Literal):
            return []
        return sorted((q.object for q in self.store.quads_for_pattern(subject, predicate, None)), key=str)

    def _value(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        found = self._objects(subject, predicate)
        return found[0] if found else None

    def _subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Term]:
        return sorted((q.subject for q in self.store.quads_for_pattern(None, predicate, obj)), key=str)

    def _properties(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        if isinstance(subject, ox.Literal):
            return []
        return sorted(((q.predicate, q.object) for q in self.store.quads_for_pattern(subject, None, None)),
                      key=lambda po: (str(po[0]), str(po[1])))

    def _is_a(self, node: Term, local: str) -> bool:
        if isinstance(node, ox.Literal):
            return False
        return any(True for _ in self.store.quads_for_pattern(node, TYPE, ox.NamedNode(OMSKG + local)))

    # ------------------------------------------------------------------ descriptions

    def iri(self, path: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + path)

    def exists(self, iri: ox.NamedNode) -> bool:
        return any(True for _ in self.store.quads_for_pattern(iri, None, None))

    def describe(self, iri: ox.NamedNode) -> Triples:
        """The resource's own triples, and the statements about it with their triples, so
        that every fact about it comes with its evidence sentence."""
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(iri, None, None)}
        for statement in self._subjects(SUBJECT, iri):
            if isinstance(statement, ox.Literal):
                continue
            triples |= {ox.Triple(q.subject, q.predicate, q.object)
                        for q in self.store.quads_for_pattern(statement, None, None)}
        return triples

    def _turtle(self, iri: ox.NamedNode) -> bytes:
        return formats.turtle(formats.SortedTriples(self.describe(iri)), self.prefix_map)

    def _jsonld(self, iri: ox.NamedNode) -> bytes:
        return formats.jsonld(formats.SortedTriples(self.describe(iri)), self.context)

    # ------------------------------------------------------------------ words for terms

    def label(self, node: Term | None) -> str:
        if isinstance(node, ox.NamedNode):
            label = self._value(node, LABEL) or self._value(node, TITLE)
            if isinstance(label, ox.Literal):
                return label.value
            if node.value in self.xref_labels:
                return self.xref_labels[node.value]
            return node.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return "" if node is None else str(getattr(node, "value", node))

    def link(self, node: Term | None) -> str:
        if isinstance(node, ox.NamedNode) and node.value.startswith(OMSKG):
            return html.escape(self.label(node))  # a term of the vocabulary: its label
        if isinstance(node, ox.NamedNode) and node.value.startswith(self.base):
            return f'<a href="{html.escape(node.value)}">{html.escape(self.label(node))}</a>'
        if isinstance(node, ox.NamedNode):
            short = shorten(node.value, self._shortener)
            return f'<a href="{html.escape(node.value)}">{html.escape(short)}</a>'
        if isinstance(node, ox.Literal):
            return html.escape(node.value)
        return html.escape("" if node is None else str(node))

    def value_text(self, node: Term | None) -> str:
        """An object for display: an entity link, a literal, or a value node with every number."""
        if isinstance(node, ox.NamedNode) and (self._is_a(node, "IncidenceRate") or self._is_a(node, "AgeRange")):
            parts = [
                f"{html.escape(self.label(p))} {self.value_text(o)}"
                for p, o in self._properties(node)
                if p != TYPE
            ]
            return f'<a href="{html.escape(node.value)}">{html.escape(self.label(node) if self._value(node, LABEL) else "value")}</a>: ' + ", ".join(parts)
        if isinstance(node, ox.Literal) and node.datatype.value == XSD + "duration":
            return html.escape(_duration(node.value))
        return self.link(node)

    def qualifier_text(self, name: str, value: Term) -> str:
        prop = ox.NamedNode(OMSKG + name)
        word = self.label(prop)
        if name == "proportion" and isinstance(value, ox.Literal):
            return f'<span class="q-proportion">{html.escape(_percent(value.value))} ({html.escape(value.value)})</span>'
        if isinstance(value, ox.Literal) and value.datatype.value == XSD + "boolean":
            true = value.value in ("true", "1")
            shown = {"approximate": "approximately", "coreFeature": "core feature"}.get(name, word)
            return f'<span class="q-{name}">{"" if true else "not "}{html.escape(shown)}</span>'
        return f'<span class="q-{name}">{html.escape(word)}: {self.value_text(value)}</span>'

    def qualifiers(self, statement: Term) -> list[str]:
        found = []
        known = set(QUALIFIERS) | set(load_vocabulary().qualifiers)
        for name in [*QUALIFIERS, *sorted(known - set(QUALIFIERS))]:
            for value in self._objects(statement, ox.NamedNode(OMSKG + name)):
                found.append(self.qualifier_text(name, value))
        return found

    def evidence(self, statement: Term) -> str:
        """The statement's evidence sentence, with its offsets in the source."""
        text = self._value(statement, SUPPORTING_TEXT)
        annotation = self._value(statement, DERIVED_FROM)
        where = self._where(annotation) if isinstance(annotation, ox.NamedNode) else ""
        quote_ = html.escape(text.value) if isinstance(text, ox.Literal) else ""
        return f'<blockquote class="evidence">{quote_}</blockquote>{where}'

    def _where(self, annotation: ox.NamedNode) -> str:
        target = self._value(annotation, ox.NamedNode(OA + "hasTarget"))
        start = end = None
        source: Term | None = None
        if target is not None:
            source = self._value(target, ox.NamedNode(OA + "hasSource"))
            for selector in self._objects(target, ox.NamedNode(OA + "hasSelector")):
                start = start or self._value(selector, ox.NamedNode(OA + "start"))
                end = end or self._value(selector, ox.NamedNode(OA + "end"))
        if start is None or end is None:
            return ""
        return (
            f'<span class="where">characters <span class="offsets">{html.escape(str(start.value))}–'  # type: ignore[union-attr]
            f'{html.escape(str(end.value))}</span> of {self.link(source)} '  # type: ignore[union-attr]
            f'(<a href="{html.escape(annotation.value)}">annotation</a>)</span>'
        )

    # ------------------------------------------------------------------ pages

    def _page(self, iri: ox.NamedNode) -> str:
        title = self.label(iri)
        if self._is_a(iri, "Statement"):
            subject, predicate = self._value(iri, SUBJECT), self._value(iri, PREDICATE)
            obj = self._value(iri, OBJECT)
            shown = self.label(obj) if isinstance(obj, ox.NamedNode) else str(getattr(obj, "value", ""))
            title = f"Statement: {self.label(subject)} {self.label(predicate)} {shown}"
        kinds = sorted(self.label(k) for k in self._objects(iri, TYPE)
                       if isinstance(k, ox.NamedNode) and k.value.startswith(OMSKG))
        body = [
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="kind">{html.escape(", ".join(kinds))} · <code>{html.escape(iri.value)}</code></p>',
        ]
        statements = self._by_predicate(self._subjects(SUBJECT, iri), OBJECT)
        if self._is_a(iri, "Condition"):
            body.append(self._diagram(iri, title, statements))
        description = self._objects(iri, ox.NamedNode(DCT + "description"))
        if description:
            body.append(f'<p class="description">{html.escape(self.label(description[0]))}</p>')
        if self._is_a(iri, "Statement"):
            body += self._statement_section(iri)
        if any(True for _ in self.store.quads_for_pattern(iri, TYPE, ox.NamedNode(OA + "Annotation"))):
            body += self._annotation_section(iri)
        rows = [self._fact_row(s, outgoing=True) for s in statements]
        incoming = [self._fact_row(s, outgoing=False)
                    for s in self._by_predicate(self._subjects(OBJECT, iri), SUBJECT)]
        if rows:
            body += ["<h2>Facts</h2>", '<table class="facts">', _fact_head(), *rows, "</table>"]
        if incoming:
            body += ["<h2>Facts that mention it</h2>", '<table class="facts incoming">', _fact_head(), *incoming,
                     "</table>"]
        xrefs = self._xref_items(iri)
        if xrefs:
            body += ['<h2>Cross-references</h2><ul class="xrefs">', *xrefs, "</ul>"]
        other = [
            f"<tr><td>{html.escape(self._term(p))}</td><td>{self._property_value(p, o)}</td></tr>"
            for p, o in self._properties(iri)
        ]
        body += ["<h2>All properties</h2>", '<table class="properties">', *other, "</table>"]
        jsonld = self.jsonld(iri).decode("utf-8").replace("</", "<\\/")
        return _document(title, "\n".join(body), jsonld, self.disclaimer)

    def _property_value(self, predicate: ox.NamedNode, value: Term) -> str:
        local = predicate.value.removeprefix(OMSKG)
        if predicate.value.startswith(OMSKG) and local in QUALIFIERS:
            return self.qualifier_text(local, value)
        return self.value_text(value)

    def _statement_section(self, statement: ox.NamedNode) -> list[str]:
        subject = self._value(statement, SUBJECT)
        predicate = self._value(statement, PREDICATE)
        obj = self._value(statement, OBJECT)
        qualifiers = "".join(f"<li>{q}</li>" for q in self.qualifiers(statement))
        return [
            '<section class="statement"><h2>The statement</h2>',
            f'<p class="fact">{self.link(subject)} <em>{html.escape(self.label(predicate))}</em> '
            f"{self.value_text(obj)}</p>",
            f'<ul class="qualifiers">{qualifiers}</ul>' if qualifiers else "",
            "<h3>Evidence</h3>",
            self.evidence(statement),
            "</section>",
        ]

    def _annotation_section(self, annotation: ox.NamedNode) -> list[str]:
        target = self._value(annotation, ox.NamedNode(OA + "hasTarget"))
        exact = prefix = suffix = None
        if target is not None:
            for selector in self._objects(target, ox.NamedNode(OA + "hasSelector")):
                exact = exact or self._value(selector, ox.NamedNode(OA + "exact"))
                prefix = prefix or self._value(selector, ox.NamedNode(OA + "prefix"))
                suffix = suffix or self._value(selector, ox.NamedNode(OA + "suffix"))
        bodies = [self.link(b) for b in self._objects(annotation, ox.NamedNode(OA + "hasBody"))]
        context = "".join([
            f'<span class="context">…{html.escape(str(prefix.value))}</span>' if prefix is not None else "",  # type: ignore[union-attr]
            f'<mark>{html.escape(str(exact.value))}</mark>' if exact is not None else "",  # type: ignore[union-attr]
            f'<span class="context">{html.escape(str(suffix.value))}…</span>' if suffix is not None else "",  # type: ignore[union-attr]
        ])
        return [
            '<section class="annotation"><h2>The quote</h2>',
            f'<blockquote class="evidence">{context}</blockquote>',
            self._where(annotation),
            "<h3>It supports</h3><ul>", *[f"<li>{b}</li>" for b in bodies], "</ul></section>",
        ]

    def _xref_items(self, iri: ox.NamedNode) -> list[str]:
        items = []
        for name, prop in MATCH_PROPERTIES.items():
            for target in self._objects(iri, ox.NamedNode(str(prop))):
                if not isinstance(target, ox.NamedNode):
                    continue
                curie = self._xrefs.compress(target.value) or target.value
                label = self.label(target) if (self._value(target, LABEL) or target.value in self.xref_labels) else ""
                items.append(
                    f'<li><span class="match">{name} match</span>: <a href="{html.escape(target.value)}">'
                    f'{html.escape(curie)}</a>{" " + html.escape(label) if label else ""}</li>'
                )
        return items

    def _diagram(self, iri: ox.NamedNode, title: str, statements: list[Term]) -> str:
        edges = []
        for statement in statements:
            predicate, obj = self._value(statement, PREDICATE), self._value(statement, OBJECT)
            if not isinstance(predicate, ox.NamedNode) or not isinstance(obj, ox.NamedNode):
                continue
            local = predicate.value.removeprefix(OMSKG)
            if local not in diagram.GROUP_OF:
                continue
            marks = []
            hedge = self._value(statement, HEDGE)
            if hedge is not None:
                marks.append(self.label(hedge))
            for population in self._objects(statement, ox.NamedNode(OMSKG + "population")):
                marks.append(self.label(population))
            proportion = self._value(statement, ox.NamedNode(OMSKG + "proportion"))
            if isinstance(proportion, ox.Literal):
                approximate = self._value(statement, ox.NamedNode(OMSKG + "approximate"))
                about = "≈" if isinstance(approximate, ox.Literal) and approximate.value == "true" else ""
                marks.append(about + _percent(proportion.value))
            edges.append(diagram.Edge(local, self.label(predicate), self.label(obj), obj.value, tuple(marks)))
        if not edges:
            return ""
        return diagram.figure(title, edges)

    def _by_predicate(self, statements: Iterable[Term], other_end: ox.NamedNode) -> list[Term]:
        """Statements grouped by predicate, then by the label of their other end."""

        def key(statement: Term) -> tuple[str, str, str]:
            predicate, other = self._value(statement, PREDICATE), self._value(statement, other_end)
            return (self.label(predicate), self.label(other), str(statement))

        return sorted(statements, key=key)

    def _fact_row(self, statement: Term, outgoing: bool) -> str:
        predicate = self._value(statement, PREDICATE)
        other = self._value(statement, OBJECT if outgoing else SUBJECT)
        verb = html.escape(self.label(predicate))
        fact = f"{verb} {self.value_text(other)}" if outgoing else f"{self.link(other)} {verb} this"
        qualifiers = "".join(f"<li>{q}</li>" for q in self.qualifiers(statement))
        return (
            f'<tr><td class="fact">{fact}<br><a class="statement-link" href="{html.escape(str(statement.value))}">'  # type: ignore[union-attr]
            f'statement</a></td><td><ul class="qualifiers">{qualifiers}</ul></td>'
            f"<td>{self.evidence(statement)}</td></tr>"
        )

    def _term(self, iri: ox.NamedNode) -> str:
        return shorten(iri.value, self._shortener)

    # ------------------------------------------------------------------ the landing page

    def landing(self) -> str:
        about = self.about
        dataset = self.iri("dataset")
        conditions = self._subjects(TYPE, ox.NamedNode(OMSKG + "Condition"))
        shown = conditions[:50]
        files = [
            f'<li><a href="/files/{name}">{name}</a> ({len(content):,} bytes)</li>'
            for name, content in sorted(self.files.items())
        ]
        examples = [
            f'<li><a href="/sparql?query={quote(self.queries[name], safe="")}">{html.escape(name)}</a>: '
            f"{html.escape(self.queries[name].splitlines()[0].lstrip('# '))}</li>"
            for name in EXAMPLE_QUERIES
            if name in self.queries
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
            *[f"<li>{self.link(c)}</li>" for c in shown],
            f"<li>and {len(conditions) - len(shown):,} more</li>" if len(conditions) > len(shown) else "",
            "</ul><h2>Files</h2><ul>",
            *files,
            "</ul>",
            '<h2>SPARQL</h2><p>A read-only SPARQL 1.1 endpoint is at <a href="/sparql">/sparql</a> (a query form in '
            "a browser; GET or POST with JSON, XML, CSV or TSV results by <code>Accept</code>). Examples:</p><ul>",
            *examples,
            "</ul>",
        ])
        description = json.dumps({"@context": self.context, "@id": dataset.value}, ensure_ascii=False)
        return _document(about.title, body, description.replace("</", "<\\/"), self.disclaimer)

    # ------------------------------------------------------------------ the SPARQL form

    def sparql_form(self, query: str, results: str = "", problem: str = "") -> str:
        examples = [
            f'<li><a href="/sparql?query={quote(text, safe="")}">{html.escape(name)}</a>: '
            f"{html.escape(text.splitlines()[0].lstrip('# '))}</li>"
            for name, text in sorted(self.queries.items())
        ]
        body = "\n".join([
            "<h1>SPARQL</h1>",
            "<p>A read-only SPARQL 1.1 endpoint over this graph. The prefixes "
            f"<code>{html.escape(' '.join(sorted(p for p in self.prefix_map)))}</code> are declared. "
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
        return _document("SPARQL", body, "{}", self.disclaimer)

    def results_table(self, form: str, body: bytes) -> str:
        """A query's answer (JSON results, or N-Triples for a graph) as an HTML table."""
        if form == "graph":
            names = ["subject", "predicate", "object"]
            rows = [[self._cell(t.subject), self._cell(t.predicate), self._cell(t.object)]
                    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        else:
            document = json.loads(body)
            if "boolean" in document:
                return f'<table class="results"><tr><th>answer</th></tr><tr><td>{str(document["boolean"]).lower()}</td></tr></table>'
            names = document["head"]["vars"]
            rows = [[self._json_cell(b.get(n)) for n in names] for b in document["results"]["bindings"]]
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

    def _cell(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return self._iri_cell(term.value)
        return html.escape(str(getattr(term, "value", term)))

    def _json_cell(self, term: dict[str, str] | None) -> str:
        if term is None:
            return ""
        if term["type"] == "uri":
            return self._iri_cell(term["value"])
        return html.escape(term["value"])

    def _iri_cell(self, iri: str) -> str:
        return f'<a href="{html.escape(iri)}">{html.escape(shorten(iri, self._shortener))}</a>'

    def service_description(self, endpoint: str) -> list[ox.Triple]:
        """A SPARQL 1.1 service description (sd:Service) of /sparql."""
        sd = "http://www.w3.org/ns/sparql-service-description#"
        fmt = "http://www.w3.org/ns/formats/"
        me = ox.NamedNode(endpoint)
        dataset, graph = ox.NamedNode(endpoint + "#dataset"), ox.NamedNode(endpoint + "#default-graph")

        def t(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
            return ox.Triple(s, ox.NamedNode(p), o)

        triples = [
            t(me, RDF + "type", ox.NamedNode(sd + "Service")),
            t(me, sd + "endpoint", me),
            t(me, sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query")),
            t(me, sd + "defaultEntailmentRegime", ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
            t(me, sd + "defaultDataset", dataset),
            t(dataset, RDF + "type", ox.NamedNode(sd + "Dataset")),
            t(dataset, sd + "defaultGraph", graph),
            t(dataset, DCT + "source", self.iri("dataset")),
            t(graph, RDF + "type", ox.NamedNode(sd + "Graph")),
            t(graph, "http://rdfs.org/ns/void#triples", ox.Literal(str(self.about.triples), datatype=ox.NamedNode(XSD + "integer"))),
            t(me, DCT + "title", ox.Literal(f"SPARQL endpoint of {self.about.title}", language="en")),
        ]
        for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                     "N-Triples", "Turtle"):
            triples.append(t(me, sd + "resultFormat", ox.NamedNode(fmt + name)))
        return triples


def _fact_head() -> str:
    return "<tr><th>fact</th><th>qualifiers</th><th>evidence</th></tr>"


def _percent(lexical: str) -> str:
    try:
        value = Decimal(lexical) * 100
    except InvalidOperation:
        return lexical
    text = format(value.normalize(), "f")
    return f"{text}%"


def _duration(lexical: str) -> str:
    words = {"P1Y": "per year", "P1M": "per month", "P1D": "per day", "P1W": "per week"}
    return f"{lexical} ({words[lexical]})" if lexical in words else lexical


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; color: #1d2430; }
a { color: #1a4f9c; }
table { border-collapse: collapse; width: 100%; } td, th { border-top: 1px solid #ddd; padding: .4rem; vertical-align: top; text-align: left; }
th { font-size: .85rem; color: #555; }
blockquote { margin: 0; font-style: italic; } .where, .kind, .count { color: #555; font-size: .85rem; }
ul.qualifiers { margin: 0; padding-left: 1.1rem; } ul.qualifiers li { margin: 0; }
.statement .fact { font-size: 1.2rem; }
mark { background: #fff3b0; } .context { color: #777; }
.disclaimer { margin: 1.5rem 0; padding: .75rem 1rem; border: 1px solid #d9a300; background: #fff8e1; border-radius: .4rem; }
dl.facts-about { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dl.facts-about dd { margin: 0; }
ul.sources { margin: 0; padding-left: 1.1rem; }
form.query textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; box-sizing: border-box; }
form.query button { margin-top: .5rem; padding: .4rem 1rem; font-size: 1rem; }
.problem { color: #9c1a1a; white-space: pre-wrap; }
.scroll { overflow-x: auto; }
figure.diagram { margin: 1rem 0; } figure.diagram svg { width: 100%; height: auto; }
figure.diagram .narrow { display: none; }
@media (max-width: 700px) { figure.diagram .wide { display: none; } figure.diagram .narrow { display: block; }
  td, th { padding: .25rem; } table.facts td { display: block; border: 0; } table.facts tr { display: block; border-top: 1px solid #ddd; padding: .3rem 0; }
  table.facts tr:first-child { display: none; } }
"""


def _document(title: str, body: str, jsonld: str, disclaimer: str) -> str:
    notice = f'<aside class="disclaimer" role="note">{html.escape(disclaimer)}</aside>' if disclaimer else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · omskg</title>
<style>{STYLE}</style>
<script type="application/ld+json">
{jsonld}
</script>
</head>
<body>
<nav><a href="/">omskg</a> · <a href="/sparql">SPARQL</a></nav>
{notice}
{body}
</body>
</html>
"""
