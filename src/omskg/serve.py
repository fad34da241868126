"""`omskg serve`: the ASGI application. It routes each request to a page, a description,
a file or the SPARQL endpoint, over a Site (pages and descriptions, read from the store)
and a workers.Pool (SPARQL in bounded worker processes); server.py runs it under Hypercorn.

IRIs name things, not documents (W3C "Cool URIs", 303 recipe): /entity/x answers
303 See Other to /page/entity/x for a browser, or to /data/entity/x.ttl or .jsonld for
an RDF client, chosen by the Accept header.
"""

from __future__ import annotations

import asyncio
import email.utils
import gc
import hashlib
import sys
import time
import traceback
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, VOID

from omskg import pages
from omskg.build import Publication
from omskg.publish import NTRIPLES
from omskg.server import Response, ResultCache, negotiate, not_modified, problem
from omskg.site import DEREFERENCEABLE, Site
from omskg.vocab import FORMATS, SD
from omskg.workers import Answer, Busy, Limits, Pool, QueryFailed, QueryTimedOut, Unacceptable, store_folder

MAX_BODY = 1_000_000  # bytes of a POSTed query
DRAIN_LIMIT = 8 * MAX_BODY  # a larger body declared up to this is read and dropped, so the client reads the 413
BODY_SECONDS = 10.0  # to receive a whole request body
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"application/n-triples": "nt", "text/turtle": "ttl"}
HTML = "text/html"
RESOURCE_TYPES = {"text/html": "page", "text/turtle": "ttl", "application/ld+json": "jsonld"}
DESCRIPTION_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
FILE_TYPES = {
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".json": "application/json",  # the nested condition document (JSON-LD too) and its JSON Schema
    ".jsonl": "application/jsonl",  # KGX; JSON Lines has no IANA-registered type
}
READ_ONLY = "This endpoint is read-only: SPARQL Update is not accepted."
SPARQL_METHODS = "GET, HEAD, POST, OPTIONS"
DOCUMENT_METHODS = "GET, HEAD, OPTIONS"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Disconnected(Exception):
    pass


class Full(Exception):
    """The line of queries is full."""


