"""The orchestrator service: ``Orchestrator().run()`` starts job execution, ``stop()`` ends it.

Starting it chooses the version of the run, checks the configuration (every error at once),
blocks configuration changes while it runs, builds the dispatcher of the configured mode and
takes over the jobs a previous process left unfinished in the store.
"""

from __future__ import annotations

import atexit
import logging
import threading
from functools import partial
from typing import Any

from scenaria.config import Config
from scenaria.config.execution import capacities
from scenaria.dispatch import base as dispatch_base
from scenaria.dispatch import dispatcher_class
from scenaria.dispatch.base import Dispatcher
from scenaria.entities.job import Job
from scenaria.entities.registry import Registry, registry
from scenaria.entities.status import Status
from scenaria.exceptions import OrchestratorServiceIsAlreadyRunning
from scenaria.orchestrator import lease, litter, outputs, runners
from scenaria.orchestrator import scheduler as scheduling
from scenaria.orchestrator.control_server import ControlServer

logger = logging.getLogger("scenaria")
_lock = threading.RLock()

#: the lease's expiry in seconds (``scenaria serve --lease-expiry``)
settings: dict[str, Any] = {"lease_expiry": lease.DEFAULT_EXPIRY}
#: called with the reason when this process stops orchestrating because it was deposed
on_deposed: list[Any] = []
_held: tuple[lease.Lease, ControlServer] | None = None
_publisher: Any = None  # on PostgreSQL: pg_notify.Publisher
#: the running orchestrator was started by a submission, not by ``Orchestrator().run()``
_started_by_submit = False


class Orchestrator:
    """Runs the jobs of submitted scenarios, sequences and tasks, in the configured mode."""

    def run(self, force_restart: bool = False) -> None:
        """Start executing jobs. Workers (standalone mode) are ready when it returns.

        An orchestrator a submission started (Taipy scripts may submit before they run the
        orchestrator) is taken as this one: the script's own ``run()`` goes on with it.
        """
        global _started_by_submit
        with _lock:
            adopted, _started_by_submit = _started_by_submit, False
            if scheduling.current() is not None:
                if adopted and not force_restart:
                    return
                if not force_restart:
                    raise OrchestratorServiceIsAlreadyRunning(
                        "The orchestrator is already running; call Orchestrator().stop() before running it "
                        "again, or run(force_restart=True)."
                    )
                self.stop()
            start()

    def stop(self, wait: bool = True, timeout: float | None = None) -> None:
        """Stop executing jobs and release the workers; unfinished jobs stay in the store."""
        global _started_by_submit
        with _lock:
            _started_by_submit = False
            current = scheduling.current()
            if current is not None:
                runners.stop()  # first: a firing under way still finds the orchestrator
            scheduling.set_current(None)
            if current is not None:
                current.stop(wait)
            _let_go(release=True)
            Config.unblock_update()


def start() -> scheduling.Scheduler:
    """Start the scheduler of the configured mode (caller holds no orchestrator)."""
    refused = dispatch_base.no_orchestrator_here
    if refused is not None:
        raise OrchestratorServiceIsAlreadyRunning(
            f"No orchestrator can start here: {refused}. Put the lines that run the application "
            '(Orchestrator().run(), create_scenario, submit...) under `if __name__ == "__main__":`, or keep '
            "the configuration and the task functions in a module of their own."
        )
    with _lock:
        reg = registry()
        prepare(reg)
        _hold(reg)
        moved = outputs.finish_moves(reg, reg.version or "")  # before the sweep, which would take them for litter
        _sweep(reg)
        scheduler = None
        try:
            job_config = Config.job_config
            dispatcher = build_dispatcher(job_config)
            limits = capacities(job_config.properties.get("resources"))
            scheduler = scheduling.Scheduler(
                reg,
                dispatcher,
                inline_callbacks=job_config.mode == "development",
                capacities=limits,
                # with limits, our workers are a resource too (``capacity``); a Dask cluster's are Dask's
                slots=dispatcher.max_workers if limits and job_config.mode != "dask" else None,
            )
            scheduling.set_current(scheduler)
            Config.block_update()
            _stop_at_exit()
            if moved:  # a killed process stored these ends and was cut before telling them
                from scenaria.orchestrator import resuming

                resuming.tell_moved(scheduler, moved)
            unfinished = reg.find(
                Job, status=[s.name for s in (Status.SUBMITTED, Status.BLOCKED, Status.PENDING, Status.RUNNING)]
            )
            if unfinished:
                from scenaria.orchestrator import resuming  # here: most starts find nothing to resume

                logger.info("Resuming %d unfinished job(s) of version %s.", len(unfinished), reg.version)
                resuming.resume(scheduler, unfinished)
            runners.start(reg)
        except BaseException:  # a start that failed half way leaves nothing running, nor the lease
            runners.stop()
            scheduling.set_current(None)
            if scheduler is not None:
                scheduler.stop(wait=False)
            _let_go(release=True)
            Config.unblock_update()
            raise
        return scheduler


