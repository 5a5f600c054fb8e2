"""Config in TOML, loaded with Config.load, then a scenario run from it."""

import taipy as tp
from taipy import Config, Orchestrator

TOML = """
[TAIPY]

[JOB]
mode = "development"

[DATA_NODE.numbers]
storage_type = "pickle"
default_data = [ 1, 2, 3,]

[DATA_NODE.doubled]
storage_type = "pickle"

[DATA_NODE.summary]
storage_type = "json"
default_path = "summary.json"

[TASK.double]
function = "toml_helpers.double:function"
inputs = [ "numbers:SECTION",]
outputs = [ "doubled:SECTION",]
skippable = "False:bool"

[TASK.summarise]
function = "toml_helpers.summarise:function"
inputs = [ "doubled:SECTION",]
outputs = [ "summary:SECTION",]

[SCENARIO.numbers_scenario]
tasks = [ "double:SECTION", "summarise:SECTION",]
additional_data_nodes = []
frequency = "DAILY:FREQUENCY"
threshold = "5:int"

[SCENARIO.numbers_scenario.sequences]
first_step = [ "double:SECTION",]
"""

if __name__ == "__main__":
    with open("app.toml", "w") as file:
        file.write(TOML)
    Config.load("app.toml")
    print("data nodes:", sorted(Config.data_nodes))
    print("tasks:", sorted(Config.tasks))
    print("scenario tasks:", sorted(task.id for task in Config.scenarios["numbers_scenario"].tasks))
    print("frequency:", Config.scenarios["numbers_scenario"].frequency)
    threshold = Config.scenarios["numbers_scenario"].threshold
    print("threshold:", threshold, type(threshold).__name__)
    sequences = Config.scenarios["numbers_scenario"].sequences
    print("sequences:", {name: [task.id for task in tasks] for name, tasks in sequences.items()})
    print("job mode:", Config.job_config.mode)

    Orchestrator().run()
    scenario = tp.create_scenario(Config.scenarios["numbers_scenario"])
    print("sequences of the scenario:", sorted(scenario.sequences))
    scenario.sequences["first_step"].submit()
    print("after the sequence:", scenario.doubled.read(), scenario.summary.is_ready_for_reading)
    scenario.submit()
    print("summary:", scenario.summary.read())
    print("cycle:", scenario.cycle.frequency, scenario.is_primary)
    Orchestrator().stop()
