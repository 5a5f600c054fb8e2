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

from scenaria.exceptions.model import (
    AttributeKeyAlreadyExisted,
    ConfigCheckError,
    ConfigCoreVersionMismatched,
    ConfigError,
    ConfigurationUpdateBlocked,
    CycleAlreadyExists,
    DeletingPrimaryScenario,
    DifferentScenarioConfigs,
    DoesNotBelongToACycle,
    EntityError,
    InconsistentEnvVariableError,
    InsufficientScenarioToCompare,
    InvalidConfigurationId,
    InvalidExecutionSetting,
    InvalidGraph,
    InvalidJobTransition,
    InvalidScenario,
    InvalidSequence,
    InvalidSequenceId,
    InvalidSubmissionTransition,
    InvalidSubscriber,
    JobNotDeletedException,
    LoadingError,
    MissingEnvVariableError,
    ModelNotFound,
    ModeNotAvailable,
    MultipleDataNodeFromSameConfigWithSameOwner,
    MultipleSequenceFromSameConfigWithSameOwner,
    MultipleTaskFromSameConfigWithSameOwner,
    NonExistingComparator,
    NonExistingCycle,
    NonExistingDataNode,
    NonExistingDataNodeConfig,
    NonExistingExcelSheet,
    NonExistingJob,
    NonExistingScenario,
    NonExistingScenarioConfig,
    NonExistingSequence,
    NonExistingSequenceConfig,
    NonExistingSubmission,
    NonExistingTask,
    NonExistingTaskConfig,
    NonExistingVersion,
    NotFoundError,
    OrchestratorDeposed,
    OrchestratorNotBuilt,
    OrchestratorNotRunning,
    OrchestratorServiceIsAlreadyRunning,
    ScenariaError,
    SequenceAlreadyExists,
    SequenceBelongsToNonExistingScenario,
    SequenceTaskConfigDoesNotExistInSameScenarioConfig,
    SequenceTaskDoesNotExistInScenario,
    SubmissionNotDeletedException,
    UnauthorizedTagError,
    UnknownRepositoryType,
)
from scenaria.exceptions.runtime import (
    ConflictedConfigurationError,
    DataFileNotFound,
    DataNodeConfigIsNotGlobal,
    DataNodeError,
    DataNodeIsBeingEdited,
    DataNodeReadingError,
    DataNodeWritingError,
    DataToBeImportAlredyExist,
    DependencyNotInstalled,
    EntitiesToBeImportAlredyExist,
    EventError,
    ExportPathAlreadyExists,
    ExposedTypeLengthMismatch,
    FileCannotBeRead,
    FileEmpty,
    ImportArchiveDoesntContainAnyScenario,
    ImportScenarioDoesntHaveAVersion,
    InvalidCustomDocument,
    InvalidDataNodeProperty,
    InvalidDataNodeType,
    InvalidEventAttributeName,
    InvalidEventOperation,
    InvalidExposedType,
    InvalidFilter,
    InvalidScenarioArchive,
    JobError,
    JobTimeout,
    MigrationFunctionFailed,
    MissingAppendQueryBuilder,
    MissingReadFunction,
    MissingRequiredProperty,
    MissingWriteFunction,
    NoDaskWorker,
    NoData,
    NotInATask,
    ResultNotPicklable,
    ScenarioImportConflict,
    SheetNameLengthMismatch,
    SQLQueryCannotBeExecuted,
    StoreDamaged,
    StoreError,
    StoreRecordDamaged,
    StoreSchemaTooNew,
    StoreWritesRefused,
    TaipyPartNotServed,
    TransferError,
    UnknownCompressionAlgorithm,
    UnknownDatabaseEngine,
    UnknownParquetEngine,
    UnsupportedPictureFormat,
    UntrustedStoredValue,
    VersionAlreadyExistsAsDevelopment,
    VersionError,
    WorkerDied,
)

