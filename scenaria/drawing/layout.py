"""A layered layout: nodes in columns by their depth in the graph, edges from left to right.

A node's depth is the length of the longest path reaching it, so every task sits to the right
of its inputs and to the left of its outputs; a data node nobody writes is pulled next to its
first reader. Edges closing a cycle (a configuration not yet checked may have one) are left
out of the depths, so a cyclic graph is drawn too. Inside a column, nodes are ordered by the
mean row of their predecessors, which keeps most edges from crossing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from scenaria.drawing.model import Graph

NODE_HEIGHT = 34.0
MIN_WIDTH = 70.0
PADDING = 14.0
COLUMN_GAP = 56.0
ROW_GAP = 18.0
MARGIN = 16.0
LEGEND_ROW = 20.0
VIRTUAL_HEIGHT = 6.0


@dataclasses.dataclass(frozen=True)
class Box:
    """A node's place: its centre and size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2


Point = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    routes: list[list[Point]]  # per edge of the graph: its start, the gaps it passes, its end
    legend_top: float  # where the legend starts (below the graph)


def estimate_width(text: str) -> float:
    """Width of ``text`` in a 12px sans-serif font, near enough for the SVG (the viewer measures)."""
    return 7.0 * len(text)


def depths(graph: Graph) -> dict[str, int]:
    """The column of each node."""
    preds: dict[str, list[str]] = {node.key: [] for node in graph.nodes}
    succs: dict[str, list[str]] = {node.key: [] for node in graph.nodes}
    for source, target in graph.edges:
        preds[target].append(source)
        succs[source].append(target)
    depth: dict[str, int] = {}
    for root in preds:
        if root in depth:
            continue
        stack = [(root, iter(preds[root]))]
        on_stack = {root}
        while stack:  # iterative depth-first search: a long chain needs no recursion
            key, pending = stack[-1]
            for pred in pending:
                if pred not in depth and pred not in on_stack:  # on the stack: a cycle's back edge
                    stack.append((pred, iter(preds[pred])))
                    on_stack.add(pred)
                    break
            else:
                stack.pop()
                on_stack.discard(key)
                depth[key] = max((depth[p] + 1 for p in preds[key] if p in depth), default=0)
    for key in depth:
        if not preds[key] and succs[key]:
            depth[key] = max(0, min(depth[s] for s in succs[key]) - 1)
    return depth


def layout(graph: Graph, text_width: Callable[[str], float] = estimate_width) -> Layout:
    """Where each node goes; ``text_width`` measures a label in the renderer's font.

    An edge that spans several columns gets a slot of its own in each column it crosses (a
    "virtual node" of the layered-layout method), so it passes between nodes, not behind one.
    """
    depth = depths(graph)
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in graph.nodes:
        columns[depth[node.key]].append(node.key)
    links, via = _virtual_nodes(graph, depth, columns)
    _order_by_predecessors(links, columns)
    widths = {node.key: max(MIN_WIDTH, text_width(node.label) + 2 * PADDING) for node in graph.nodes}
    heights = {key: NODE_HEIGHT if key in widths else VIRTUAL_HEIGHT for column in columns for key in column}
    column_heights = [sum(heights[k] for k in column) + (len(column) - 1) * ROW_GAP for column in columns]
    graph_height = max(column_heights, default=0.0)
    boxes: dict[str, Box] = {}
    x = MARGIN
    for column, column_height in zip(columns, column_heights, strict=True):
        column_width = max((widths.get(key, 0.0) for key in column), default=0.0)
        y = MARGIN + (graph_height - column_height) / 2
        for key in column:
            boxes[key] = Box(x + column_width / 2, y + heights[key] / 2, widths.get(key, 0.0), heights[key])
            y += heights[key] + ROW_GAP
        x += column_width + COLUMN_GAP
    routes = [
        [_right(boxes[source]), *((boxes[v].x, boxes[v].y) for v in via[index]), _left(boxes[target])]
        for index, (source, target) in enumerate(graph.edges)
    ]
    legend = graph.legend()
    legend_width = max((text_width(name) + 40 for name, _ in legend), default=0)
    legend_top = MARGIN + graph_height + (MARGIN if legend else 0)
    height = legend_top + len(legend) * LEGEND_ROW + MARGIN
    width = max(x - COLUMN_GAP + MARGIN, 2 * MARGIN, legend_width + 2 * MARGIN)
    real = {key: box for key, box in boxes.items() if key in widths}
    return Layout(width, height, real, routes, legend_top)


def _virtual_nodes(
    graph: Graph, depth: dict[str, int], columns: list[list[str]]
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """Links between adjacent columns, and for each edge the virtual nodes it passes through."""
    links: list[tuple[str, str]] = []
    via: list[list[str]] = []
    for index, (source, target) in enumerate(graph.edges):
        chain: list[str] = []
        previous = source
        for column in range(depth[source] + 1, depth[target]):
            virtual = f"\0{index}:{column}"
            columns[column].append(virtual)
            links.append((previous, virtual))
            chain.append(virtual)
            previous = virtual
        links.append((previous, target))
        via.append(chain)
    return links, via


def _right(box: Box) -> Point:
    return (box.right, box.y)


def _left(box: Box) -> Point:
    return (box.left, box.y)


def _order_by_predecessors(links: list[tuple[str, str]], columns: list[list[str]]) -> None:
    preds: dict[str, list[str]] = {}
    for source, target in links:
        preds.setdefault(target, []).append(source)
    row: dict[str, float] = {}
    for column in columns:
        for index, key in enumerate(column):
            placed = [row[p] for p in preds.get(key, ()) if p in row]
            row[key] = sum(placed) / len(placed) if placed else float(index)
        column.sort(key=row.__getitem__)
        for index, key in enumerate(column):
            row[key] = float(index)


def curve(start: Point, end: Point) -> tuple[Point, Point, Point, Point]:
    """One segment of an edge as a cubic Bézier leaving and reaching its points horizontally."""
    bend = max(abs(end[0] - start[0]) / 2, 24.0)
    return start, (start[0] + bend, start[1]), (end[0] - bend, end[1]), end
