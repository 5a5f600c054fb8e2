"""Review findings: each test pins a bug that was fixed."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria.dispatch.base import Ending, Outcome
from scenaria.dispatch.development import DevelopmentDispatcher
from scenaria.entities.registry import registry
from scenaria.exceptions import DataNodeIsBeingEdited
from scenaria.versioning.manager import list_versions, manage_version, rename_version
from tests.support.core import chain_config


def test_submitting_while_an_editor_holds_a_later_output_leaves_no_output_locked(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.result.lock_edit("alice")  # the output of the second task
    with pytest.raises(DataNodeIsBeingEdited, match="alice"):
        scenario.submit()
    assert not scenario.middle.edit_in_progress  # the first task's output was not left locked
    assert scenario.result.editor_id == "alice"
    scenario.result.unlock_edit("alice")
    assert scenario.submit().submission_status.name == "COMPLETED"


class _NeverStarts(DevelopmentDispatcher):
    """Reports every run FAILED before it starts, as the standalone pool does for a run that cannot
    travel to a worker or when no worker can start."""

    def submit(self, job_id, runnable, timeout=None):
        assert self._listener is not None
        self._listener.job_finished(Outcome(job_id, Ending.FAILED, traceback="it could not be sent"))


def test_a_run_that_fails_before_it_starts_fails_its_job(repository_type, monkeypatch):
    monkeypatch.setattr("scenaria.orchestrator.service.build_dispatcher", lambda job_config: _NeverStarts())
    scenario = tp.create_scenario(chain_config())
    submission = scenario.submit()
    assert [job.status.name for job in submission.jobs] == ["FAILED", "ABANDONED"]
    assert submission.jobs[0].stacktrace == ["it could not be sent"]
    assert submission.submission_status.name == "FAILED"
    assert not scenario.middle.edit_in_progress and not scenario.result.edit_in_progress


def test_canceling_a_job_whose_output_an_editor_took_over_leaves_the_editor_its_lock(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.source.lock_edit("alice")
    submission = scenario.submit()  # both jobs BLOCKED, their outputs locked by the orchestrator
    scenario.result.lock_edit("bob")  # an editor takes the lock of t2's output over
    tp.cancel_job(submission.jobs[0])
    assert [job.status.name for job in submission.jobs] == ["CANCELED", "ABANDONED"]
    assert submission.submission_status.name == "CANCELED"
    assert not scenario.middle.edit_in_progress
    assert scenario.result.edit_in_progress and scenario.result.editor_id == "bob"


def test_renaming_a_production_version_moves_its_production_mark(repository_type):
    reg = registry()
    manage_version(reg, ["--production", "v1"])
    rename_version(reg, "v1", "v2")
    manage_version(reg, ["--experiment", "v1"])  # a new version that reuses the old name
    modes = {version["id"]: version["mode"] for version in list_versions(reg)}
    assert modes["v2"] == "production" and modes["v1"] == "experiment"
