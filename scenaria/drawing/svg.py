"""The graph as an SVG document, written by hand: no library or program needed.

Each node is a ``<g class="node task">`` or ``<g class="node data">`` group (its key in
``data-key``, its job state in ``data-state``), each edge a ``<path class="edge">`` with an
arrow head; tasks are rectangles, data nodes rounded pills. The document works inline in HTML
too (a notebook's ``_repr_html_``).
"""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

from scenaria.drawing.layout import LEGEND_ROW, MARGIN, Layout, curve, layout
from scenaria.drawing.model import DATA, Graph

FONT = "font-family='Helvetica, Arial, sans-serif' font-size='12'"
ARROW = "scenaria-arrow"


def to_svg(graph: Graph) -> str:
    """The SVG text of the graph."""
    placed = layout(graph)
    width, height = round(placed.width), round(placed.height)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {FONT}>",
        f"<title>{escape(graph.title)}</title>",
        f"<defs><marker id='{ARROW}' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='8' markerHeight='8' "
        "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker></defs>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        "<g class='edges'>",
        *_edges(graph, placed),
        "</g>",
        "<g class='nodes'>",
        *_nodes(graph, placed),
        "</g>",
        *_legend(graph, placed),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _edges(graph: Graph, placed: Layout) -> list[str]:
    lines = []
    for (source, target), route in zip(graph.edges, placed.routes, strict=True):
        path = f"M{route[0][0]:.1f},{route[0][1]:.1f}"
        for start, end in itertools.pairwise(route):
            _, (x1, y1), (x2, y2), (x3, y3) = curve(start, end)
            path += f" C{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f} {x3:.1f},{y3:.1f}"
        lines.append(
            f"<path class='edge' data-source={quoteattr(source)} data-target={quoteattr(target)} d='{path}' "
            f"fill='none' stroke='#555' stroke-width='1.3' marker-end='url(#{ARROW})'/>"
        )
    return lines


def _nodes(graph: Graph, placed: Layout) -> list[str]:
    lines = []
    for node in graph.nodes:
        box = placed.boxes[node.key]
        fill, stroke = graph.colours(node)
        radius = box.height / 2 if node.kind == DATA else 3
        state = f" data-state={quoteattr(node.state)}" if node.state else ""
        tooltip = f"{node.label} ({node.state})" if node.state else node.label
        lines += [
            f"<g class='node {node.kind}' data-key={quoteattr(node.key)}{state}>",
            f"<title>{escape(tooltip)}</title>",
            f"<rect x='{box.left:.1f}' y='{box.top:.1f}' width='{box.width:.1f}' height='{box.height:.1f}' "
            f"rx='{radius:.1f}' fill='{fill}' stroke='{stroke}' stroke-width='1.5'/>",
            f"<text x='{box.x:.1f}' y='{box.y:.1f}' text-anchor='middle' dominant-baseline='central' "
            f"fill='#212121'>{escape(node.label)}</text>",
            "</g>",
        ]
    return lines


def _legend(graph: Graph, placed: Layout) -> list[str]:
    items = graph.legend()
    if not items:
        return []
    lines = ["<g class='legend'>"]
    for index, (name, (fill, stroke)) in enumerate(items):
        y = placed.legend_top + index * LEGEND_ROW
        lines += [
            f"<g class='legend-item' data-state={quoteattr(name)}>",
            f"<rect x='{MARGIN}' y='{y:.1f}' width='22' height='14' rx='2' fill='{fill}' stroke='{stroke}'/>",
            f"<text x='{MARGIN + 30}' y='{y + 7:.1f}' dominant-baseline='central' fill='#212121'>{escape(name)}</text>",
            "</g>",
        ]
    return [*lines, "</g>"]
