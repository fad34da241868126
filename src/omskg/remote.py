"""Talking to someone else's triple store, by the standard protocols only: the SPARQL 1.1
Graph Store HTTP Protocol to load, and the SPARQL 1.1 Protocol to query. Any store that
speaks them (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever) works the same way.

The client keeps its own bounds, whatever the far side does:

* credentials (Basic, Digest or a bearer token) go only to the origin (scheme, host,
  port) they were given for. A password is sent only when the store asks for it, in the
  scheme it asks for (Digest before Basic); a redirect to another origin is not followed,
  and a ``PUT`` is never re-sent to another address;
* ``timeout`` is a deadline for the whole request, answer included: a store that trickles
  its answer is cut off when the deadline passes;
* every failure of the far side (refused, unknown host, an HTTP error, a redirect, a
  timeout, a malformed answer) becomes a RemoteError with one line that says what
  happened, and no password or token ever appears in it.

A URL that cannot be an endpoint (no http(s) scheme, no host, a password in it) is a
BadEndpoint: the user's mistake, not the store's. The store is reached directly: proxy
settings in the environment are not used, so no third party is handed the credentials.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

NTRIPLES = "application/n-triples"
#: The longest URL sent as a GET; a longer query goes as a URL-encoded form POST.
MAX_GET_URL = 2000
#: Same-origin redirects followed for a query, at most.
MAX_REDIRECTS = 5


class RemoteError(Exception):
    """The store failed, or answered something that is not an answer (exit status 3)."""


class BadEndpoint(ValueError):
    """The URL given cannot be an endpoint (exit status 2, a usage error)."""


@dataclass(frozen=True)
class Auth:
    """Credentials, from flags or the environment (OMSKG_USER / OMSKG_PASSWORD, or OMSKG_TOKEN)."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, user: str | None = None) -> Auth:
        return cls(
            user or os.environ.get("OMSKG_USER"),
            os.environ.get("OMSKG_PASSWORD"),
            os.environ.get("OMSKG_TOKEN"),
        )

    def basic(self) -> str:
        pair = f"{self.user}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def secrets(self) -> list[str]:
        """Every form in which a credential could show up in a message."""
        found = [s for s in (self.password, self.token) if s]
        if self.user and self.password:
            found += [self.basic().split()[1], urllib.parse.quote(self.password, safe="")]
        return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret, and every URL's user information, replaced by ``***``."""
    text = re.sub(r"(?i)\b(https?://)[^/\s@]*@", r"\1***@", text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def shown(url: str) -> str:
    """A URL as it may be printed: without user information."""
    return scrub(url, [])


def check_endpoint(url: str) -> str:
    """The endpoint URL, if it can be one; else a BadEndpoint naming what is wrong."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        if "://" not in url:
            raise BadEndpoint(f"{shown(url)!r} has no http:// or https:// in front; write it as http://{shown(url)}")
        raise BadEndpoint(f"{shown(url)} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise BadEndpoint(
            f"{shown(url)} carries user information; give the user with --user (or OMSKG_USER) and the "
            "password in OMSKG_PASSWORD, never in the URL"
        )
    if not parts.hostname:
        raise BadEndpoint(f"{shown(url)} names no host")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise BadEndpoint(f"{shown(url)} has a port that is not a number") from None
    return url


def origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class _StoreAuth(httpx.Auth):
    """Sends a password only when the store asks, in the scheme it asks for (Digest, which
    never sends the password itself, before Basic); remembers the scheme for the next
    request of the same exchange. A bearer token is sent from the first request on."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self.digest: httpx.DigestAuth | None = None
        self.basic = False
        self.offered: list[str] = []
        self.sent = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.auth.token:
            self.sent = True
            request.headers["Authorization"] = f"Bearer {self.auth.token}"
            yield request
            return
        if not self.auth.user:
            yield request
            return
        if self.digest is not None:
            yield from self.digest.auth_flow(request)
            return
        if self.basic:
            request.headers["Authorization"] = self.auth.basic()
            yield request
            return
        response = yield request
        if response.status_code != 401:
            return
        self.offered = [s.lower() for s in _schemes(response)]
        if "digest" in self.offered:
            self.sent = True
            self.digest = httpx.DigestAuth(self.auth.user, self.auth.password or "")
            flow = self.digest.auth_flow(request)
            next(flow)
            try:
                retry = flow.send(response)
            except StopIteration:
                return
            yield retry
        elif "basic" in self.offered:
            self.sent = True
            self.basic = True
            request.headers["Authorization"] = self.auth.basic()
            yield request


class _Deadline:
    """Cuts every connection of one exchange when its deadline passes: a socket shut down
    from here makes the read or write blocked on it return at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        return max(0.001, self.end - time.monotonic())

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    if self.passed:
                        self._shut(sock)

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


@dataclass(frozen=True)
class Reply:
    body: bytes
    content_type: str  # the media type, lower case, without parameters


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: Auth = Auth(),
    timeout: float = 30.0,
    label: str | None = None,
) -> Reply:
    """One exchange with a store, bounded by ``timeout`` seconds in all; a RemoteError
    (whose message never holds a credential) for anything but a 2xx answer. ``label`` names
    the request in messages (default: the method and URL)."""
    check_endpoint(url)
    try:
        return _exchange(url, method, body, headers or {}, auth, timeout, label or f"{method} {shown(url)}")
    except RemoteError as error:
        raise RemoteError(scrub(str(error), auth.secrets())) from None


def _exchange(
    url: str, method: str, body: bytes | None, headers: dict[str, str], auth: Auth, timeout: float, what: str
) -> Reply:
    store_auth = _StoreAuth(auth)
    with _Deadline(timeout) as deadline, httpx.Client(
        timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False, auth=store_auth
    ) as client:
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = client.request(
                    method, target, content=body, headers=headers, extensions={"trace": deadline.trace}
                )
            except httpx.TimeoutException:
                raise RemoteError(f"{what} did not answer within {timeout:g} s") from None
            except httpx.HTTPError as error:
                if deadline.passed:
                    raise RemoteError(f"{what} did not answer within {timeout:g} s (cut off)") from None
                if isinstance(error, httpx.ConnectError):
                    raise RemoteError(f"cannot reach {shown(target)}: {_reason(error)}") from None
                raise RemoteError(f"{what} broke off: {_reason(error)}") from None
            if deadline.passed:  # the answer ended just as the deadline passed
                raise RemoteError(f"{what} did not answer within {timeout:g} s (cut off)")
            if not response.is_redirect:
                break
            target = _redirect_target(what, url, target, method, response)
        else:
            raise RemoteError(f"{what} redirected more than {MAX_REDIRECTS} times; not followed further")
    if response.status_code == 401:
        raise RemoteError(f"{what} answered 401 Unauthorized: {_unauthorised(store_auth, response)}")
    if not response.is_success:
        reason = _detail(response.content)
        raise RemoteError(f"{what} answered {response.status_code} {response.reason_phrase}{reason}")
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return Reply(response.content, media)


def _redirect_target(what: str, url: str, target: str, method: str, response: httpx.Response) -> str:
    """Where a redirect may be followed: to the same origin, and not for a PUT."""
    location = str(response.headers.get("location", ""))
    status = f"{response.status_code} {response.reason_phrase}"
    if not location:
        raise RemoteError(f"{what} answered {status} without saying where to")
    new = str(urllib.parse.urljoin(target, location))
    if method not in ("GET", "POST"):
        raise RemoteError(
            f"{what} answered {status} to {shown(new)}: not followed, a {method} is never re-sent to "
            "another address; if that is the store's endpoint, give it as --endpoint"
        )
    if origin(new) != origin(url):
        scheme, host, port = origin(url)
        raise RemoteError(
            f"{what} answered {status} to {shown(new)}: not followed, credentials and queries go only to "
            f"{scheme}://{host}:{port}; if you trust that address, give it as --endpoint"
        )
    return new


def _schemes(response: httpx.Response) -> list[str]:
    """The authentication schemes a 401 answer offers."""
    return [h.split(None, 1)[0] for h in response.headers.get_list("www-authenticate") if h.strip()]


def _unauthorised(store_auth: _StoreAuth, response: httpx.Response) -> str:
    offered = _schemes(response)
    auth = store_auth.auth
    if not auth.user and not auth.token:
        asks = f" ({', '.join(offered)})" if offered else ""
        return f"the store asks for credentials{asks}: give --user with OMSKG_PASSWORD, or OMSKG_TOKEN"
    if auth.token:
        asks = f"; it asks for {', '.join(offered)}" if offered else ""
        return f"the bearer token in OMSKG_TOKEN was refused{asks}"
    if not store_auth.sent:
        asks = ", ".join(offered) or "no scheme it names"
        return (
            f"the store asks for {asks} authentication, which omskg does not speak "
            "(it speaks Basic, Digest and bearer tokens); no credentials were sent"
        )
    scheme = "Digest" if store_auth.digest is not None else "Basic"
    return f"the store refused the {scheme} credentials of user {auth.user!r}"


def _detail(body: bytes) -> str:
    """The first words of an error body, without its HTML markup."""
    text = body[:2000].decode("utf-8", "replace")
    text = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", " ", text)
    text = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    if not text:
        return ""
    return f": {text[:300]}{'...' if len(text) > 300 else ''}"


def _reason(error: httpx.HTTPError) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in str(cause).lower():
            return "connection refused (is the store running, and is the port right?)"
        if isinstance(cause, socket.gaierror) or "name or service not known" in str(cause).lower():
            return "unknown host"
        cause = cause.__cause__ or cause.__context__
    return " ".join(str(error).split()) or type(error).__name__


@dataclass(frozen=True)
class LoadReport:
    url: str
    sent: int
    held: int


def count_triples(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip() and not line.startswith(b"#"))


def graph_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of a named graph, or of the default graph."""
    separator = "&" if "?" in endpoint else "?"
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return f"{endpoint}{separator}{query}"


def load(endpoint: str, graph: str | None, ntriples: bytes, auth: Auth, timeout: float) -> LoadReport:
    """Replace the graph with ours (GSP PUT, so loading twice never appends), then read
    the graph back (GSP GET) to count what the store now holds."""
    check_endpoint(endpoint)
    url = graph_url(endpoint, graph)
    request(url, "PUT", ntriples, {"Content-Type": NTRIPLES}, auth, timeout)
    held = request(url, "GET", None, {"Accept": NTRIPLES}, auth, timeout)
    return LoadReport(url, count_triples(ntriples), count_triples(held.body))


def query(
    endpoint: str, text: str, accept: str, auth: Auth, timeout: float, graph: str | None = None
) -> Reply:
    """SPARQL 1.1 Protocol, as every store takes it: a GET when the URL stays short, else a
    URL-encoded form POST (Virtuoso 7 never answers a POST of application/sparql-query).
    ``graph`` is sent as ``default-graph-uri``, so the query sees that graph as its default."""
    check_endpoint(endpoint)
    fields = [("query", text)] + ([("default-graph-uri", graph)] if graph else [])
    encoded = urllib.parse.urlencode(fields)
    url = f"{endpoint}{'&' if '?' in endpoint else '?'}{encoded}"
    label = f"the query at {shown(endpoint)}"
    if len(url) <= MAX_GET_URL:
        return request(url, "GET", None, {"Accept": accept}, auth, timeout, label)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    return request(endpoint, "POST", encoded.encode("ascii"), form, auth, timeout, label)


def update(endpoint: str, text: str, auth: Auth, timeout: float) -> None:
    """SPARQL 1.1 Update protocol: the update as the body of a POST (application/sparql-update)."""
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    label = f"the update at {shown(endpoint)}"
    request(endpoint, "POST", text.encode("utf-8"), headers, auth, timeout, label)
