"""A made-up next version of the source, and a curator's work on it, for the release tests.

Everything is chosen from the curated facts as they are (no fact is named here): one
sentence cited by a single fact is removed (and the entity only that fact names is
retired), another is reworded, two paragraphs are swapped (so quotes move), one sentence
is added (with a new fact and entity), the date in the heading changes, and one
cross-reference is retyped. ``Expected`` is what reanchor and diff must then report,
derived from the texts and the records, independently of the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import yaml

from omskg import resources, yaml_edit
from omskg.facts import fact_file_paths, read_fact_file
from omskg.iris import Iris
from omskg.mappings import load_targets
from omskg.records import EntityRef, Fact, FactFile
from omskg.vocab import DEFAULT_BASE, MATCH_PROPERTIES, load_vocabulary

ADDED_SENTENCE = "Some patients also develop a made-up test symptom."
NEW_DATE = dt.date(2026, 10, 1)
SHIPPED = resources.resource_root()  # (before any test points omskg elsewhere)


def copy_resources(root: Path) -> Path:
    """The ontology, shapes, data and queries, copied so a test may change them."""
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(SHIPPED / folder, root / folder)
    return root


def read(root: Path) -> FactFile:
    (path,) = fact_file_paths(root / "data" / "conditions")
    return read_fact_file(path, load_vocabulary())


def _names(fact_file: FactFile) -> dict[str, int]:
    """How many facts name each entity (as subject, object or qualifier)."""
    counts: dict[str, int] = {}
    for fact in fact_file.facts:
        named = {fact.subject} | {v.id for _, vs in fact.qualifiers for v in vs if isinstance(v, EntityRef)}
        if isinstance(fact.object, EntityRef):
            named.add(fact.object.id)
        for entity in named:
            counts[entity] = counts.get(entity, 0) + 1
    return counts


@dataclasses.dataclass
class Expected:
    old_text: str
    new_text: str
    removed: Fact  # its sentence was removed
    retired: str  # the entity only it named
    reworded: Fact
    reworded_sentence: str
    added_entity: str
    retyped: tuple[str, str, str, str]  # entity, CURIE, old match, new match
    added_xref: str  # CURIE given to the new entity

    def status(self, fact: Fact) -> str:
        """What reanchor must find for a fact's quote."""
        if fact.id == self.removed.id:
            return "vanished"
        if fact.evidence.quote == self.reworded.evidence.quote:
            return "changed"
        found = self.new_text.find(fact.evidence.quote)
        assert found >= 0
        return "unchanged" if found == fact.evidence.start else "moved"


def next_version(fact_file: FactFile) -> Expected:
    old_text = fact_file.source.path.read_text(encoding="utf-8")
    citing: dict[str, list[Fact]] = {}
    for fact in fact_file.facts:
        citing.setdefault(fact.evidence.quote, []).append(fact)
    names = _names(fact_file)
    single = [
        facts[0] for quote, facts in citing.items()
        if len(facts) == 1 and old_text.count(quote) == 1
    ]
    single.sort(key=lambda f: f.evidence.start)
    removable = [
        f for f in single
        if isinstance(f.object, EntityRef) and names.get(f.object.id) == 1
    ]
    assert removable, "no sentence is cited by one fact alone that names an entity of its own"
    removed = removable[0]
    reworded = next(f for f in single if f.id != removed.id)
    assert isinstance(removed.object, EntityRef)

    text = old_text.replace(removed.evidence.quote + " ", "", 1)
    if removed.evidence.quote in text:  # the last sentence of its line
        text = text.replace(" " + removed.evidence.quote, "", 1)
    reworded_sentence = reworded.evidence.quote[:-1] + ", as reported."
    text = text.replace(reworded.evidence.quote, reworded_sentence, 1)
    text = text.replace(fact_file.source.last_updated.isoformat(), NEW_DATE.isoformat())
    lines = text.split("\n")
    header, disclaimer = fact_file.source.header.quote, fact_file.source.disclaimer.quote
    holding = [
        i for i, line in enumerate(lines)
        if any(f.evidence.quote in line for f in fact_file.facts) and header not in line and disclaimer not in line
    ]
    first, second = holding[-2], holding[-1]
    lines[first], lines[second] = lines[second], lines[first]
    lines[first] = lines[first] + " " + ADDED_SENTENCE
    new_text = "\n".join(lines)

    retype = next(e for e in fact_file.entities if len(e.xrefs) == 1 and e.id != removed.object.id)
    (xref,) = retype.xrefs
    new_match = next(m for m in MATCH_PROPERTIES if m != xref.match)
    added_xref = next(c for c in sorted(load_targets(SHIPPED / "data" / "xref-targets.tsv")) if c != xref.curie)
    return Expected(
        old_text, new_text, removed, removed.object.id, reworded, reworded_sentence,
        "made-up-test-entity", (retype.id, xref.curie, xref.match, new_match), added_xref,
    )


