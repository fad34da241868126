"""The remote client's own bounds, against real HTTP peers that misbehave on purpose:
redirects, trickled answers, malformed bodies, authentication schemes, credentials in
URLs and error bodies. Each case checks what the user sees and the exit status."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from omskg import publish
from omskg.cli import main
from omskg.remote import MAX_GET_URL, Auth, scrub

from .servers import Seen, http_peer, reply

PASSWORD = "pa55-w0rd-!x"
TOKEN = "tok-3f9a1c"
RESULTS = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}).encode()
EMPTY = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": []}}).encode()
NO_CREDENTIALS: dict[str, str | None] = {"OMSKG_USER": None, "OMSKG_PASSWORD": None, "OMSKG_TOKEN": None}
WITH_PASSWORD: dict[str, str | None] = {"OMSKG_USER": "curator", "OMSKG_PASSWORD": PASSWORD, "OMSKG_TOKEN": None}
WITH_TOKEN: dict[str, str | None] = {"OMSKG_USER": None, "OMSKG_PASSWORD": None, "OMSKG_TOKEN": TOKEN}


def omskg(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env if env is not None else NO_CREDENTIALS, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def secrets_in(text: str) -> list[str]:
    basic = base64.b64encode(f"curator:{PASSWORD}".encode()).decode()
    forms = [PASSWORD, TOKEN, basic, urllib.parse.quote(PASSWORD, safe="")]
    return [form for form in forms if form in text]


def one_line(status: int, out: str, err: str, expected_status: int = 3) -> str:
    assert status == expected_status, err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in out + err
    assert not secrets_in(out + err)
    return err


def answering(body: bytes, content_type: str = "application/sparql-results+json", status: int = 200):  # type: ignore[no-untyped-def]
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, status, body, content_type)
    return respond


# Redirects -----------------------------------------------------------------------------

@pytest.mark.parametrize("env", [WITH_PASSWORD, WITH_TOKEN], ids=["password", "token"])
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(code: int, env: dict[str, str | None]) -> None:
    with http_peer(answering(RESULTS)) as (elsewhere, seen_elsewhere):
        # localhost and 127.0.0.1 are the same machine but not the same origin
        target = elsewhere.replace("127.0.0.1", "localhost") + "/query"

        def redirect(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
            if "Authorization" not in seen.headers:  # a password is sent only when asked for
                reply(handler, 401, b"", WWW_Authenticate='Basic realm="store"')
                return
            reply(handler, code, b"", Location=target)

        with http_peer(redirect) as (store, _):
            err = one_line(*omskg("query", "ASK {}", "--endpoint", f"{store}/query", env=env))
    assert f"answered {code}" in err and f"to {target}" in err and "not followed" in err
    assert "credentials and queries go only to http://127.0.0.1:" in err
    assert seen_elsewhere == []  # nothing at all reached the other host


def test_a_redirect_to_another_scheme_or_port_is_not_followed() -> None:
    for target in ("https://127.0.0.1:{port}/query", "http://127.0.0.1:1/query"):
        def redirect(handler: BaseHTTPRequestHandler, seen: Seen, target: str = target) -> None:
            port = handler.server.server_address[1]  # type: ignore[index]
            reply(handler, 302, b"", Location=target.format(port=port))

        with http_peer(redirect) as (store, _):
            err = one_line(*omskg("query", "ASK {}", "--endpoint", f"{store}/query", env=WITH_PASSWORD))
        assert "answered 302" in err and "not followed" in err


def test_a_redirect_within_the_store_is_followed_for_a_query() -> None:
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        if seen.path.startswith("/old"):
            reply(handler, 301, b"", Location="/new" + seen.path[len("/old"):])
        else:
            reply(handler, 200, RESULTS)

    with http_peer(respond) as (store, seen):
        status, out, err = omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/old/query")
    assert (status, err) == (0, "") and "(1 row)" in out
    assert [s.path.split("?")[0] for s in seen] == ["/old/query", "/new/query"]


@pytest.mark.parametrize("code", [301, 307, 308])
def test_a_put_is_never_re_sent_elsewhere(code: int, built: Path) -> None:
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, code, b"", Location="/other-store?graph=x")

    with http_peer(respond) as (store, seen):
        err = one_line(*omskg("load", "--endpoint", f"{store}/store", "--data", str(built / publish.NTRIPLES),
                              env=WITH_PASSWORD))
    assert f"PUT {store}/store?default answered {code}" in err
    assert "not followed, a PUT is never re-sent to another address" in err
    assert [s.method for s in seen] == ["PUT"]


# Deadlines -----------------------------------------------------------------------------

def trickle(headers_first: bool):  # type: ignore[no-untyped-def]
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        try:
            if headers_first:
                handler.send_response(200)
                handler.send_header("Content-Type", "application/sparql-results+json")
                handler.send_header("Content-Length", str(len(RESULTS)))
                handler.end_headers()
                stream = RESULTS
            else:
                stream = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 2\r\n\r\nx\n"
            for byte in stream:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
    return respond


@pytest.mark.parametrize("headers_first", [True, False], ids=["trickled body", "trickled headers"])
def test_timeout_is_a_deadline_for_the_whole_request(headers_first: bool) -> None:
    """A store that sends a byte every 0.1 s (an answer of about 10 s) is cut off at 1 s."""
    with http_peer(trickle(headers_first)) as (store, _):
        started = time.monotonic()
        err = one_line(*omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", "--timeout", "1"))
        took = time.monotonic() - started
    assert "did not answer within 1 s" in err
    assert took < 2.5


def test_a_store_that_never_answers_is_cut_off(built: Path) -> None:
    def silent(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        time.sleep(3)

    with http_peer(silent) as (store, _):
        err = one_line(*omskg("load", "--endpoint", f"{store}/store", "--data", str(built / publish.NTRIPLES),
                              "--timeout", "0.5"))
    assert err.startswith(f"omskg load: PUT {store}/store?default did not answer within 0.5 s")


# Malformed answers ---------------------------------------------------------------------

MALFORMED = [
    ("cut JSON", RESULTS[:40], "application/sparql-results+json", "answered a JSON document cut short"),
    ("not JSON", b"SELECT? no.", "application/sparql-results+json", "answered something that is not JSON"),
    ("JSON, not results", b'{"hello": "world"}', "application/json", "answered JSON that is not SPARQL results"),
    ("not UTF-8", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "\xff"}}]}}',
     "application/sparql-results+json", "answered text that is not UTF-8 (byte "),
    ("an HTML page", b"<html><body>Welcome to the store</body></html>", "text/html", "answered an HTML page, not SPARQL results"),
]


@pytest.mark.parametrize(("body", "content_type", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
@pytest.mark.parametrize("result_format", ["table", "json"])
def test_a_malformed_answer_is_one_line_and_exit_3(body: bytes, content_type: str, expected: str, result_format: str) -> None:
    with http_peer(answering(body, content_type)) as (store, _):
        status, out, err = omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", "--format", result_format)
    one_line(status, out, err)
    assert out == "" and err.startswith(f"omskg query: the query at {store}/query {expected}")


def test_a_body_shorter_than_announced_is_one_line() -> None:
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/sparql-results+json")
        handler.send_header("Content-Length", str(len(RESULTS)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(RESULTS[:20])
        handler.close_connection = True

    with http_peer(respond) as (store, _):
        err = one_line(*omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", "--format", "json"))
    assert "broke off" in err


def test_xml_answers_are_checked_too() -> None:
    with http_peer(answering(b"<sparql xmlns='http://www.w3.org/2005/sparql-results#'><head>", "application/sparql-results+xml")) as (store, _):
        err = one_line(*omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", "--format", "xml"))
    assert "answered XML that is not well-formed" in err


# Authentication ------------------------------------------------------------------------

def test_basic_is_sent_only_when_asked() -> None:
    def respond(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        if seen.headers.get("Authorization") != "Basic " + base64.b64encode(f"curator:{PASSWORD}".encode()).decode():
            reply(handler, 401, b"", WWW_Authenticate='Basic realm="store"')
        else:
            reply(handler, 200, RESULTS)

    with http_peer(respond) as (store, seen):
        status, out, err = omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", env=WITH_PASSWORD)
    assert (status, err) == (0, "") and "(1 row)" in out
    assert ["Authorization" in s.headers for s in seen] == [False, True]


def test_a_store_that_needs_no_password_never_gets_it() -> None:
    with http_peer(answering(RESULTS)) as (store, seen):
        assert omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", env=WITH_PASSWORD)[0] == 0
    assert ["Authorization" in s.headers for s in seen] == [False]


def test_a_bearer_token_is_sent_from_the_first_request() -> None:
    with http_peer(answering(RESULTS)) as (store, seen):
        assert omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query", env=WITH_TOKEN)[0] == 0
    assert [s.headers.get("Authorization") for s in seen] == [f"Bearer {TOKEN}"]


AUTH_CASES = [
    ("scheme omskg does not speak", 'Negotiate', WITH_PASSWORD,
     "the store asks for Negotiate authentication, which omskg does not speak (it speaks Basic, Digest and bearer tokens); no credentials were sent"),
    ("no credentials", 'Basic realm="store"', NO_CREDENTIALS,
     "the store asks for credentials (Basic): give --user with OMSKG_PASSWORD, or OMSKG_TOKEN"),
    ("wrong password", 'Basic realm="store"', WITH_PASSWORD, "the store refused the Basic credentials of user 'curator'"),
    ("wrong token", 'Bearer realm="store"', WITH_TOKEN, "the bearer token in OMSKG_TOKEN was refused; it asks for Bearer"),
]


@pytest.mark.parametrize(("challenge", "env", "expected"), [c[1:] for c in AUTH_CASES], ids=[c[0] for c in AUTH_CASES])
def test_authentication_failures_say_why(challenge: str, env: dict[str, str | None], expected: str) -> None:
    with http_peer(lambda handler, seen: reply(handler, 401, b"", WWW_Authenticate=challenge)) as (store, seen):
        err = one_line(*omskg("query", "ASK {}", "--endpoint", f"{store}/query", env=env))
    assert err.endswith(f"answered 401 Unauthorized: {expected}\n")
    if "Negotiate" in challenge:
        assert all("Authorization" not in s.headers for s in seen)


# Credentials never shown ---------------------------------------------------------------

@pytest.mark.parametrize("command", ["load", "query"])
def test_a_url_with_user_information_is_a_usage_error_that_hides_the_password(command: str, built: Path) -> None:
    url = f"http://curator:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:9/store"
    args = ["--data", str(built / publish.NTRIPLES)] if command == "load" else []
    query = ["ASK {}"] if command == "query" else []
    err = one_line(*omskg(command, *query, "--endpoint", url, *args), expected_status=2)
    assert err == (
        f"omskg {command}: http://***@127.0.0.1:9/store carries user information; give the user with --user "
        "(or OMSKG_USER) and the password in OMSKG_PASSWORD, never in the URL\n"
    )


@pytest.mark.parametrize("env", [WITH_PASSWORD, WITH_TOKEN], ids=["password", "token"])
def test_an_error_body_that_echoes_the_credentials_is_scrubbed(env: dict[str, str | None]) -> None:
    """A store whose error page repeats the request's headers and URL: the message keeps the
    store's words, without the secret."""

    def echo(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        if "Authorization" not in seen.headers and env.get("OMSKG_PASSWORD"):
            reply(handler, 401, b"", WWW_Authenticate='Basic realm="store"')
            return
        header = seen.headers.get("Authorization", "")
        decoded = base64.b64decode(header[6:]).decode() if header.startswith("Basic ") else ""
        body = f"bad request: Authorization={header} decoded={decoded}"
        reply(handler, 500, body.encode(), "text/plain")

    with http_peer(echo) as (store, _):
        err = one_line(*omskg("query", "ASK {}", "--endpoint", f"{store}/query", env=env))
    assert "answered 500" in err and "bad request: Authorization=" in err and "***" in err


def test_scrub_removes_every_form_of_a_secret() -> None:
    auth = Auth("curator", PASSWORD, TOKEN)
    text = f"http://u:p@host/ {PASSWORD} {TOKEN} {auth.basic()} {urllib.parse.quote(PASSWORD, safe='')}"
    assert scrub(text, auth.secrets()) == "http://***@host/ *** *** Basic *** ***"
    assert "u:p" not in scrub("see HTTPS://u:p@host/x", [])


# Endpoint URLs and the query protocol ---------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("localhost:7878/query", "'localhost:7878/query' has no http:// or https:// in front; write it as http://localhost:7878/query"),
    ("ftp://127.0.0.1/store", "ftp://127.0.0.1/store is not an http(s) URL"),
    ("http:///store", "http:///store is not an http(s) URL"),
    ("http://127.0.0.1:port/store", "http://127.0.0.1:port/store has a port that is not a number"),
])
@pytest.mark.parametrize("command", ["load", "query"])
def test_an_endpoint_that_is_not_a_url_is_a_usage_error(url: str, expected: str, command: str, built: Path) -> None:
    args = ["--data", str(built / publish.NTRIPLES)] if command == "load" else ["ASK {}"]
    err = one_line(*omskg(command, "--endpoint", url, *args), expected_status=2)
    assert err == f"omskg {command}: {expected}\n"


