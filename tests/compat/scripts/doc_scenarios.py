"""The calls of Taipy's scenario-management documentation: scenario, cycle, sequence and task
attributes, tags, sequences added and removed, parents, lookups by config id, submission and
comparison."""

from datetime import datetime

import taipy as tp
from planning_config import monthly_cfg, prepare_files

if __name__ == "__main__":
    prepare_files()
    january = tp.create_scenario(monthly_cfg, creation_date=datetime(2022, 1, 1), name="Scenario for January")
    print("config_id:", january.config_id, "creation_date:", january.creation_date)
    print("is_primary:", january.is_primary, "subscribers:", january.subscribers, "properties:", january.properties)
    print("name:", january.name, "sequences:", sorted(january.sequences), "tasks:", sorted(january.tasks))
    print("attributes:", sorted(january.sales.tasks), january.training.config_id, january.current_month.read())
    print("data nodes:", sorted(january.data_nodes))

    cycle = january.cycle
    print("cycle:", cycle.frequency, cycle.start_date, cycle.end_date)
    cycle.name = "January cycle"
    print("cycle name:", tp.get(cycle.id).name)

    tp.tag(january, "my_tag")
    january.add_tag("a_second_tag")
    print("tags:", sorted(january.tags), sorted(tp.get(january.id).tags))
    tp.untag(january, "my_tag")
    january.remove_tag("a_second_tag")
    print("untagged:", sorted(january.tags))

    training, predicting = january.training, january.predicting
    print("task parents:", {kind: len(found) for kind, found in sorted(training.get_parents().items())})
    # Sequences added and removed on a scenario of another cycle that is not submitted: Taipy
    # 4.1.1 cannot submit a scenario whose sequence was removed (its tasks still name it).
    scratch = tp.create_scenario(monthly_cfg, creation_date=datetime(2023, 6, 1), name="Scratch")
    scratch.add_sequence("training_sequence", [scratch.training])
    print("added:", sorted(scratch.sequences), [t.config_id for t in scratch.training_sequence.tasks.values()])
    scratch.add_sequences({"sales2": [scratch.training, scratch.predicting], "production2": [scratch.planning]})
    print("added two:", sorted(scratch.sequences))
    scratch.remove_sequences(["sales2"])
    scratch.remove_sequences(["production2", "training_sequence"])
    print("removed:", sorted(scratch.sequences))

    sales = january.sales
    sales.name = "Sequence for sales prediction"
    print("sequence:", sales.name, sales.subscribers)
    print("sequence properties:", sales.properties)
    print("sequence parts:", sales.training.config_id, sales.predicting.config_id, sales.current_month.config_id)
    print("sequence parents:", {kind: len(found) for kind, found in tp.get_parents(sales).items()})
    print("task:", predicting.config_id, predicting.function.__name__)
    print("task inputs and outputs:", sorted(predicting.input), sorted(predicting.output))
    print("task data node:", predicting.current_month.read())

    february = tp.create_scenario(monthly_cfg, creation_date=datetime(2022, 2, 1), name="Scenario for February")
    second_january = tp.create_scenario(monthly_cfg, creation_date=datetime(2022, 1, 15), name="Another January")
    print("primary:", january.is_primary, february.is_primary, second_january.is_primary)
    print("training tasks:", len(tp.get_entities_by_config_id("training")))
    print("same cycle shares:", second_january.trained_model.id == january.trained_model.id)
    print("primaries:", sorted(s.name for s in tp.get_primary_scenarios()))

    tp.Orchestrator().run()
    february.current_month.write(datetime(2020, 2, 1))
    for scenario in (january, february):
        submission = tp.submit(scenario, wait=True, timeout=60)
        print("submitted", scenario.name, submission.submission_status.name, scenario.sales_predictions.read())
    print("orders:", february.orders.read().to_dict("records"))
    print("comparison:", tp.compare_scenarios(january, february, data_node_config_id="sales_predictions"))
    print("jobs:", len(tp.get_jobs()), "submissions:", len(tp.get_submissions()))
    tp.Orchestrator().stop()
