"""The sentence patterns of a medically reviewed summary, each turned into proposed facts.

A pattern proposes a fact only from words of the sentence it matched; every proposal keeps
that sentence as its evidence. The words that qualify a fact are read in its own scope (the
clause that introduces a list, and the list item itself), so that "particularly in children"
qualifies only the item it stands in. Hedge words and statistics are the ontology's own
(``Words``, read from ontology/omskg.ttl at run time); the predicates are checked against
the ontology by the caller, and a pattern whose predicate it lacks is not used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as _field
from decimal import Decimal

from omskg.draft_text import Sentence

#: Population phrases, and the population each names.
POPULATIONS = {
    "pediatric cases": "children",
    "pediatric patients": "children",
    "children": "children",
    "young children": "young children",
    "infants": "infants",
    "adolescents": "adolescents",
    "adults": "adults",
    "older adults": "older adults",
    "women": "women",
    "men": "men",
}
_POPULATION = re.compile(
    r"\b(?:in|among) (" + "|".join(sorted(POPULATIONS, key=len, reverse=True)) + r")\b", re.I
)
_APPROXIMATE = re.compile(r"\b(?:approximately|around|about|roughly|nearly|an estimated)\b", re.I)
#: Words of degree that are not part of a thing's name ("significant behavioral changes").
DEGREE_WORDS = ("significant", "severe", "marked", "mild", "profound")
_LEADING = re.compile(r"^(?:(?:a|an|the|underlying|associated|such as)\s+)+", re.I)
_PAREN = re.compile(r"\s*\(([^()]+)\)")


@dataclass(frozen=True)
class Words:
    """The ontology's hedges and statistics, by the words of their labels."""

    hedges: dict[str, str]  # lower-case label -> local name
    statistics: dict[str, str]

    def hedges_in(self, text: str) -> list[str]:
        """The hedges named in ``text``, longest labels first, none counted twice."""
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        for label in sorted(self.hedges, key=len, reverse=True):
            for m in re.finditer(r"\b" + re.escape(label) + r"\b", text, re.I):
                if all(m.end() <= a or m.start() >= b for a, b in taken):
                    taken.append((m.start(), m.end()))
                    found.append((m.start(), self.hedges[label]))
        return list(dict.fromkeys(name for _, name in sorted(found)))

    def strip_hedges(self, text: str) -> str:
        for label in sorted(self.hedges, key=len, reverse=True):
            text = re.sub(r"\b" + re.escape(label) + r"\b", " ", text, flags=re.I)
        return text


@dataclass
class Proposal:
    """One proposed fact, before its entities get ids and kinds."""

    predicate: str
    value: object  # an entity label (str) for entity objects; else see ``field``
    sentence: Sentence
    field: str = "object"  # the YAML field of the object: object, text, incidence or ageRange
    subject: str | None = None  # an entity label; None: the condition
    hedges: list[str] = _field(default_factory=list)
    population: str | None = None
    qualifiers: dict[str, object] = _field(default_factory=dict)  # approximate, proportion, therapeuticGoal
    notes: list[str] = _field(default_factory=list)


@dataclass(frozen=True)
class Item:
    label: str
    hedges: list[str]
    population: str | None
    notes: list[str]
    described_as: str | None = None  # "desc (name)": desc
    abbreviation: str | None = None  # "name (ABBR)"
    such_as: str | None = None  # "a tumor such as a neuroblastoma": neuroblastoma


def clause_before(text: str, at: int) -> str:
    """The clause that ends at ``at``: from the last comma before it (or the start)."""
    comma = text.rfind(", ", 0, at)
    return text[comma + 2 if comma >= 0 else 0 : at]


def population_in(text: str) -> str | None:
    found = _POPULATION.search(text)
    return POPULATIONS[found[1].lower()] if found else None


def clean_item(raw: str, words: Words) -> Item:
    """An item of a list: its name, and the hedges, population and notes it carries."""
    text, notes = raw.strip(" ,.;:"), []
    such_as = None
    if m := re.search(r",?\s+such as\s+(.+)$", text):
        such_as, text = _name(m[1], words), text[: m.start()]
    described = abbreviation = None
    if m := _PAREN.search(text):
        inner, outer = m[1].strip(), (text[: m.start()] + text[m.end() :]).strip()
        if re.fullmatch(r"[A-Z][A-Z0-9-]+", inner):
            abbreviation, text = inner, outer
        else:
            described, text = outer, inner
    hedges = words.hedges_in(text)
    population = population_in(text)
    for degree in DEGREE_WORDS:
        if re.search(rf"\b{degree}\b", text, re.I) and degree not in words.hedges:
            notes.append(f"the source says {degree!r}: the ontology has no hedge for it")
    label = _name(_POPULATION.sub(" ", text), words)
    if described is not None:
        described = re.sub(r"^(?:,?\s*(?:and|or)\s+|,\s*)", "", described).strip(" ,")
    return Item(label, hedges, population, notes, described, abbreviation, such_as)


