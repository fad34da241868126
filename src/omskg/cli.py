"""The omskg command line: one short function per command, each calling the library.

Exit status, for every command: 0 success; 1 the graph violates the SHACL shapes;
2 bad input (a fact file, an RDF file, a query) or a usage error; 3 a remote store
failed (refused, unknown host, an HTTP error, a timeout).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

BASE_HELP = "Base IRI under which entity, statement and evidence IRIs are minted (env OMSKG_BASE)."
ENGINE_HELP = (
    "SHACL engine: 'fast' (omskg's own, linear in the graph's size) or 'pyshacl' (the reference; "
    "the tests show both report the same violations for every constraint of the shapes)."
)


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        click.echo(f"omskg: {message}", err=True)


def _fail(lines: list[str], status: int) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="omskg")
def main() -> None:
    """omskg: Opsoclonus myoclonus syndrome as an evidence-traced knowledge graph.

    \b
    Typical use:
      omskg build                 # curated facts -> SHACL gate -> dist/
      omskg query symptoms        # a shipped competency question
      omskg query 'SELECT ?s WHERE { ?s a omskg:Symptom }'
      omskg validate my-extension.ttl
      omskg load --endpoint http://localhost:7878/store   # into your triple store
      omskg serve                 # SPARQL endpoint and pages on 127.0.0.1:8000
    """


@main.command()
@click.option(
    "--facts",
    "facts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of fact files (*.yaml). Default: the curated facts shipped with omskg.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to publish into; replaced only when the whole build has succeeded.",
)
@click.option("--base", envvar="OMSKG_BASE", default=None, help=BASE_HELP)
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help=ENGINE_HELP)
def build(facts_dir: Path | None, out_dir: Path, base: str | None, engine: str) -> None:
    """Build the graph from the fact files, validate it, and publish it into --out.

    Writes omskg.ttl, omskg.nt (sorted), omskg.jsonld (compacted) with its context
    omskg.context.jsonld, and copies of the ontology and the SHACL shapes. Nothing is
    written unless every fact file checks out and the graph passes the shapes.
    """
    from omskg import resources
    from omskg.build import build as run_build
    from omskg.publish import PublishError
    from omskg.vocab import DEFAULT_BASE

    with _pipeline_errors("build", f"{out_dir} left as it was"):
        try:
            publication = run_build(
                facts_dir or resources.conditions_dir(), out_dir, base or DEFAULT_BASE, _progress,
                "pyshacl" if engine == "pyshacl" else "fast",
            )
        except PublishError as error:
            _fail([f"omskg build: {error}"], 2)
    assembled = publication.assembled
    click.echo(
        f"built {len(assembled.triples)} triples and {publication.mappings} mappings "
        f"from {assembled.facts} facts about {assembled.entities} entities "
        f"in {publication.seconds:.1f} s"
    )
    for name, content in sorted(publication.files.items()):
        click.echo(f"  {out_dir / name}  {len(content)} bytes")


@contextmanager
def _pipeline_errors(command: str, consequence: str) -> Iterator[None]:
    """Bad input (exit 2) and a graph that violates the shapes (exit 1), as the build reports them."""
    from omskg.build import ValidationFailed
    from omskg.iris import InvalidBase
    from omskg.records import InputError

    try:
        yield
    except InputError as error:
        _fail(
            [str(p) for p in error.problems]
            + [f"omskg {command}: {len(error.problems)} problem(s); {consequence}"],
            2,
        )
    except ValidationFailed as error:
        _fail(
            [str(v) for v in error.outcome.violations]
            + [
                f"omskg {command}: {error.what} violates the SHACL shapes "
                f"({len(error.outcome.violations)} result(s)); {consequence}"
            ],
            1,
        )
    except InvalidBase as error:
        _fail([f"omskg {command}: {error}"], 2)


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--max-mb",
    type=float,
    default=256,
    show_default=True,
    help="Refuse files larger than this (the graph is validated in memory).",
)
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help=ENGINE_HELP)
def validate(files: tuple[Path, ...], max_mb: float, engine: str) -> None:
    """Validate RDF FILES (Turtle .ttl, N-Triples .nt, JSON-LD .jsonld, ...) against the omskg shapes.

    All files are read into one graph first, so an extension can be checked together
    with the published graph: omskg validate dist/omskg.ttl my-facts.ttl
    """
    from omskg.rdf import RdfInputError
    from omskg.shacl import UnsupportedShape
    from omskg.validate import validate_files

    try:
        outcome = validate_files(
            list(files), int(max_mb * 1e6), "pyshacl" if engine == "pyshacl" else "fast"
        )
    except RdfInputError as error:
        _fail([f"omskg validate: {error}"], 2)
    except UnsupportedShape as error:
        _fail([f"omskg validate: the fast engine cannot check the shapes: {error}; use --engine pyshacl"], 2)
    if not outcome.conforms:
        _fail(
            [str(v) for v in outcome.violations]
            + [f"omskg validate: {len(outcome.violations)} violation(s)"],
            1,
        )
    click.echo(f"conforms: {', '.join(map(str, files))}")


@main.command()
@click.argument("query", required=False)
@click.option(
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from this file.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="RDF file(s) to query. Default: dist/omskg.nt if present, else the graph built in memory.",
)
@click.option(
    "--format",
    "result_format",
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
    default="table",
    show_default=True,
    help="Output: a table, or a SPARQL 1.1 results format.",
)
@click.option("--base", envvar="OMSKG_BASE", default=None, help=BASE_HELP)
@click.option(
    "--endpoint", help="Query this SPARQL 1.1 Protocol endpoint instead (e.g. http://localhost:7878/query)."
)
@click.option(
    "--user", help="User for the endpoint (password from OMSKG_PASSWORD; or a token in OMSKG_TOKEN)."
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds a query may run, here or at --endpoint.",
)
def query(
    query: str | None,
    query_file: Path | None,
    data_files: tuple[Path, ...],
    result_format: str,
    base: str | None,
    endpoint: str | None,
    user: str | None,
    timeout: float,
) -> None:
    """Run a SPARQL QUERY over the graph and print the results.

    QUERY is SPARQL text, or the name of a shipped competency question (see
    `omskg queries`). The prefixes omskg, rdf, rdfs, skos, dct, prov, oa, biolink,
    schema and obo are predeclared.
    """
    from omskg import query as q
    from omskg import resources

    text = _query_text(query, query_file, resources.queries_dir())
    if endpoint:
        from omskg.remote import Auth, RemoteError

        try:
            click.echo(
                q.run_remote(endpoint, text, result_format, Auth.from_environment(user), timeout), nl=False
            )
        except RemoteError as error:
            _fail([f"omskg query: {error}"], 3)
        return
    data = list(data_files) if data_files else _default_data(base)
    try:
        click.echo(q.run_bounded(data, text, result_format, q.Bounds(timeout)), nl=False)
    except q.QueryTimeout as error:
        _fail([f"omskg query: {error} (raise --timeout to allow more)"], 2)
    except q.QueryError as error:
        _fail([f"omskg query: {error}"], 2)


def _query_text(query: str | None, query_file: Path | None, queries_dir: Path) -> str:
    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or --file, not both and not neither")
    if query_file is not None:
        return query_file.read_text(encoding="utf-8")
    assert query is not None
    shipped = queries_dir / f"{query}.rq"
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else query


def _default_data(base: str | None) -> list[Path] | bytes:
    """dist/omskg.nt in the current folder if there is one, else the graph built (and
    validated) in memory."""
    from omskg import resources
    from omskg.build import publish_graph
    from omskg.publish import NTRIPLES
    from omskg.vocab import DEFAULT_BASE

    published = Path("dist") / NTRIPLES
    if published.is_file() and base is None:
        return [published]
    with _pipeline_errors("query", "nothing was queried"):
        publication = publish_graph(resources.conditions_dir(), base or DEFAULT_BASE)
    return publication.files[NTRIPLES]


ENDPOINT_HELP = (
    "The store's Graph Store Protocol endpoint: http://localhost:7878/store (Oxigraph), "
    "http://localhost:3030/DATASET/data (Fuseki), "
    "http://localhost:7200/repositories/REPO/rdf-graphs/service (GraphDB)."
)


@main.command()
@click.option("--endpoint", required=True, help=ENDPOINT_HELP)
@click.option("--graph", "graph_iri", help="Named graph to replace. Default: the store's default graph.")
@click.option(
    "--data",
    "data_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("dist/omskg.nt"),
    show_default=True,
    help="The N-Triples file to load.",
)
@click.option("--user", help="User name (password from OMSKG_PASSWORD; or a bearer token in OMSKG_TOKEN).")
@click.option(
    "--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for each request."
)
def load(endpoint: str, graph_iri: str | None, data_file: Path, user: str | None, timeout: float) -> None:
    """Put the published graph into a triple store, replacing what that graph held before.

    Speaks the SPARQL 1.1 Graph Store HTTP Protocol (PUT, then GET to count), so loading
    twice leaves the same graph, and any store that speaks it works the same way.
    """
    from omskg.remote import Auth, RemoteError
    from omskg.remote import load as load_graph

    try:
        report = load_graph(endpoint, graph_iri, data_file.read_bytes(), Auth.from_environment(user), timeout)
    except RemoteError as error:
        _fail([f"omskg load: {error}"], 3)
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    click.echo(
        f"sent {report.sent} triples from {data_file}; the store now holds {report.held} triples in {target}"
    )
    if report.held != report.sent:
        _fail([f"omskg load: the store holds {report.held} triples, not the {report.sent} sent"], 3)


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default)."
)
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--base",
    default=None,
    help="Base IRI of the served graph. Default: http://HOST:PORT/, so its IRIs dereference here.",
)
@click.option(
    "--facts",
    "facts_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of fact files to serve. Default: the curated facts.",
)
@click.option("--query-timeout", type=float, default=10.0, show_default=True, help="Seconds a query may run.")
@click.option(
    "--max-result-mb", type=float, default=10.0, show_default=True, help="Largest query result served."
)
@click.option(
    "--query-memory-mb", type=float, default=1024.0, show_default=True,
    help="Memory a query may take (in its worker process) beyond the worker's own.",
)
@click.option(
    "--query-workers", type=click.IntRange(1, 64), default=2, show_default=True,
    help="Worker processes that run queries, each one query at a time.",
)
@click.option(
    "--max-queries", type=click.IntRange(1, 4096), default=64, show_default=True,
    help="Queries running or waiting at once; more are answered 503 with Retry-After.",
)
@click.option(
    "--idle-timeout", type=float, default=5.0, show_default=True,
    help="Seconds a connection may stay idle, or take to send a request's headers.",
)
@click.option(
    "--result-cache-mb", type=float, default=64.0, show_default=True,
    help="Memory for answers of repeated queries (the graph never changes while served); 0: none.",
)
@click.option(
    "--worker-copy-below", type=int, default=200_000, show_default=True,
    help="Graphs of fewer triples are copied into each worker's memory at its start (faster queries).",
)
@click.option("--quiet", is_flag=True, help="No access log on stderr.")
def serve(
    host: str,
    port: int,
    base: str | None,
    facts_dir: Path | None,
    query_timeout: float,
    max_result_mb: float,
    query_memory_mb: float,
    query_workers: int,
    max_queries: int,
    idle_timeout: float,
    result_cache_mb: float,
    worker_copy_below: int,
    quiet: bool,
) -> None:
    """Serve the graph: a read-only SPARQL endpoint at /sparql, a landing page at /, and a
    page (HTML, Turtle or JSON-LD, by Accept) for every entity, statement and evidence IRI.

    HTTP is Hypercorn's (keep-alive, idle, header and read timeouts); queries run in
    worker processes over one read-only copy of the graph on disk, each bounded in time,
    memory and result size, and never sending a request anywhere."""
    from omskg import resources
    from omskg.build import publish_graph
    from omskg.serve import ServeOptions, application
    from omskg.server import HttpOptions, run
    from omskg.workers import Limits

    with _pipeline_errors("serve", "nothing is served"):
        publication = publish_graph(facts_dir or resources.conditions_dir(), base or f"http://{host}:{port}/")
    limits = Limits(query_timeout, int(max_result_mb * 1e6), int(query_memory_mb * 1024 * 1024))
    cache = int(result_cache_mb * 1024 * 1024)
    options = ServeOptions(limits, query_workers, max_queries, cache, worker_copy_below)
    held = [publication]
    del publication  # application() lets go of it once the store is written, so its triples are freed
    with application(held, resources.queries_dir(), options) as app:
        isolation = "without network" if app.pool.isolated else "WITH network (no network namespace here)"
        click.echo(
            f"omskg serve: http://{host}:{port}/ (SPARQL at /sparql; "
            f"{query_workers} query workers {isolation}); Ctrl-C stops",
            err=True,
        )
        try:
            run(app, host, port, HttpOptions(keep_alive_seconds=idle_timeout, access_log=not quiet))
        except OSError as error:
            _fail([f"omskg serve: cannot listen on {host}:{port}: {error.strerror or error}"], 2)


@main.command()
def queries() -> None:
    """List the shipped competency questions (run one with: omskg query NAME)."""
    from omskg import resources

    for path in sorted(resources.queries_dir().glob("*.rq")):
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        click.echo(f"{path.stem:24} {first}")


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
