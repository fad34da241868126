"""What `omskg serve` shows: the graph built under the server's own base (so every IRI in it
dereferences on this server), read from the same on-disk store the query workers use, as
descriptions (Turtle, JSON-LD) and HTML pages that show every fact with its nuance."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import namespace

from omskg import diagram, formats, vocab
from omskg.build import Publication
from omskg.html_document import document
from omskg.iris import INSTANCE_PATHS, Iris
from omskg.rdf import Triples
from omskg.vocab import MATCH_PROPERTIES, load_vocabulary, shorten, shortener_for, xref_converter

DEREFERENCEABLE = tuple(path.strip("/") for path in INSTANCE_PATHS.values()) + ("dataset",)
EXAMPLE_QUERIES = ("symptoms", "triggers", "epidemiology")
MAX_TABLE_ROWS = 1000

RDF, RDFS, OMSKG, OA = str(namespace.RDF), str(namespace.RDFS), str(vocab.OMSKG), str(vocab.OA)
DCT, PROV, BIOLINK, XSD = str(namespace.DCTERMS), str(namespace.PROV), str(vocab.BIOLINK), str(namespace.XSD)

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
    files: Mapping[str, bytes]
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
                      assembled.count, assembled.facts, assembled.entities, sources)
        return cls(base, store, publication.files, context, queries, labels, about)

    def __post_init__(self) -> None:
        # the graph never changes while served: each document is made once (up to a bound)
        self.page = lru_cache(maxsize=512)(self._page)
        self.turtle = lru_cache(maxsize=512)(self._turtle)
        self.jsonld = lru_cache(maxsize=512)(self._jsonld)
        self.prefix_map = Iris(self.base).prefix_map()
        self.shortener = shortener_for(self.prefix_map)
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
            short = shorten(node.value, self.shortener)
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
        return document(title, "\n".join(body), jsonld, self.disclaimer)

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
        return shorten(iri.value, self.shortener)

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
