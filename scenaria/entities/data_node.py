"""The data node: a named piece of data a task reads or writes, wherever it is stored.

``DataNode`` holds what every storage type shares (edit history, validity, edit locks,
filtering); each storage type is a subclass in its own module of ``scenaria.data`` (named in
``storage_types.STORAGE_TYPES``, imported on first use) implementing three methods:
``_read()``, ``_write(data)`` and, where it makes sense, ``_append(data)``. Those three touch
only the storage, never the store of entities, so a worker process can run them on a detached
copy of the data node: big data never travels through the orchestrator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from scenaria.config.enums import Scope
from scenaria.entities import codec, content, landing, ports, rules, values
from scenaria.entities.base import ANY, DATETIME, STRSET, Entity, Owned, enum_codec, field, new_id, now
from scenaria.entities.graph import upstream_data_nodes
from scenaria.entities.registry import registry
from scenaria.entities.storage_types import Staged, checked_properties, data_node_class
from scenaria.exceptions import (
    DataNodeIsBeingEdited,
    NoData,
)
from scenaria.store.base import encode_record, with_text_last

logger = logging.getLogger("scenaria")

EDIT_LOCK_DURATION = dt.timedelta(minutes=30)  # an editor's lock expires after this
# The edit history keeps the most recent edits only: a data node written by a job every minute
# would otherwise make every save of it slower, forever. Jobs keep their own full history.
EDIT_HISTORY_LIMIT = 50


@dataclasses.dataclass(eq=False, repr=False, init=False)
class DataNode(content.ContentVersions, Owned, Entity):
    """Base of every storage type. Use ``scenaria.get`` or a scenario's attributes to get one, or
    build one directly as in Taipy: ``CSVDataNode("sales", Scope.SCENARIO, properties={...})``.
    """

    _KIND: ClassVar[str] = "data_node"
    _ID_PREFIX: ClassVar[str] = "DATANODE"
    _EVENT_TYPE: ClassVar[str] = "DATA_NODE"
    _STORAGE_TYPE: ClassVar[str] = ""
    #: True for types whose data always exists (a database table, a function): never "unwritten"
    _ALWAYS_WRITTEN: ClassVar[bool] = False

    id: str
    config_id: str
    _scope: Scope = field(Scope.SCENARIO, codec=enum_codec(Scope))
    _owner_id: str | None = None
    _parent_ids: set[str] = field(default_factory=set, codec=STRSET)
    _last_edit_date: dt.datetime | None = field(None, codec=DATETIME)
    _edits: list[dict[str, Any]] = field(default_factory=list)  # kept encoded: saving costs no re-encoding
    version: str = ""
    _validity_period: dt.timedelta | None = field(None, codec=ANY)
    _edit_in_progress: bool = False
    _editor_id: str | None = None
    _editor_expiration_date: dt.datetime | None = field(None, codec=DATETIME)
    _properties: dict[str, Any] = field(default_factory=dict, codec=ANY)
    # --- content versions (docs/execution.md, "Skipping by content") ---
    _content_version: str | None = None  # of the data as last written through scenaria
    _fingerprint: str | None = None  # of the job whose run wrote it (None: written otherwise)

    def __init__(
        self,
        config_id: str,
        scope: Scope,
        id: str | None = None,
        owner_id: str | None = None,
        parent_ids: set[str] | None = None,
        last_edit_date: dt.datetime | None = None,
        edits: list[dict[str, Any]] | None = None,
        version: str | None = None,
        validity_period: dt.timedelta | None = None,
        edit_in_progress: bool = False,
        editor_id: str | None = None,
        editor_expiration_date: dt.datetime | None = None,
        properties: dict[str, Any] | None = None,
    ) -> None:
        """A data node outside any configuration, with Taipy's parameters. Its properties are
        checked as ``Config.check()`` checks a data node config's; ``default_data`` is written when
        the storage holds nothing yet. Nothing is saved until the data node is written."""
        own_properties, default_data, storage_folder = checked_properties(
            self._STORAGE_TYPE, config_id, scope, validity_period, properties
        )
        reg = registry()
        if version is None:
            version = reg.version or reg.repository.get_meta("latest_version") or ""
        self._init_fields(
            {
                "id": id or new_id(self._ID_PREFIX, config_id),
                "config_id": config_id,
                "_scope": scope,
                "_owner_id": owner_id,
                "_parent_ids": set(parent_ids or ()),
                "_edits": [codec.encode(edit) for edit in edits or ()],
                "version": version
                if version is not None
                else reg.version or reg.repository.get_meta("latest_version") or "",
                "_validity_period": validity_period,
                "_edit_in_progress": edit_in_progress,
                "_editor_id": editor_id,
                "_editor_expiration_date": editor_expiration_date,
                "_properties": own_properties,
            }
        )
        self._prepare_new(storage_folder, default_data)
        if last_edit_date is not None:
            self._last_edit_date = last_edit_date

    # --- records: the storage type chooses the class ------------------------------------------------
    def _to_record(self) -> dict[str, Any]:
        record = super()._to_record()
        record["storage_type"] = self._STORAGE_TYPE
        return record

    def _encoded(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its JSON text, whose edits (up to ``EDIT_HISTORY_LIMIT``: most of the
        text) are each encoded once, when first saved: a job's edit then costs the JSON of one edit,
        not of the whole history. Edits are never changed in place (``_add_edit`` makes each anew)."""
        edits = record.get("edits")
        if not edits:
            return record
        items = tuple(edits)
        known, texts = self.__dict__.get("_edits_json") or ((), [])
        if items != known:  # (compared by identity first: no edit is compared by value)
            texts = _edit_texts(items, known, texts)
            self.__dict__["_edits_json"] = (items, texts)
        return with_text_last(record, "edits", f"[{','.join(texts)}]")

    def __getstate__(self) -> dict[str, Any]:
        """What a copy carries (to a worker, with every job): its fields without the JSON text of
        its edits, which only saving reads and rebuilds when missing (half of a long history's bytes)."""
        state = self.__dict__
        if "_edits_json" in state:
            state = dict(state)
            del state["_edits_json"]
        return state

    @classmethod
    def _from_record(cls, record: dict[str, Any]) -> DataNode:
        target = data_node_class(record["storage_type"]) if cls is DataNode else cls
        return Entity._from_record.__func__(target, record)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def storage_type(cls) -> str:
        return cls._STORAGE_TYPE

    # --- plain attributes --------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self._scope

    @scope.setter
    def scope(self, value: Scope) -> None:
        self._scope = value
        self._changed("scope", value)

    @property
    def validity_period(self) -> dt.timedelta | None:
        return self._validity_period

    @validity_period.setter
    def validity_period(self, value: dt.timedelta | None) -> None:
        self._validity_period = value
        self._changed("validity_period", value)

    @property
    def edits(self) -> list[dict[str, Any]]:
        """The most recent edits (``EDIT_HISTORY_LIMIT``), oldest first."""
        return values.loaded(codec.decode(self._edits))

    @property
    def job_ids(self) -> list[str]:
        return [edit["job_id"] for edit in self._edits if edit.get("job_id")]

    def get_last_edit(self) -> dict[str, Any] | None:
        return values.loaded(codec.decode(self._edits[-1])) if self._edits else None

    @property
    def last_edit_date(self) -> dt.datetime | None:
        return self._last_edit_date

    @last_edit_date.setter
    def last_edit_date(self, value: dt.datetime | None) -> None:
        self._last_edit_date = value
        self._changed("last_edit_date", value)

    @property
    def edit_in_progress(self) -> bool:
        return self._edit_in_progress

    @property
    def editor_id(self) -> str | None:
        return self._editor_id

    @property
    def editor_expiration_date(self) -> dt.datetime | None:
        return self._editor_expiration_date

    def __getattr__(self, name: str) -> Any:
        # Properties read as attributes (``dn.default_path``), as configs do.
        if name.startswith("_"):
            raise AttributeError(name)
        properties = self.__dict__.get("_properties", {})
        if name in properties:
            return properties[name]
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('id')!r} has no attribute {name!r}")

    # --- validity ----------------------------------------------------------------------------------
    def _is_written(self) -> bool:
        return self._ALWAYS_WRITTEN or self.last_edit_date is not None

    @property
    def is_ready_for_reading(self) -> bool:
        """Written at least once and not being written now."""
        return not self._edit_in_progress and self._is_written()

    @property
    def expiration_date(self) -> dt.datetime:
        last = self.last_edit_date
        if last is None:
            raise NoData(f"Data node {self.id} has never been written, so it has no expiration date.")
        return last + self._validity_period if self._validity_period else last

    @property
    def is_valid(self) -> bool:
        """Written, and not older than its validity period."""
        if not self._is_written():
            return False
        if not self._validity_period or self.last_edit_date is None:
            return True
        return now() < self.expiration_date

    @property
    def is_up_to_date(self) -> bool:
        """Valid, and no data node upstream of it (in any scenario that holds it) is newer."""
        if not self.is_valid:
            return False
        mine = self.last_edit_date
        for other in upstream_data_nodes(self):
            other_date = other.last_edit_date
            if other_date is not None and mine is not None and other_date > mine:
                return False
        return True

    # --- reading and writing -----------------------------------------------------------------------
    def read(self) -> Any:
        """The data, or None (with a warning) when it was never written."""
        landing.wait(self.id)
        if not self._is_written():
            logger.warning(
                "Data node %s from config %s is being read but has never been written.", self.id, self.config_id
            )
            return None
        return self._read()

    def read_or_raise(self) -> Any:
        """The data; ``NoData`` when it was never written."""
        landing.wait(self.id)
        if not self._is_written():
            raise NoData(
                f"Data node {self.id} (config {self.config_id!r}) has never been written: "
                "write it, or run the task that produces it, before reading it."
            )
        return self._read()

    def write(self, data: Any, job_id: str | None = None, version: str | None = None, **kwargs: Any) -> None:
        """Replace the data, record the edit (with the job or editor given) and release the lock.

        The edit's content version is ``version`` when given (where hashing the value costs
        too much, or the caller knows better: a file's revision, say), else the hash of the
        value. ``DataNodeIsBeingEdited``, before anything is written, when another editor holds
        the lock.
        """
        self._check_editor(kwargs.get("editor_id"))
        self._write(data)
        self._record_write(job_id, kwargs, version if version is not None else self._version_of(data))

    def append(self, data: Any, job_id: str | None = None, version: str | None = None, **kwargs: Any) -> None:
        """Add to the data (types that support it), record the edit and release the lock; the
        content version chains the appended value's hash after the previous version."""
        self._check_editor(kwargs.get("editor_id"))
        previous = self.content_version
        self._append(data)
        if version is None and previous is not None:
            version = self._version_of(data, previous)
        self._record_write(job_id, kwargs, version)

    def _record_write(self, job_id: str | None, options: dict[str, Any], version: str | None = None) -> None:
        with self:
            self.track_edit(job_id=job_id, **options)
            self._content_version = version
            self.unlock_edit(options.get("editor_id"))

    def track_edit(self, **options: Any) -> None:
        """Record an edit (``timestamp``, ``job_id``, ``editor_id``, ``comment``, ...)."""
        self._add_edit(options)
        self._changed("last_edit_date", self._last_edit_date)

    def _add_edit(self, options: dict[str, Any]) -> None:
        """Record an edit in memory only (the caller saves)."""
        edit = {key: value for key, value in options.items() if value is not None}
        edit.setdefault("timestamp", self._edit_timestamp())
        self._content_version = self._fingerprint = None  # unknown, unless the writer says (it sets them after)
        self._edits.append(codec.encode(edit))
        if len(self._edits) > EDIT_HISTORY_LIMIT:
            del self._edits[:-EDIT_HISTORY_LIMIT]
        self._last_edit_date = edit["timestamp"]

    def _add_default_data_edit(self, default_data: Any) -> None:
        """The edit of the default data written at creation, with Taipy's fields and key order
        (``editor``, not ``editor_id``: no user edited it), and the data's content version (the
        same in every scenario: reuse across scenarios finds it)."""
        self._add_edit({"timestamp": self._edit_timestamp(), "editor": "TAIPY", "comment": "Default data written."})
        self._content_version = self._version_of(default_data)

    def _edit_timestamp(self) -> dt.datetime:
        return now()

    @classmethod
    def _fresh_preparer(
        cls, properties: dict[str, Any], storage_folder: str, default_data: Any
    ) -> Callable[[DataNode], None]:
        """What ``_prepare_new(storage_folder, default_data, fresh=True)`` does to each new node of
        a config whose properties are ``properties``: chosen once per config (``create``'s plan,
        made again when the configuration changes), since a scenario's creation prepares several."""
        return lambda node: node._prepare_new(storage_folder, default_data, fresh=True)

    def _prepare_new(self, storage_folder: str, default_data: Any, fresh: bool = False) -> None:
        """At creation, before the first save: what a new node of this type starts with (``fresh``:
        its id was just made, so nothing is stored under it yet)."""
        if self._ALWAYS_WRITTEN:
            self._last_edit_date = now()
        if default_data is not None:
            self._initial_write(default_data)

    def _initial_write(self, default_data: Any) -> None:
        """At creation, before the first save: write the config's ``default_data`` where the type
        keeps data of its own (``_add_edit``, not ``track_edit``: the creation is the event)."""

    def _duplicate_from(self, original: DataNode, storage_folder: str, copy_data: bool) -> None:
        """At duplication, before the first save: what the copy of ``original`` starts with. Here,
        for data kept outside scenaria (a table, a collection, functions): the same data, so the
        same history; types that keep data of their own copy it when ``copy_data``."""
        if self._ALWAYS_WRITTEN:
            self._take_history(original)

    def _take_history(self, original: DataNode) -> None:
        self._edits = [dict(edit) for edit in original._edits]
        self._last_edit_date = original.last_edit_date or now()
        self._content_version, self._fingerprint = original._content_version, original._fingerprint

    def _delete_generated(self) -> None:
        """At deletion: remove the data scenaria generated for this node (e.g. its file)."""

    def _read(self) -> Any:
        raise NotImplementedError

    def _write(self, data: Any) -> None:
        raise NotImplementedError

    def _append(self, data: Any) -> None:
        raise NotImplementedError(f"{self._STORAGE_TYPE} data nodes cannot be appended to")

    # --- a job's writes: staged where the job runs, committed when its orchestrator accepts it ----
    def _stage(self, data: Any, job_id: str) -> Staged:
        """Prepare writing ``data`` for job ``job_id`` without changing what readers see.

        Here, for types with no staging place of their own (generic, in_memory, sql, sql_table,
        mongo, s3_object): the value itself, written by ``_commit_staged`` at acceptance, in the
        orchestrator's process. File types override it to write a hidden file beside the target.
        """
        return Staged(self.id, None, data)

    def _stage_copy(self, source: DataNode, job_id: str) -> Staged:
        """Stage a copy of ``source``'s data (a reused job's output), with its content version."""
        staged = self._stage(source.read_or_raise(), job_id)
        staged.version = source.content_version
        return staged

    def _commit_staged(self, staged: Staged) -> None:
        """Make a staged write visible (called by the orchestrator, while the job owns the node)."""
        self._write(staged.value)

    def _discard_staged(self, staged: Staged) -> None:
        """Drop a staged write that will never be committed (best effort, never raises)."""

    def _staged_exists(self, staged: Staged) -> bool:
        """Whether a staged write is still to commit (a value always is; a staged file until moved)."""
        return True

    def _discard_job_staging(self, job_id: str) -> None:
        """Drop whatever job ``job_id`` may have staged here before its run was killed (best effort)."""

    def _staged_file(self, staged: Staged) -> tuple[str, str] | None:
        """(staged file, target file) when committing ``staged`` is a rename on this machine's
        file system (a file, not a folder, still staged); None otherwise (a value to write, an object store)."""
        return None

    # --- edit locks ----------------------------------------------------------------------------------
    def lock_edit(self, editor_id: str | None = None) -> None:
        """Mark the data as being edited, by ``editor_id`` for 30 minutes when given."""
        self._check_editor(editor_id)
        self._edit_in_progress = True
        self._editor_id = editor_id
        self._editor_expiration_date = now() + EDIT_LOCK_DURATION if editor_id else None
        self._save()
        self._publish_lock()

    def unlock_edit(self, editor_id: str | None = None) -> None:
        """Release the edit lock (``editor_id`` must hold it, unless it expired)."""
        self._check_editor(editor_id)
        was_locked = self._edit_in_progress
        self._edit_in_progress = False
        self._editor_id = None
        self._editor_expiration_date = None
        self._save()
        self._publish_lock()
        if was_locked:
            ports.data_node_released(self.id)

    def _publish_lock(self) -> None:
        """The lock's three attributes, one UPDATE each, in Taipy's order."""
        self._publish("UPDATE", "editor_id", self._editor_id)
        self._publish("UPDATE", "editor_expiration_date", self._editor_expiration_date)
        self._publish("UPDATE", "edit_in_progress", self._edit_in_progress)

    def _written_by_job(
        self,
        job_id: str,
        keep_locked: bool = False,
        version: str | None = None,
        fingerprint: str | None = None,
        tell: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """Record the edit of the job that completed (with the content version of what it
        wrote and the job's fingerprint) and free the lock it held (unless ``keep_locked``:
        another job is still to write it), in one save; its events are published by ``tell``
        (the orchestrator's: once that save is stored and the job's files are in place), else now.

        Its orchestrator releases the jobs waiting on this node itself, once the job's own state
        is set, so nothing goes through ``ports`` here.
        """
        with self:  # one save for the edit and the unlock
            self._add_edit({"job_id": job_id})
            self._content_version, self._fingerprint = version, fingerprint
            self._edit_in_progress = keep_locked
            self._save()
        told = partial(self._told_written, keep_locked)
        if tell is None:
            told()
        else:
            tell(told)

    def _told_written(self, keep_locked: bool) -> None:
        self._publish("UPDATE", "last_edit_date", self._last_edit_date)
        if not keep_locked:
            self._publish_lock()

    def _check_editor(self, editor_id: str | None) -> None:
        holder, expiry = self._editor_id, self._editor_expiration_date
        if holder and holder != editor_id and expiry is not None and expiry > now():
            raise DataNodeIsBeingEdited(
                f"Data node {self.id} is being edited by {holder!r} until {expiry:%Y-%m-%d %H:%M}; "
                "wait for them to finish, or for the lock to expire."
            )

    # --- tabular helpers -----------------------------------------------------------------------------
    def filter(self, operators: Any, join_operator: Any = None) -> Any:
        """The rows of the data that match ``(key, value, Operator)`` conditions."""
        from scenaria.entities.data_filter import JoinOperator, filter_data  # here: most programs never filter

        return filter_data(self.read(), operators, join_operator or JoinOperator.AND)

    def __getitem__(self, key: Any) -> Any:
        from scenaria.entities.data_filter import get_item

        return get_item(self.read(), key)

    def get_parents(self) -> dict[str, set[Any]]:
        return rules.get_parents(registry(), self)


def _edit_texts(items: tuple[Any, ...], known: tuple[Any, ...], texts: list[str]) -> list[str]:
    """The JSON of each edit of ``items``, reusing those of ``known`` (the edits saved last, whose
    texts are ``texts``): a new history is the old one with edits added at its end (and the oldest
    dropped past ``EDIT_HISTORY_LIMIT``), so only the new edits are encoded."""
    count = len(items)
    for kept in range(min(count, len(known)), 0, -1):
        if items[:kept] == known[len(known) - kept :]:
            return texts[len(known) - kept :] + [encode_record(edit) for edit in items[kept:]]
    return [encode_record(edit) for edit in items]
