"""The graph as a PNG image, drawn with Pillow (no system program needed).

The same layout as the SVG, measured with Pillow's own font and drawn at twice the size for
sharp text. Pillow is imported here only: a missing one is a `DependencyNotInstalled` that
names the install command (the SVG and Mermaid pictures need nothing).
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from scenaria.drawing.layout import LEGEND_ROW, MARGIN, Box, Point, curve, layout
from scenaria.drawing.model import DATA, Graph
from scenaria.exceptions import DependencyNotInstalled

SCALE = 2
FONT_SIZE = 12
INSTALL = 'pip install "scenaria[draw]"'


def _pillow() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as exc:
        raise DependencyNotInstalled(
            f"drawing a PNG picture needs pillow, which is not installed; install it with: {INSTALL} "
            "(or draw to a file ending in .svg, which needs nothing)"
        ) from exc
    return Image, ImageDraw, ImageFont


def to_png(graph: Graph) -> bytes:
    """The PNG bytes of the graph."""
    image_module, draw_module, font_module = _pillow()
    font = _font(font_module, FONT_SIZE * SCALE)
    placed = layout(graph, lambda text: font.getlength(text) / SCALE)
    size = (round(placed.width * SCALE), round(placed.height * SCALE))
    image = image_module.new("RGB", size, "white")
    pen = draw_module.Draw(image)
    for route in placed.routes:
        _edge(pen, route)
    for node in graph.nodes:
        box = _scaled(placed.boxes[node.key])
        fill, stroke = graph.colours(node)
        radius = (box[3] - box[1]) / 2 if node.kind == DATA else 3 * SCALE
        pen.rounded_rectangle(box, radius=radius, fill=fill, outline=stroke, width=SCALE + 1)
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        pen.text(centre, node.label, fill="#212121", font=font, anchor="mm")
    for index, (name, (fill, stroke)) in enumerate(graph.legend()):
        top = (placed.legend_top + index * LEGEND_ROW) * SCALE
        left = MARGIN * SCALE
        pen.rounded_rectangle((left, top, left + 22 * SCALE, top + 14 * SCALE), radius=2 * SCALE, fill=fill,
                              outline=stroke, width=SCALE)  # fmt: skip
        pen.text((left + 30 * SCALE, top + 7 * SCALE), name, fill="#212121", font=font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _font(font_module: Any, size: int) -> Any:
    try:
        return font_module.load_default(size=size)  # a scalable font (Pillow >= 10.1 with FreeType)
    except (TypeError, OSError, ImportError):  # the fixed bitmap font
        return font_module.load_default()


def _scaled(box: Box) -> tuple[float, float, float, float]:
    return (box.left * SCALE, box.top * SCALE, box.right * SCALE, (box.top + box.height) * SCALE)


def _edge(pen: Any, route: list[Point]) -> None:
    """The edge's Bézier segments as one polyline, and an arrow head at its end."""
    points: list[Point] = []
    for start, end in itertools.pairwise(route):
        p0, p1, p2, p3 = curve(start, end)
        for step in range(25):
            t = step / 24
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            x = a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0]
            y = a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]
            points.append((round(x * SCALE), round(y * SCALE)))
    pen.line(points, fill="#555555", width=SCALE + 1)
    tip_x, tip_y = route[-1][0] * SCALE, route[-1][1] * SCALE
    pen.polygon([(tip_x, tip_y), (tip_x - 9 * SCALE, tip_y - 4 * SCALE), (tip_x - 9 * SCALE, tip_y + 4 * SCALE)],
                fill="#555555")  # fmt: skip
