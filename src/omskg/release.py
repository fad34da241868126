"""Making a release: the version recorded, the publication rebuilt, its N-Triples kept, notes written.

``release`` (``omskg release VERSION``):

1. keeps the previous release's N-Triples under ``releases/{previous}/omskg.nt.gz`` (from
   ``dist/`` when it is not kept yet, which must then still hold the previous release);
2. records the version in data/dataset.yaml (``version``, ``previousVersion``, the
   ``issued`` and ``modified`` dates), edited in place so that its comments survive;
3. builds the publication into ``dist/``: its description gives the release
   ``pav:previousVersion`` and ``prov:wasRevisionOf`` the previous one, and the version
   (date) and SHA-256 of each source;
4. keeps the new release's N-Triples under ``releases/{version}/omskg.nt.gz``, so that
   later diffs have it, and writes ``releases/{version}/NOTES.md``: what changed since
   the previous release (``omskg.diff``).

The archives are gzip files without a name or time in their header: the same N-Triples
always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

from omskg import diff, publish, yaml_edit
from omskg.build import Progress, Publication, build
from omskg.iris import Iris
from omskg.metadata import load_metadata
from omskg.rdf import parse_ntriples

VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")
NOTES = "NOTES.md"


class ReleaseError(ValueError):
    pass


def _silent(_: str) -> None:
    pass


@dataclass(frozen=True)
class Released:
    version: str
    previous: str
    written: list[Path]
    publication: Publication
    changes: diff.Diff


def compress(ntriples: bytes) -> bytes:
    """gzip with no file name and time 0 in its header, so that it is byte-deterministic."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as handle:
        handle.write(ntriples)
    return buffer.getvalue()


def set_version(text: str, version: str, previous: str, date: dt.date) -> str:
    """data/dataset.yaml with the new version, its previous version and its dates."""
    root = yaml_edit.compose(text)
    edits: list[yaml_edit.Edit] = []
    for key, written in (("version", yaml_edit.quoted(version)), ("issued", date.isoformat()),
                         ("modified", date.isoformat())):
        node = yaml_edit.get(root, key)
        if node is None:
            raise ReleaseError(f"the dataset metadata has no {key!r}")
        edits.append(yaml_edit.replace(node, written))
    existing = yaml_edit.get(root, "previousVersion")
    if existing is not None:
        edits.append(yaml_edit.replace(existing, yaml_edit.quoted(previous)))
    else:
        after = yaml_edit.get(root, "version")
        assert after is not None
        at = after.end_mark.index
        edits.append(yaml_edit.Edit(at, at, f"\npreviousVersion: {yaml_edit.quoted(previous)}"))
    return yaml_edit.apply(text, edits)


def notes(released: diff.Diff, publication: Publication, version: str, previous: str, date: dt.date) -> str:
    meta = publication.assembled.meta
    release_iri = Iris(publication.base).release(version)
    lines = [
        f"# {meta.title}, version {version}",
        "",
        f"Released {date.isoformat()}; it revises {previous}. Its graph is <{release_iri}>: "
        f"{publication.assembled.count} triples ({publish.NTRIPLES}, or {publish.NQUADS} "
        "in that named graph).",
        "",
        "Made from:",
        "",
    ]
    for fact_file in sorted(publication.assembled.fact_files, key=lambda f: f.source.id):
        source = fact_file.source
        lines.append(
            f"- {source.id}: {source.title!r}, last updated {source.last_updated.isoformat()}, "
            f"SHA-256 {source.sha256}"
        )
    lines += [
        "",
        f"## What changed since {previous}",
        "",
        "```",
        diff.human(released, publication.base).rstrip("\n"),
        "```",
        "",
        f"A store holding {previous} in a graph G moves to {version} with:",
        "",
        "```sh",
        f"omskg diff {previous} {version} --format patch --graph G > {previous}-{version}.ru",
        f"omskg load --patch {previous}-{version}.ru --endpoint http://localhost:7878/update",
        "```",
        "",
    ]
    return "\n".join(lines)


def release(
    version: str,
    date: dt.date,
    facts_dir: Path,
    metadata_file: Path,
    out_dir: Path,
    releases_dir: Path,
    base: str,
    progress: Progress = _silent,
) -> Released:
    if not VERSION.match(version):
        raise ReleaseError(f"version {version!r}: use letters, digits, '.', '+' and '-' (e.g. 0.2.0)")
    metadata_text = metadata_file.read_text(encoding="utf-8")
    previous = load_metadata(metadata_file).version
    if version == previous:
        raise ReleaseError(f"{metadata_file} already gives version {version}")
    if (releases_dir / version).exists():
        raise ReleaseError(f"{releases_dir / version} exists: version {version} was released before")
    kept = releases_dir / previous / diff.ARCHIVE
    previous_ntriples: bytes | None = None
    if not kept.is_file():
        published = diff.published_version(out_dir)
        if published != previous:
            raise ReleaseError(
                f"the previous release {previous} is neither kept in {kept} nor in {out_dir}/ "
                f"(which holds {published or 'no release'})"
            )
        previous_ntriples = (out_dir / publish.NTRIPLES).read_bytes()

    yaml_edit.write_text(metadata_file, set_version(metadata_text, version, previous, date))
    try:
        publication = build(facts_dir, out_dir, base, progress, metadata_file=metadata_file)
    except BaseException:
        yaml_edit.write_text(metadata_file, metadata_text)  # a failed release changes nothing
        raise

    written: list[Path] = [metadata_file]
    if previous_ntriples is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(compress(previous_ntriples))
        written.append(kept)
    else:
        previous_ntriples = gzip.decompress(kept.read_bytes())
    new_ntriples = publication.files[publish.NTRIPLES]
    folder = releases_dir / version
    folder.mkdir(parents=True)
    (folder / diff.ARCHIVE).write_bytes(compress(new_ntriples))
    changes = diff.compare(
        diff.Release(previous, parse_ntriples(previous_ntriples)),
        diff.Release(version, parse_ntriples(new_ntriples)),
        base,
    )
    (folder / NOTES).write_text(notes(changes, publication, version, previous, date), encoding="utf-8")
    written += [folder / diff.ARCHIVE, folder / NOTES]
    return Released(version, previous, written, publication, changes)
