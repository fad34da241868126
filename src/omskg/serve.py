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

from omskg.query import QueryError, QueryTimeout, execute_form, run_bounded
from omskg.site import DEREFERENCEABLE, Site

MAX_BODY = 1_000_000  # bytes of a POSTed query
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"application/n-triples": "nt"}
RESOURCE_TYPES = {"text/html": "page", "text/turtle": "ttl", "application/ld+json": "jsonld"}
FILE_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",  # the nested condition document (JSON-LD too) and its JSON Schema
    ".jsonl": "application/jsonl",  # KGX; JSON Lines has no IANA-registered type
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
            self._drain(length)
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

    def _drain(self, length: int) -> None:
        """Read and drop an oversized body (up to a bound), so the client reads our answer
        instead of a broken pipe; beyond the bound the connection is just closed."""
        self.close_connection = True
        remaining = min(length, 8 * MAX_BODY)
        while remaining > 0:
            chunk = self.rfile.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)

    def do_PUT(self) -> None:  # noqa: N802
        self.problem(HTTPStatus.METHOD_NOT_ALLOWED, "This server is read-only.")

    do_DELETE = do_PUT  # noqa: N815
    do_PATCH = do_PUT  # noqa: N815

    # ------------------------------------------------------------------ answers

    def sparql(self, query: str) -> None:
        """Run the query in a process of its own, bounded in time and result size."""
        try:
            form = execute_form(query)
        except QueryError as error:
            self.problem(HTTPStatus.BAD_REQUEST, _sentence(str(error)))
            return
        offered = GRAPH_TYPES if form == "graph" else RESULT_TYPES
        media = negotiate(self.headers.get("Accept"), offered)
        if media is None:
            self.problem(HTTPStatus.NOT_ACCEPTABLE, f"Results are offered as: {', '.join(offered)}.")
            return
        try:
            body = run_bounded(self.site.ntriples, query, offered[media], self.site.bounds)
        except QueryTimeout as error:
            self.problem(
                HTTPStatus.SERVICE_UNAVAILABLE, f"{_sentence(str(error))} (the server's --query-timeout)."
            )
            return
        except QueryError as error:
            self.problem(HTTPStatus.BAD_REQUEST, _sentence(str(error)))
            return
        self.send(HTTPStatus.OK, body.encode("utf-8"), f"{media}; charset=utf-8")

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


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def make_server(site: Site, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"site": site})
    return ThreadingHTTPServer((host, port), handler)
