"""The filesystem store: one JSON file per record, in Taipy's layout.

For inspection (``cat .taipy/scenarios/SCENARIO_...json``) and for folders Taipy wrote::

    <root>/version.json                  meta values ({"latest_version": ..., ...})
    <root>/version/<id>.json             cycles/ scenarios/ tasks/ data_nodes/ jobs/ submission/

Why it is built this way (Taipy's JSON store raced and slowed down, USER_PAINS row 5):

- **Atomic files.** A record is written to a hidden temporary file in its folder, then
  ``os.replace``\\ d over the old one, so a reader, in any process, sees the old file or the new
  one, never half of one. ``durable=True`` adds an fsync per file (and per folder) for power cuts.
- **Writers take turns.** A commit holds ``<root>/.scenaria.lock`` (``flock``) while it writes,
  so commits of several processes do not interleave. Readers take no lock.
- **Order.** Files carry no insertion order, so each folder keeps ``.order``: an append-only log
  of ids, one line per creation (a replaced record is not logged again, so it keeps its place;
  a deleted record saved again is logged again and goes last). Files the log does not know
  (written by Taipy, or by hand) come after, oldest first.
- **Always current, at a price.** Every ``find`` lists the folder and stats each file, so records
  written by another process show at once. What is cached, per file, is only its indexed values,
  keyed by inode, mtime and size (a write replaces the inode), so a filter reads only the files
  that match. A ``find`` costs a directory listing and one stat per record of the kind: fine for
  thousands of records, not for hundreds of thousands (use SQLite).

Transactions buffer their writes (``_buffered``) and write them at the outermost exit, so a
block that raises writes nothing. Between processes a commit is not atomic as a whole: a reader
may see some files of a commit and not yet others, and a crash in the middle of a commit leaves
the files written so far.

Ids become file names: an id with a path separator, a newline, or a leading dot is refused.
On a case-insensitive filesystem, ids that differ only by case would share a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Collection, Iterator
from typing import Any

from scenaria.exceptions import StoreDamaged, StoreRecordDamaged
from scenaria.store._buffered import BufferedRepository, Pending, Row, Where
from scenaria.store.base import (
    KINDS,
    Record,
    decode_record,
    encode_record,
    indexed_values,
    matches,
)
from scenaria.store.replacing import replace_file

try:
    import fcntl
except ImportError:  # Windows: commits of several processes are not serialised
    fcntl = None  # type: ignore[assignment]

#: Taipy's folder names (note the singular ``submission`` and ``version``)
FOLDERS: dict[str, str] = {
    "version": "version",
    "cycle": "cycles",
    "scenario": "scenarios",
    "task": "tasks",
    "data_node": "data_nodes",
    "job": "jobs",
    "submission": "submission",
}
META_FILE = "version.json"
ORDER_FILE = ".order"
LOCK_FILE = ".scenaria.lock"
_SUFFIX = ".json"
_BAD_ID_CHARS = frozenset("/\\\n\r\0")
_COMPACT_AFTER = 1000  # deletions before the order log is rewritten without the deleted ids

_StatKey = tuple[int, int, int]  # inode, mtime_ns, size
# A file's cached indexed values are trusted only if it was last changed this long before the
# scan: the kernel stamps files with a coarse clock (a few ms) and reuses freed inodes, so two
# writes within one tick can leave the same (inode, mtime, size) on different contents (a job's
# status PENDING, then RUNNING). A write after a settled stamp gets a later one.
_SETTLED_NS = 1_000_000_000

# Files are for people to read: indented, UTF-8 (Taipy writes them much the same way).
_encode_file = json.JSONEncoder(indent=2, ensure_ascii=False).encode


class FilesystemRepository(BufferedRepository):
    """Records as ``<root>/<folder>/<id>.json`` files (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str], *, durable: bool = False) -> None:
        super().__init__()
        self.root = os.path.abspath(os.fspath(root))
        self.durable = bool(durable)
        self.settings: dict[str, Any] = {"type": "filesystem", "root": self.root}
        if self.durable:
            self.settings["durable"] = True
        os.makedirs(self.root, mode=0o700, exist_ok=True)  # only its owner reads or writes the store
        self._lock = threading.RLock()
        self._flocked = False  # this process holds the lock file (under self._lock)
        self._keys: dict[str, dict[str, tuple[_StatKey, tuple[Any, ...]]]] = {kind: {} for kind in KINDS}
        self._order: dict[str, tuple[int, int, dict[str, None]]] = {}  # kind -> (inode, offset, ids)
        self._adopted: set[str] = set()  # kinds whose folder's files are all in the order log
        self._deletions: dict[str, int] = {}  # kind -> files this object deleted since it compacted

    # --- paths --------------------------------------------------------------------------------------
    def folder(self, kind: str) -> str:
        return os.path.join(self.root, FOLDERS[kind])

    def _check_id(self, id: str) -> str:
        if id.startswith(".") or not _BAD_ID_CHARS.isdisjoint(id) or (os.altsep and os.altsep in id):
            raise ValueError(
                f"the filesystem store keeps a record as <id>.json, so an id cannot start with '.' nor hold "
                f"a path separator or a newline: {id!r}"
            )
        return id

    def _path(self, kind: str, id: str) -> str | None:
        """The file of a record, or None for an id that cannot name a file here."""
        if not isinstance(id, str) or not id:
            return None
        try:
            self._check_id(id)
        except ValueError:
            return None
        return os.path.join(self.root, FOLDERS[kind], id + _SUFFIX)

    def _encode(self, record: Record) -> str:
        return _encode_file(record)

    # --- damage -------------------------------------------------------------------------------------
    def _damaged_record(self, kind: str, id: str, problem: str) -> StoreDamaged:
        path = self._path(kind, id) or os.path.join(self.folder(kind), id + _SUFFIX)
        return self._damaged_file(path, f"the {kind} record {id!r}", problem)

    def _damaged_file(self, path: str, what: str, problem: str) -> StoreDamaged:
        error = StoreRecordDamaged(
            f"{path} ({what} of the filesystem store {self.root}) cannot be read ({problem}): restore it "
            "from a backup, or run `scenaria doctor --repair` to move it aside (and see what referred to it)"
        )
        return self.found_damaged(error, path)

    def _repaired(self, path: str) -> bool:
        try:
            read = _read(path)
            return read is None or isinstance(decode_record(read[1]), dict)
        except ValueError:  # not UTF-8, not JSON
            return False

    # --- reading ------------------------------------------------------------------------------------
    def _base_load(self, kind: str, id: str) -> str | None:
        path = self._path(kind, id)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as file:
                return file.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except UnicodeDecodeError as exc:
            raise self._damaged_record(kind, id, f"not UTF-8 text: {exc}") from None

    def _base_get_meta(self, key: str) -> str | None:
        value = self._read_meta().get(key)
        return None if value is None else encode_record(value)

    def _read_meta(self) -> dict[str, Any]:
        path = os.path.join(self.root, META_FILE)
        try:
            with open(path, encoding="utf-8") as file:
                meta = decode_record(file.read())
        except FileNotFoundError:
            return {}
        except ValueError as exc:  # not UTF-8, not JSON
            raise self._damaged_file(path, "the meta values (latest version, ...)", str(exc)) from None
        if not isinstance(meta, dict):
            raise self._damaged_file(path, "the meta values", f"a JSON {type(meta).__name__}, not an object")
        return meta

    def _read_order(self, kind: str) -> dict[str, None]:
        """The ids of the folder's order log, in order (each at its last creation)."""
        try:
            file = open(os.path.join(self.folder(kind), ORDER_FILE), "rb")  # noqa: SIM115
        except FileNotFoundError:
            self._order.pop(kind, None)
            return {}
        with file:
            stat = os.fstat(file.fileno())
            inode = stat.st_ino
            cached = self._order.get(kind)
            if cached is not None and cached[0] == inode and cached[1] <= stat.st_size:
                _, offset, ids = cached
                file.seek(offset)
            else:
                offset, ids = 0, {}
            data = file.read()
        end = data.rfind(b"\n") + 1  # a line being appended right now is read next time
        for id in data[:end].decode("utf-8").splitlines():
            ids.pop(id, None)
            ids[id] = None
        self._order[kind] = (inode, offset + end, ids)
        return ids

    def _scan(self, kind: str) -> Iterator[tuple[str, str, _StatKey, tuple[Any, ...], str | None]]:
        """(id, path, stat key, indexed values, body if it was read) of every record file, in order."""
        try:
            listing = os.scandir(self.folder(kind))
        except FileNotFoundError:
            return
        with listing:
            entries = {
                entry.name[: -len(_SUFFIX)]: entry
                for entry in listing
                if entry.name.endswith(_SUFFIX) and not entry.name.startswith(".")
            }
        with self._lock:
            order = self._read_order(kind)
            ids = [id for id in order if id in entries]
            if len(ids) < len(entries):  # files the log does not know: oldest first
                unknown = [entry for id, entry in entries.items() if id not in order]
                ids.extend(entry.name[: -len(_SUFFIX)] for entry in sorted(unknown, key=_mtime_then_name))
            cache = self._keys[kind]
            fresh: dict[str, tuple[_StatKey, tuple[Any, ...]]] = {}
            found = []
            settled = time.time_ns() - _SETTLED_NS
            for id in ids:
                entry = entries[id]
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
                hit = cache.get(id)
                body = None
                if hit is not None and hit[0] == key and key[1] < settled:
                    keys = hit[1]
                else:
                    read = self._read(kind, id, entry.path)
                    if read is None:
                        continue
                    key, body = read
                    keys = indexed_values(self._decode(kind, id, body))
                fresh[id] = (key, keys)
                found.append((id, entry.path, key, keys, body))
            self._keys[kind] = fresh
        yield from found

    def _base_rows(self, kind: str, where: Where, also: Collection[str]) -> list[Row]:
        rows = []
        for id, path, key, keys, body in self._scan(kind):
            if not (matches(keys, where) or id in also):
                continue
            if body is None:
                read = self._read(kind, id, path)
                if read is None:  # deleted since the listing
                    continue
                new_key, body = read
                if new_key != key:  # replaced since the listing: its values may have changed
                    keys = indexed_values(self._decode(kind, id, body))
                    if not (matches(keys, where) or id in also):
                        continue
            rows.append((id, body, keys))
        return rows

    def _read(self, kind: str, id: str, path: str) -> tuple[_StatKey, str] | None:
        try:
            return _read(path)
        except UnicodeDecodeError as exc:
            raise self._damaged_record(kind, id, f"not UTF-8 text: {exc}") from None

    def _base_count(self, kind: str, where: Where) -> int:
        return sum(1 for _, _, _, keys, _ in self._scan(kind) if matches(keys, where))

    # --- writing ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """This thread and process alone write, until the block ends (re-entrant: a commit inside
        a transaction that holds it for ``lock_meta`` does not wait for itself)."""
        with self._lock:
            if fcntl is None or self._flocked:  # (only the thread holding self._lock sees it True)
                yield
                return
            with open(
                os.open(os.path.join(self.root, LOCK_FILE), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a"
            ) as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                self._flocked = True
                try:
                    yield
                finally:
                    self._flocked = False
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    _exclusive = _writing

    def _apply(self, pending: Pending) -> None:
        self.refuse_writes_if_damaged()
        with self._writing():
            if pending.cleared:
                self._remove_all()
            for kind, rows in pending.records.items():
                self._apply_kind(kind, rows, pending.moved.get(kind, ()))
            if pending.meta:
                meta = self._read_meta()
                for key, body in pending.meta.items():
                    if body is None:
                        meta.pop(key, None)
                    else:
                        meta[key] = decode_record(body)
                self._write_file(os.path.join(self.root, META_FILE), _encode_file(meta))

    def _apply_kind(self, kind: str, rows: dict[str, Row | None], moved: Collection[str]) -> None:
        """Write and delete the files of one kind, then keep its order file in step."""
        folder = self.folder(kind)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if kind not in self._adopted:
            self._adopt(kind)
        created = []
        deleted = 0
        for id, row in rows.items():
            path = self._path(kind, id)
            if path is None:  # an id no file can have (saves check ids): nothing to delete
                continue
            if row is None:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
                    deleted += 1
                continue
            if id in moved or not os.path.exists(path):
                created.append(id)
            self._write_file(path, row[1])
        if created:
            self._append_order(folder, created)
        if deleted:
            self._compact_order(kind, deleted)
        if self.durable:
            _fsync_folder(folder)

    def _write_file(self, path: str, text: str) -> None:
        """Write a file so that no reader ever sees a part of it."""
        folder, name = os.path.split(path)
        temporary = os.path.join(folder, f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as file:
                file.write(text)
                if self.durable:
                    file.flush()
                    os.fsync(file.fileno())
            replace_file(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise

    def _append_order(self, folder: str, ids: list[str]) -> None:
        line = "".join(id + "\n" for id in ids).encode("utf-8")
        fd = os.open(os.path.join(folder, ORDER_FILE), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _adopt(self, kind: str) -> None:
        """Log the files the order log does not know (a folder Taipy wrote), oldest first.

        Done before this object first writes into a folder, so that those files keep their
        place before new records, and before a rewrite changes their modification time.
        """
        self._adopted.add(kind)
        try:
            listing = os.scandir(self.folder(kind))
        except FileNotFoundError:
            return
        with listing:
            entries = [e for e in listing if e.name.endswith(_SUFFIX) and not e.name.startswith(".")]
        order = self._read_order(kind)
        unknown = [entry for entry in entries if entry.name[: -len(_SUFFIX)] not in order]
        if unknown:
            unknown.sort(key=_mtime_then_name)
            self._append_order(self.folder(kind), [entry.name[: -len(_SUFFIX)] for entry in unknown])

    def _compact_order(self, kind: str, deleted: int) -> None:
        """Rewrite a folder's order log without the ids of deleted files, once they are many.

        Called with the write lock held, so no other process appends meanwhile; readers notice
        the new file (a new inode) and read it whole.
        """
        self._deletions[kind] = pending = self._deletions.get(kind, 0) + deleted
        if pending < _COMPACT_AFTER:
            return
        self._deletions[kind] = 0
        ids = [id for id, *_ in self._scan(kind)]
        folder = self.folder(kind)
        if ids:
            self._write_file(os.path.join(folder, ORDER_FILE), "".join(id + "\n" for id in ids))
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(folder, ORDER_FILE))

    def _remove_all(self) -> None:
        """Every record file, order log, leftover temporary file, and the meta file."""
        for kind in KINDS:
            folder = self.folder(kind)
            try:
                listing = os.scandir(folder)
            except FileNotFoundError:
                continue
            with listing:
                names = [
                    entry.name
                    for entry in listing
                    if entry.name.endswith((_SUFFIX, ".tmp")) or entry.name == ORDER_FILE
                ]
            for name in names:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))
            self._order.pop(kind, None)
            self._keys[kind] = {}
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.root, META_FILE))

    def close(self) -> None:
        super().close()
        with self._lock:
            self._keys = {kind: {} for kind in KINDS}
            self._order.clear()


def _read(path: str) -> tuple[_StatKey, str] | None:
    """A file's stat key and text, read together (None if it is gone)."""
    try:
        with open(path, encoding="utf-8") as file:
            stat = os.fstat(file.fileno())
            return (stat.st_ino, stat.st_mtime_ns, stat.st_size), file.read()
    except FileNotFoundError:
        return None


def _mtime_then_name(entry: os.DirEntry[str]) -> tuple[int, str]:
    try:
        return entry.stat().st_mtime_ns, entry.name
    except FileNotFoundError:
        return 0, entry.name


def _fsync_folder(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
