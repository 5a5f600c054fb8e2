"""The scheduler's gate (``orchestrator.capacity``): which held jobs go when, by its rules alone.

The modes' tests (tests/modes/test_resources.py) observe the limits from the tasks themselves;
these pin down the order rules that are hard to force with real timings.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenaria.orchestrator.capacity import Gate


@dataclass(frozen=True)
class Job:
    id: str


def offer(gate: Gate, *jobs: tuple[str, int, dict[str, float]]) -> list[str]:
    """Offer jobs ``(id, priority, uses)`` in age order; the ids admitted."""
    ready = [(Job(name), priority, age, uses) for age, (name, priority, uses) in enumerate(jobs)]
    return [job.id for job in gate.admit(ready)]


def release(gate: Gate, *names: str) -> list[str]:
    for name in names:
        gate.release(name)
    return [job.id for job in gate.admit([])]


def test_higher_priority_first_then_the_older():
    gate = Gate({"gpu": 1})
    assert offer(gate, ("a", 0, {"gpu": 1}), ("b", 0, {"gpu": 1}), ("c", 3, {"gpu": 1}), ("d", 3, {"gpu": 1})) == ["c"]
    assert release(gate, "c") == ["d"]
    assert release(gate, "d") == ["a"]
    assert release(gate, "a") == ["b"]


def test_a_big_job_held_is_not_overtaken_by_small_ones_on_its_resource_but_others_go_on():
    gate = Gate({"db": 4, "gpu": 1})
    assert offer(gate, ("s1", 0, {"db": 1}), ("s2", 0, {"db": 1})) == ["s1", "s2"]
    # 2 of 4 in use: the big one waits, the small ones behind it too; the gpu job and a free one go
    assert offer(gate, ("big", 0, {"db": 3}), ("s3", 0, {"db": 1}), ("g", 0, {"gpu": 1}), ("f", 0, {})) == ["f", "g"]
    assert gate.holds("big") and gate.holds("s3") and not gate.holds("g")
    assert release(gate, "s1") == ["big"]  # 3 free: the big one goes, s3 (after it) still waits
    assert release(gate, "s2") == ["s3"]
    assert release(gate, "big") == []


def test_amounts_are_counted_not_just_jobs():
    gate = Gate({"db": 2})
    assert offer(gate, ("half1", 0, {"db": 0.5}), ("half2", 0, {"db": 0.5}), ("one", 0, {"db": 1})) == [
        "half1",
        "half2",
        "one",
    ]
    assert offer(gate, ("more", 0, {"db": 0.5})) == []
    assert release(gate, "half1") == ["more"]


def test_a_forgotten_job_no_longer_waits_and_a_release_without_a_run_is_nothing():
    gate = Gate({"gpu": 1})
    assert offer(gate, ("a", 0, {"gpu": 1}), ("canceled", 5, {"gpu": 1}), ("b", 0, {"gpu": 1})) == ["canceled"]
    gate.release("never-admitted")
    assert release(gate, "canceled") == ["a"]
    gate.forget("b")
    assert not gate.holds("b") and release(gate, "a") == []


def test_with_slots_every_job_waits_for_a_free_worker_in_one_order():
    gate = Gate({"gpu": 1}, slots=1)
    assert offer(gate, ("low", -1, {}), ("gpu", 2, {"gpu": 1}), ("free", 1, {})) == ["gpu"]
    assert release(gate, "gpu") == ["free"]
    assert release(gate, "free") == ["low"]


def test_without_capacities_or_slots_nothing_is_held():
    gate = Gate({})
    assert offer(gate, ("a", 0, {}), ("b", 2, {}), ("c", 1, {})) == ["b", "c", "a"]
