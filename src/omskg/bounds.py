"""The bounds on fact-file input, so that no input can hang the build, exhaust its memory
or flood the terminal: files are read only when they are regular files under a size cap,
every value is quoted in a message as a bounded excerpt, and characters that cannot be
seen (or that reorder what is seen) are found cheaply.
"""

from __future__ import annotations

import os
import reprlib
import stat
import unicodedata
from pathlib import Path
from typing import Any

MAX_FACT_FILE_BYTES = 16 * 1024 * 1024  # a fact file (the curated one is 19 KB)
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a source document (the curated one is 3.6 KB)
MAX_VALUES = 1_000_000  # values in one fact file, every alias counted at its full size
MAX_DEPTH = 20  # nesting of a fact file's mappings and lists (a fact file needs 5)
MAX_ITEMS = 10_000  # entities, or facts, in one fact file (the curated one has 48 facts)
MAX_PROBLEMS = 100  # reported for one file; it stops there
MAX_DIGITS = 18  # of a number: xsd:decimal's minimum precision (XSD 1.0, totalDigits 18)
EXCERPT_CHARACTERS = 80
READ_CHUNK_BYTES = 64 * 1024  # read at a time from a file that is longer than its size said

#: Unicode categories of characters refused in fact files and sources: control (Cc, except
#: tab, line feed and carriage return), format (Cf: zero-width and bidirectional controls,
#: soft hyphen, ...), surrogate (Cs), private use (Co), unassigned (Cn), and the line and
#: paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ALLOWED_CONTROLS = frozenset("\t\n\r")


class UnreadableFile(ValueError):
    """A file that is not read: not a regular file, too large, or an error from the system."""


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (after symbolic links) of at most
    ``max_bytes``. A FIFO, a device, a folder or a symbolic-link loop is refused without
    blocking: the file is opened non-blocking and checked on the open descriptor."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        raise UnreadableFile(getattr(error, "strerror", None) or str(error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableFile(f"not a regular file (a {_file_kind(status.st_mode)})")
        if status.st_size > max_bytes:
            raise UnreadableFile(_too_large(status.st_size, max_bytes))
        data = _read_capped(descriptor, status.st_size, max_bytes)
    except OSError as error:
        raise UnreadableFile(error.strerror or str(error)) from None
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise UnreadableFile(_too_large(len(data), max_bytes))
    return data


def _read_capped(descriptor: int, size: int, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, up to the end of the file: a file that grows while
    read is still capped. The first read asks for the file's size and one byte more (a
    buffer of the cap's size, taken and given back for each file, costs more than the read)."""
    chunks: list[bytes] = []
    left = max_bytes + 1
    wanted = min(size, max_bytes) + 1
    while left > 0:
        chunk = os.read(descriptor, min(wanted, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        wanted = READ_CHUNK_BYTES
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(size: int, max_bytes: int) -> str:
    return f"{size:,} bytes, over the limit of {max_bytes:,}"


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "folder"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return kind
    return "special file"


class _Repr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxdict, self.maxset, self.maxtuple = 3, 4, 4, 4, 4
        self.maxstring = self.maxother = self.maxlong = EXCERPT_CHARACTERS

    def repr_Mapping(self, value: Any, level: int) -> str:  # noqa: N802 - the YAML mapping type
        return self.repr_dict(value, level)


_REPR = _Repr()


def excerpt(value: Any, limit: int = EXCERPT_CHARACTERS) -> str:
    """``repr(value)`` cut to at most about ``limit`` characters, without ever building the
    whole repr (a structure of shared lists can be exponentially larger printed)."""
    if isinstance(value, str):
        shown = repr(value[:limit])
        return shown if len(value) <= limit else shown + "…"
    shown = _REPR.repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def inline(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """``text`` cut to ``limit`` characters, escaped as in a repr but without the quotes."""
    shown = repr(text[:limit])[1:-1]
    return shown if len(text) <= limit else shown + "…"


def cut(text: str, limit: int = 2 * EXCERPT_CHARACTERS) -> str:
    """``text`` itself on one line, cut to ``limit`` characters (for messages that quote no value)."""
    text = " ".join(text[: limit + 1].split("\n"))
    return text if len(text) <= limit else text[:limit] + "…"


def hidden_character(text: str) -> int:
    """The index of the first character of ``text`` in a refused category, or -1. Cheap for
    the usual text: ``str.isprintable`` is false only for the categories checked here, for
    spaces other than ' ', and for tab and line feed."""
    if text.isprintable() or text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return -1
    for index, character in enumerate(text):
        if character not in _ALLOWED_CONTROLS and unicodedata.category(character) in REFUSED_CATEGORIES:
            return index
    return -1


def describe_character(character: str) -> str:
    """'U+200B ZERO WIDTH SPACE (Cf)'."""
    name = unicodedata.name(character, "")
    named = f" {name}" if name else ""
    return f"U+{ord(character):04X}{named} ({unicodedata.category(character)})"


def hidden_character_problem(text: str) -> str | None:
    """What is wrong with ``text`` if it holds an invisible or control character."""
    index = hidden_character(text)
    if index < 0:
        return None
    return (
        f"invisible or control character {describe_character(text[index])} at character "
        f"{index + 1} of {excerpt(text)}; delete it (or write what it stands for visibly)"
    )