def test_short_queries_go_as_get_and_long_ones_as_a_form_post() -> None:
    long_query = "SELECT ?x WHERE { " + " ".join(f"OPTIONAL {{ ?x <urn:p{i}> ?y{i} }}" for i in range(100)) + " }"
    assert len(long_query) > MAX_GET_URL
    with http_peer(answering(RESULTS)) as (store, seen):
        for query in ("SELECT ?x WHERE {}", long_query):
            assert omskg("query", query, "--endpoint", f"{store}/query", "--graph", "urn:g")[0] == 0
    short, long = seen
    assert short.method == "GET" and urllib.parse.parse_qs(urllib.parse.urlsplit(short.path).query)["default-graph-uri"] == ["urn:g"]
    assert long.method == "POST" and long.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(long.body.decode("ascii"))
    assert form["default-graph-uri"] == ["urn:g"] and "<urn:p99>" in form["query"][0]


def test_without_graph_no_default_graph_is_sent_and_an_empty_answer_says_why() -> None:
    with http_peer(answering(EMPTY)) as (store, seen):
        status, out, err = omskg("query", "SELECT ?x WHERE {}", "--endpoint", f"{store}/query")
    assert status == 0 and out.endswith("(0 rows)\n")
    assert err.startswith("omskg query: no answers in the store's default graph; if the data was loaded into a named graph")
    assert "default-graph-uri" not in seen[0].path


def test_graph_needs_an_endpoint() -> None:
    status, _, err = omskg("query", "ASK {}", "--graph", "urn:g")
    assert status == 2 and "--graph scopes a query at an --endpoint" in err
