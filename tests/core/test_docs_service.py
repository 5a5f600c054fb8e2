"""The Python blocks of docs/service.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenaria.config import Config

DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_the_python_blocks_run(code: str) -> None:
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_service"})
    assert Config.check().errors == []


def test_the_toml_block_loads(tmp_path: Path) -> None:
    toml = re.search(r"```toml\n(.*?)```", DOC.read_text(), re.S)
    assert toml is not None
    exec(compile(BLOCKS[0], str(DOC), "exec"), {"__name__": "docs_service"})
    (tmp_path / "schedules.toml").write_text(toml.group(1))
    Config.override(tmp_path / "schedules.toml")
    assert Config.schedules["refresh"].interval.total_seconds() == 900
    assert Config.schedules["morning"].timezone == "Europe/Paris"
    assert Config.check().errors == []
