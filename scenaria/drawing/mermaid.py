"""The graph as Mermaid flowchart text, for Markdown documents, GitHub and notebooks.

Tasks are rectangles, data nodes stadiums (``([...])``); with job states, each state present
gets a ``classDef`` with the colours of the SVG and PNG pictures.
"""

from __future__ import annotations

import re

from scenaria.drawing.model import DATA, NOT_RUN, STATE_COLOURS, Graph


def to_mermaid(graph: Graph) -> str:
    """The Mermaid text of the graph (``flowchart LR``: inputs on the left)."""
    ids = _mermaid_ids(graph)
    lines = ["flowchart LR"]
    for node in graph.nodes:
        label = node.label.replace('"', "#quot;")
        shape = f'(["{label}"])' if node.kind == DATA else f'["{label}"]'
        lines.append(f"    {ids[node.key]}{shape}")
    lines += [f"    {ids[source]} --> {ids[target]}" for source, target in graph.edges]
    if graph.with_states:
        lines += _state_classes(graph, ids)
    return "\n".join(lines) + "\n"


def _mermaid_ids(graph: Graph) -> dict[str, str]:
    """A Mermaid-safe id per node: its kind and label, with a number when two are alike."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in graph.nodes:
        base = re.sub(r"\W", "_", f"{node.kind}_{node.label}")
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}_{number}"
        ids[node.key] = candidate
        taken.add(candidate)
    return ids


def _state_classes(graph: Graph, ids: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for name, (fill, stroke) in graph.legend():
        css = name.replace(" ", "_").lower()
        lines.append(f"    classDef {css} fill:{fill},stroke:{stroke}")
        members = [
            ids[node.key]
            for node in graph.nodes
            if node.kind != DATA and (node.state == name or (name == NOT_RUN and node.state not in STATE_COLOURS))
        ]
        lines.append(f"    class {','.join(members)} {css}")
    return lines
