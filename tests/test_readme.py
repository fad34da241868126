"""The README's "Query it" examples print exactly what the commands print."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from omskg import publish
from omskg.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _query_examples() -> list[tuple[list[str], str]]:
    """(arguments, expected output) for each `$ omskg query ...` of the "Query it" section."""
    section = README.read_text(encoding="utf-8").split("## Query it\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL)
    examples = []
    for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
        command, _, output = chunk.partition("\n")
        arguments = shlex.split(command)
        assert arguments[:2] == ["omskg", "query"], command
        examples.append((arguments[1:], output.rstrip("\n") + "\n"))
    return examples


def test_readme_query_examples_print_what_the_commands_print(built: Path) -> None:
    examples = _query_examples()
    assert len(examples) == 2
    for arguments, expected in examples:
        result = CliRunner().invoke(main, [*arguments, "--data", str(built / publish.NTRIPLES)], catch_exceptions=False)
        assert result.exit_code == 0, arguments
        assert result.stdout.replace("\r\n", "\n") == expected, " ".join(arguments)
