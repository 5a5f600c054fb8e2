"""Replacing a file: a reader in another process always sees the old or the new file, whole."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from scenaria.store import replacing
from scenaria.store.replacing import replace_file

_READER = textwrap.dedent(
    """
    import sys
    path, seen = sys.argv[1], set()
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    while True:
        try:
            with open(path, "rb") as file:
                text = file.read()
        except FileNotFoundError:
            print("missing"); break
        if text == b"stop":
            break
        if len(text) != 4096 or len(set(text)) != 1:
            print("partial"); break
        seen.add(text[:1])
    print(len(seen))
    """
)


def _write(path: str, byte: bytes) -> None:
    with open(path, "wb") as file:
        file.write(byte * 4096)


def test_a_reader_never_sees_the_file_missing_or_half_written(tmp_path):
    target = str(tmp_path / "value.p")
    _write(target, b"a")
    reader = subprocess.Popen([sys.executable, "-c", _READER, target], stdout=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline() == "ready\n"
    for number in range(2000):
        staged = str(tmp_path / f".staged-{number}")
        _write(staged, bytes([97 + number % 20]))
        replace_file(staged, target)
        assert not os.path.exists(staged)  # the old file went with the staged name
    with open(str(tmp_path / ".stop"), "wb") as file:
        file.write(b"stop")
    replace_file(str(tmp_path / ".stop"), target)
    out, _ = reader.communicate(timeout=60)
    assert out.strip().isdigit() and int(out) > 1, out  # saw several versions, never a gap or a part
    assert sorted(os.listdir(tmp_path)) == ["value.p"]


def test_a_new_target_a_folder_and_a_system_without_the_exchange_are_plain_renames(tmp_path):
    replace_file(str(_made(tmp_path / "new", b"1")), str(tmp_path / "target"))
    assert (tmp_path / "target").read_bytes() == b"1" * 4096
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "part").write_bytes(b"x")
    replace_file(str(tmp_path / "folder"), str(tmp_path / "moved"))
    assert (tmp_path / "moved" / "part").read_bytes() == b"x"
    saved = list(replacing._renameat2)
    replacing._renameat2[:] = [None]  # as on a system without renameat2
    try:
        replace_file(str(_made(tmp_path / "again", b"2")), str(tmp_path / "target"))
    finally:
        replacing._renameat2[:] = saved
    assert (tmp_path / "target").read_bytes() == b"2" * 4096
    assert sorted(os.listdir(tmp_path)) == ["moved", "target"]


def _made(path, byte: bytes):
    _write(str(path), byte)
    return path
