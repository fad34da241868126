"""``omskg serve``: the publication behind its permanent IRIs, over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from omskg.cli_common import FACTS_OPTION, fail, pipeline_errors


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default)."
)
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--base",
    default=None,
    help="Base IRI of the served graph. Default: http://HOST:PORT/, so its IRIs dereference here.",
)
@FACTS_OPTION
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

    with pipeline_errors("serve", "nothing is served"):
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
            fail([f"omskg serve: cannot listen on {host}:{port}: {error.strerror or error}"], 2)
