"""The files of a publication, and their atomic publication into a folder."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path

TURTLE = "omskg.ttl"
NTRIPLES = "omskg.nt"
NQUADS = "omskg.nq"
JSONLD = "omskg.jsonld"
CONTEXT = "omskg.context.jsonld"
ONTOLOGY = "omskg-ontology.ttl"
SHAPES = "omskg-shapes.ttl"
DATASET_SHAPES = "omskg-dataset-shapes.ttl"
SSSOM = "omskg.sssom.tsv"
DESCRIPTION = "omskg.dataset.ttl"
SCHEMA_ORG = "omskg.schema.jsonld"
CONDITIONS = "omskg.conditions.json"
CONDITIONS_SCHEMA = "omskg.conditions.schema.json"
KGX_NODES = "omskg.kgx.nodes.jsonl"
KGX_EDGES = "omskg.kgx.edges.jsonl"

PUBLISHED_NAMES = frozenset({
    TURTLE, NTRIPLES, NQUADS, JSONLD, CONTEXT, ONTOLOGY, SHAPES, DATASET_SHAPES, SSSOM, DESCRIPTION,
    SCHEMA_ORG, CONDITIONS, CONDITIONS_SCHEMA, KGX_NODES, KGX_EDGES,
})


class PublishError(Exception):
    pass


SPILL_FROM = 1 << 20  # bytes: a file this large goes to the staging folder as soon as it is made


class Staged(MutableMapping[str, bytes]):
    """The files of a publication by name. Given a staging folder, each large file is written
    there (and flushed to disk) as soon as it is made and read back only when asked for, so
    that the build holds at most one of them in memory; the small ones stay in memory."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._memory: dict[str, bytes] = {}
        self._written: set[str] = set()
        self._digests: dict[str, tuple[int, str]] = {}  # name -> (size, SHA-256), once computed

    def __setitem__(self, name: str, content: bytes) -> None:
        if name in self:
            del self[name]
        if self.folder is None or len(content) < SPILL_FROM:
            self._memory[name] = content
            return
        _write(self.folder / name, content)
        self._written.add(name)
        self._digests[name] = (len(content), hashlib.sha256(content).hexdigest())

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        """A file made of ``chunks``, written as they come where there is a staging folder."""
        if self.folder is None:
            self[name] = b"".join(chunks)
            return
        if name in self:
            del self[name]
        size, digest = 0, hashlib.sha256()
        with open(self.folder / name, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
                digest.update(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        self._written.add(name)
        self._digests[name] = (size, digest.hexdigest())

    def size_and_sha256(self, name: str) -> tuple[int, str]:
        """The file's byte size and SHA-256 (hex)."""
        found = self._digests.get(name)
        if found is None:
            content = self[name]
            found = self._digests[name] = (len(content), hashlib.sha256(content).hexdigest())
        return found

    def __getitem__(self, name: str) -> bytes:
        if name in self._written:
            assert self.folder is not None
            return (self.folder / name).read_bytes()
        return self._memory[name]

    def __delitem__(self, name: str) -> None:
        self._digests.pop(name, None)
        if name in self._written:
            assert self.folder is not None
            (self.folder / name).unlink()
            self._written.discard(name)
        else:
            del self._memory[name]

    def __contains__(self, name: object) -> bool:
        return name in self._memory or name in self._written

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._memory.keys() | self._written))

    def __len__(self) -> int:
        return len(self._memory) + len(self._written)

    def in_memory(self) -> dict[str, bytes]:
        return dict(self._memory)


def _write(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def staging_folder(out_dir: Path) -> Path:
    """Where a build of this process stages ``out_dir`` (see ``write_atomically``)."""
    out_dir = out_dir.resolve()
    return out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"


def check_out_dir(out_dir: Path) -> None:
    """Refuse an ``out_dir`` that is not a folder, or holds files omskg does not write."""
    out_dir = out_dir.resolve()
    if out_dir.exists():
        if not out_dir.is_dir():
            raise PublishError(f"{out_dir} exists and is not a folder")
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in PUBLISHED_NAMES)
        if foreign:
            raise PublishError(
                f"refusing to replace {out_dir}: it holds files omskg does not write "
                f"({', '.join(foreign[:5])}); choose another --out or move them"
            )


def start_staging(out_dir: Path) -> Path:
    """A fresh staging folder for ``out_dir`` (checked first), for a ``Staged`` to write into."""
    check_out_dir(out_dir)
    out_dir.resolve().parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out_dir.resolve())
    staging = staging_folder(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def write_atomically(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``, or leave it as it was.

    The files are written and flushed to disk in a sibling folder first; then the two
    folders are swapped in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a build
    killed at any moment leaves either the old publication or the new one, never a mix.
    A folder holding anything omskg does not write is never replaced, so that a mistyped
    --out cannot delete someone's files.
    """
    out_dir = out_dir.resolve()
    staging = staging_folder(out_dir)
    staged = isinstance(files, Staged) and files.folder == staging  # large files already there
    if not staged:
        start_staging(out_dir)
    else:
        check_out_dir(out_dir)
    try:
        written = files.in_memory() if isinstance(files, Staged) and staged else files
        for name, content in sorted(written.items()):
            _write(staging / name, content)
        if not out_dir.exists():
            staging.rename(out_dir)
        elif _exchange(staging, out_dir):
            shutil.rmtree(staging)  # now holds the previous publication
        else:  # no atomic exchange on this system: two renames, with a moment between them
            retired = out_dir.parent / f".{out_dir.name}.retired-{os.getpid()}"
            out_dir.rename(retired)
            staging.rename(out_dir)
            shutil.rmtree(retired)
        if isinstance(files, Staged) and staged:
            files.folder = out_dir  # where its large files are now
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_abandoned_staging(out_dir: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
