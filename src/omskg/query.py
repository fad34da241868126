"""SPARQL over the graph in an embedded Oxigraph store, with results as a table or in the
SPARQL 1.1 results formats (CSV, TSV, JSON, XML)."""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from omskg import answers, remote
from omskg.rdf import RdfInputError, rdf_format
from omskg.remote import Auth
from omskg.vocab import PREFIXES, shorten

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
class QueryError(Exception):
    pass


class QueryTimeout(QueryError):
    pass


def store_from_ntriples(data: bytes) -> ox.Store:
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def store_from_files(paths: list[Path]) -> ox.Store:
    store = ox.Store()
    for path in paths:
        try:
            store.bulk_load(path=str(path), format=rdf_format(path))
        except RdfInputError as error:
            raise QueryError(str(error)) from None
        except (OSError, SyntaxError) as error:
            raise QueryError(f"{path}: {error}") from None
    return store


def with_prefixes(query: str) -> str:
    """Prepend PREFIX lines for the project's namespaces that the query does not declare."""
    declared = query.lower()
    lines = [
        f"PREFIX {prefix}: <{namespace}>"
        for prefix, namespace in PREFIXES.items()
        if f"prefix {prefix}:" not in declared
    ]
    return "\n".join([*lines, query])


def execute(store: ox.Store, query: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run a query with the project's prefixes predeclared; a parse error becomes a QueryError
    whose one line gives the parser's position (line:column of the query as written)."""
    try:
        return store.query(query, prefixes=PREFIXES)
    except SyntaxError as error:
        message = " ".join(str(error).split())
        raise QueryError(f"malformed query: {message[:300]}{'...' if len(message) > 300 else ''}") from None


def execute_form(query: str) -> str:
    """'graph' for CONSTRUCT and DESCRIBE, 'solutions' for SELECT and ASK; a QueryError
    for a query that does not parse (checked on an empty store, so it costs nothing)."""
    results = execute(ox.Store(), query)
    return "graph" if isinstance(results, ox.QueryTriples) else "solutions"


def run(store: ox.Store, query: str, result_format: str = "table") -> str:
    results = execute(store, query)
    if isinstance(results, ox.QueryBoolean) and result_format in RESULT_FORMATS:
        return results.serialize(format=RESULT_FORMATS[result_format]).decode("utf-8")  # type: ignore[union-attr]
    if isinstance(results, ox.QueryBoolean):
        return "true\n" if bool(results) else "false\n"
    if isinstance(results, ox.QueryTriples):
        return results.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")  # type: ignore[union-attr]
    if result_format == "table":
        return table(results)
    return results.serialize(format=RESULT_FORMATS[result_format]).decode("utf-8")  # type: ignore[union-attr]


@dataclass(frozen=True)
class Bounds:
    """Limits on one query: wall time, and the size of its serialised result."""

    seconds: float = 30.0
    max_bytes: int | None = None


def run_bounded(data: bytes | list[Path], query: str, result_format: str, bounds: Bounds) -> str:
    """Run a query in a child process, and stop it when it runs past ``bounds.seconds``.

    Oxigraph cannot interrupt a query once started, so the query runs in a process of its
    own (started from a clean fork server), which is killed at the deadline. ``data`` is
    the graph as N-Triples, or the RDF files to load.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["omskg.query"])  # each query's process starts with it imported
    receiver, sender = context.Pipe(duplex=False)
    arguments = (data, query, result_format, bounds.max_bytes, sender)
    process = context.Process(target=_query_worker, args=arguments)
    process.start()
    sender.close()
    try:
        if not receiver.poll(bounds.seconds):
            raise QueryTimeout(f"the query ran longer than {bounds.seconds:g} s and was stopped")
        kind, payload = receiver.recv()
    except EOFError:
        raise QueryError("the query process ended without an answer") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if kind == "error":
        raise QueryError(payload)
    return str(payload)


def _query_worker(
    data: bytes | list[Path], query: str, result_format: str, max_bytes: int | None, sender: Connection
) -> None:
    try:
        store = store_from_ntriples(data) if isinstance(data, bytes) else store_from_files(data)
        result = run(store, query, result_format)
        if max_bytes is not None and len(result.encode("utf-8")) > max_bytes:
            raise QueryError(f"the result is over {max_bytes} bytes; add a LIMIT or select fewer variables")
        sender.send(("ok", result))
    except QueryError as error:
        sender.send(("error", str(error)))
    finally:
        sender.close()


def rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    """A SELECT query's solutions, each value as a plain string (IRI, or a literal's lexical form)."""
    results = execute(store, query)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [{n: _plain(s[n]) for n in names if s[n] is not None} for s in results]


def _plain(term: object) -> str:
    return str(term.value)  # type: ignore[attr-defined]


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return str(term.value)  # type: ignore[attr-defined]


def table(results: ox.QuerySolutions) -> str:
    names = [v.value for v in results.variables]
    return render_table(names, [[_cell(solution[name]) for name in names] for solution in results])


def render_table(names: list[str], body: list[list[str]]) -> str:
    widths = [max([len(name), *(len(row[i]) for row in body)]) for i, name in enumerate(names)]
    lines = [" | ".join(name.ljust(w) for name, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}


def run_remote(
    endpoint: str, query: str, result_format: str, auth: Auth, timeout: float, graph: str | None = None
) -> answers.Answer:
    """Run a query at a SPARQL 1.1 Protocol endpoint (scoped to ``graph`` when given); the
    answer checked, and as a table printed as run() prints local results."""
    accept = MEDIA_TYPES.get(result_format, MEDIA_TYPES["json"]) + ", application/n-triples;q=0.5"
    reply = remote.query(endpoint, with_prefixes(query), accept, auth, timeout, graph)
    answer = answers.read_answer(reply, result_format, f"the query at {remote.shown(endpoint)}")
    if result_format != "table" or answer.names is None and answer.boolean is None:
        return answer
    if answer.boolean is not None:
        return answers.Answer("true\n" if answer.boolean else "false\n", boolean=answer.boolean)
    assert answer.names is not None and answer.rows is not None
    body = [[_json_cell(binding.get(name)) for name in answer.names] for binding in answer.rows]
    return answers.Answer(render_table(answer.names, body), answer.names, answer.rows)


XSD_BOOLEAN = f"{PREFIXES['xsd']}boolean"


def _json_cell(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return shorten(term["value"])
    if term.get("datatype") == XSD_BOOLEAN and term["value"] in ("1", "0"):  # Virtuoso writes 1 and 0
        return "true" if term["value"] == "1" else "false"
    return term["value"]
