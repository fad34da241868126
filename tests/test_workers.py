"""The query workers of `omskg serve` on their own: the SERVICE check, and a real pool of
worker processes over a real on-disk store, bounded in time, memory and result size."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from omskg.workers import (
    Limits,
    Pool,
    QueryFailed,
    QueryTimedOut,
    Unacceptable,
    outbound_refusal,
    store_folder,
)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * where { service silent <http://x/> {} }",
    "SELECT * WHERE { SeRvIcE#c\n<http://x/> {} }",
    "SELECT * WHERE { FILTER(?a<?b)SERVICE?x#>\n{ ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o .SERVICE <http://x/> {} }",
    "SELECT * WHERE { ?s ?p true\tSERVICE <http://x/> {} }",
    "SELECT * WHERE { \\u0053ERVICE <http://x/> {} }",
    "SELECT * WHERE { \\U00000073ervice <http://x/> {} }",
    'SELECT * WHERE { ?s ?p "customer service" }',  # refused too: the check does not trust a lexer
])
def test_service_is_refused_however_it_is_written(query: str) -> None:
    assert outbound_refusal(query) is not None


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a ?type }",
    "SELECT $service WHERE { $service a ?type }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT ?s WHERE { ?s a sd:Service }",
    "SELECT ?s WHERE { ?s a <http://example.org/service> }",
    "SELECT ?s WHERE { ?s ?p ?o } # no federation here",
])
def test_the_word_is_let_through_where_it_cannot_be_the_keyword(query: str) -> None:
    assert outbound_refusal(query) is None


@pytest.fixture(scope="module")
def pool(built: object) -> Iterator[Pool]:
    from pathlib import Path

    ntriples = (Path(str(built)) / "omskg.nt").read_bytes()
    with store_folder(ntriples) as path:
        workers = Pool(path, 1, 0, Limits(seconds=3.0, max_result_bytes=20_000, memory_bytes=100 * 1024 * 1024))
        try:
            yield workers
        finally:
            workers.close()


def test_a_pool_answers_from_the_shared_store(pool: Pool) -> None:
    answer = pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s a omskg:Symptom }", "csv", None)
    assert (answer.form, answer.format, answer.body.decode().split()) == ("solutions", "csv", ["n", "7"])
    answer = pool.run("CONSTRUCT WHERE { ?s a omskg:Symptom } LIMIT 2", "csv", "nt")
    assert answer.form == "graph" and answer.body.count(b"\n") == 2
    with pytest.raises(Unacceptable):
        pool.run("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "csv", None)
    with pytest.raises(QueryFailed, match="malformed query: error at 1:"):
        pool.run("SELECT ?s WHERE { ?s ?p", "csv", None)
    with pytest.raises(QueryFailed, match="the result is over 20000 bytes"):
        pool.run("SELECT * WHERE { ?s ?p ?o }", "csv", None)


def test_a_query_past_its_memory_is_stopped_and_its_worker_replaced(pool: Pool) -> None:
    values = " ".join(str(n) for n in range(100))
    ten = "CONCAT(" + ", ".join(["{v}"] * 10) + ")"
    hog = (f"SELECT ?x WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
           f"BIND(CONCAT('{'a' * 1000}', STR(?a), STR(?b)) AS ?s1) BIND({ten.format(v='?s1')} AS ?s2) "
           f"BIND({ten.format(v='?s2')} AS ?x) }} ORDER BY ?x")
    before = set(pool.pids())
    began = time.monotonic()
    with pytest.raises(QueryFailed, match="it needed more than 100 MB of memory"):
        pool.run(hog, "csv", None)
    assert time.monotonic() - began < 3.0
    assert pool.run("ASK {}", "csv", None).body.split() == [b"true"]  # a fresh worker
    assert set(pool.pids()).isdisjoint(before)


def test_a_query_past_its_time_is_stopped(pool: Pool) -> None:
    began = time.monotonic()
    with pytest.raises(QueryTimedOut, match="longer than 3 s"):
        pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "csv", None)
    assert time.monotonic() - began < 5.0
    assert pool.isolated  # (each worker runs without a network)
