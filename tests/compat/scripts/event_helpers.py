"""The event trace of the events_* scripts: one submission of a two-task chain, every event printed
but a task's ``is_submittable``, which scenaria does not publish (docs/events.md)."""

import taipy as tp
from taipy import Config, Orchestrator
from taipy.core.notification import Notifier

LEFT_OUT = {("TASK", "is_submittable")}


def double(value):
    return value * 2


def add(value):
    return value + 10


def describe(value):
    if isinstance(value, list):
        return "[" + ", ".join(f"{type(item).__name__} {getattr(item, 'id', item)}" for item in value) + "]"
    if hasattr(value, "name") and hasattr(value, "value"):
        return value.name
    return type(value).__name__


def show(queue, in_order=True):
    """Print the queued events; ``in_order=False`` sorts them (Taipy creates a scenario's data
    nodes in an order that changes from run to run)."""
    lines = []
    while not queue.empty():
        event = queue.get()
        if (event.entity_type.name, event.attribute_name) in LEFT_OUT:
            continue
        attribute = f" {event.attribute_name}={describe(event.attribute_value)}" if event.attribute_name else ""
        lines.append(f"{event.entity_type.name} {event.operation.name} {event.entity_id}{attribute}")
    print("\n".join(lines if in_order else sorted(lines)))


def trace(mode):
    Config.configure_job_executions(mode=mode)
    number_cfg = Config.configure_data_node("number", default_data=1)
    doubled_cfg = Config.configure_data_node("doubled")
    result_cfg = Config.configure_data_node("result")
    double_cfg = Config.configure_task("double", double, number_cfg, doubled_cfg)
    add_cfg = Config.configure_task("add", add, doubled_cfg, result_cfg)
    scenario_cfg = Config.configure_scenario("chain", [double_cfg, add_cfg])
    registration_id, queue = Notifier.register()
    orchestrator = Orchestrator()
    orchestrator.run()
    scenario = tp.create_scenario(scenario_cfg)
    print("--- created")
    show(queue, in_order=False)
    submission = scenario.submit(wait=True)
    print("--- submitted:", submission.submission_status.name, scenario.result.read())
    show(queue)
    Notifier.unregister(registration_id)
    orchestrator.stop()
