"""`omskg serve`: a read-only SPARQL 1.1 Protocol endpoint at /sparql, a landing page, and
every IRI of the graph dereferenceable under the server's own base.

IRIs name things, not documents (W3C "Cool URIs", 303 recipe): /entity/x answers
303 See Other to /page/entity/x for a browser, or to /data/entity/x.ttl or .jsonld for
an RDF client, chosen by the Accept header.
"""

from __future__ import annotations

import sys
import urllib.parse
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox

from omskg.query import QueryError, execute
from omskg.site import DEREFERENCEABLE, Site

MAX_BODY = 1_000_000  # bytes of a POSTed query
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
RESOURCE_TYPES = {"text/html": "page", "text/turtle": "ttl", "application/ld+json": "jsonld"}
FILE_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".tsv": "text/tab-separated-values",
}


def negotiate(accept: str | None, offered: Iterable[str]) -> str | None:
    """The offered media type the Accept header prefers (the first offered on a tie), or None."""
    offered = list(offered)
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        for rank, candidate in enumerate(offered):
            kind = candidate.split("/")[0]
            if q > 0 and media in (candidate, f"{kind}/*", "*/*"):
                key = (q, -rank, candidate)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


class Handler(BaseHTTPRequestHandler):
    site: Site
    server_version = "omskg"

    # ------------------------------------------------------------------ plumbing

    def send(
        self, status: HTTPStatus, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def problem(self, status: HTTPStatus, message: str) -> None:
        self.send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        sys.stderr.write(f"omskg serve: {self.address_string()} {format % args}\n")

    # ------------------------------------------------------------------ methods

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == "/":
            self.send(HTTPStatus.OK, self.site.landing().encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/sparql":
            params = urllib.parse.parse_qs(url.query)
            if "update" in params:
                self.problem(
                    HTTPStatus.FORBIDDEN, "This endpoint is read-only: SPARQL Update is not accepted."
                )
            elif "query" not in params:
                self.problem(
                    HTTPStatus.BAD_REQUEST,
                    "Give a SPARQL query as the 'query' parameter, e.g. /sparql?query=ASK{}",
                )
            else:
                self.sparql(params["query"][0])
        elif path.startswith("/files/"):
            self.file(path.removeprefix("/files/"))
        elif path.startswith("/page/"):
            self.resource(path.removeprefix("/page/"), "page")
        elif path.startswith("/data/"):
            stem, _, extension = path.removeprefix("/data/").rpartition(".")
            self.resource(stem, extension)
        elif path.strip("/").split("/")[0] in DEREFERENCEABLE:
            self.see_other(path.lstrip("/"))
        else:
            self.problem(HTTPStatus.NOT_FOUND, f"Nothing is published at {path}.")

    def do_POST(self) -> None:  # noqa: N802
        if urllib.parse.urlsplit(self.path).path != "/sparql":
            self.problem(HTTPStatus.METHOD_NOT_ALLOWED, "Only /sparql accepts POST, and only queries.")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"A query may be at most {MAX_BODY} bytes.")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == "application/sparql-update":
            self.problem(HTTPStatus.FORBIDDEN, "This endpoint is read-only: SPARQL Update is not accepted.")
        elif content_type == "application/sparql-query":
            self.sparql(body)
        elif content_type == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                self.problem(
                    HTTPStatus.FORBIDDEN, "This endpoint is read-only: SPARQL Update is not accepted."
                )
            elif "query" in form:
                self.sparql(form["query"][0])
            else:
                self.problem(HTTPStatus.BAD_REQUEST, "The form needs a 'query' field.")
        else:
            self.problem(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST a query as application/sparql-query or application/x-www-form-urlencoded.",
            )

    def do_PUT(self) -> None:  # noqa: N802
        self.problem(HTTPStatus.METHOD_NOT_ALLOWED, "This server is read-only.")

    do_DELETE = do_PUT  # noqa: N815
    do_PATCH = do_PUT  # noqa: N815

    # ------------------------------------------------------------------ answers

    def sparql(self, query: str) -> None:
        try:
            results = execute(self.site.store, query)
        except QueryError as error:
            self.problem(HTTPStatus.BAD_REQUEST, str(error).capitalize())
            return
        accept = self.headers.get("Accept")
        if isinstance(results, ox.QueryTriples):
            media = negotiate(accept, GRAPH_TYPES)
            if media is None:
                self.problem(
                    HTTPStatus.NOT_ACCEPTABLE, f"Graph results are offered as: {', '.join(GRAPH_TYPES)}."
                )
                return
            body = results.serialize(format=GRAPH_TYPES[media])
        else:
            media = negotiate(accept, RESULT_TYPES)
            if media is None:
                self.problem(HTTPStatus.NOT_ACCEPTABLE, f"Results are offered as: {', '.join(RESULT_TYPES)}.")
                return
            body = results.serialize(format=RESULT_TYPES[media])
        assert body is not None
        self.send(HTTPStatus.OK, body, f"{media}; charset=utf-8")

    def see_other(self, path: str) -> None:
        iri = self.site.iri(path)
        if not self.site.exists(iri):
            self.problem(HTTPStatus.NOT_FOUND, f"No resource {iri} in this graph.")
            return
        media = negotiate(self.headers.get("Accept"), RESOURCE_TYPES)
        if media is None:
            self.problem(HTTPStatus.NOT_ACCEPTABLE, f"Offered as: {', '.join(RESOURCE_TYPES)}.")
            return
        kind = RESOURCE_TYPES[media]
        location = f"/page/{path}" if kind == "page" else f"/data/{path}.{kind}"
        self.send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": location})

    def resource(self, path: str, kind: str) -> None:
        iri = self.site.iri(path)
        if path.split("/")[0] not in DEREFERENCEABLE or not self.site.exists(iri):
            self.problem(HTTPStatus.NOT_FOUND, f"No resource {iri} in this graph.")
        elif kind == "page":
            self.send(HTTPStatus.OK, self.site.page(iri).encode("utf-8"), "text/html; charset=utf-8")
        elif kind == "ttl":
            self.send(HTTPStatus.OK, self.site.turtle(iri), "text/turtle; charset=utf-8")
        elif kind == "jsonld":
            self.send(HTTPStatus.OK, self.site.jsonld(iri), "application/ld+json")
        else:
            self.problem(HTTPStatus.NOT_FOUND, f"No .{kind} form; try .ttl or .jsonld.")

    def file(self, name: str) -> None:
        content = self.site.files.get(name)  # a name, never a path: nothing outside these files is served
        if content is None:
            self.problem(HTTPStatus.NOT_FOUND, f"No file {name}; see / for the list.")
            return
        suffix = "." + name.rsplit(".", 1)[-1]
        self.send(HTTPStatus.OK, content, FILE_TYPES.get(suffix, "application/octet-stream"))


def make_server(site: Site, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"site": site})
    return ThreadingHTTPServer((host, port), handler)
