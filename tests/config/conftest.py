"""Every configuration test starts from a fresh ``Config`` and no config-path environment variable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scenaria.config import Config

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "config"


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