def _name(text: str, words: Words) -> str:
    text = words.strip_hedges(text)
    text = re.sub(r"\b(?:" + "|".join(DEGREE_WORDS) + r")\b", " ", text, flags=re.I)
    text = " ".join(text.replace(" ,", ",").split()).strip(" ,.;:")
    return _LEADING.sub("", text).strip(" ,")


def split_list(text: str) -> list[str]:
    """'A, B, and C', 'A, B or C', 'A and the B', 'A or, particularly in X, B': the items.
    Parenthesised text is never split."""
    if _PAREN.search(text) and not re.search(r"^[^(]*\([A-Z][A-Z0-9-]+\)", text):
        return [m.group(0) for m in re.finditer(r"[^()]+?\([^()]+\)", text)]
    parts = [p for p in re.split(r",\s+(?:and|or)\s+|\s+(?:and|or),\s+|,\s+", text) if p.strip()]
    merged: list[str] = []
    carry = ""
    for part in parts:
        if _is_modifier(part):
            carry += part + ", "
            continue
        merged.append(carry + part)
        carry = ""
    if carry:
        merged.append(carry.rstrip(", "))
    if len(merged) > 1 and not re.search(r",\s+(?:and|or)\s+", text):
        merged[-1:] = re.split(r"\s+(?:and|or)\s+", merged[-1], maxsplit=1)
    elif len(merged) == 1:
        merged = re.split(r"\s+(?:and|or)\s+(?=(?:the|a|an)\s)", merged[0])
    return [m.strip() for m in merged if m.strip()]


def _is_modifier(part: str) -> bool:
    rest = _POPULATION.sub("", part)
    rest = re.sub(
        r"\b(?:particularly|especially|in some cases|often|sometimes|mainly)\b", "", rest, flags=re.I
    )
    return not rest.strip(" ,")


# ------------------------------------------------------------------ the patterns


Pattern = Callable[[Sentence, Words], list[Proposal]]


def _list_facts(
    sentence: Sentence, words: Words, at: int, end: int, predicate: str, scope: str | None = None
) -> list[Proposal]:
    """One fact per item of the list in ``sentence.text[at:end]``, qualified by the clause
    that introduces it (``scope``) and by the item's own words."""
    text = sentence.text
    lead = clause_before(text, at) if scope is None else scope
    proposals: list[Proposal] = []
    listed = text[at:end].strip().rstrip(".")
    if ":" in listed:
        lead, listed = lead + listed.split(":", 1)[0], listed.split(":", 1)[1]
    for raw in split_list(listed):
        item = clean_item(raw, words)
        if not item.label:
            continue
        hedges = list(dict.fromkeys(words.hedges_in(lead) + item.hedges))
        population = item.population or population_in(lead)
        fact = Proposal(
            predicate, item.label, sentence, hedges=hedges, population=population, notes=item.notes
        )
        proposals.append(fact)
        if item.such_as:
            proposals.append(
                Proposal(predicate, item.such_as, sentence, hedges=hedges, population=population)
            )
        if item.described_as:
            proposals.append(Proposal("describedAs", item.described_as, sentence, "text", subject=item.label))
        if item.abbreviation:
            proposals.append(
                Proposal("abbreviation", item.abbreviation, sentence, "text", subject=item.label)
            )
    return proposals


def characterized_by(sentence: Sentence, words: Words) -> list[Proposal]:
    m = re.search(r"\bcharacterized by\s+", sentence.text)
    return _list_facts(sentence, words, m.end(), len(sentence.text), "hasSymptom") if m else []


def experience(sentence: Sentence, words: Words) -> list[Proposal]:
    m = re.search(r"\bexperiences?\s+", sentence.text)
    return _list_facts(sentence, words, m.end(), len(sentence.text), "hasSymptom") if m else []


def triggered_by(sentence: Sentence, words: Words) -> list[Proposal]:
    m = re.search(r"\btriggered by\s+", sentence.text)
    return _list_facts(sentence, words, m.end(), len(sentence.text), "triggeredBy") if m else []


def affects(sentence: Sentence, words: Words) -> list[Proposal]:
    text = sentence.text
    m = re.search(r"\baffects\s+(?!both\b)", text)
    if m is None:
        return []
    narrow = re.search(r",\s+(specifically|particularly|especially|mainly)\s+", text[m.end() :])
    broad_end = m.end() + narrow.start() if narrow else len(text)
    found = _list_facts(sentence, words, m.end(), broad_end, "affects")
    if narrow:
        scope = narrow[1]
        found += _list_facts(sentence, words, m.end() + narrow.end(), len(text), "affects", scope)
    return found


