"""What file-based data nodes share: a path (given, or generated in the storage folder).

A path is a local path or an fsspec URL (``s3://bucket/key.csv``, ``memory://x.json``,
``file:///shared/x.parquet``), so that every worker of a cluster reaches the same data
(DESIGN.md decision 8). Local files are written atomically: the data goes to a temporary file
beside the target, which replaces it only once complete, so a failed write (bad data, a full
disk, a killed worker) leaves the previous content whole.

A job's write is staged: the worker writes the whole file (or folder) to a hidden name beside
the target, ``.staged-<job id>-<random>-<name>``, and the orchestrator, when it accepts the
job's end, moves it into place: a rename on a local or shared file system, a server-side copy
then delete for an object store. No data goes through the orchestrator; a run that does not
complete leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import os
from collections.abc import Callable, Iterator
from typing import IO, Any, ClassVar

from scenaria.config import Config
from scenaria.data.base import DataNode
from scenaria.entities import content
from scenaria.entities.storage_types import Staged
from scenaria.exceptions import DataFileNotFound
from scenaria.store.replacing import replace_file


class FileDataNode(DataNode):
    """A data node stored in one file (or a folder of files) at ``path``.

    The path is ``default_path`` when the config gives one, else a generated file
    ``<storage_folder>/<storage type>s/<id>.<extension>`` that is removed with the data node.
    A change made to a local file by something else than scenaria counts as an edit: the last
    edit date is the file's modification time when that is newer (remote URLs have no such
    check: asking an object store for it on every attribute read would be hidden I/O).
    ``storage_options`` (a dict) is passed to fsspec for URLs (credentials, endpoint).
    """

    _EXTENSION: ClassVar[str] = ""

    @property
    def path(self) -> str:
        return self._properties["path"]

    @path.setter
    def path(self, value: str) -> None:
        with self:
            self._properties["path"] = value
            self._properties["is_generated"] = False

    @property
    def is_generated(self) -> bool:
        return bool(self._properties.get("is_generated"))

    def _build_path(self, storage_folder: str) -> bool:
        """Choose the path at creation (called once by the creating code); True when generated.
        (The properties are the config's, none of them a value not loaded yet: read as a dict.)"""
        properties = self._properties
        given = dict.get(properties, "path") or dict.get(properties, "default_path")
        if given:
            dict.update(properties, path=str(given), is_generated=False)  # before the first save
            return False
        folder = _generated_folder(storage_folder, self._STORAGE_TYPE)
        dict.update(properties, path=f"{folder}{os.sep}{self.id}.{self._EXTENSION}", is_generated=True)
        return True

    def _duplicate_from(self, original: DataNode, storage_folder: str, copy_data: bool) -> None:
        """The copy gets a file of its own beside the original's, named by its id and removed with
        it; the original's file (or folder) is copied there as it is when ``copy_data``."""
        assert isinstance(original, FileDataNode)
        source = original.path
        separator = "/" if original._is_remote else os.sep
        folder = source.rsplit("/", 1)[0] if original._is_remote else os.path.dirname(original._local_path)
        target = f"{folder}{separator}{self.id}.{self._EXTENSION}" if folder else f"{self.id}.{self._EXTENSION}"
        dict.update(self._properties, path=target, is_generated=True)
        if not copy_data or not original._exists():
            return
        import shutil  # here: slow to import (bz2, lzma), and only copies and folders need it

        if original._is_remote:
            original._fs().copy(source, target, recursive=True)
        elif os.path.isdir(original._local_path):
            shutil.copytree(original._local_path, target)
        else:
            shutil.copy2(original._local_path, target)
        self._take_history(original)

    # --- local paths and URLs ----------------------------------------------------------------------
    @property
    def _is_remote(self) -> bool:
        """True for an fsspec URL other than ``file://``."""
        return is_remote(self._properties.get("path", ""))

    @property
    def _local_path(self) -> str:
        """The path without a ``file://`` prefix (the path itself for remote URLs)."""
        return local_path(self._properties.get("path", ""))

    @property
    def _storage_options(self) -> dict[str, Any]:
        return dict(self._properties.get("storage_options") or {})

    def _fs(self) -> Any:
        from scenaria.data.extras import require

        fsspec = require("fsspec", f"{self._describe()} at {self.path}")
        return fsspec.core.url_to_fs(self.path, **self._storage_options)[0]

    def _exists(self) -> bool:
        if self._is_remote:
            return bool(self._fs().exists(self.path))
        return os.path.exists(self._local_path)

    def _open(self, mode: str = "r", **kwargs: Any) -> IO[Any]:
        """The file, opened locally or through fsspec; a missing file raises ``DataFileNotFound``."""
        try:
            if self._is_remote:
                from scenaria.data.extras import require

                fsspec = require("fsspec", f"{self._describe()} at {self.path}")
                return fsspec.open(self.path, mode, **kwargs, **self._storage_options).open()
            return open(self._local_path, mode, **kwargs)  # the caller closes it
        except FileNotFoundError as exc:
            raise self._missing_file() from exc

    def _missing_file(self) -> DataFileNotFound:
        return DataFileNotFound(
            f"The file of {self._describe()} does not exist: {self.path}. It was written before, so "
            "something removed it; write the data node again or point its path at the right file."
        )

    def _describe(self) -> str:
        return f"{self._STORAGE_TYPE} data node {self.id} (config {self.config_id!r})"

    @contextlib.contextmanager
    def _atomic_target(self) -> Iterator[str]:
        """A path to write the whole file to; it replaces ``path`` only if the block succeeds.

        Local files go through a temporary file in the same folder (a rename is atomic
        there); a URL is written directly, object stores already replace an object whole.
        """
        if self._is_remote:
            yield self.path
            return
        self._ensure_folder()
        target = self._local_path
        if self.__dict__.get("_staging_copy"):  # the hidden staging name is its own temporary file
            yield target
            return
        folder, name = os.path.split(target)
        # keeps the extension; names its process, so that the next start removes it if that one is killed
        temporary = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}-{name}")
        try:
            yield temporary
            replace_file(temporary, target)
        finally:
            if os.path.isdir(temporary):
                import shutil

                shutil.rmtree(temporary, ignore_errors=True)
            elif os.path.exists(temporary):
                os.remove(temporary)

    # --- a job's writes (see the module docstring) ---------------------------------------------------
    def _staging_location(self, job_id: str) -> str:
        separator = "/" if self._is_remote else os.sep
        folder, _, name = self.path.rpartition(separator)
        hidden = f".staged-{job_id}-{os.urandom(4).hex()}-{name}"
        return f"{folder}{separator}{hidden}" if folder else hidden

    def _stage(self, data: Any, job_id: str) -> Staged:
        location = self._staging_location(job_id)
        copy = type(self).__new__(type(self))  # this node, writing to the hidden name, never saved
        copy.__dict__.update(self.__dict__, _properties={**self._properties, "path": location}, _staging_copy=True)
        try:
            copy._write(data)
        except BaseException:
            self._discard_staged(Staged(self.id, location))
            raise
        return Staged(self.id, location)

    def _stage_copy(self, source: DataNode, job_id: str) -> Staged:
        """The file of ``source`` copied as it is (no reading back) when it has the same type
        and format settings, both local; else its value, read and staged."""
        if not (isinstance(source, FileDataNode) and self._same_format(source)) or self._is_remote or source._is_remote:
            return super()._stage_copy(source, job_id)
        location = self._staging_location(job_id)
        import shutil

        try:
            if os.path.isdir(source._local_path):
                shutil.copytree(source._local_path, location)
            else:
                shutil.copyfile(source._local_path, location)
        except FileNotFoundError as exc:
            self._discard_staged(Staged(self.id, location))
            raise source._missing_file() from exc
        return Staged(self.id, location, version=source.content_version)

    def _same_format(self, other: FileDataNode) -> bool:
        def settings(node: FileDataNode) -> dict[str, Any]:
            return {k: v for k, v in node._properties.items() if k not in ("path", "default_path", "is_generated")}

        return type(other) is type(self) and settings(other) == settings(self)

    def _commit_staged(self, staged: Staged) -> None:
        source = staged.location
        assert source is not None
        if self._is_remote:
            self._fs().mv(source, self.path, recursive=True)
            return
        target = self._local_path
        source = local_path(source)
        if os.path.isdir(target):  # a dataset folder: swap, then drop the old one
            old = f"{source}.old"
            os.replace(target, old)
            os.replace(source, target)
            import shutil

            shutil.rmtree(old, ignore_errors=True)
        else:
            replace_file(source, target)

    def _discard_staged(self, staged: Staged) -> None:
        location = staged.location
        if location is None:
            return
        with contextlib.suppress(Exception):
            if is_remote(location):
                fs = self._fs()
                if fs.exists(location):
                    fs.rm(location, recursive=True)
            elif os.path.isdir(local_path(location)):
                import shutil

                shutil.rmtree(local_path(location), ignore_errors=True)
            elif os.path.exists(local_path(location)):
                os.remove(local_path(location))

    def _staged_exists(self, staged: Staged) -> bool:
        location = staged.location
        if location is None:
            return True
        return bool(self._fs().exists(location)) if is_remote(location) else os.path.exists(local_path(location))

    def _staged_file(self, staged: Staged) -> tuple[str, str] | None:
        location = staged.location
        if location is None or self._is_remote or is_remote(location) or not os.path.isfile(local_path(location)):
            return None
        return local_path(location), self._local_path

    def _discard_job_staging(self, job_id: str) -> None:
        separator = "/" if self._is_remote else os.sep
        folder = self.path.rpartition(separator)[0]
        pattern = f"{folder}{separator}.staged-{job_id}-*" if folder else f".staged-{job_id}-*"
        with contextlib.suppress(Exception):
            found = self._fs().glob(pattern) if self._is_remote else glob.glob(local_path(pattern))
            for location in found:
                self._discard_staged(Staged(self.id, location if not self._is_remote else f"{self._scheme}{location}"))

    @property
    def _scheme(self) -> str:
        return self.path.partition("://")[0] + "://"

    # --- content versions: a local file changed by something else than scenaria is hashed ------------
    @property
    def content_version(self) -> str | None:
        stored = self._content_version
        if self._is_remote or self._properties.get("hash_content") is False:
            return stored
        modified, recorded = self._file_mtime(), self._last_edit_date
        if stored is not None and (modified is None or (recorded is not None and modified <= recorded)):
            return stored
        return self._file_version()

    def _file_version(self) -> str | None:
        """The hash of the file, computed again only when its size or modification time changed."""
        try:
            stat = os.stat(self._local_path)
        except (OSError, ValueError):
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self.__dict__.get("_hashed_file")
        if cached is None or cached[0] != key:
            cached = (key, content.file_version(self._local_path))
            self.__dict__["_hashed_file"] = cached
        return cached[1]

    def _has_data(self) -> bool:
        return self._exists()

    # --- edit dates from the file --------------------------------------------------------------------
    @property
    def last_edit_date(self) -> dt.datetime | None:
        stored = self._last_edit_date
        modified = self._file_mtime()
        if modified is not None and (stored is None or modified > stored):
            return modified
        return stored

    @last_edit_date.setter
    def last_edit_date(self, value: dt.datetime | None) -> None:
        DataNode.last_edit_date.fset(self, value)  # type: ignore[attr-defined]

    def _file_mtime(self) -> dt.datetime | None:
        if self._is_remote:
            return None
        try:
            stat = os.stat(self._local_path)
        except (OSError, ValueError):
            return None
        return dt.datetime.fromtimestamp(stat.st_mtime)

    def _edit_timestamp(self) -> dt.datetime:
        return max(filter(None, (self._file_mtime(), super()._edit_timestamp())))

    def _ensure_folder(self) -> None:
        if self._is_remote:
            return
        folder = os.path.dirname(self._local_path)
        if folder and not os.path.isdir(folder):  # one stat: makedirs tries mkdir and catches its error
            os.makedirs(folder, exist_ok=True)

    def _delete_generated(self) -> None:
        if self.is_generated and not self._is_remote and os.path.isfile(self._local_path):
            os.remove(self._local_path)

    @classmethod
    def _fresh_preparer(
        cls, properties: dict[str, Any], storage_folder: str, default_data: Any
    ) -> Callable[[DataNode], None]:
        """For the usual config (no path of its own, no default data, no ``[CORE] storage_options``),
        a new node's path is its id between two texts known now: its preparation is to set it (for
        a class that prepares its nodes as this one does)."""
        if (
            default_data is not None
            or _core_storage_options()
            or properties.get("path")
            or properties.get("default_path")
            or any(getattr(cls, name) is not getattr(FileDataNode, name) for name in _PREPARING)
        ):
            return super()._fresh_preparer(properties, storage_folder, default_data)
        before, after = f"{_generated_folder(storage_folder, cls._STORAGE_TYPE)}{os.sep}", f".{cls._EXTENSION}"

        def prepare(node: DataNode) -> None:
            dict.update(node._properties, path=f"{before}{node.id}{after}", is_generated=True)  # type: ignore[attr-defined]

        return prepare

    def _prepare_new(self, storage_folder: str, default_data: Any, fresh: bool = False) -> None:
        """Choose the path (and take ``[CORE] storage_options`` when it has none of its own: they
        travel with it to the workers); an existing file counts as written, even with no default data.
        ``fresh``: the id was just made, so a path generated from it names no file yet (no stat)."""
        shared = _core_storage_options()
        if shared and not dict.get(self._properties, "storage_options"):
            dict.update(self._properties, storage_options=dict(shared))  # before the first save
        generated = self._build_path(storage_folder)
        self._initial_write(default_data, missing=fresh and generated)

    def _initial_write(self, default_data: Any, missing: bool = False) -> None:
        """Write ``default_data`` when the file does not exist yet (``missing``: known not to);
        an existing file counts as written."""
        if not missing and self._exists():
            self._last_edit_date = self._file_mtime() or self._edit_timestamp()
        elif default_data is not None:
            self._write(default_data)
            self._add_default_data_edit(default_data)


# what prepares a new node: a class that changes one of them is prepared by ``_prepare_new``
_PREPARING = ("_prepare_new", "_build_path", "_initial_write")


def _core_storage_options() -> Any:
    """``[CORE] storage_options``, read (its templates resolved) only when set: every new data
    node asks, and most configurations set none."""
    core = Config.core
    return core.storage_options if "storage_options" in (core.properties or ()) else None


@functools.lru_cache(maxsize=64)
def _generated_folder(storage_folder: str, storage_type: str) -> str:
    """Where generated files of a storage type go (made once: every new data node asks)."""
    return os.path.join(storage_folder, f"{storage_type}s")


def is_remote(path: str) -> bool:
    """True for an fsspec URL (``s3://``, ``memory://``...) other than ``file://``."""
    scheme, sep, _ = str(path).partition("://")
    return bool(sep) and scheme not in ("file", "") and "/" not in scheme and "\\" not in scheme


def local_path(path: str) -> str:
    text = str(path)
    return text[len("file://") :] if text.startswith("file://") else text
