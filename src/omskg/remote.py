"""Talking to someone else's triple store, by the standard protocols only: the SPARQL 1.1
Graph Store HTTP Protocol to load, and the SPARQL 1.1 Protocol to query. Any store that
speaks them (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever) works the same way.

Every failure of the far side (refused, unknown host, an HTTP error, a timeout) becomes a
RemoteError with one line that says what happened.
"""

from __future__ import annotations

import base64
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

NTRIPLES = "application/n-triples"


class RemoteError(Exception):
    pass


@dataclass(frozen=True)
class Auth:
    """Credentials, from flags or the environment (OMSKG_USER / OMSKG_PASSWORD, or OMSKG_TOKEN)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_environment(cls, user: str | None = None) -> Auth:
        return cls(
            user or os.environ.get("OMSKG_USER"),
            os.environ.get("OMSKG_PASSWORD"),
            os.environ.get("OMSKG_TOKEN"),
        )

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user:
            pair = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


def graph_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of a named graph, or of the default graph."""
    separator = "&" if "?" in endpoint else "?"
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return f"{endpoint}{separator}{query}"


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: Auth = Auth(),
    timeout: float = 30.0,
) -> bytes:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise RemoteError(f"{url} is not an http(s) URL")
    req = urllib.request.Request(url, data=body, method=method, headers={**(headers or {}), **auth.headers()})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip().splitlines()
        reason = f": {detail[0]}" if detail else ""
        raise RemoteError(f"{method} {url} answered {error.code} {error.reason}{reason}") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise RemoteError(f"{method} {url} did not answer within {timeout:g} s") from None
        raise RemoteError(f"cannot reach {url}: {_reason(error.reason)}") from None
    except TimeoutError:
        raise RemoteError(f"{method} {url} did not answer within {timeout:g} s") from None
    except (ConnectionError, OSError) as error:
        raise RemoteError(f"cannot reach {url}: {_reason(error)}") from None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the store running, and is the port right?)"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    return str(getattr(reason, "strerror", None) or reason)


@dataclass(frozen=True)
class LoadReport:
    url: str
    sent: int
    held: int


def count_triples(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip() and not line.startswith(b"#"))


def load(endpoint: str, graph: str | None, ntriples: bytes, auth: Auth, timeout: float) -> LoadReport:
    """Replace the graph with ours (GSP PUT, so loading twice never appends), then read
    the graph back (GSP GET) to count what the store now holds."""
    url = graph_url(endpoint, graph)
    request(url, "PUT", ntriples, {"Content-Type": NTRIPLES}, auth, timeout)
    held = request(url, "GET", None, {"Accept": NTRIPLES}, auth, timeout)
    return LoadReport(url, count_triples(ntriples), count_triples(held))


def query(endpoint: str, text: str, accept: str, auth: Auth, timeout: float) -> bytes:
    """SPARQL 1.1 Protocol: the query as the body of a POST (application/sparql-query)."""
    headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept}
    return request(endpoint, "POST", text.encode("utf-8"), headers, auth, timeout)


def update(endpoint: str, text: str, auth: Auth, timeout: float) -> None:
    """SPARQL 1.1 Update protocol: the update as the body of a POST (application/sparql-update)."""
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    request(endpoint, "POST", text.encode("utf-8"), headers, auth, timeout)