def incidence(sentence: Sentence, words: Words) -> list[Proposal]:
    text = sentence.text
    m = re.search(r"\bincidence of (?:\w+ )?(?P<cases>[\d,]+) in (?P<out>[\d,]+)(?P<rest>[^.,;]*)", text)
    if m is None:
        return []
    scope = clause_before(text, m.start()) + m.group(0)
    period = "P1Y" if re.search(r"\bper year\b|\bannually\b|\ba year\b", m["rest"]) else None
    value: dict[str, object] = {
        "cases": int(m["cases"].replace(",", "")),
        "outOf": int(m["out"].replace(",", "")),
    }
    notes = []
    if period:
        value["period"] = period
    else:
        notes.append(
            "the source gives no period for this incidence: add one (e.g. P1Y) or leave the fact out"
        )
    qualifiers: dict[str, object] = {"approximate": True} if _APPROXIMATE.search(scope) else {}
    return [
        Proposal(
            "hasIncidence",
            value,
            sentence,
            "incidence",
            hedges=words.hedges_in(scope),
            qualifiers=qualifiers,
            notes=notes,
        )
    ]


def onset_age(sentence: Sentence, words: Words) -> list[Proposal]:
    text = sentence.text
    m = re.search(
        r"\b(?P<stat>\w+) age of onset (?:(?:is|of|at) )?(?P<approx>around |approximately |about )?"
        r"(?:between )?(?P<low>\d+(?:\.\d+)?) (?:to|and|-) (?P<high>\d+(?:\.\d+)?) (?P<unit>\w+?)s?\b",
        text,
    )
    if m is None or m["stat"].lower() not in words.statistics:
        return []
    scope = clause_before(text, m.start()) + m.group(0)
    value = {
        "statistic": words.statistics[m["stat"].lower()],
        "minValue": Decimal(m["low"]),
        "maxValue": Decimal(m["high"]),
        "unitText": m["unit"].lower(),
    }
    qualifiers: dict[str, object] = {"approximate": True} if m["approx"] else {}
    hedges = words.hedges_in(scope[: len(scope) - len(m.group(0))] + m.group(0))
    return [Proposal("hasOnsetAge", value, sentence, "ageRange", hedges=hedges, qualifiers=qualifiers)]


def using(sentence: Sentence, words: Words) -> list[Proposal]:
    text = sentence.text
    m = re.search(r"\busing\s+", text)
    if m is None:
        return []
    found = _list_facts(sentence, words, m.end(), len(text), "treatedWith")
    goal = re.search(r"\bgoal of [\w ]+? is (?:\w+ )?to (?P<goal>[^,]+?) using\b", text)
    for proposal in found:
        if goal and proposal.predicate == "treatedWith":
            proposal.qualifiers["therapeuticGoal"] = goal["goal"]
    return found


def associated_with(sentence: Sentence, words: Words) -> list[Proposal]:
    text = sentence.text
    m = re.search(r"\bare associated with\s+(?P<what>[^,.]+)", text)
    if m is None or "triggered by" in text:
        return []
    share = re.search(r"(?P<pct>\d+(?:\.\d+)?)% of (?P<who>[\w ]+?) of ", text[: m.start()])
    item = clean_item(m["what"], words)
    lead = text[: m.start()]
    qualifiers: dict[str, object] = {}
    if share:
        qualifiers["proportion"] = Decimal(share["pct"]) / 100
        if _APPROXIMATE.search(lead):
            qualifiers["approximate"] = True
    population = POPULATIONS.get(share["who"].lower()) if share else population_in(lead)
    return [
        Proposal(
            "associatedWith",
            item.label,
            sentence,
            hedges=words.hedges_in(lead),
            population=population,
            qualifiers=qualifiers,
        )
    ]


def believed_mechanism(sentence: Sentence, words: Words) -> list[Proposal]:
    m = re.search(r"\bmechanism of .+? is (?P<lead>[\w ]*?)\bto be (?P<what>[^,.]+)", sentence.text)
    if m is None:
        return []
    label = clean_item(m["what"], words).label
    return [Proposal("hasMechanism", label, sentence, hedges=words.hedges_in(m["lead"] + " "))]


#: Every pattern, in the order their facts are written.
PATTERNS: tuple[Pattern, ...] = (
    characterized_by,
    triggered_by,
    affects,
    experience,
    incidence,
    onset_age,
    associated_with,
    believed_mechanism,
    using,
)
