"""Older and lesser-used API: tp.Core(), taipy.__file__, a mongo data node's default document,
and a Notifier queue following scenario creations and job statuses."""

import os

import taipy
import taipy as tp
from taipy import Config
from taipy.core.notification import EventEntityType, EventOperation, Notifier


def triple(number):
    return number * 3


if __name__ == "__main__":
    print("taipy file exists:", os.path.isfile(taipy.__file__))
    Config.configure_job_executions(mode="development")
    mongo_cfg = Config.configure_mongo_collection_data_node("readings", db_name="db", collection_name="readings")
    print("mongo custom_document:", mongo_cfg.custom_document.__name__)
    number_cfg = Config.configure_data_node("number", default_data=4)
    tripled_cfg = Config.configure_data_node("tripled")
    task_cfg = Config.configure_task("triple", triple, number_cfg, tripled_cfg)
    scenario_cfg = Config.configure_scenario("legacy", [task_cfg])

    scenarios_id, scenario_events = Notifier.register(EventEntityType.SCENARIO, operation=EventOperation.CREATION)
    jobs_id, job_events = Notifier.register(EventEntityType.JOB, attribute_name="status")
    core = tp.Core()
    print("core is an orchestrator:", isinstance(core, tp.Orchestrator))
    core.run()
    scenario = tp.create_scenario(scenario_cfg)
    scenario.submit()
    print("tripled:", scenario.tripled.read())
    created = []
    while not scenario_events.empty():
        event = scenario_events.get()
        created.append((event.entity_type.name, event.operation.name, event.entity_id == scenario.id))
    print("scenario events:", created)
    statuses = []
    while not job_events.empty():
        event = job_events.get()
        statuses.append((event.operation.name, str(event.attribute_value)))
    print("job status events:", statuses)
    Notifier.unregister(scenarios_id)
    Notifier.unregister(jobs_id)
    core.stop()
