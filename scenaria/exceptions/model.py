"""The errors of the model: the configuration, ids that name nothing, and what an entity's state
allows (the tree is in ``scenaria.exceptions``)."""

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