class App:
    """The ASGI application."""

    def __init__(self, site: Site, pool: Pool, result_cache_bytes: int = 0, started: float | None = None) -> None:
        self.site = site
        self.pool = pool
        self.results = ResultCache(result_cache_bytes)
        self.running: dict[tuple[str, str | None, str | None], asyncio.Future[Answer | Exception]] = {}
        self.executor = ThreadPoolExecutor(max_workers=pool.capacity, thread_name_prefix="query")
        self.last_modified = email.utils.formatdate(int(started or time.time()), usegmt=True)
        self.last_modified_at = int(started or time.time())

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            response = await self.route(scope, headers, receive)
        except Disconnected:
            return
        except Exception:  # noqa: BLE001 - a client never sees a traceback; the log does
            traceback.print_exc(file=sys.stderr)
            response = problem(500, "Something went wrong on the server; it has been logged.")
        await self.send(scope, headers, response, send)

    async def send(self, scope: dict[str, Any], headers: dict[str, str], response: Response, send: Send) -> None:
        out = {**SECURITY, "Content-Type": response.content_type, **response.headers}
        if response.content_type.startswith("text/html"):
            out.setdefault("Content-Security-Policy", PAGE_POLICY)
        status, body = response.status, response.body
        if response.cacheable and status == 200:
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            out["ETag"] = etag
            out["Last-Modified"] = self.last_modified
            out.setdefault("Cache-Control", "public, max-age=300")
            if not_modified(headers, etag, self.last_modified_at):
                status, body = 304, b""
                out.pop("Content-Type", None)
        length = len(response.body) if status != 304 else None
        if length is not None:
            out["Content-Length"] = str(length)
        if scope["method"] == "HEAD" or status in (204, 304):
            body = b""
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in out.items()],
        })
        await send({"type": "http.response.body", "body": body})

    # ------------------------------------------------------------------ routing

    async def route(self, scope: dict[str, Any], headers: dict[str, str], receive: Receive) -> Response:
        method = scope["method"]
        path = scope["path"]
        query_string = scope.get("query_string", b"").decode("latin-1")
        if path == "/sparql":
            response = await self.sparql_endpoint(method, headers, query_string, receive)
            response.headers.update(CORS)
            response.headers.setdefault("Vary", "Accept, Origin")
            return response
        if method == "OPTIONS":
            return Response(204, headers={"Allow": DOCUMENT_METHODS})
        if method not in ("GET", "HEAD"):
            return problem(405, "This server is read-only; only /sparql accepts POST, and only queries.",
                           Allow=DOCUMENT_METHODS)
        accept = headers.get("accept")
        if path == "/":
            return Response(200, pages.landing(self.site).encode("utf-8"), "text/html; charset=utf-8", cacheable=True)
        if path.startswith("/files/"):
            return self.file(path.removeprefix("/files/"))
        if path.startswith("/page/"):
            return self.resource(path.removeprefix("/page/"), "page")
        if path.startswith("/data/"):
            stem, _, extension = path.removeprefix("/data/").rpartition(".")
            return self.resource(stem, extension)
        if path.strip("/").split("/")[0] in DEREFERENCEABLE:
            return self.see_other(path.lstrip("/"), accept)
        return problem(404, f"Nothing is published at {path}.")

    # ------------------------------------------------------------------ SPARQL

    async def sparql_endpoint(
        self, method: str, headers: dict[str, str], query_string: str, receive: Receive
    ) -> Response:
        if method == "OPTIONS":  # a CORS preflight, or a client asking what is allowed
            return Response(204, headers={"Allow": SPARQL_METHODS})
        if method in ("GET", "HEAD"):
            params = urllib.parse.parse_qs(query_string)
        elif method == "POST":
            content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type not in ("application/sparql-query", "application/x-www-form-urlencoded",
                                    "application/sparql-update"):
                return problem(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded.")
            body = await self.read_body(headers, receive)
            if isinstance(body, Response):
                return body
            text = body.decode("utf-8", "replace")
            if content_type == "application/sparql-update":
                return problem(403, READ_ONLY)
            if content_type == "application/sparql-query":
                params = {**urllib.parse.parse_qs(query_string), "query": [text]}
            else:
                params = urllib.parse.parse_qs(text)
        else:
            return problem(405, "/sparql answers GET, HEAD, POST and OPTIONS.", Allow=SPARQL_METHODS)
        if "update" in params:
            return problem(403, READ_ONLY)
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return problem(400, "This endpoint has one dataset: default-graph-uri and named-graph-uri are not supported.")
        accept = headers.get("accept")
        if "query" not in params:
            return self.description_or_form(accept)
        return await self.sparql(params["query"][0], accept)

    def description_or_form(self, accept: str | None) -> Response:
        media = negotiate(accept, [*DESCRIPTION_TYPES, HTML])
        if media is None:
            return problem(406, f"Offered as: {', '.join([*DESCRIPTION_TYPES, HTML])}.")
        if media == HTML:
            return Response(200, pages.sparql_form(self.site, "").encode("utf-8"), "text/html; charset=utf-8",
                            {"Vary": "Accept"}, cacheable=True)
        triples = pages.service_description(self.site, self.site.base + "sparql")
        body = ox.serialize(triples, format=DESCRIPTION_TYPES[media], prefixes={
            "sd": str(SD), "void": str(VOID), "dct": str(DCTERMS), "formats": str(FORMATS)})
        assert body is not None
        return Response(200, body, f"{media}; charset=utf-8", {"Vary": "Accept"}, cacheable=True)

    async def sparql(self, query: str, accept: str | None) -> Response:
        solutions_media = negotiate(accept, [*RESULT_TYPES, HTML])
        graph_media = negotiate(accept, [*GRAPH_TYPES, HTML])
        if solutions_media is None and graph_media is None:
            return problem(406, f"Results are offered as: {', '.join([*RESULT_TYPES, *GRAPH_TYPES, HTML])}.")
        solutions = "json" if solutions_media == HTML else RESULT_TYPES.get(solutions_media or "")
        graph = "nt" if graph_media == HTML else GRAPH_TYPES.get(graph_media or "")
        html = solutions_media == HTML or graph_media == HTML
        outcome = await self._outcome((query, solutions, graph))
        if isinstance(outcome, Answer):
            return self._answered(outcome, query, solutions_media, graph_media)
        if isinstance(outcome, Full):
            return self._query_problem(html, query, problem(
                503, "Too many queries are running or waiting; try again shortly.", Retry_After="2"))
        if isinstance(outcome, Busy):
            return self._query_problem(html, query, problem(
                503, "Every query process stayed busy; try again shortly.", Retry_After="5"))
        if isinstance(outcome, QueryTimedOut):
            return self._query_problem(html, query, problem(
                503, f"{outcome} (the server's --query-timeout).", Retry_After="5"))
        if isinstance(outcome, Unacceptable):
            offered = GRAPH_TYPES if outcome.form == "graph" else RESULT_TYPES
            return problem(406, f"This query's results are offered as: {', '.join([*offered, HTML])}.")
        return self._query_problem(html, query, problem(400, str(outcome)))

    async def _outcome(self, key: tuple[str, str | None, str | None]) -> Answer | Exception:
        """The answer to a query, from the cache, from the same query already running (it is
        not run twice at once), or from a worker; or why there is none."""
        cached = self.results.get(key)
        if cached is not None:
            return cached
        running = self.running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        if not self.pool.admit():
            return Full()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer | Exception] = loop.create_future()
        self.running[key] = future
        outcome: Answer | Exception = QueryFailed("the query was abandoned")
        try:
            outcome = await loop.run_in_executor(self.executor, self.pool.run, *key)
            self.results.put(key, outcome)
        except (Busy, QueryTimedOut, QueryFailed, Unacceptable) as error:
            outcome = error
        finally:
            self.pool.leave()
            del self.running[key]
            future.set_result(outcome)
        return outcome

    def _answered(self, answer: Answer, query: str, solutions_media: str | None, graph_media: str | None) -> Response:
        media = graph_media if answer.form == "graph" else solutions_media
        assert media is not None
        if media == HTML:
            table = pages.results_table(self.site, answer.form, answer.body)
            return Response(200, pages.sparql_form(self.site, query, table).encode("utf-8"), "text/html; charset=utf-8",
                            {"Vary": "Accept"})
        charset = "; charset=utf-8" if not media.endswith("json") else ""
        return Response(200, answer.body, media + charset, {"Vary": "Accept"})

    def _query_problem(self, html: bool, query: str, response: Response) -> Response:
        """A failed query: plain text for a program, the form with the message for a browser."""
        if not html:
            return response
        page = pages.sparql_form(self.site, query, problem=response.body.decode("utf-8").strip())
        return Response(response.status, page.encode("utf-8"), "text/html; charset=utf-8", response.headers)

    async def read_body(self, headers: dict[str, str], receive: Receive) -> bytes | Response:
        """The request body, at most MAX_BODY bytes and BODY_SECONDS, whatever the headers say."""
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit()):
            return problem(400, "Content-Length must be a number of bytes.", Connection="close")
        if declared is not None and int(declared) > MAX_BODY:
            if int(declared) <= DRAIN_LIMIT:
                await _drain(receive)
            return problem(413, f"A query may be at most {MAX_BODY} bytes.", Connection="close")
        parts: list[bytes] = []
        size = 0
        deadline = time.monotonic() + BODY_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), max(remaining, 0.001))
            except asyncio.TimeoutError:
                return problem(408, f"The request body did not arrive within {BODY_SECONDS:g} s.", Connection="close")
            if message["type"] == "http.disconnect":
                raise Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return problem(413, f"A query may be at most {MAX_BODY} bytes.", Connection="close")
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    # ------------------------------------------------------------------ documents

    def _iri(self, path: str) -> ox.NamedNode | None:
        try:
            return self.site.iri(path)
        except ValueError:  # not an IRI (e.g. a space or a control character in the path)
            return None

    def see_other(self, path: str, accept: str | None) -> Response:
        iri = self._iri(path)
        if iri is None:
            return problem(404, f"Nothing is published at /{path}.")
        if not self.site.exists(iri):
            return problem(404, f"No resource {iri.value} in this graph.")
        media = negotiate(accept, RESOURCE_TYPES)
        if media is None:
            return problem(406, f"Offered as: {', '.join(RESOURCE_TYPES)}.")
        kind = RESOURCE_TYPES[media]
        location = f"/page/{path}" if kind == "page" else f"/data/{path}.{kind}"
        return Response(303, b"", "text/plain", {"Location": location, "Vary": "Accept"})

    def resource(self, path: str, kind: str) -> Response:
        iri = self._iri(path)
        if iri is None:
            return problem(404, f"Nothing is published at {path}.")
        if path.split("/")[0] not in DEREFERENCEABLE or not self.site.exists(iri):
            return problem(404, f"No resource {iri.value} in this graph.")
        if kind == "page":
            return Response(200, self.site.page(iri).encode("utf-8"), "text/html; charset=utf-8", cacheable=True)
        if kind == "ttl":
            return Response(200, self.site.turtle(iri), "text/turtle; charset=utf-8", cacheable=True)
        if kind == "jsonld":
            return Response(200, self.site.jsonld(iri), "application/ld+json", cacheable=True)
        return problem(404, f"No .{kind} form; try .ttl or .jsonld.")

    def file(self, name: str) -> Response:
        content = self.site.files.get(name)  # a name, never a path: nothing outside these files is served
        if content is None:
            return problem(404, f"No file {name}; see / for the list.")
        suffix = "." + name.rsplit(".", 1)[-1]
        return Response(200, content, FILE_TYPES.get(suffix, "application/octet-stream"), cacheable=True)


