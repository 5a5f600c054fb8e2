"""Review findings: each test pins a bug that was fixed."""

from __future__ import annotations

import pytest
from core_helpers import chain_config

import scenaria as tp
from scenaria.exceptions import DataNodeIsBeingEdited


def test_submitting_while_an_editor_holds_a_later_output_leaves_no_output_locked(repository_type):
    scenario = tp.create_scenario(chain_config())
    scenario.result.lock_edit("alice")  # the output of the second task
    with pytest.raises(DataNodeIsBeingEdited, match="alice"):
        scenario.submit()
    assert not scenario.middle.edit_in_progress  # the first task's output was not left locked
    assert scenario.result.editor_id == "alice"
    scenario.result.unlock_edit("alice")
    assert scenario.submit().submission_status.name == "COMPLETED"