def _sweep(reg: Registry) -> None:
    """Remove what killed processes left (``litter``): after taking the lease, before resuming."""
    try:
        litter.sweep(reg, reg.version or "")
    except Exception as exc:  # a start never fails for want of a cleanup
        logger.warning("Could not look for the temporary files of killed processes: %s", exc)


def running_scheduler() -> scheduling.Scheduler:
    """The running scheduler, started on first use (as ``submit`` needs one)."""
    current = scheduling.current()
    if current is not None:
        return current
    logger.info(
        "Starting the orchestrator for this submission (call scenaria.Orchestrator().run() to start it yourself)."
    )
    global _started_by_submit
    with _lock:
        current = scheduling.current()
        if current is None:
            current = start()
            _started_by_submit = True
        return current


def prepare(reg: Registry) -> None:
    """Choose the version and check the configuration, once per configuration."""
    applied = Config._applied_layer()  # a new object each time the configuration changes
    if reg.prepared_for is applied and reg.version:
        return
    from scenaria.versioning.manager import manage_version

    Config.check()
    manage_version(reg, may_clean=partial(_may_clean, reg))
    reg.prepared_for = applied


def _may_clean(reg: Registry, version: str) -> bool:
    holder = lease.holder(reg.repository, version)
    if holder is not None:
        logger.warning(
            "The development version %s is not cleaned: %s orchestrates it. This process uses it as it is.",
            version,
            lease.describe(holder),
        )
    return holder is None


def _hold(reg: Registry) -> None:
    """Take the lease of the registry's version, with a control channel for other processes (and,
    on PostgreSQL, notifications through the store for clients on any host)."""
    global _held, _publisher
    postgresql = reg.repository.settings.get("type") == "postgresql"
    server = ControlServer(tcp=postgresql, stream_events=not postgresql)
    channel: dict[str, Any] = {"address": server.address, "token": server.token}
    try:
        if postgresql:
            from scenaria.orchestrator import pg_notify

            channel["channel"] = pg_notify.channel(reg.repository.settings, reg.version)
            _publisher = pg_notify.Publisher(reg.repository.settings, channel["channel"])
        held = lease.acquire(reg.repository, reg.version, settings["lease_expiry"], **channel)
    except BaseException:
        server.close()
        _stop_publishing()
        raise
    held.on_deposed = _deposed
    reg.fence = held.check
    _held = (held, server)


def _stop_publishing() -> None:
    global _publisher
    if _publisher is not None:
        _publisher.close()
        _publisher = None


def _let_go(release: bool) -> None:
    global _held
    if _held is None:
        return
    held, server = _held
    _held = None
    server.close()
    _stop_publishing()
    registry().fence = None
    if release:
        held.release()


def _deposed(reason: str) -> None:
    """Another process took the version over: stop running jobs, write nothing more."""
    with _lock:
        current = scheduling.current()
        scheduling.set_current(None)
        if current is not None:
            current.stop(wait=False)
        _let_go(release=False)
        Config.unblock_update()
    for callback in list(on_deposed):
        callback(reason)


def build_dispatcher(job_config: Any) -> Dispatcher:
    """The dispatcher of the configured mode (see ``scenaria.dispatch.MODES``)."""
    cls = dispatcher_class(job_config.mode)
    # Workers import what runs every job before they are ready, not during the first job.
    return cls.configured(
        job_config.max_nb_of_workers,
        job_config.properties,
        preload=("scenaria.orchestrator.task_run", "scenaria.data.pickle"),
    )


_registered_exit = False


def _stop_at_exit() -> None:
    global _registered_exit
    if not _registered_exit:
        atexit.register(lambda: Orchestrator().stop(wait=False))
        _registered_exit = True
