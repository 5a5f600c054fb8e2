"""Skipping by content (docs/execution.md): which jobs run, which are skipped, and the sentence
each records in ``job.run_reason``, in development mode (tests/modes/test_skipping_modes.py has
standalone and dask)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status
from scenaria.exceptions import EntityError
from tests.core import core_funcs as funcs


def double(number):
    return number * 2


def double_differently(number):
    return number + number + 0


def half(number):
    return number // 2


SCALE = 2  # a module global a task function reads (its value is no part of the code version)


def one_task(code_version: str | None = None, skippable: bool = True) -> Any:
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    pinned = {} if code_version is None else {"code_version": code_version}
    task = Config.configure_task("double", double, number, doubled, skippable=skippable, factor=2, **pinned)
    return Config.configure_scenario("one", task_configs=[task])


def rewrite_same(scenario):
    scenario.number.write(21)


def change_content(scenario):
    scenario.number.write(22)


def change_code(scenario):
    scenario.double.function = double_differently


def change_config(scenario):
    scenario.double.properties["factor"] = 3


def delete_output(scenario):
    os.remove(scenario.doubled.path)


def write_output_by_hand(scenario):
    scenario.doubled.write(42)


def nothing(scenario):
    pass


SAME = "Job {first} wrote its outputs from the same code, configuration and inputs."
CASES: list[tuple[str, dict[str, Any], Callable[[Any], None], bool, Status, str]] = [
    # (case, config, action before the second submit, force, status, run_reason)
    ("submitted again", {}, nothing, False, Status.SKIPPED, SAME),
    ("same content rewritten", {}, rewrite_same, False, Status.SKIPPED, SAME),
    ("content changed", {}, change_content, False, Status.COMPLETED,
     "Input 'number' changed since job {first} wrote its outputs."),
    ("code changed", {}, change_code, False, Status.COMPLETED,
     "The code of task 'double' changed since job {first} wrote its outputs."),
    ("code pinned", {"code_version": "1"}, change_code, False, Status.SKIPPED, SAME),
    ("config changed", {}, change_config, False, Status.COMPLETED,
     "The configuration of task 'double' changed since job {first} wrote its outputs."),
    ("forced", {}, nothing, True, Status.COMPLETED, "Forced by submit(force=True)."),
    ("outputs deleted", {}, delete_output, False, Status.COMPLETED,
     "Its output 'doubled' is missing: its data was removed after it was written."),
    ("output written by hand", {}, write_output_by_hand, False, Status.COMPLETED,
     "Its output 'doubled' was last written outside this task, not by one of its jobs."),
    ("not skippable", {"skippable": False}, nothing, False, Status.COMPLETED, "Task 'double' is not skippable."),
]  # fmt: skip


@pytest.mark.parametrize(("case", "config", "action", "force", "status", "reason"), CASES, ids=[c[0] for c in CASES])
def test_a_skippable_job_is_skipped_exactly_when_its_fingerprint_is_unchanged(
    case, config, action, force, status, reason, repository_type
):
    scenario = tp.create_scenario(one_task(**config))
    first = scenario.submit().jobs[0]
    assert first.status is Status.COMPLETED
    expected_first = "Task 'double' is not skippable." if config.get("skippable") is False else None
    assert first.run_reason == (expected_first or "Never run: its output 'doubled' has never been written.")
    action(scenario)
    second = scenario.submit(force=force).jobs[0]
    assert (second.status, second.run_reason) == (status, reason.format(first=first.id))
    assert tp.get(second.id).run_reason == second.run_reason  # stored with the job
    if status is Status.COMPLETED and config.get("skippable") is not False:  # what ran is what comes next
        third = scenario.submit().jobs[0]
        assert (third.status, third.run_reason) == (Status.SKIPPED, SAME.format(first=second.id))
    expected = {"content changed": 44, "code changed": 42, "output written by hand": 42}
    assert scenario.doubled.read() == expected.get(case, 42)


def add_up(a, b):
    return a + b


def add_up_differently(a, b):
    return b + a


def test_several_changes_are_named_together_and_downstream_jobs_skip_on_equal_content():
    number = Config.configure_data_node("number", default_data=21)
    other = Config.configure_data_node("other", default_data=1)
    total = Config.configure_data_node("total")
    halved = Config.configure_data_node("halved")
    first_task = Config.configure_task("add", add_up, [number, other], total, skippable=True)
    second_task = Config.configure_task("half", half, total, halved, skippable=True)
    scenario = tp.create_scenario(Config.configure_scenario("two", task_configs=[first_task, second_task]))
    jobs = sorted(scenario.submit().jobs)
    scenario.number.write(20)
    scenario.other.write(2)
    scenario.add.function = add_up_differently
    again = sorted(scenario.submit().jobs)
    assert again[0].run_reason == (
        f"The code of task 'add' and inputs 'number', 'other' changed since job {jobs[0].id} wrote its outputs."
    )
    # the total is 22 again: the job downstream finds its input as it was, by content
    assert (again[1].status, scenario.halved.read()) == (Status.SKIPPED, 11)
    scenario.number.write(20.0)  # a float: another value, though equal
    third = sorted(scenario.submit().jobs)
    assert [job.status for job in third] == [Status.COMPLETED, Status.COMPLETED]
    assert third[1].run_reason == f"Input 'total' changed since job {jobs[1].id} wrote its outputs."
    scenario.number.write(20.0)
    fourth = sorted(scenario.submit().jobs)
    assert [job.status for job in fourth] == [Status.SKIPPED, Status.SKIPPED]


def test_a_file_input_changed_outside_scenaria_is_hashed(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("n\n1\n2\n")
    numbers = Config.configure_csv_data_node("numbers", default_path=str(path), exposed_type="numpy")
    total = Config.configure_data_node("total")
    task = Config.configure_task("sum", lambda rows: int(rows.sum()), numbers, total, skippable=True)
    scenario = tp.create_scenario(Config.configure_scenario("files", task_configs=[task]))
    first = scenario.submit().jobs[0]
    assert scenario.total.read() == 3
    stat = path.stat()
    path.write_text("n\n1\n2\n")  # the same bytes, later
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert scenario.submit().jobs[0].status is Status.SKIPPED
    path.write_text("n\n1\n5\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    changed = scenario.submit().jobs[0]
    assert changed.run_reason == f"Input 'numbers' changed since job {first.id} wrote its outputs."
    assert scenario.total.read() == 6


def test_a_version_given_by_the_writer_and_hashing_turned_off():
    number = Config.configure_data_node("number", hash_content=False)
    doubled = Config.configure_data_node("doubled")
    task = Config.configure_task("double", double, number, doubled, skippable=True)
    scenario = tp.create_scenario(Config.configure_scenario("given", task_configs=[task]))
    scenario.number.write(21, version="v1")
    assert scenario.number.content_version == "v1"
    first = scenario.submit().jobs[0]
    scenario.number.write(99, version="v1")  # the writer says it is the same: trusted
    assert scenario.submit().jobs[0].status is Status.SKIPPED
    scenario.number.write(21)  # no version and no hashing: the edit date stands for it
    assert scenario.number.content_version is None
    changed = scenario.submit().jobs[0]
    assert changed.run_reason == f"Input 'number' changed since job {first.id} wrote its outputs."
    assert changed.fingerprint["inputs"]["number"].startswith("edited ")


def reuse_config(reuse: bool = True) -> Any:
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    task = Config.configure_task("double", double, number, doubled, reuse=reuse)
    return Config.configure_scenario("reusing", task_configs=[task])


def test_reuse_copies_another_scenarios_outputs_of_the_same_computation(repository_type):
    config = reuse_config()
    first = tp.create_scenario(config)
    produced = first.submit().jobs[0]
    assert produced.run_reason == "Task 'double' is not skippable."
    second = tp.create_scenario(config)
    reused = second.submit().jobs[0]
    assert reused.status is Status.COMPLETED and reused.attempts == 1
    assert reused.run_reason == (
        f"Reused the outputs of job {produced.id} (of {first.id}), which ran the same code, configuration and inputs."
    )
    assert second.doubled.read() == 42 and second.doubled.path != first.doubled.path
    assert second.doubled.content_version == first.doubled.content_version
    assert second.doubled.job_ids == [reused.id]
    second.number.write(5)  # another computation: runs
    ran = second.submit().jobs[0]
    assert ran.run_reason == "Task 'double' is not skippable." and second.doubled.read() == 10
    third = tp.create_scenario(config)
    third.number.write(5)
    assert tp.explain(third.submit()) == [
        f"double COMPLETED: Reused the outputs of job {ran.id} (of {second.id}), "
        "which ran the same code, configuration and inputs."
    ]
    assert third.doubled.read() == 10


def test_reuse_falls_back_to_running_when_the_donors_outputs_changed():
    config = reuse_config()
    first = tp.create_scenario(config)
    first.submit()
    first.doubled.write(0)  # the donor's output no longer holds what its job computed
    second = tp.create_scenario(config)
    job = second.submit().jobs[0]
    assert job.run_reason == "Task 'double' is not skippable." and second.doubled.read() == 42
    os.remove(second.doubled.path)  # a donor whose file is gone is no donor
    third = tp.create_scenario(config)
    assert third.submit().jobs[0].run_reason == "Task 'double' is not skippable."


def test_without_reuse_nothing_is_copied():
    config = reuse_config(reuse=False)
    tp.create_scenario(config).submit()
    job = tp.create_scenario(config).submit().jobs[0]
    assert job.run_reason == "Task 'double' is not skippable." and job.fingerprint == {}


def test_explain_lists_every_job_of_a_submission():
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    halved = Config.configure_data_node("halved")
    first_task = Config.configure_task("double", double, number, doubled, skippable=True)
    second_task = Config.configure_task("half", half, doubled, halved)
    scenario = tp.create_scenario(Config.configure_scenario("two", task_configs=[first_task, second_task]))
    assert tp.explain(scenario) == []
    submission = scenario.submit()
    first_job = sorted(submission.jobs)[0]
    again = scenario.submit()
    lines = [
        f"double SKIPPED: Job {first_job.id} wrote its outputs from the same code, configuration and inputs.",
        "half COMPLETED: Task 'half' is not skippable.",
    ]
    assert tp.explain(again) == lines == tp.explain(scenario) == tp.explain(again.id)
    assert tp.explain(first_job) == ["double COMPLETED: Never run: its output 'doubled' has never been written."]
    assert tp.explain(scenario.double) == [lines[0]]  # a task: its latest job, submitted with its scenario
    with pytest.raises(EntityError, match="needs a submission, a scenario"):
        tp.explain(scenario.number)


def test_code_versions_follow_the_code_and_the_helpers_it_calls():
    from scenaria.orchestrator.skipping import code_version

    def uses_half(x):
        return half(x) + 1

    assert code_version(double) == code_version(double)
    assert code_version(double) != code_version(double_differently)
    assert code_version(lambda x: x * 2) != code_version(lambda x: x * 3)
    before = code_version(uses_half)
    globals()["half"], original = (lambda x: x // 3), half
    try:
        assert code_version(uses_half) == before  # cached per function object...
        uses_half.__code__ = uses_half.__code__.replace()  # ...until its code object changes
        assert code_version(uses_half) != before  # the helper it calls changed
    finally:
        globals()["half"] = original


def in_a_set(word):
    return word in {"alpha", "beta", "gamma", "delta", "epsilon"}


def test_the_configuration_and_code_versions_are_the_same_in_another_process(tmp_path):
    import subprocess
    import sys

    from scenaria.orchestrator.skipping import code_version, config_version
    from tests.support.scripts import child_env

    script = tmp_path / "versions.py"
    script.write_text(
        "import scenaria as tp\n"
        "from scenaria import Config\n"
        "from scenaria.orchestrator.skipping import code_version, config_version\n"
        "from tests.core.test_skipping import generic_config, in_a_set\n"
        "print(code_version(in_a_set))\n"
        "config = generic_config()\n"
        "tp.Orchestrator().run()\n"
        "print(config_version(tp.create_scenario(config).double))\n"
        "print(in_a_set.__code__.co_consts)\n"
    )
    config = generic_config()
    mine = config_version(tp.create_scenario(config).double)
    seen = []
    for seed in ("1", "2"):  # two hash seeds: the set's order differs between them, not the versions
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env={**child_env(), "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen.append(done.stdout.split("\n", 2))
    assert [each[:2] for each in seen] == [[code_version(in_a_set), mine]] * 2
    assert seen[0][2] != seen[1][2]


def generic_config() -> Any:
    """Data node settings that hold functions (whose memory addresses differ per process)."""
    source = Config.configure_generic_data_node("source", read_fct=half, read_fct_args=[42])
    doubled = Config.configure_data_node("doubled")
    task = Config.configure_task("double", double, source, doubled, skippable=True, helper=double)
    return Config.configure_scenario("generic", task_configs=[task])


def test_an_in_memory_output_lost_with_its_process_is_missing():
    from scenaria.data.in_memory import in_memory_storage

    number = Config.configure_in_memory_data_node("number", default_data=21)
    doubled = Config.configure_in_memory_data_node("doubled")
    task = Config.configure_task("double", double, number, doubled, skippable=True)
    scenario = tp.create_scenario(Config.configure_scenario("memory", task_configs=[task]))
    scenario.submit()
    assert scenario.submit().jobs[0].status is Status.SKIPPED
    del in_memory_storage[scenario.doubled.id]  # as in a new process
    job = scenario.submit().jobs[0]
    assert job.run_reason == "Its output 'doubled' is missing: its data was removed after it was written."
    assert scenario.doubled.read() == 42


def test_an_expired_output_runs_its_job_again():
    import datetime as dt

    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled", validity_period=dt.timedelta(microseconds=1))
    task = Config.configure_task("double", double, number, doubled, skippable=True)
    scenario = tp.create_scenario(Config.configure_scenario("expiring", task_configs=[task]))
    scenario.submit()
    job = scenario.submit().jobs[0]
    assert job.run_reason == "Its output 'doubled' has expired (its validity period is over)."


def test_fingerprints_and_versions_are_read_back_from_the_store_after_a_restart(repository_type):
    from scenaria.entities.registry import reset_registry

    Config.configure_core(mode="experiment", version_number="v1")  # kept across runs (development's is not)
    config = one_task()
    scenario = tp.create_scenario(config)
    first = scenario.submit().jobs[0]
    scenario_id = scenario.id
    tp.Orchestrator().stop()
    reset_registry()  # as a new process: nothing live, everything from the store
    tp.Orchestrator().run()
    again = tp.get(scenario_id)
    assert again.doubled.content_version is not None and tp.get(first.id).fingerprint["key"]
    again.number.write(21)
    job = again.submit().jobs[0]
    assert (job.status, job.run_reason) == (Status.SKIPPED, SAME.format(first=first.id))


def test_code_versions_hash_code_not_the_values_of_globals_nor_other_modules(monkeypatch):
    """What docs/execution.md says the code version does not see: a global's value, or a function of
    another module the task calls (bump code_version or force=True then)."""
    from scenaria.orchestrator import skipping

    def scaled(x):
        return x * SCALE

    def uses_other_module(x):
        return funcs.double(x)

    before, other = skipping.code_version(scaled), skipping.code_version(uses_other_module)
    monkeypatch.setitem(globals(), "SCALE", 3)
    monkeypatch.setattr(funcs, "double", lambda x: x * 4)
    scaled.__code__ = scaled.__code__.replace()  # a new code object: no cached version
    uses_other_module.__code__ = uses_other_module.__code__.replace()
    assert skipping.code_version(scaled) == before
    assert skipping.code_version(uses_other_module) == other
