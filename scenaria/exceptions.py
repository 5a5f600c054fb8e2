"""Every exception scenaria raises.

One root, so ``except ScenariaError`` catches anything scenaria raises on purpose. The names
Taipy users already catch exist here under the same names. Every exception takes one message
(so it pickles across process boundaries) and that message says what is wrong, where, and how
to fix it.

    ScenariaError
    ├── ConfigError
    │   ├── LoadingError                  a TOML file or value that cannot be read
    │   ├── InvalidConfigurationId
    │   ├── ConfigurationUpdateBlocked
    │   ├── MissingEnvVariableError
    │   ├── InconsistentEnvVariableError
    │   ├── ConfigCheckError              Config.check() found errors (lists every one)
    │   ├── ConfigCoreVersionMismatched
    │   ├── NonExistingDataNodeConfig / NonExistingTaskConfig / NonExistingScenarioConfig
    │   ├── NonExistingSequenceConfig
    │   ├── ModeNotAvailable
    │   ├── InvalidExecutionSetting       a task's timeout, max_retries, retry_delay, priority or resources unreadable
    │   └── UnknownRepositoryType         a store type (or store setting) scenaria does not know
    ├── NotFoundError                     an id that names nothing
    │   ├── ModelNotFound
    │   ├── NonExistingCycle / NonExistingScenario / NonExistingSequence / NonExistingTask
    │   ├── NonExistingDataNode / NonExistingJob / NonExistingSubmission / NonExistingVersion
    │   └── NonExistingComparator / NonExistingExcelSheet
    ├── EntityError                       an operation the entity's state does not allow
    │   ├── DeletingPrimaryScenario, DoesNotBelongToACycle, DifferentScenarioConfigs,
    │   ├── InsufficientScenarioToCompare, UnauthorizedTagError, InvalidScenario,
    │   ├── InvalidSequenceId, InvalidSequence, SequenceAlreadyExists, ...
    │   ├── JobNotDeletedException, SubmissionNotDeletedException, InvalidSubscriber
    │   ├── AttributeKeyAlreadyExisted, CycleAlreadyExists, InvalidGraph
    │   ├── OrchestratorServiceIsAlreadyRunning, OrchestratorNotBuilt, InvalidJobTransition
    │   └── InvalidSubmissionTransition
    ├── DataNodeError                     reading or writing data
    │   ├── NoData, DataNodeIsBeingEdited, DataNodeWritingError, MissingRequiredProperty,
    │   ├── InvalidDataNodeProperty, InvalidDataNodeType, InvalidExposedType, MissingReadFunction, MissingWriteFunction,
    │   ├── DataNodeReadingError (DataFileNotFound), SQLQueryCannotBeExecuted,
    │   └── DataNodeConfigIsNotGlobal, ... (file, SQL and storage specific errors)
    ├── TransferError                     ExportPathAlreadyExists, InvalidScenarioArchive, ScenarioImportConflict, ...
    ├── VersionError                      VersionAlreadyExistsAsDevelopment, ConflictedConfigurationError,
    │                                     MigrationFunctionFailed
    ├── EventError                        InvalidEventAttributeName, InvalidEventOperation
    ├── StoreError                        the store cannot be used: StoreDamaged (StoreRecordDamaged,
    │                                     StoreWritesRefused), StoreSchemaTooNew, UntrustedStoredValue
    ├── JobError                          a job's run: JobTimeout, WorkerDied, ResultNotPicklable, NoDaskWorker
    ├── UnsupportedPictureFormat          a picture file whose suffix is not .png, .svg or .mmd
    └── DependencyNotInstalled            an optional extra is missing (names the pip install)
"""

from __future__ import annotations


class ScenariaError(Exception):
    """Root of every exception scenaria raises on purpose."""


# --- configuration -------------------------------------------------------------------------------
class ConfigError(ScenariaError):
    """The configuration is wrong or cannot be changed now."""


class LoadingError(ConfigError):
    """A TOML file, or a value in it, cannot be read."""


class InvalidConfigurationId(ConfigError):
    """A config id is not a valid identifier."""


class ConfigurationUpdateBlocked(ConfigError):
    """The configuration was changed while the orchestrator runs."""


class MissingEnvVariableError(ConfigError):
    """An ``ENV[VAR]`` template names a variable that is not set."""


class InconsistentEnvVariableError(ConfigError):
    """An ``ENV[VAR]:type`` template's value cannot be cast to the type."""


