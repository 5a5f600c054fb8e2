"""A task function that cannot reach the worker processes is a check error saying what to do,
which depends on where the function is defined."""

from __future__ import annotations

import threading

import pytest

from scenaria import Config
from scenaria.exceptions import ConfigCheckError

_LOCK = threading.Lock()


def _standalone_task(function):
    Config.configure_job_executions(mode="standalone")
    Config.configure_task("t", function, Config.configure_data_node("a"), Config.configure_data_node("b"))


def _message() -> str:
    with pytest.raises(ConfigCheckError) as error:
        Config.check()
    (issue,) = [each for each in error.value.issues.errors if each.field == "function"]
    return issue.message


def test_a_nested_function_holding_a_lock_is_told_to_move_to_a_module_top_level():
    def nested(n):
        with _LOCK:
            return n

    _standalone_task(nested)
    message = _message()
    assert "cannot be sent to the worker processes of the standalone job mode" in message
    assert "Define it at the top level of a module" in message


def test_a_script_top_level_function_holding_a_lock_is_told_to_move_to_a_module_of_its_own():
    script = {"__name__": "__main__", "lock": threading.Lock()}  # a function of the script run: by value
    exec("def top(n):\n    with lock:\n        return n\n", script)
    _standalone_task(script["top"])
    message = _message()
    assert "Define it at the top level" not in message  # it is there already
    assert "Move it, with what it uses, to a module of its own" in message


def test_a_function_of_an_exporting_script_read_elsewhere_says_why_it_is_missing():
    from scenaria.config.values import ImportRef, try_import

    found = try_import("__main__.function_of_the_exporting_script")
    assert isinstance(found, ImportRef)
    assert "the configuration names a function of the script that exported it" in found.reason
    assert "move the function to a module of its own and export again" in found.reason
