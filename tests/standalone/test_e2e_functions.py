"""Which functions can be tasks in standalone mode, and what a job that cannot travel says."""

from __future__ import annotations

import threading

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.exceptions import ScenariaError
from tests.standalone import e2e_jobs as jobs
from tests.support.standalone import standalone

pytestmark = pytest.mark.processes


def one_task_scenario(function, value=20, **properties):
    number = Config.configure_data_node("number", default_data=value)
    result = Config.configure_data_node("result")
    task = Config.configure_task("work", function, number, result, **properties)
    return Config.configure_scenario("work_scenario", [task])


def run(config):
    scenario = tp.create_scenario(config)
    submission = scenario.submit(wait=True, timeout=20)
    assert submission.is_finished()
    return scenario, submission.jobs[0]


def test_a_lambda_is_a_task():
    config = one_task_scenario(lambda nb: nb + 1)
    standalone(2)
    scenario, job = run(config)
    assert job.status.name == "COMPLETED" and scenario.result.read() == 21


def test_a_closure_is_a_task_and_takes_its_variables_along():
    def make_scaler(factor):
        def scale(nb):
            return nb * factor

        return scale

    config = one_task_scenario(make_scaler(3))
    standalone(2)
    scenario, job = run(config)
    assert job.status.name == "COMPLETED" and scenario.result.read() == 60


def test_functions_of_a_module_and_of_a_class_are_tasks():
    class Maths:
        @staticmethod
        def triple(nb):
            return nb * 3

    number = Config.configure_data_node("number", default_data=5)
    doubled, tripled = Config.configure_data_node("doubled"), Config.configure_data_node("tripled")
    first = Config.configure_task("by_reference", jobs.double, number, doubled)
    second = Config.configure_task("static", Maths.triple, doubled, tripled)
    config = Config.configure_scenario("functions", [first, second])
    standalone(2)
    scenario = tp.create_scenario(config)
    assert scenario.submit(wait=True, timeout=20).submission_status.name == "COMPLETED"
    assert scenario.tripled.read() == 30


def test_a_result_that_cannot_be_pickled_fails_the_job_saying_so():
    config = one_task_scenario(lambda nb: threading.Lock())
    standalone(2)
    scenario, job = run(config)
    assert job.status.name == "FAILED"
    reason = job.stacktrace[-1]
    assert "could not write its output 'result'" in reason and "cannot pickle '_thread.lock'" in reason
    assert not scenario.result.edit_in_progress


def test_a_result_that_cannot_be_pickled_leaves_the_output_as_it_was():
    config = one_task_scenario(lambda nb: threading.Lock())
    standalone(2)
    scenario = tp.create_scenario(config)
    scenario.result.write("previous")
    assert scenario.submit(wait=True, timeout=20).jobs[0].status.name == "FAILED"
    assert scenario.result.read() == "previous"


class Unpicklable(Exception):
    """An exception that holds a lock: it cannot travel back from the worker as itself."""

    def __init__(self, message):
        super().__init__(message)
        self.lock = threading.Lock()


def raise_unpicklable(nb):
    raise Unpicklable(f"bad number {nb}")


def test_an_exception_that_cannot_be_pickled_fails_the_job_with_its_type_and_message():
    config = one_task_scenario(raise_unpicklable)
    standalone(2)
    _, job = run(config)
    assert job.status.name == "FAILED"
    reason = job.stacktrace[-1]
    assert "Unpicklable" in reason and "bad number 20" in reason and "raise_unpicklable" in reason


def test_a_function_that_cannot_travel_is_refused_with_a_clear_message():
    lock = threading.Lock()

    def holds_a_lock(nb):
        with lock:
            return nb

    one_task_scenario(holds_a_lock)
    with pytest.raises(ScenariaError, match=r"(?s)TASK.work.*holds_a_lock.*lock"):
        standalone(2)  # the configuration check refuses it before anything runs


def starts_an_orchestrator(nb):
    """What a worker meets when a module it imports for a task's function runs its application."""
    tp.Orchestrator().run()
    return nb


def test_a_job_that_starts_an_orchestrator_in_its_worker_fails_saying_how_to_fix_it():
    config = one_task_scenario(starts_an_orchestrator)
    standalone(1)
    scenario, job = run(config)
    assert job.status.name == "FAILED"
    trace = "".join(job.stacktrace)
    assert "No orchestrator can start here: this is a worker process" in trace
    assert 'if __name__ == "__main__":' in trace
    assert scenario.result.read() is None
