"""A condition's neighbourhood as an SVG picture, drawn with drawsvg: the condition in the
middle, its symptoms, body systems and treatments on one side, its triggers, associated
conditions and mechanisms on the other, each edge marked with the source's hedge and the
population (and proportion) it is stated for. Two drawings of the same facts: a wide one
for a desktop, and a narrow, stacked one that stays legible on a phone (CSS shows one)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import drawsvg as draw

#: (heading, side, predicates, colour), in the order drawn.
GROUPS = (
    ("Symptoms", "right", ("hasSymptom",), "#1f5fae"),
    ("Body systems", "right", ("affects",), "#5b3fa6"),
    ("Treatments", "right", ("treatedWith",), "#1e7a4a"),
    ("Triggers and associated conditions", "left", ("triggeredBy", "associatedWith"), "#b2531c"),
    ("Mechanisms", "left", ("hasMechanism", "hasAutoimmuneTarget"), "#93264f"),
)
GROUP_OF = {predicate: group for group in GROUPS for predicate in group[2]}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Edge:
    predicate: str  # local name, a key of GROUP_OF
    verb: str  # the predicate's label
    label: str  # the other end's label
    href: str  # the other end's IRI
    marks: tuple[str, ...]  # hedge, population, proportion


class _Link(draw.DrawingParentElement):  # type: ignore[misc]
    TAG_NAME = "a"

    def __init__(self, href: str, **kwargs: Any) -> None:
        super().__init__(href=href, **kwargs)


def _grouped(edges: list[Edge]) -> list[tuple[tuple[str, str, tuple[str, ...], str], list[Edge]]]:
    return [(group, [e for e in edges if e.predicate in group[2]]) for group in GROUPS
            if any(e.predicate in group[2] for e in edges)]


def _mark_lines(group: tuple[str, str, tuple[str, ...], str], edge: Edge, width: int) -> list[str]:
    words = list(edge.marks)
    if len(group[2]) > 1:
        words.insert(0, edge.verb)
    return textwrap.wrap(" · ".join(words), width)[:3] if words else []


def _svg(drawing: draw.Drawing) -> str:
    text: str = drawing.as_svg()
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text


def wide(title: str, edges: list[Edge]) -> str:
    width, node_w, centre_w = 1100.0, 240.0, 250.0
    left_x, right_x = 10, width - 10 - node_w
    centre_x = (width - centre_w) / 2
    placed: dict[str, list[tuple[float, float, Edge, tuple[str, str, tuple[str, ...], str], list[str]]]] = {
        "left": [], "right": []}
    headings: list[tuple[str, float, str, str]] = []
    bottoms = {"left": 20.0, "right": 20.0}
    for group, members in _grouped(edges):
        side = group[1]
        y = bottoms[side] + 22
        headings.append((side, y, group[0], group[3]))
        y += 12
        for edge in members:
            lines = textwrap.wrap(edge.label, 30) or [edge.label]
            height = 12.0 + 17 * len(lines)
            marks = _mark_lines(group, edge, 30)
            pitch = max(height, 14 * len(marks) + 4) + 12
            placed[side].append((y, height, edge, group, lines))
            y += pitch
        bottoms[side] = y + 10
    total = max(bottoms.values()) + 10
    centre_lines = textwrap.wrap(title, 20) or [title]
    centre_h = 20 + 22 * len(centre_lines)
    centre_y = max(20.0, (total - centre_h) / 2)
    total = max(total, centre_y + centre_h + 20)

    d = draw.Drawing(width, total, role="img", aria_label=f"Diagram of what the source says about {title}",
                     font_family=FONT)
    d.append(draw.Title(f"{title}: its neighbourhood in the graph"))
    cy = centre_y + centre_h / 2
    for side in ("left", "right"):
        for y, height, edge, group, _lines in placed[side]:
            ny = y + height / 2
            start_x = centre_x if side == "left" else centre_x + centre_w
            end_x = left_x + node_w if side == "left" else right_x
            bend = (start_x + end_x) / 2
            d.append(draw.Path(stroke=group[3], stroke_width=1.6, fill="none", stroke_opacity=0.75)
                     .M(start_x, cy).C(bend, cy, bend, ny, end_x, ny))
            marks = _mark_lines(group, edge, 30)
            if marks:
                anchor, mx = ("start", end_x + 8) if side == "left" else ("end", end_x - 8)
                d.append(draw.Text(marks, 12.5, mx, ny - 6 - 7 * (len(marks) - 1), text_anchor=anchor,
                                   fill=group[3], font_style="italic", line_height=1.15, paint_order="stroke",
                                   stroke="white", stroke_width=4, stroke_linejoin="round", class_="edge-mark"))
    for side, y, heading, colour in headings:
        x = left_x if side == "left" else right_x
        d.append(draw.Text(heading, 16, x, y, font_weight="bold", fill=colour))
    for side in ("left", "right"):
        for y, height, edge, group, lines in placed[side]:
            x = left_x if side == "left" else right_x
            link = _Link(edge.href)
            link.append(draw.Rectangle(x, y, node_w, height, rx=7, fill="#ffffff", stroke=group[3], stroke_width=1.5))
            link.append(draw.Text(lines, 14, x + 10, y + 20, fill="#1d2430", line_height=1.2))
            d.append(link)
    d.append(draw.Rectangle(centre_x, centre_y, centre_w, centre_h, rx=10, fill="#1d2430"))
    d.append(draw.Text(centre_lines, 17, centre_x + centre_w / 2, centre_y + 28, fill="#ffffff",
                       font_weight="bold", text_anchor="middle", line_height=1.3))
    return _svg(d)


def narrow(title: str, edges: list[Edge]) -> str:
    width, indent = 360.0, 34.0
    centre_lines = textwrap.wrap(title, 30) or [title]
    items: list[tuple[str, Any]] = []
    y = 10.0
    centre_h = 16 + 21 * len(centre_lines)
    y += centre_h + 14
    for group, members in _grouped(edges):
        y += 18
        items.append(("heading", (y, group)))
        top = y + 6
        for edge in members:
            lines = textwrap.wrap(edge.label, 36) or [edge.label]
            marks = _mark_lines(group, edge, 40)
            height = 12 + 17 * len(lines) + 15 * len(marks)
            y += 10
            items.append(("node", (y, height, edge, group, lines, marks)))
            y += height
        items.append(("spine", (top, y - 0, group)))
        y += 8
    total = y + 10
    d = draw.Drawing(width, total, role="img", aria_label=f"Diagram of what the source says about {title}",
                     font_family=FONT)
    d.append(draw.Title(f"{title}: its neighbourhood in the graph"))
    d.append(draw.Rectangle(10, 10, width - 20, centre_h, rx=9, fill="#1d2430"))
    d.append(draw.Text(centre_lines, 16, width / 2, 34, fill="#ffffff", font_weight="bold", text_anchor="middle",
                       line_height=1.3))
    d.append(draw.Line(18, 10 + centre_h, 18, total - 10, stroke="#1d2430", stroke_width=1.5))
    for kind, data in items:
        if kind == "heading":
            hy, group = data
            d.append(draw.Text(group[0], 15, 26, hy, font_weight="bold", fill=group[3]))
        elif kind == "node":
            ny, height, edge, group, lines, marks = data
            d.append(draw.Line(18, ny + 14, indent, ny + 14, stroke=group[3], stroke_width=1.5))
            link = _Link(edge.href)
            link.append(draw.Rectangle(indent, ny, width - indent - 6, height, rx=6, fill="#ffffff", stroke=group[3],
                                       stroke_width=1.3))
            link.append(draw.Text(lines, 14, indent + 9, ny + 19, fill="#1d2430", line_height=1.2))
            if marks:
                link.append(draw.Text(marks, 12.5, indent + 9, ny + 19 + 17 * len(lines), fill=group[3],
                                      font_style="italic", line_height=1.2, class_="edge-mark"))
            d.append(link)
    return _svg(d)


def figure(title: str, edges: list[Edge]) -> str:
    """The picture as an HTML figure holding both drawings."""
    legend = (
        "Each line is a fact of the source; its words give the source's hedge (how sure it is), "
        "the population it is stated for, and any proportion. Each box links to its page."
    )
    return (
        f'<figure class="diagram"><div class="wide">{wide(title, edges)}</div>'
        f'<div class="narrow">{narrow(title, edges)}</div>'
        f"<figcaption>{legend}</figcaption></figure>"
    )
