"""Pictures of a task graph: one neutral model, drawn as SVG, Mermaid text or PNG.

Configurations and entities both turn themselves into a `Graph` (data nodes and tasks, edges
from inputs to tasks and from tasks to outputs, optionally a job state per task); this package
only draws it. It imports nothing of scenaria but its exceptions, so every layer can use it.
SVG and Mermaid need nothing installed; PNG needs Pillow (``pip install "scenaria[draw]"``).
"""

from __future__ import annotations

from scenaria.drawing.mermaid import to_mermaid
from scenaria.drawing.model import STATE_COLOURS, Graph, Node
from scenaria.drawing.output import save
from scenaria.drawing.svg import to_svg

__all__ = ["STATE_COLOURS", "Graph", "Node", "save", "to_mermaid", "to_png", "to_svg"]


def to_png(graph: Graph) -> bytes:
    """The graph as PNG bytes (needs Pillow, imported here on first use)."""
    from scenaria.drawing.png import to_png as render

    return render(graph)
