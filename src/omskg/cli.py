"""The omskg command line: one short function per command, each calling the library.

Exit status, for every command: 0 success; 1 the graph violates the SHACL shapes;
2 bad input (a fact file, an RDF file, a query) or a usage error (an endpoint URL that
cannot be one); 3 a remote store failed (refused, unknown host, an HTTP error, a
redirect elsewhere, a timeout, a malformed answer).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path

import click

from omskg.cli_common import BASE_HELP, ENGINE_HELP, FACTS_OPTION, fail, pipeline_errors, progress
from omskg.cli_draft import draft
from omskg.cli_releases import diff, reanchor, release
from omskg.cli_serve import serve
from omskg.cli_validate import validate


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
      omskg diff 0.1.0 0.2.0      # what changed between releases (also: reanchor, release)
    """
    # The process ends with the command: what it made is left to the operating system, not
    # walked once more by the interpreter's last collections (an eighth of a small build's time).
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


@main.command()
@FACTS_OPTION
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

    with pipeline_errors("build", f"{out_dir} left as it was"):
        try:
            publication = run_build(
                facts_dir or resources.conditions_dir(), out_dir, base or DEFAULT_BASE, progress,
                "pyshacl" if engine == "pyshacl" else "fast",
            )
        except PublishError as error:
            fail([f"omskg build: {error}"], 2)
    assembled = publication.assembled
    click.echo(
        f"built {assembled.count} triples and {publication.mappings} mappings "
        f"from {assembled.facts} facts about {assembled.entities} entities "
        f"in {publication.seconds:.1f} s"
    )
    for name in sorted(publication.files):
        click.echo(f"  {out_dir / name}  {publication.files.size_and_sha256(name)[0]} bytes")


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
    "--graph",
    "graph_iri",
    help="With --endpoint: query this named graph as the default graph (sent as default-graph-uri).",
)
@click.option(
    "--user", help="User for the endpoint (password from OMSKG_PASSWORD; or a token in OMSKG_TOKEN)."
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds a query may run here; at --endpoint, the deadline for the whole request.",
)
def query(
    query: str | None,
    query_file: Path | None,
    data_files: tuple[Path, ...],
    result_format: str,
    base: str | None,
    endpoint: str | None,
    graph_iri: str | None,
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
        _query_remote(endpoint, text, result_format, graph_iri, user, timeout)
        return
    if graph_iri:
        raise click.UsageError("--graph scopes a query at an --endpoint; the local graph has no named graphs")
    data = list(data_files) if data_files else _default_data(base)
    try:
        click.echo(q.run_bounded(data, text, result_format, q.Bounds(timeout)), nl=False)
    except q.QueryTimeout as error:
        fail([f"omskg query: {error} (raise --timeout to allow more)"], 2)
    except q.QueryError as error:
        fail([f"omskg query: {error}"], 2)


def _query_remote(
    endpoint: str, text: str, result_format: str, graph_iri: str | None, user: str | None, timeout: float
) -> None:
    from omskg import query as q
    from omskg.remote import Auth, BadEndpoint, RemoteError

    try:
        answer = q.run_remote(endpoint, text, result_format, Auth.from_environment(user), timeout, graph_iri)
    except BadEndpoint as error:
        fail([f"omskg query: {error}"], 2)
    except RemoteError as error:
        fail([f"omskg query: {error}"], 3)
    click.echo(answer.text, nl=False)
    if answer.rows == []:
        click.echo(_empty_hint(graph_iri), err=True)


def _empty_hint(graph_iri: str | None) -> str:
    """Why a store's answer may be empty: the query saw another graph than the one loaded."""
    if graph_iri:
        return (
            f"omskg query: no answers in graph <{graph_iri}>; is that the graph `omskg load --graph` wrote? "
            "(check: SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } })"
        )
    return (
        "omskg query: no answers in the store's default graph; if the data was loaded into a named graph "
        "(omskg load --graph IRI), add --graph IRI: some stores, Oxigraph among them, keep named graphs "
        "out of the default graph"
    )


def _query_text(query: str | None, query_file: Path | None, queries_dir: Path) -> str:
    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or --file, not both and not neither")
    if query_file is not None:
        return query_file.read_text(encoding="utf-8")
    assert query is not None
    shipped = queries_dir / f"{query}.rq"
    is_name = len(query) < 100 and query.replace("-", "").replace("_", "").isalnum()
    return shipped.read_text(encoding="utf-8") if is_name and shipped.is_file() else query


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
    with pipeline_errors("query", "nothing was queried"):
        publication = publish_graph(resources.conditions_dir(), base or DEFAULT_BASE)
    return publication.files[NTRIPLES]


ENDPOINT_HELP = (
    "The store's Graph Store Protocol endpoint: http://localhost:7878/store (Oxigraph), "
    "http://localhost:3030/DATASET/data (Fuseki), "
    "http://localhost:7200/repositories/REPO/rdf-graphs/service (GraphDB), "
    "http://localhost:8890/sparql-graph-crud-auth (Virtuoso)."
)


@main.command()
@click.option("--endpoint", required=True, help=ENDPOINT_HELP + " With --patch: its SPARQL Update endpoint.")
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
    "--timeout", type=float, default=60.0, show_default=True,
    help="Seconds each request (the PUT, then the GET that counts) may take in all.",
)
@click.option("--patch", "patch_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apply this SPARQL Update (omskg diff --format patch) at --endpoint instead.")
def load(
    endpoint: str, graph_iri: str | None, data_file: Path, user: str | None, timeout: float,
    patch_file: Path | None,
) -> None:
    """Put the published graph into a triple store, replacing what that graph held before.

    Speaks the SPARQL 1.1 Graph Store HTTP Protocol (PUT, then GET to count), so loading
    twice leaves the same graph, and any store that speaks it works the same way. With
    --patch: the SPARQL 1.1 Update protocol, in one request (all of it applied, or none).
    """
    from omskg.cli_releases import apply_patch
    from omskg.remote import Auth, BadEndpoint, RemoteError
    from omskg.remote import load as load_graph

    if patch_file is not None:
        apply_patch(endpoint, patch_file, Auth.from_environment(user), timeout)
        return
    try:
        report = load_graph(endpoint, graph_iri, data_file.read_bytes(), Auth.from_environment(user), timeout)
    except BadEndpoint as error:
        fail([f"omskg load: {error}"], 2)
    except RemoteError as error:
        fail([f"omskg load: {error}"], 3)
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    click.echo(
        f"sent {report.sent} triples from {data_file}; the store now holds {report.held} triples in {target}"
    )
    if report.held != report.sent:
        fail([f"omskg load: the store holds {report.held} triples, not the {report.sent} sent"], 3)


@main.command()
def queries() -> None:
    """List the shipped competency questions (run one with: omskg query NAME)."""
    from omskg import resources

    for path in sorted(resources.queries_dir().glob("*.rq")):
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        click.echo(f"{path.stem:24} {first}")


for command in (validate, serve, reanchor, release, diff, draft):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
