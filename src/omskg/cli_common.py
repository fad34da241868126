"""What every command of the command line shares: its failure reporting, progress lines
and help texts.

Exit status, for every command: 0 success; 1 the graph violates the SHACL shapes;
2 bad input (a fact file, an RDF file, a query) or a usage error; 3 a remote store
failed (refused, unknown host, an HTTP error, a timeout).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

BASE_HELP = "Base IRI under which entity, statement and evidence IRIs are minted (env OMSKG_BASE)."
ENGINE_HELP = (
    "SHACL engine: 'fast' (omskg's own, linear in the graph's size) or 'pyshacl' (the reference; "
    "the tests show both report the same violations for every constraint of the shapes)."
)


#: The folder of fact files a command reads (build, serve, reanchor, release).
FACTS_OPTION = click.option(
    "--facts",
    "facts_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of fact files (*.yaml). Default: the curated facts shipped with omskg.",
)


def progress(message: str) -> None:
    """A stage of long work, on stderr, only when a person is watching."""
    if sys.stderr.isatty():
        click.echo(f"omskg: {message}", err=True)


def fail(lines: list[str], status: int) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(status)


@contextmanager
def pipeline_errors(command: str, consequence: str) -> Iterator[None]:
    """Bad input (exit 2) and a graph that violates the shapes (exit 1), as the build reports them."""
    from omskg.build import ValidationFailed
    from omskg.iris import InvalidBase
    from omskg.records import InputError

    try:
        yield
    except InputError as error:
        fail(
            [str(p) for p in error.problems]
            + [f"omskg {command}: {len(error.problems)} problem(s); {consequence}"],
            2,
        )
    except ValidationFailed as error:
        fail(
            [str(v) for v in error.outcome.violations]
            + [
                f"omskg {command}: {error.what} violates the SHACL shapes "
                f"({len(error.outcome.violations)} result(s)); {consequence}"
            ],
            1,
        )
    except InvalidBase as error:
        fail([f"omskg {command}: {error}"], 2)
