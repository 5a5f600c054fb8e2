"""The calls of Taipy's event documentation: consumers of every event, of one topic, of failed
jobs, and of finished submissions (whose metadata names the submitted scenario)."""

from time import sleep

import taipy as tp
from taipy import Config
from taipy.core import SubmissionStatus
from taipy.core.job.status import Status
from taipy.core.notification import CoreEventConsumerBase, Event, EventEntityType, EventOperation, Notifier


def greet(name):
    return f"Hello {name}!"


def fail(name):
    raise ValueError(f"{name} makes this task fail")


class Collector(CoreEventConsumerBase):
    def __init__(self, registration_id, queue):
        super().__init__(registration_id, queue)
        self.registration = registration_id
        self.seen = []

    def process_event(self, event: Event):
        self.seen.append(f"{event.entity_type} {event.operation}")


class FailedJobs(CoreEventConsumerBase):
    def __init__(self):
        registration_id, queue = Notifier.register(
            entity_type=EventEntityType.JOB, operation=EventOperation.UPDATE, attribute_name="status"
        )
        super().__init__(registration_id, queue)
        self.registration = registration_id
        self.failed = []

    def process_event(self, event):
        if event.attribute_value == Status.FAILED:
            self.failed.append(event.entity_id.split("_")[1])


class FinishedSubmissions(CoreEventConsumerBase):
    def __init__(self):
        registration_id, queue = Notifier.register(entity_type=EventEntityType.SUBMISSION)
        super().__init__(registration_id, queue)
        self.registration = registration_id
        self.messages = []

    def process_event(self, event):
        if event.operation == EventOperation.UPDATE and event.attribute_value == SubmissionStatus.COMPLETED:
            scenario = tp.get(event.metadata["origin_entity_id"])
            self.messages.append(scenario.message.read())


def run(consumers, action):
    for consumer in consumers:
        consumer.start()
    action()
    sleep(1)
    for consumer in consumers:
        consumer.stop()
        Notifier.unregister(consumer.registration)


if __name__ == "__main__":
    name_cfg = Config.configure_data_node("input_name", default_data="Florian")
    message_cfg = Config.configure_data_node("message")
    greet_cfg = Config.configure_task("build_msg", greet, name_cfg, message_cfg)
    fail_cfg = Config.configure_task("fail_msg", fail, name_cfg, Config.configure_data_node("nothing"))
    scenario_cfg = Config.configure_scenario("greeting", [greet_cfg])
    failing_cfg = Config.configure_scenario("failing", [fail_cfg])
    tp.Orchestrator().run()

    everything = Collector(*Notifier.register())
    run([everything], lambda: tp.submit(tp.create_scenario(scenario_cfg)))
    print("every event:", everything.seen)

    creations = Collector(*Notifier.register(EventEntityType.SCENARIO, operation=EventOperation.CREATION))
    run([creations], lambda: tp.create_scenario(scenario_cfg))
    print("scenario creations:", creations.seen)

    failures, finished = FailedJobs(), FinishedSubmissions()

    def submit_both():
        tp.submit(tp.create_scenario(failing_cfg))
        tp.submit(tp.create_scenario(scenario_cfg))

    run([failures, finished], submit_both)
    print("failed jobs:", failures.failed)
    print("finished submissions:", finished.messages)
    tp.Orchestrator().stop()
