"""``omskg draft``: a medically reviewed summary -> a fact file to review, or (``--compare``)
how a draft of it differs from a curated file. One short function, calling
``omskg.draft_render`` and ``omskg.draft_compare``; ``omskg.cli`` registers it.
"""

from __future__ import annotations

from pathlib import Path

import click

from omskg.cli_common import fail


@click.command()
@click.argument("summary", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--condition-id", help="The condition's entity id (a slug). Default: from its name.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The fact file to write. Default: data/conditions/CONDITION-ID.yaml.",
)
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to copy the text. Default: sources/ next to the folder of --out.",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--compare",
    "curated",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write nothing; report how a draft of SUMMARY differs from this curated fact file.",
)
def draft(
    summary: Path,
    condition_id: str | None,
    out: Path | None,
    sources_dir: Path | None,
    force: bool,
    curated: Path | None,
) -> None:
    """Draft a fact file from a medically reviewed SUMMARY (a text file), for a curator to review.

    The source block and every sentence's offsets are filled in; facts are proposed from
    the sentence patterns of the summary, with the sentence's hedges, and HPO and Orphanet
    identifiers looked up offline by name. Every proposal carries a draft: line, and
    `omskg build` refuses the file until a curator has reviewed and removed each one.
    """
    from omskg.checking import SLUG
    from omskg.draft_compare import compare_files
    from omskg.draft_render import draft_to_file
    from omskg.draft_text import DraftInputError
    from omskg.records import InputError

    if condition_id is not None and not SLUG.match(condition_id):
        fail([f"omskg draft: --condition-id {condition_id!r} is not a slug (lower-case words and '-')"], 2)
    try:
        if curated is not None:
            click.echo("\n".join(compare_files(summary, curated, condition_id)))
        else:
            click.echo(draft_to_file(summary, condition_id, out, sources_dir, force))
    except DraftInputError as error:
        fail([f"omskg draft: {error}"], 2)
    except InputError as error:
        fail([str(p) for p in error.problems] + ["omskg draft: the curated file does not read"], 2)
