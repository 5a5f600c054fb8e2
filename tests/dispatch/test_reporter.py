"""The reporter: a step's gathered reports reach the listener together, in the order they were made."""

from __future__ import annotations

import threading

from scenaria.dispatch.base import Ending, Outcome
from scenaria.dispatch.reporter import Reporter
from tests.support.dispatch import RecordingListener


class QueuingListener(RecordingListener):
    """A listener that says it only queues its started/progress/finished reports (the scheduler's)."""

    queues_reports = True


def test_reports_gathered_in_a_step_arrive_only_at_its_end_and_in_order_with_other_threads() -> None:
    listener = QueuingListener()
    reporter = Reporter(listener, "test-reporter")
    try:
        with reporter.gathering():
            reporter.started("a", 1.0)
            elsewhere = threading.Thread(target=reporter.started, args=("b", 2.0))  # a caller's thread
            elsewhere.start()
            elsewhere.join()
            reporter.finished(Outcome("a", Ending.COMPLETED))
            assert listener.events == []  # nothing before the step ends
        assert listener.events == [("started", "a"), ("started", "b"), ("finished", "a")]
    finally:
        reporter.close()
        reporter.join(10)


def test_a_gathered_output_keeps_its_place_between_its_jobs_start_and_end() -> None:
    listener = QueuingListener()
    reporter = Reporter(listener, "test-reporter")
    try:
        for job in ("a", "b"):
            with reporter.gathering():
                reporter.started(job, 1.0)
                reporter.output(job, "stdout", "line\n")  # delivered by the reporter's thread
                reporter.finished(Outcome(job, Ending.COMPLETED))
        listener.wait_until(lambda: "b" in listener.outcomes)
        assert listener.events == [
            ("started", "a"), ("output", "a", "stdout", "line\n"), ("finished", "a"),
            ("started", "b"), ("output", "b", "stdout", "line\n"), ("finished", "b"),
        ]  # fmt: skip
    finally:
        reporter.close()
        reporter.join(10)


class FailingOnceListener(QueuingListener):
    """Its first start report raises, as a listener with a bug would."""

    failed = False

    def job_started(self, job_id: str, at: float) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("listener bug")
        super().job_started(job_id, at)


def test_a_failing_delivery_does_not_drop_the_rest_of_its_step() -> None:
    listener = FailingOnceListener()
    reporter = Reporter(listener, "test-reporter")
    try:
        with reporter.gathering():
            reporter.started("a", 1.0)
            reporter.started("b", 2.0)
            reporter.finished(Outcome("b", Ending.COMPLETED))
        assert listener.events == [("started", "b"), ("finished", "b")]
    finally:
        reporter.close()
        reporter.join(10)
