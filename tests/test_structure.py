"""The shape of the code: one pipeline, one home for every name, modules by job."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from omskg.vocab import load_vocabulary

SRC = Path(__file__).resolve().parents[1] / "src" / "omskg"
MODULES = sorted(SRC.glob("**/*.py"))  # the shacl package's modules too


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _omskg_terms(tree: ast.Module) -> list[tuple[int, str]]:
    """Every ``OMSKG.term`` and ``OMSKG["term"]`` written in the code."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "OMSKG":
            found.append((node.lineno, node.attr))
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "OMSKG"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            found.append((node.lineno, node.slice.value))
    return found


def test_every_omskg_term_the_code_uses_is_declared_in_the_ontology() -> None:
    declared = load_vocabulary().terms
    used = {(path.name, line, term) for path in MODULES for line, term in _omskg_terms(_tree(path))}
    assert len(used) > 10  # the scan sees the code's terms
    assert [u for u in sorted(used) if u[2] not in declared] == []


def test_the_term_check_catches_a_misspelt_term() -> None:
    tree = ast.parse("OMSKG.hasSymptom\nOMSKG.hasSymtpom\nOMSKG['coreFeature']\n")
    declared = load_vocabulary().terms
    assert [term for _, term in _omskg_terms(tree) if term not in declared] == ["hasSymtpom"]


IRI_LITERAL = re.compile(r"""["'](https?://[^"'\s{}]+)["']""")


def test_namespaces_are_written_only_in_the_vocabulary_module() -> None:
    """No other module spells out a namespace IRI: they import it from omskg.vocab."""
    spelled = {
        (path.name, match)
        for path in MODULES
        if path.name != "vocab.py"
        for match in IRI_LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    examples = ("http://localhost", "http://127.0.0.1")  # endpoints in help texts
    assert {s for s in spelled if not s[1].startswith(examples)} == set()


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("omskg"):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("omskg"))
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(SRC).as_posix())
def test_the_library_never_imports_the_cli_or_the_server(path: Path) -> None:
    imported = _imports(path)
    command_line = path.stem.startswith("cli")  # cli.py and the cli_*.py modules it registers
    if not command_line:
        assert not {name for name in imported if name.startswith("omskg.cli")}
    server = {"serve", "server", "site", "pages", "html_document", "diagram", "workers"}  # the server's modules
    if not command_line and path.stem not in server:
        assert not {f"omskg.{name}" for name in server} & imported
    if path.name in ("validate.py", "rdf.py") or path.parent.name == "shacl":
        assert not {"omskg.query", "omskg.remote"} & imported  # validate needs no HTTP client


def test_modules_stay_small() -> None:
    """About 400 lines: every module, the SHACL engine's (src/omskg/shacl/) included."""
    sizes = {p.relative_to(SRC).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES}
    assert "shacl/engine.py" in sizes  # the glob sees the package's modules
    assert {name: n for name, n in sizes.items() if n > 420} == {}
