"""``JobConfig``: how jobs run (``[JOB]``).

Modes: ``development`` (the default: jobs run one after another in the caller's thread),
``standalone`` (local worker processes) and ``dask`` (a Dask cluster; optional ``address`` of a
scheduler, a local cluster when absent). ``max_nb_of_workers`` and ``nb_of_workers`` are two names
of one setting, 1 by default.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scenaria.config.section import UniqueSection
from scenaria.config.templates import is_template
from scenaria.exceptions import ConfigError


def worker_count(value: Any) -> int | None:
    """An int from an int or a numeric string; None when ``value`` is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def merge_worker_aliases(max_nb_of_workers: Any, properties: dict[str, Any], where: str) -> Any:
    """Fold ``nb_of_workers`` (popped from ``properties``) into ``max_nb_of_workers``."""
    if "nb_of_workers" not in properties:
        return max_nb_of_workers
    alias = properties.pop("nb_of_workers")
    if max_nb_of_workers is not None and alias is not None and alias != max_nb_of_workers:
        raise ConfigError(
            f"{where}max_nb_of_workers={max_nb_of_workers!r} and nb_of_workers={alias!r} disagree; they "
            "are two names of one setting, give only one"
        )
    return alias if max_nb_of_workers is None else max_nb_of_workers


class JobConfig(UniqueSection):
    """The job execution mode and the number of workers."""

    _KIND = "JOB"
    _FIELDS = ("mode", "max_nb_of_workers")
    _ALIASES = {"nb_of_workers": "max_nb_of_workers"}
    _PROPERTIES = ("max_jobs_per_worker", "max_output_size", "job_grace_period", "no_worker_timeout", "address")

    MODES: ClassVar[tuple[str, ...]] = ("development", "standalone", "dask")
    DEFAULT_MODE: ClassVar[str] = "development"
    DEFAULT_MAX_NB_OF_WORKERS: ClassVar[int] = 1

    def __init__(self, mode: str | None = None, max_nb_of_workers: int | str | None = None, **properties: Any) -> None:
        max_nb_of_workers = merge_worker_aliases(max_nb_of_workers, properties, "[JOB]: ")
        super().__init__(**properties)
        self._values.update(mode=mode, max_nb_of_workers=self._normalize("max_nb_of_workers", max_nb_of_workers))

    def _normalize(self, field: str, value: Any) -> Any:
        if field == "max_nb_of_workers" and isinstance(value, str) and not is_template(value):
            count = worker_count(value)
            return value if count is None else count  # "3" is stored as 3; "two" is left for the checker
        return value

    @property
    def mode(self) -> str:
        value = self._get("mode")
        return self.DEFAULT_MODE if value is None else value

    @property
    def max_nb_of_workers(self) -> int:
        """The number of workers as an int (the raw value if it is not a number; the checker says so)."""
        value = self._get("max_nb_of_workers")
        if value is None:
            return self.DEFAULT_MAX_NB_OF_WORKERS
        count = worker_count(value)
        return value if count is None else count

    @property
    def nb_of_workers(self) -> int:
        return self.max_nb_of_workers

    @property
    def is_development(self) -> bool:
        return self.mode == "development"

    @property
    def is_standalone(self) -> bool:
        return self.mode == "standalone"

    @property
    def is_dask(self) -> bool:
        return self.mode == "dask"

    def _fill_defaults(self) -> None:
        if self._values["mode"] is None:
            self._values["mode"] = self.DEFAULT_MODE
        if self._values["max_nb_of_workers"] is None:
            self._values["max_nb_of_workers"] = self.DEFAULT_MAX_NB_OF_WORKERS
