"""Writing a picture to a file, its format chosen by the file's suffix."""

from __future__ import annotations

import os
from pathlib import Path

from scenaria.drawing.mermaid import to_mermaid
from scenaria.drawing.model import Graph
from scenaria.drawing.svg import to_svg
from scenaria.exceptions import UnsupportedPictureFormat

SUFFIXES = (".png", ".svg", ".mmd")


def save(graph: Graph, file_path: str | os.PathLike[str]) -> Path:
    """Write the picture: PNG by default (``.png`` is added to a path without a suffix), SVG for
    ``.svg``, Mermaid text for ``.mmd``. Returns the path written."""
    path = Path(file_path)
    suffix = path.suffix.lower()
    if not suffix:
        path, suffix = path.with_name(path.name + ".png"), ".png"
    if suffix == ".svg":
        path.write_text(to_svg(graph), encoding="utf-8")
    elif suffix == ".mmd":
        path.write_text(to_mermaid(graph), encoding="utf-8")
    elif suffix == ".png":
        from scenaria.drawing.png import to_png

        path.write_bytes(to_png(graph))
    else:
        raise UnsupportedPictureFormat(
            f"Cannot draw {str(file_path)!r}: a picture is written as PNG, SVG or Mermaid text, so the file "
            f"name must end in {', '.join(SUFFIXES)} (or have no suffix, for PNG)."
        )
    return path
