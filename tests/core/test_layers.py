"""The layers of the package: no import cycle of any kind, and the documented order is the enforced one.

``make lint`` runs import-linter's layers contract (pyproject.toml); these tests add what a layers
contract does not see: cycles inside a layer (function-local imports included), and that
docs/architecture.md shows the contract's layers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import grimp

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
#: the one upward import the contract allows (entity.submit() is the public API's submit)
DOCUMENTED_EXCEPTION = ("scenaria.entities.submitting", "scenaria.api")


def contract() -> dict:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c for c in settings["contracts"] if c["type"] == "layers"]
    return layers


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of modules (Tarjan), those of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_but_the_documented_one():
    # function-local imports included; those under `if TYPE_CHECKING:` never run (as in the contract)
    graph = grimp.build_graph("scenaria", cache_dir=None, exclude_type_checking_imports=True)
    assert graph.direct_import_exists(importer=DOCUMENTED_EXCEPTION[0], imported=DOCUMENTED_EXCEPTION[1])
    assert cycles(graph), "the documented exception closes a cycle: the check must see it"
    graph.remove_import(importer=DOCUMENTED_EXCEPTION[0], imported=DOCUMENTED_EXCEPTION[1])
    assert cycles(graph) == []


def test_the_contract_names_one_exception_submit():
    assert contract()["ignore_imports"] == [" -> ".join(DOCUMENTED_EXCEPTION)]


def test_the_architecture_page_shows_the_contract_layers():
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\s*\d+\.\s+(.+?)\s*$", section, flags=re.MULTILINE)
    enforced = [
        [name.strip().removeprefix("scenaria.") for name in re.split(r"[:|]", layer)]
        for layer in reversed(contract()["layers"])  # the contract lists the highest first
    ]
    assert [[name.strip("` ") for name in line.split(",")] for line in documented] == enforced
