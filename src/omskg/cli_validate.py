"""``omskg validate``: any RDF against the omskg shapes, or against any shapes."""

from __future__ import annotations

from pathlib import Path

import click

from omskg.cli_common import ENGINE_HELP, fail


@click.command()
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
@click.option("--shapes", "shapes_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Validate against the SHACL shapes in this file (repeatable) instead of omskg's; "
                   "the data is then checked alone, without the omskg ontology.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the standard sh:ValidationReport to this file, as Turtle.")
def validate(
    files: tuple[Path, ...], max_mb: float, engine: str,
    shapes_files: tuple[Path, ...], report_file: Path | None,
) -> None:
    """Validate RDF FILES (Turtle .ttl, N-Triples .nt, JSON-LD .jsonld, ...) against the omskg shapes,
    or against the shapes given with --shapes.

    All files are read into one graph first, so an extension can be checked together
    with the published graph: omskg validate dist/omskg.ttl my-facts.ttl
    """
    from omskg.rdf import RdfInputError
    from omskg.shacl import ShapesError
    from omskg.validate import report_turtle, validate_files

    try:
        outcome = validate_files(
            list(files), int(max_mb * 1e6), "pyshacl" if engine == "pyshacl" else "fast",
            list(shapes_files), full=report_file is not None,
        )
    except RdfInputError as error:
        fail([f"omskg validate: {error}"], 2)
    except ShapesError as error:
        advice = "; use --engine pyshacl" if engine == "fast" else ""
        fail([f"omskg validate: the {engine} engine cannot check the shapes: {error}{advice}"], 2)
    if report_file is not None:
        try:
            report_file.write_text(report_turtle(outcome), encoding="utf-8")
        except OSError as error:
            fail([f"omskg validate: cannot write the report {report_file}: {error.strerror}"], 2)
    if not outcome.conforms:
        fail(
            [str(v) for v in outcome.violations]
            + [f"omskg validate: {len(outcome.violations)} violation(s)"],
            1,
        )
    click.echo(f"conforms: {', '.join(map(str, files))}")