@dataclass(frozen=True)
class ServeOptions:
    limits: Limits
    workers: int = 2
    max_queries: int = 64  # running or waiting
    result_cache_bytes: int = 64 * 1024 * 1024
    copy_below: int = 200_000  # triples; smaller graphs are copied into each worker's memory


@contextmanager
def application(held: list[Publication], queries_dir: Path, options: ServeOptions) -> Iterator[App]:
    """The application over a publication: its graph written once into a store on disk, the
    query workers started over it, the pages read from it. The publication is taken out of
    `held` (and so can be freed) once the store is written."""
    publication = held.pop()
    with store_folder(publication.files[NTRIPLES]) as path:
        in_memory = len(publication.triples) < options.copy_below
        waiting = max(0, options.max_queries - options.workers)
        pool = Pool(path, options.workers, waiting, options.limits, in_memory)
        try:
            site = Site.of(publication, queries_dir, ox.Store.read_only(str(path)))
            del publication
            gc.collect()
            yield App(site, pool, options.result_cache_bytes)
        finally:
            pool.close()


async def _drain(receive: Receive) -> None:
    """Read and drop a body (at most DRAIN_LIMIT bytes, within BODY_SECONDS): a client that
    sends its whole body before reading then gets the answer instead of a broken pipe."""
    size, deadline = 0, time.monotonic() + BODY_SECONDS
    while size <= DRAIN_LIMIT:
        try:
            message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.001))
        except asyncio.TimeoutError:
            return
        size += len(message.get("body", b""))
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return
