"""Every configuration test starts from a fresh ``Config`` and no config-path environment variable."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scenaria.config import Config

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "config"
# The fixture files name functions of config_fixture_funcs (next to this file): make it importable
# whatever pytest's import mode.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def fresh_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SCENARIA_CONFIG_PATH", raising=False)
    monkeypatch.delenv("TAIPY_CONFIG_PATH", raising=False)
    Config._reset()
    yield
    Config._reset()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
