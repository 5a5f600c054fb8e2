"""The errors of running things: the store, data, transfers, versions, events and job runs
(the tree is in ``scenaria.exceptions``)."""

from __future__ import annotations

from scenaria.exceptions.model import ScenariaError


# --- the store -----------------------------------------------------------------------------------
class StoreError(ScenariaError):
    """The store (its file or folder) cannot be used as it is; the message names it and the fix."""


class StoreDamaged(StoreError):
    """The store's file is not a store, or is damaged: restore a backup."""


class StoreSchemaTooNew(StoreError):
    """The store was written by a newer scenaria than this one."""


class StoreRecordDamaged(StoreDamaged):
    """One record of the store cannot be read (not JSON, not a record): its file and id are named."""


class StoreWritesRefused(StoreDamaged):
    """A write to a store this process found damaged: writing on could spread the damage."""


class UntrustedStoredValue(StoreError):
    """A record holds a value scenaria will not load: an inline pickle, a reference to no value file."""


# --- data ----------------------------------------------------------------------------------------
class DataNodeError(ScenariaError):
    """Reading or writing a data node failed."""


class NoData(DataNodeError):
    pass


class DataNodeIsBeingEdited(DataNodeError):
    pass


class DataNodeWritingError(DataNodeError):
    pass


class MissingRequiredProperty(DataNodeError):
    pass


class InvalidDataNodeProperty(DataNodeError):
    """A data node built directly has a property the configuration checker refuses."""


class InvalidFilter(DataNodeError):
    """A filter condition that is not ``(key, value, Operator)`` or a join that is no JoinOperator."""


class InvalidDataNodeType(DataNodeError):
    pass


class InvalidExposedType(DataNodeError):
    pass


class InvalidCustomDocument(DataNodeError):
    pass


class ExposedTypeLengthMismatch(DataNodeError):
    pass


class SheetNameLengthMismatch(DataNodeError):
    pass


class MissingReadFunction(DataNodeError):
    pass


class MissingWriteFunction(DataNodeError):
    pass


class MissingAppendQueryBuilder(DataNodeError):
    pass


class UnknownDatabaseEngine(DataNodeError):
    pass


class UnknownParquetEngine(DataNodeError):
    pass


class UnknownCompressionAlgorithm(DataNodeError):
    pass


class SQLQueryCannotBeExecuted(DataNodeError):
    pass


class DataNodeConfigIsNotGlobal(DataNodeError):
    pass


class FileCannotBeRead(DataNodeError):
    pass


class FileEmpty(DataNodeError):
    pass


class DataNodeReadingError(DataNodeError):
    """The storage of a data node cannot be read: missing object, invalid content, failed decoder."""


class DataFileNotFound(DataNodeReadingError, FileNotFoundError):
    """A data node that was written has no file any more (also a ``FileNotFoundError``)."""


# --- versions and events -------------------------------------------------------------------------
class TransferError(ScenariaError):
    """Exporting or importing a scenario archive failed."""


class ExportPathAlreadyExists(TransferError):
    """``export_scenario`` would replace an existing file (pass ``override=True``)."""


class ImportArchiveDoesntContainAnyScenario(TransferError):
    """The archive to import holds no scenario."""


class InvalidScenarioArchive(TransferError):
    """The archive to import is not one ``export_scenario`` wrote, or was damaged or changed since."""


class ScenarioImportConflict(TransferError):
    """The store holds entities (or files) of the archive already (pass ``override=True``)."""


class EntitiesToBeImportAlredyExist(ScenarioImportConflict):  # Taipy's name, as it spells it
    """The store holds entities of the archive already (pass ``override=True``)."""


class DataToBeImportAlredyExist(ScenarioImportConflict):  # Taipy's name, as it spells it
    """A data file of the archive exists already where it would go (pass ``override=True``)."""


class ImportScenarioDoesntHaveAVersion(InvalidScenarioArchive):
    """The archive's manifest names no version for its scenario."""


class VersionError(ScenariaError):
    """Version management refuses to start."""


class VersionAlreadyExistsAsDevelopment(VersionError):
    pass


class MigrationFunctionFailed(VersionError):
    """A migration function raised while entities of older production versions were migrated."""


class ConflictedConfigurationError(VersionError):
    pass


class EventError(ScenariaError):
    """An event that cannot exist."""


class InvalidEventAttributeName(EventError):
    pass


class InvalidEventOperation(EventError):
    pass


# --- job runs ------------------------------------------------------------------------------------
class JobError(ScenariaError):
    """Why a job failed, when the task's function itself did not raise."""


class JobTimeout(JobError):
    pass


class WorkerDied(JobError):
    pass


class NoDaskWorker(JobError):
    """A dask-mode job waited too long while no Dask worker was connected to the scheduler."""


class ResultNotPicklable(JobError):
    pass


class UnsupportedPictureFormat(ScenariaError):
    """A graph picture asked for in a format scenaria does not draw."""


class DependencyNotInstalled(ScenariaError):
    """An optional extra is missing; the message names the ``pip install`` to run."""


class TaipyPartNotServed(ScenariaError, ModuleNotFoundError):
    """``scenaria run`` serves Taipy's scenario and data management API only (not ``taipy.gui``...)."""


class NotInATask(ScenariaError):
    """``report_progress`` was called outside a task's function."""