__all__ = [
    "AttributeKeyAlreadyExisted",
    "ConfigCheckError",
    "ConfigCoreVersionMismatched",
    "ConfigError",
    "ConfigurationUpdateBlocked",
    "ConflictedConfigurationError",
    "CycleAlreadyExists",
    "DataFileNotFound",
    "DataNodeConfigIsNotGlobal",
    "DataNodeError",
    "DataNodeIsBeingEdited",
    "DataNodeReadingError",
    "DataNodeWritingError",
    "DataToBeImportAlredyExist",
    "DeletingPrimaryScenario",
    "DependencyNotInstalled",
    "DifferentScenarioConfigs",
    "DoesNotBelongToACycle",
    "EntitiesToBeImportAlredyExist",
    "EntityError",
    "EventError",
    "ExportPathAlreadyExists",
    "ExposedTypeLengthMismatch",
    "FileCannotBeRead",
    "FileEmpty",
    "ImportArchiveDoesntContainAnyScenario",
    "ImportScenarioDoesntHaveAVersion",
    "InconsistentEnvVariableError",
    "InsufficientScenarioToCompare",
    "InvalidConfigurationId",
    "InvalidCustomDocument",
    "InvalidDataNodeProperty",
    "InvalidDataNodeType",
    "InvalidEventAttributeName",
    "InvalidEventOperation",
    "InvalidExecutionSetting",
    "InvalidExposedType",
    "InvalidFilter",
    "InvalidGraph",
    "InvalidJobTransition",
    "InvalidScenario",
    "InvalidScenarioArchive",
    "InvalidSequence",
    "InvalidSequenceId",
    "InvalidSubmissionTransition",
    "InvalidSubscriber",
    "JobError",
    "JobNotDeletedException",
    "JobTimeout",
    "LoadingError",
    "MigrationFunctionFailed",
    "MissingAppendQueryBuilder",
    "MissingEnvVariableError",
    "MissingReadFunction",
    "MissingRequiredProperty",
    "MissingWriteFunction",
    "ModeNotAvailable",
    "ModelNotFound",
    "MultipleDataNodeFromSameConfigWithSameOwner",
    "MultipleSequenceFromSameConfigWithSameOwner",
    "MultipleTaskFromSameConfigWithSameOwner",
    "NoDaskWorker",
    "NoData",
    "NonExistingComparator",
    "NonExistingCycle",
    "NonExistingDataNode",
    "NonExistingDataNodeConfig",
    "NonExistingExcelSheet",
    "NonExistingJob",
    "NonExistingScenario",
    "NonExistingScenarioConfig",
    "NonExistingSequence",
    "NonExistingSequenceConfig",
    "NonExistingSubmission",
    "NonExistingTask",
    "NonExistingTaskConfig",
    "NonExistingVersion",
    "NotFoundError",
    "NotInATask",
    "OrchestratorDeposed",
    "OrchestratorNotBuilt",
    "OrchestratorNotRunning",
    "OrchestratorServiceIsAlreadyRunning",
    "ResultNotPicklable",
    "SQLQueryCannotBeExecuted",
    "ScenariaError",
    "ScenarioImportConflict",
    "SequenceAlreadyExists",
    "SequenceBelongsToNonExistingScenario",
    "SequenceTaskConfigDoesNotExistInSameScenarioConfig",
    "SequenceTaskDoesNotExistInScenario",
    "SheetNameLengthMismatch",
    "StoreDamaged",
    "StoreError",
    "StoreRecordDamaged",
    "StoreSchemaTooNew",
    "StoreWritesRefused",
    "SubmissionNotDeletedException",
    "TaipyPartNotServed",
    "TransferError",
    "UnauthorizedTagError",
    "UnknownCompressionAlgorithm",
    "UnknownDatabaseEngine",
    "UnknownParquetEngine",
    "UnknownRepositoryType",
    "UnsupportedPictureFormat",
    "UntrustedStoredValue",
    "VersionAlreadyExistsAsDevelopment",
    "VersionError",
    "WorkerDied",
]

# Shown (and pickled) under the one public module, wherever each class is defined.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
