"""A SPARQL constraint's query, parsed for the quick check: a small part of SPARQL, each
construct read as the SPARQL grammar reads it; anything else is ``Unsupported`` (the
engine then runs the query in Oxigraph).

What is read: PREFIX declarations; SELECT [DISTINCT|REDUCED] with variables only; a WHERE
group of triple patterns (variables and absolute IRIs as subjects; IRIs, ``a``, variables
and property paths of IRIs with ^ / | * + ? and parentheses as predicates; variables, IRIs
and literals without escapes as objects), OPTIONAL groups of triple patterns and FILTERs,
and FILTERs; an expression is made of ||, &&, !, = and !=, BOUND, IF, isLiteral, isIRI,
isURI, isBlank, DATATYPE, sameTerm, EXISTS and NOT EXISTS groups (of triple patterns and
FILTERs), variables, IRIs and literals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, XSD

from omskg.shacl.quick_graph import stored
from omskg.shacl.quick_paths import PathSpec
from omskg.shacl.sparql import _LEXEME

Node = int | str  # a variable (its slot in a row) or a term (N-Triples, as stored)
Expression = tuple[Any, ...]  # (operator, operands...)


class Unsupported(Exception):
    """The query is not of the part of SPARQL the quick check reads."""


@dataclass
class Pattern:
    subject: Node
    predicate: Node | PathSpec  # a tuple: a property path that is not one IRI
    obj: Node


@dataclass
class Group:
    parts: list[list[Pattern] | Group] = field(default_factory=list)  # a Group here: OPTIONAL
    filters: list[Expression] = field(default_factory=list)


@dataclass
class Query:
    slots: dict[str, int]
    where: Group


_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^<>]*>")
_UNSIGNED = re.compile(r"\d+(\.\d+)?|\.\d+")
_FUNCTIONS = {"bound": 1, "if": 3, "isliteral": 1, "isiri": 1, "isuri": 1, "isblank": 1, "datatype": 1,
              "sameterm": 2}


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        match = _LEXEME.match(query, position)
        if match is None:
            raise Unsupported(f"cannot read {query[position:position + 20]!r}")
        position = match.end()
        kind, text = match.lastgroup or "string", match[0]
        if kind == "name" and text.endswith(".") and ":" in text:
            tokens.append((kind, text.rstrip(".")))  # a prefixed name does not end with "."
            tokens.extend(("punct", ".") for _ in range(len(text) - len(text.rstrip("."))))
        elif kind not in ("space", "comment"):
            tokens.append((kind, text))
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokens(query)
        self.at = 0
        self.prefixes: dict[str, str] = {}
        self.slots: dict[str, int] = {}

    def peek(self, ahead: int = 0) -> str:
        at = self.at + ahead
        return self.tokens[at][1] if at < len(self.tokens) else ""

    def word(self) -> str:
        return self.peek().lower() if self.at < len(self.tokens) and self.tokens[self.at][0] == "name" else ""

    def take(self, *texts: str) -> str:
        text = self.peek()
        if text.lower() not in texts:
            raise Unsupported(f"{text!r} where {' or '.join(texts)} is expected")
        self.at += 1
        return text

    def variable(self) -> int:
        kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        if kind != "var":
            raise Unsupported(f"{text!r} where a variable is expected")
        self.at += 1
        return self.slots.setdefault(text[1:], len(self.slots))

    def query(self) -> Query:
        while self.word() == "prefix":
            self.at += 1
            name, iri = self.peek(), self.peek(1)
            if not name.endswith(":") or name.count(":") != 1 or not _ABSOLUTE.fullmatch(iri):
                raise Unsupported(f"PREFIX {name} {iri}")
            self.prefixes[name[:-1]] = iri[1:-1]
            self.at += 2
        self.take("select")
        if self.word() in ("distinct", "reduced"):
            self.at += 1
        projected = {self.variable()}
        while self.peek()[:1] in ("?", "$"):
            projected.add(self.variable())
        if self.word() == "where":
            self.at += 1
        where = self.group(top=True)
        if self.at != len(self.tokens) or self.slots.get("this") not in projected:
            raise Unsupported("a query that does not end with its WHERE group, or does not select $this")
        return Query(self.slots, where)

    def group(self, top: bool = False) -> Group:
        self.take("{")
        group = Group()
        while self.peek() != "}":
            word = self.word()
            if word == "optional" and top:
                self.at += 1
                group.parts.append(self.group())
            elif word == "filter":
                self.at += 1
                group.filters.append(self.constraint())
            elif self.peek() == ".":
                self.at += 1
            else:
                block = self.triples()
                if group.parts and isinstance(group.parts[-1], list):
                    group.parts[-1].extend(block)  # (triple blocks apart only by a FILTER: one)
                else:
                    group.parts.append(block)
            if self.at >= len(self.tokens):
                raise Unsupported("an unclosed group")
        self.at += 1
        if not top and any(isinstance(part, Group) for part in group.parts):
            raise Unsupported("OPTIONAL inside OPTIONAL or EXISTS")
        return group

    # ------------------------------------------------------------ triple patterns

    def triples(self) -> list[Pattern]:
        subject = self.variable() if self.peek()[:1] in ("?", "$") else self.iri()
        patterns = []
        while True:
            predicate: Node | PathSpec = self.variable() if self.peek()[:1] in ("?", "$") else self.path()
            if isinstance(predicate, tuple) and predicate[0] == "p":
                predicate = predicate[1]
            patterns.append(Pattern(subject, predicate, self.obj()))
            while self.peek() == ",":
                self.at += 1
                patterns.append(Pattern(subject, predicate, self.obj()))
            while self.peek() == ";":
                self.at += 1
            if self.peek() in (".", "}") or self.word() in ("optional", "filter"):
                return patterns

    def path(self) -> PathSpec:
        options = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            options.append(self.sequence())
        return options[0] if len(options) == 1 else ("|", tuple(options))

    def sequence(self) -> PathSpec:
        steps = [self.step()]
        while self.peek() == "/":
            self.at += 1
            steps.append(self.step())
        return steps[0] if len(steps) == 1 else ("/", tuple(steps))

    def step(self) -> PathSpec:
        inverse = self.peek() == "^"
        self.at += inverse
        if self.peek() == "(":
            self.at += 1
            spec = self.path()
            self.take(")")
        else:
            spec = ("p", self.iri())
        if self.peek() in ("*", "+", "?"):
            spec = (self.peek(), spec)
            self.at += 1
        return ("^", spec) if inverse else spec

    def iri(self) -> str:
        kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        self.at += 1
        if kind == "iri" and _ABSOLUTE.fullmatch(text):
            return text
        if text == "a":
            return f"<{RDF.type}>"
        if kind == "name" and ":" in text:
            prefix, local = text.split(":", 1)
            if prefix in self.prefixes:
                iri = f"<{self.prefixes[prefix]}{local}>"
                if _ABSOLUTE.fullmatch(iri):
                    return iri
        raise Unsupported(f"{text!r} where an IRI is expected")

    def obj(self) -> Node:
        if self.peek()[:1] in ("?", "$"):
            return self.variable()
        kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        if kind in ("string", "number") or text in ("true", "false"):
            self.at += 1
            return self.literal(kind, text)
        return self.iri()

    def literal(self, kind: str, text: str) -> str:
        if text in ("true", "false"):
            return stored(f'"{text}"^^<{XSD.boolean}>')
        if kind == "number":
            if not _UNSIGNED.fullmatch(text):
                raise Unsupported(f"the number {text}")
            kind = XSD.decimal if "." in text else XSD.integer
            return stored(str(ox.Literal(text, datatype=ox.NamedNode(str(kind)))))
        quote = 3 if text[:3] in ('"""', "'''") else 1
        end = text.rfind(text[0])
        value, tail = text[quote:end - quote + 1], text[end + 1:]
        if "\\" in value:
            raise Unsupported("a string with escapes")
        if tail.startswith("@"):
            if tail != tail.lower():
                raise Unsupported("a language tag in capitals")
            return stored(str(ox.Literal(value, language=tail[1:])))
        if tail.startswith("^^"):
            if tail.endswith("."):
                raise Unsupported("a datatype written as a prefixed name before a '.'")
            self.tokens.insert(self.at, ("iri" if tail[2] == "<" else "name", tail[2:]))
            return stored(str(ox.Literal(value, datatype=ox.NamedNode(self.iri()[1:-1]))))
        return str(ox.Literal(value))

    # ------------------------------------------------------------ expressions

    def constraint(self) -> Expression:
        if self.peek() == "(":
            self.at += 1
            expression = self.expression()
            self.take(")")
            return expression
        return self.call()

    def expression(self) -> Expression:
        left = self.conjunction()
        while self.peek() == "||":
            self.at += 1
            left = ("||", left, self.conjunction())
        return left

    def conjunction(self) -> Expression:
        left = self.relation()
        while self.peek() == "&&":
            self.at += 1
            left = ("&&", left, self.relation())
        return left

    def relation(self) -> Expression:
        left = self.unary()
        if self.peek() in ("=", "!="):
            operator = self.peek()
            self.at += 1
            return (operator, left, self.unary())
        return left

    def unary(self) -> Expression:
        if self.peek() == "!":
            self.at += 1
            return ("!", self.unary())
        if self.peek() == "(":
            self.at += 1
            expression = self.expression()
            self.take(")")
            return expression
        if self.peek()[:1] in ("?", "$"):
            return ("var", self.variable())
        if self.word() in _FUNCTIONS or self.word() in ("not", "exists"):
            return self.call()
        return ("term", self.obj())

    def call(self) -> Expression:
        name = self.word()
        self.at += 1
        if name == "not":
            self.take("exists")
            return ("not exists", self.group())
        if name == "exists":
            return ("exists", self.group())
        if name not in _FUNCTIONS:
            raise Unsupported(f"the function {name or self.peek(-1)!r}")
        self.take("(")
        if name == "bound":
            arguments: list[Any] = [self.variable()]
        else:
            arguments = [self.expression()]
            for _ in range(_FUNCTIONS[name] - 1):
                self.take(",")
                arguments.append(self.expression())
        self.take(")")
        return (name, *arguments)


def parse(query: str) -> Query:
    return _Parser(query).query()
