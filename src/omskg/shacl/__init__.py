"""The fast SHACL engine: the Core constraints checked on the triples as parsed (terms as
written), the SPARQL constraints run in Oxigraph.

pyshacl is the reference (``omskg validate --engine pyshacl``). tests/test_shapes.py shows
that both report the same results for every constraint of shapes/, and
tests/test_shacl_engine.py runs the W3C SHACL test suite (when OMSKG_SHACL_SUITE names it):
on every test this engine gives the expected report or refuses the shapes. It is linear in
the graph's size where pyshacl is not: pyshacl re-parses a SPARQL constraint for every
focus node, and looks up each value through rdflib.

What is implemented: every SHACL Core target, path and constraint component (recursive
shapes are refused); SPARQL-based constraints and SPARQL-based constraint components
(ASK and SELECT validators) with $this, $value, $PATH and the component's parameters
pre-bound. What is refused with ``UnsupportedShape``, never half-checked: $shapesGraph and
$currentShape, SHACL-AF (sh:target, rules, functions), JavaScript, and any sh: term on a
shape this module does not know. A shapes graph that SHACL calls ill-formed (a SPARQL
query with MINUS, SERVICE, VALUES or ``AS $this``; a sh:minCount that is not a number;
a ?failure row) raises ``ShapesError``.

How a SPARQL constraint runs. SHACL defines it per focus node, with $this pre-bound
(Replace(E, mu) of the standard: every basic graph pattern and path joined with
{this: focus}). Oxigraph's query substitutions implement that binding, and are used per
focus node for any query. A query of one proven form is run once over the whole graph
instead, its rows kept for the shape's focus nodes (``sparql._bulk_pattern``, an allowlist): a
SELECT whose outer pattern binds $this in a plain triple pattern, built only of triple
patterns, paths, OPTIONAL blocks of triple patterns and paths (with their FILTER), and
FILTERs; $this in a FILTER or OPTIONAL only where the pattern under it binds $this;
EXISTS blocks of triple patterns and FILTERs. For that form the two evaluations give the
same rows: every solution binds $this, so joining each pattern with {this: focus} keeps
exactly the rows whose $this is the focus.

Why the Core is not SPARQL: Oxigraph stores a literal by its value, so
"68"^^xsd:nonNegativeInteger comes back as "68"^^xsd:integer and "18.0" as "18";
sh:datatype, sh:in, sh:pattern and the counts must see the terms as written. The SPARQL
constraints do see Oxigraph's values (a query's DATATYPE() or STR() of such a literal
gives the value's, not the written form's); a value or focus node they report is mapped
back to the term as written in the data.

The quick check (``quick``) answers only "conforms or not", as the engine would, for a
build's workers (a yes/no for each fact file's part): the same compiled shapes, each
constraint's quick test written beside its check, read over the graph's lines as N-Triples
terms; the SPARQL constraints of the bulk form evaluated in Python over the terms as the
store holds them. Where it cannot be sure it says so (``Unsure``) and the engine decides;
tests/test_shacl_quick.py holds it to the engine's answer on every graph the engine's
tests use and on random ones.

The modules, each one job: ``terms`` (the errors; terms between rdflib and Oxigraph, as
written; literals compared), ``data`` (the data graph, indexed), ``paths`` (property paths),
``shapes`` (the compiled shapes and the results), ``compile`` (the shapes graph compiled),
``core_values`` and ``core`` (the Core constraint components), ``sparql`` (what a SPARQL
query may be and how it may run; pre-binding), ``engine`` (validation); for the quick
check, ``quick_graph`` (the lines indexed), ``quick_paths``, ``quick_parse`` (a SPARQL
query read), ``quick_expressions`` and ``quick_sparql`` (it evaluated), ``quick``.
"""

from __future__ import annotations

from omskg.shacl.compile import compile_shapes
from omskg.shacl.data import DataGraph
from omskg.shacl.engine import _sparql_bulk, _sparql_per_focus, validate
from omskg.shacl.quick import Checker, Unsure, quick_checker
from omskg.shacl.quick_graph import Lines
from omskg.shacl.shapes import NodeShape
from omskg.shacl.sparql import _analyse, _simple_bulk_form
from omskg.shacl.terms import ShapesError, Term, UnsupportedShape, _ox, as_written, compare, to_rdflib
from omskg.vocab import SH

# The names the rest of omskg and its tests use (they import nothing from the modules themselves).
__all__ = [
    "SH",
    "Checker",
    "DataGraph",
    "Lines",
    "NodeShape",
    "ShapesError",
    "Term",
    "UnsupportedShape",
    "Unsure",
    "_analyse",
    "_ox",
    "_simple_bulk_form",
    "_sparql_bulk",
    "_sparql_per_focus",
    "as_written",
    "compare",
    "compile_shapes",
    "quick_checker",
    "to_rdflib",
    "validate",
]