class ConfigCheckError(ConfigError):
    """``Config.check()`` found errors; the message lists each with its section and key."""

    def __init__(self, message: str, issues: object = None) -> None:
        super().__init__(message)
        self.issues = issues

    def __reduce__(self):  # keep it picklable despite the extra attribute
        return (type(self), (self.args[0], self.issues))


class ConfigCoreVersionMismatched(ConfigError):
    """A stored configuration was written by an incompatible version."""


class NonExistingDataNodeConfig(ConfigError):
    """No data node config has that id."""


class NonExistingTaskConfig(ConfigError):
    """No task config has that id."""


class NonExistingScenarioConfig(ConfigError):
    """No scenario config has that id."""


class NonExistingSequenceConfig(ConfigError):
    """No sequence of that name in the scenario config."""


class ModeNotAvailable(ConfigError):
    """The job execution mode is not one scenaria knows."""


class InvalidExecutionSetting(ConfigError):
    """A task's execution setting (``timeout``, ``max_retries``, ``retry_delay``, ``priority``,
    ``resources``), the job configuration's ``resources`` or a ``submit`` priority that cannot be read."""

    def __init__(self, message: str, key: str = "", value: object = None) -> None:
        super().__init__(message)
        self.key = key  # the setting at fault, for Config.check()'s report
        self.value = value


class UnknownRepositoryType(ConfigError):
    """The store settings name a type scenaria does not know, or a setting that type does not take."""


# --- ids that name nothing -----------------------------------------------------------------------
class NotFoundError(ScenariaError):
    """An id or a name that names no entity."""


class ModelNotFound(NotFoundError):
    """An entity id whose prefix is unknown, or that the store does not hold."""


class NonExistingCycle(NotFoundError):
    pass


class NonExistingScenario(NotFoundError):
    pass


class NonExistingSequence(NotFoundError):
    pass


class NonExistingTask(NotFoundError):
    pass


class NonExistingDataNode(NotFoundError):
    pass


class NonExistingJob(NotFoundError):
    pass


class NonExistingSubmission(NotFoundError):
    pass


class NonExistingVersion(NotFoundError):
    pass


class NonExistingComparator(NotFoundError):
    pass


class NonExistingExcelSheet(NotFoundError):
    pass


# --- entity state --------------------------------------------------------------------------------
class EntityError(ScenariaError):
    """An operation that the entity's current state does not allow."""


class DeletingPrimaryScenario(EntityError):
    pass


class DoesNotBelongToACycle(EntityError):
    pass


class DifferentScenarioConfigs(EntityError):
    pass


class InsufficientScenarioToCompare(EntityError):
    pass


class UnauthorizedTagError(EntityError):
    pass


class InvalidScenario(EntityError):
    pass


class InvalidSequenceId(EntityError):
    pass


class InvalidSequence(EntityError):
    pass


class SequenceAlreadyExists(EntityError):
    pass


class SequenceBelongsToNonExistingScenario(EntityError):
    pass


class SequenceTaskDoesNotExistInScenario(EntityError):
    pass


class SequenceTaskConfigDoesNotExistInSameScenarioConfig(EntityError):
    pass


class MultipleSequenceFromSameConfigWithSameOwner(EntityError):
    pass


class MultipleTaskFromSameConfigWithSameOwner(EntityError):
    pass


class MultipleDataNodeFromSameConfigWithSameOwner(EntityError):
    pass


class CycleAlreadyExists(EntityError):
    pass


class JobNotDeletedException(EntityError):
    pass


class SubmissionNotDeletedException(EntityError):
    pass


class InvalidSubscriber(EntityError):
    pass


class AttributeKeyAlreadyExisted(EntityError):
    pass


class InvalidGraph(EntityError):
    """A task graph with a cycle, or two tasks writing one data node."""


class OrchestratorServiceIsAlreadyRunning(EntityError):
    pass


class OrchestratorDeposed(EntityError):
    """Another orchestrator took this one's version over: its job-state writes are refused."""


class OrchestratorNotRunning(EntityError):
    """A call needs a live orchestrator of the version, and no process holds it."""


class OrchestratorNotBuilt(EntityError):
    pass


class InvalidJobTransition(EntityError):
    """A job status change that the state machine does not allow."""


class InvalidSubmissionTransition(EntityError):
    """A change of a submission that its status does not allow (a finished one is final)."""


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