def curate(path: Path, fact_file: FactFile, expected: Expected) -> None:
    """What a curator does after `omskg reanchor --write`: accept the reworded sentence
    and the new heading (delete their review marks), delete the fact whose sentence
    vanished and the entity only it named, add a fact for the new sentence, retype one
    cross-reference."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r", review: '(?:[^']|'')*'", "", text)
    root = yaml_edit.compose(text)
    edits: list[yaml_edit.Edit] = []
    for key, wanted in (("facts", expected.removed.id), ("entities", expected.retired)):
        items = yaml_edit.get(root, key)
        assert isinstance(items, yaml.SequenceNode)
        for i, item in enumerate(items.value):
            item_id = yaml_edit.get(item, "id")
            if isinstance(item_id, yaml.ScalarNode) and item_id.value == wanted:
                start = text.rindex("\n", 0, item.start_mark.index) + 1
                end = (
                    text.rindex("\n", 0, items.value[i + 1].start_mark.index) + 1
                    if i + 1 < len(items.value) else len(text)
                )
                edits.append(yaml_edit.Edit(start, end, ""))
    entities = yaml_edit.get(root, "entities")
    assert isinstance(entities, yaml.SequenceNode)
    for item in entities.value:
        item_id = yaml_edit.get(item, "id")
        if isinstance(item_id, yaml.ScalarNode) and item_id.value == expected.retyped[0]:
            xrefs = yaml_edit.get(item, "xrefs")
            assert isinstance(xrefs, yaml.MappingNode)
            (key_node, _), = xrefs.value
            edits.append(yaml_edit.replace(key_node, expected.retyped[3]))
    removed_entity = next(e for e in fact_file.entities if e.id == expected.retired)
    last_entity = entities.value[-1]
    at = text.index("\n", last_entity.end_mark.index - 1) + 1
    indent = " " * (entities.value[0].start_mark.column - 2)  # where the "- " is
    new_entity = (
        f"{indent}- id: {expected.added_entity}\n{indent}  kind: {removed_entity.kind}\n"
        f"{indent}  label: made-up test entity\n{indent}  xrefs:\n{indent}    related: [{expected.added_xref}]\n"
    )
    edits.append(yaml_edit.Edit(at, at, new_entity))
    start = expected.new_text.index(ADDED_SENTENCE)
    removed = expected.removed
    new_fact = (
        f"  - id: made-up-test-fact\n    subject: {removed.subject}\n    predicate: {removed.predicate}\n"
        f"    object: {expected.added_entity}\n"
        f"    evidence: {{quote: {yaml_edit.quoted(ADDED_SENTENCE)}, start: {start}, end: {start + len(ADDED_SENTENCE)}}}\n"
    )
    text = yaml_edit.apply(text, edits)
    path.write_text(text.rstrip("\n") + "\n" + new_fact, encoding="utf-8")


def statement(fact: Fact) -> str:
    return str(Iris(DEFAULT_BASE).statement(fact))


def entity(entity_id: str) -> str:
    return str(Iris(DEFAULT_BASE).entity(entity_id))
