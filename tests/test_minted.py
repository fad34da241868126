"""The IRIs minted once per build (omskg.minted) are the ones omskg.iris mints, record for
record, also for records made and let go while the cache lives."""

from __future__ import annotations

import dataclasses

from omskg.iris import Iris
from omskg.minted import Minted
from omskg.records import EntityRef, FactFile
from omskg.vocab import DEFAULT_BASE


def test_every_iri_is_the_one_iris_mints(fact_file: FactFile) -> None:
    minted, iris = Minted(DEFAULT_BASE), Iris(DEFAULT_BASE)
    source = fact_file.source
    for _ in range(2):  # (the second time from the cache)
        for fact in fact_file.facts:
            assert minted.statement(fact) == str(iris.statement(fact))
            assert minted.evidence(source, fact.evidence) == str(iris.evidence(source, fact.evidence))
            assert minted.entity(fact.subject) == str(iris.entity(fact.subject))
            if not isinstance(fact.object, EntityRef):
                assert minted.value(fact.object) == str(iris.value(fact.object))
        assert minted.source(source) == str(iris.source(source))


def test_records_made_and_let_go_meanwhile_get_their_own_iris(fact_file: FactFile) -> None:
    """The cache goes by identity: a record made where one let go had been (the same id())
    gets its own IRI, not the other's."""
    minted, iris = Minted(DEFAULT_BASE), Iris(DEFAULT_BASE)
    fact, source = fact_file.facts[0], fact_file.source
    evidence = [dataclasses.replace(fact.evidence, start=n, end=n + 1) for n in range(50)]
    sources = [dataclasses.replace(source, id=f"source-{n}") for n in range(50)]
    for n in range(50):
        changed = dataclasses.replace(fact, subject=f"entity-{n}")
        assert minted.statement(changed) == str(iris.statement(changed))
        del changed  # (another fact is made at its address, as a rule)
        assert minted.evidence(sources[n], evidence[n]) == str(iris.evidence(sources[n], evidence[n]))
        assert minted.evidence(source, evidence[n]) == str(iris.evidence(source, evidence[n]))
        assert minted.source(sources[n]) == str(iris.source(sources[n]))
