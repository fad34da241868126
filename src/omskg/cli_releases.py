"""The commands of a release (``omskg reanchor``, ``omskg release``, ``omskg diff``) and
``omskg load --patch``: one short function each, calling ``omskg.reanchor``,
``omskg.release`` and ``omskg.diff``. ``omskg.cli`` registers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from omskg.cli_common import BASE_HELP, FACTS_OPTION, fail, pipeline_errors, progress

if TYPE_CHECKING:
    from omskg.remote import Auth

def apply_patch(endpoint: str, patch_file: Path, auth: Auth, timeout: float) -> None:
    """`omskg load --patch`: a SPARQL Update sent to a store's update endpoint."""
    from omskg.remote import BadEndpoint, RemoteError, update

    try:
        text = patch_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail([f"omskg load: {patch_file}: {error}"], 2)
    try:
        update(endpoint, text, auth, timeout)
    except BadEndpoint as error:
        fail([f"omskg load: {error}"], 2)
    except RemoteError as error:
        fail([f"omskg load: {error}"], 3)
    first = text.splitlines()[0] if text else ""
    said = f" ({first.split('; ', 1)[1]})" if first.startswith("# omskg diff:") and "; " in first else ""
    click.echo(f"applied {patch_file}{said} at {endpoint}")


@click.command()
@click.argument("source_id")
@click.argument("new_text", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FACTS_OPTION
@click.option(
    "--write", is_flag=True, help="Put the new text in place and edit the fact files (default: a dry run)."
)
@click.option(
    "--checksum", is_flag=True, help="With --write: record the new text's SHA-256 in the source block."
)
@click.option(
    "--last-updated", type=click.DateTime(["%Y-%m-%d"]),
    help="With --write: the source's new date (YYYY-MM-DD).",
)
def reanchor(
    source_id: str, new_text: Path, facts_dir: Path | None, write: bool, checksum: bool,
    last_updated: object,
) -> None:
    """Carry every quote of source SOURCE_ID over to the text in NEW_TEXT.

    Moved quotes get their new offsets; a quote whose sentence changed gets the closest
    new passage and a `review` field, which the build refuses until a curator has checked
    the fact and deleted it; a vanished quote is marked for review too. Prints the
    review list grouped by fact. Writes nothing without --write; the source's SHA-256
    and date change only with --checksum and --last-updated.
    """
    import datetime as dt

    from omskg import reanchor as re_anchor
    from omskg import resources
    from omskg.facts import fact_file_paths

    date = last_updated.date() if isinstance(last_updated, dt.datetime) else None
    with pipeline_errors("reanchor", "nothing was written"):
        paths = fact_file_paths(facts_dir or resources.conditions_dir())
        found = re_anchor.plan(source_id, new_text, paths)
        shown = {f.path: _shown(f.path) for f in found.files}
        for line in re_anchor.report(found, shown):
            click.echo(line)
        if not write:
            click.echo("dry run: nothing written (--write to apply)")
            return
        written = re_anchor.write(found, checksum, date)
    click.echo("wrote " + (", ".join(_shown(p) for p in written) if written else "nothing (no change)"))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@click.command()
@click.argument("version")
@click.option(
    "--date", type=click.DateTime(["%Y-%m-%d"]), help="The release date (YYYY-MM-DD). Default: today."
)
@FACTS_OPTION
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The dataset's data/dataset.yaml. Default: the one shipped with omskg.",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="The publication folder (holds the previous release until this one replaces it).")
@click.option("--releases", "releases_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("releases"), show_default=True, help="Where releases are kept.")
@click.option("--base", envvar="OMSKG_BASE", default=None, help=BASE_HELP)
def release(
    version: str, date: object, facts_dir: Path | None, metadata_file: Path | None, out_dir: Path,
    releases_dir: Path, base: str | None,
) -> None:
    """Release VERSION: record it in data/dataset.yaml, build it into --out, keep its
    N-Triples (and the previous release's) under --releases, and write its release notes."""
    import datetime as dt

    from omskg import resources
    from omskg.publish import PublishError
    from omskg.release import ReleaseError
    from omskg.release import release as make_release
    from omskg.vocab import DEFAULT_BASE

    day = date.date() if isinstance(date, dt.datetime) else dt.date.today()
    with pipeline_errors("release", "nothing was released"):
        try:
            released = make_release(
                version, day, facts_dir or resources.conditions_dir(),
                metadata_file or resources.dataset_metadata_file(), out_dir, releases_dir,
                base or DEFAULT_BASE, progress,
            )
        except (ReleaseError, PublishError) as error:
            fail([f"omskg release: {error}"], 2)
    changes = released.changes
    click.echo(
        f"released {released.version} (previous {released.previous}): "
        f"{released.publication.assembled.count} triples; facts {len(changes.facts_added)} added, "
        f"{len(changes.facts_removed)} removed, {len(changes.facts_changed)} changed"
    )
    for path in released.written:
        click.echo(f"  {_shown(path)}")


@click.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "output", type=click.Choice(["text", "json", "patch"]), default="text",
              show_default=True,
              help="For people, as JSON, or as a SPARQL Update that moves a store from OLD to NEW.")
@click.option("--graph", "graph_iri", help="With --format patch: the named graph the store holds OLD in "
              "(default: the default graph).")
@click.option("--releases", "releases_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("releases"), show_default=True, help="Where releases are kept.")
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True,
              help="The publication folder (its version counts as kept).")
@click.option("--base", envvar="OMSKG_BASE", default=None, help=BASE_HELP)
def diff(
    old: str, new: str, output: str, graph_iri: str | None, releases_dir: Path, dist_dir: Path,
    base: str | None,
) -> None:
    """What changed from OLD to NEW, each a release version, a publication folder or an
    N-Triples file: facts added, removed and changed, entities added and retired,
    cross-references added, removed and retyped."""
    from omskg import diff as differ
    from omskg.vocab import DEFAULT_BASE

    try:
        changes = differ.compare(
            differ.read_release(old, releases_dir, dist_dir),
            differ.read_release(new, releases_dir, dist_dir),
            base or DEFAULT_BASE,
        )
        if output == "json":
            text = differ.as_json(changes)
        elif output == "patch":
            text = differ.patch(changes, graph_iri)
        else:
            text = differ.human(changes, base or DEFAULT_BASE)
    except differ.DiffInputError as error:
        fail([f"omskg diff: {error}"], 2)
    click.echo(text, nl=False)
