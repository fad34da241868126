"""What a store answered a query, checked before anything is printed: UTF-8 text, and in
the format asked for (SPARQL 1.1 JSON or XML results, CSV or TSV; N-Triples or Turtle for a
CONSTRUCT). Anything else (cut short, not JSON, not results, an HTML page) is a RemoteError
with one line, so that a broken answer never passes for an empty or partial one."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from omskg.remote import RemoteError, Reply
from omskg.vocab import SPARQL_RESULTS


@dataclass(frozen=True)
class Answer:
    """A checked answer: its text, and for solutions their variables and rows (None for a
    graph, a boolean, or a format whose rows are not read)."""

    text: str
    names: list[str] | None = None
    rows: list[dict[str, dict[str, str]]] | None = None
    boolean: bool | None = None


GRAPH_TYPES = (
    "application/n-triples", "text/turtle", "application/rdf+xml", "application/n-quads", "text/plain"
)


def read_answer(reply: Reply, result_format: str, what: str) -> Answer:
    """Check that a store's reply is an answer in the format asked for; a RemoteError with one
    line if it is not (not UTF-8, cut, not JSON, not SPARQL results)."""
    try:
        text = reply.body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RemoteError(f"{what} answered text that is not UTF-8 (byte {error.start})") from None
    if reply.content_type in GRAPH_TYPES and result_format in ("table", "json", "xml"):
        return Answer(text)  # a CONSTRUCT or DESCRIBE answer: N-Triples or Turtle, printed as it came
    if reply.content_type == "text/html":
        raise RemoteError(f"{what} answered an HTML page, not SPARQL results (is it the query endpoint?)")
    if result_format in ("table", "json"):
        return _read_json(text, what)
    if result_format == "xml":
        return _read_xml(text, what)
    lines = text.splitlines()
    return Answer(text, rows=None if not lines else [{} for _ in lines[1:]])


def _read_json(text: str, what: str) -> Answer:
    try:
        results = json.loads(text)
    except json.JSONDecodeError as error:
        cut = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
        problem = "a JSON document cut short" if cut and text.strip() else "something that is not JSON"
        where = f"{error.msg}{'' if error.msg.endswith(' at') else ' at'} character {error.pos}"
        raise RemoteError(f"{what} answered {problem} ({where})") from None
    try:
        if "boolean" in results:
            return Answer(text, boolean=bool(results["boolean"]))
        names = [str(n) for n in results["head"]["vars"]]
        rows = list(results["results"]["bindings"])
        for row in rows:
            if not all("value" in term and "type" in term for term in row.values()):
                raise TypeError
    except (KeyError, TypeError, AttributeError):
        raise RemoteError(
            f"{what} answered JSON that is not SPARQL results (no head/vars and results/bindings)"
        ) from None
    return Answer(text, names, rows)


def _read_xml(text: str, what: str) -> Answer:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise RemoteError(f"{what} answered XML that is not well-formed ({error})") from None
    if root.tag != f"{{{SPARQL_RESULTS}}}sparql":
        raise RemoteError(f"{what} answered XML that is not SPARQL results")
    boolean = root.find(f"{{{SPARQL_RESULTS}}}boolean")
    if boolean is not None:
        return Answer(text, boolean=(boolean.text or "").strip() == "true")
    return Answer(text, rows=[{} for _ in root.iter(f"{{{SPARQL_RESULTS}}}result")])
