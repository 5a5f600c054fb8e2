"""``open_repository``: settings in, a repository out, or an error that shows the right form."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scenaria.exceptions import ConfigError, UnknownRepositoryType
from scenaria.store import (
    FilesystemRepository,
    MemoryRepository,
    Repository,
    SQLiteRepository,
    open_repository,
)


@pytest.mark.parametrize(
    ("settings", "cls"),
    [
        ({"type": "memory"}, MemoryRepository),
        ({"type": "sqlite", "path": "{tmp}/a.db"}, SQLiteRepository),
        ({"type": "sql", "db_location": "{tmp}/a.db"}, SQLiteRepository),  # Taipy 3's name and key
        ({"type": "sqlite", "path": "{tmp}/a.db", "timeout": 2}, SQLiteRepository),
        ({"type": "filesystem", "root": "{tmp}/.taipy"}, FilesystemRepository),
        ({"type": "filesystem", "root": "{tmp}/.taipy", "durable": True}, FilesystemRepository),
    ],
)
def test_each_type_opens_and_its_settings_rebuild_it(tmp_path, settings, cls):
    settings = {key: value.format(tmp=tmp_path) if isinstance(value, str) else value for key, value in settings.items()}
    with open_repository(settings) as repo:
        assert isinstance(repo, cls) and isinstance(repo, Repository)
        with open_repository(repo.settings) as again:
            assert type(again) is cls and again.settings == repo.settings


def test_an_unknown_type_names_the_accepted_ones():
    with pytest.raises(UnknownRepositoryType, match=r"'sqlite'.*'filesystem'.*'postgresql'") as info:
        open_repository({"type": "mongo"})
    assert isinstance(info.value, ConfigError)
    with pytest.raises(UnknownRepositoryType, match="None"):
        open_repository({})


def test_unknown_and_missing_settings_are_named(tmp_path):
    with pytest.raises(UnknownRepositoryType, match=r"'pth'.*'path'"):
        open_repository({"type": "sqlite", "path": str(tmp_path / "a.db"), "pth": "typo"})
    with pytest.raises(ConfigError, match=r"'path'.*'db_location'"):
        open_repository({"type": "sqlite"})
    with pytest.raises(ConfigError, match="one of"):
        open_repository({"type": "sqlite", "path": "a.db", "db_location": "b.db"})
    with pytest.raises(UnknownRepositoryType, match="none"):
        open_repository({"type": "memory", "path": "x"})
    assert not (tmp_path / "a.db").exists()


def test_importing_the_package_loads_no_back_end():
    code = (
        "import sys, scenaria.store\n"
        "loaded = [m for m in ('scenaria.store.sqlite', 'scenaria.store.filesystem', 'scenaria.store.memory',"
        " 'scenaria.store.postgresql', 'sqlite3') if m in sys.modules]\n"
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
