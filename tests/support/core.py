"""Helpers of the core tests: a standard configuration and event recording."""

from __future__ import annotations

from queue import Empty

from scenaria import Config, Frequency
from scenaria.events import Notifier
from tests.core import core_funcs as funcs


def chain_config(frequency: Frequency | None = None, skippable: bool = False, **scenario_properties):
    """source --t1(double)--> middle --t2(double)--> result, with a sequence "first" of t1."""
    source = Config.configure_data_node("source", default_data=3)
    middle = Config.configure_data_node("middle")
    result = Config.configure_data_node("result")
    t1 = Config.configure_task("t1", funcs.double, source, middle, skippable=skippable)
    t2 = Config.configure_task("t2", funcs.double, middle, result, skippable=skippable)
    return Config.configure_scenario(
        "chain", [t1, t2], frequency=frequency, sequences={"first": [t1]}, **scenario_properties
    )


class Recorder:
    """Records the events of one Notifier registration."""

    def __init__(self, **topic) -> None:
        self.registration_id, self.queue = Notifier.register(**topic)

    def drain(self) -> list:
        events = []
        while True:
            try:
                events.append(self.queue.get_nowait())
            except Empty:
                return events

    def close(self) -> None:
        Notifier.unregister(self.registration_id)
