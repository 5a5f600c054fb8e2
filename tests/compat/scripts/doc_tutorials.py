"""The calls of Taipy's tutorials on scopes and cycles and on scenario subscription: a global csv
shared by every scenario, cycle-scoped data nodes shared within a month, the primary scenario
changed, and a subscriber that prints each job's status and what it wrote."""

import datetime as dt

import pandas as pd
import taipy as tp
from taipy.common.config import Config, Frequency, Scope
from taipy.core import Status


def filter_by_month(frame, month):
    frame["Date"] = pd.to_datetime(frame["Date"])
    return frame[frame["Date"].dt.month == month]


def double(number):
    return number * 2


def add(number):
    return number + 10


def on_job(scenario, job):
    print(f"{job.task.config_id} of {scenario.name}: {job.status}")
    if job.status == Status.COMPLETED:
        for data_node in job.task.output.values():
            print("  wrote:", data_node.read())


if __name__ == "__main__":
    dates = pd.date_range("2022-09-28", periods=10, freq="D")
    pd.DataFrame({"Date": dates, "Value": range(10)}).to_csv("time_series.csv", index=False)
    history_cfg = Config.configure_csv_data_node("historical_data", default_path="time_series.csv", scope=Scope.GLOBAL)
    month_cfg = Config.configure_data_node("month", scope=Scope.CYCLE)
    month_values_cfg = Config.configure_data_node("month_data", scope=Scope.CYCLE)
    filter_cfg = Config.configure_task("filter_by_month", filter_by_month, [history_cfg, month_cfg], month_values_cfg)
    monthly_cfg = Config.configure_scenario("monthly", [filter_cfg], frequency=Frequency.MONTHLY)

    input_cfg = Config.configure_data_node("my_input", default_data=21)
    intermediate_cfg = Config.configure_data_node("intermediate")
    output_cfg = Config.configure_data_node("my_output")
    double_cfg = Config.configure_task("double", double, input_cfg, intermediate_cfg)
    add_cfg = Config.configure_task("add", add, intermediate_cfg, output_cfg)
    chain_cfg = Config.configure_scenario("chain", [double_cfg, add_cfg], name="my_scenario")
    Config.export("exported.toml")
    tp.Orchestrator().run()

    scenario_1 = tp.create_scenario(monthly_cfg, creation_date=dt.datetime(2022, 10, 7), name="Scenario 2022/10/7")
    scenario_2 = tp.create_scenario(monthly_cfg, creation_date=dt.datetime(2022, 10, 5), name="Scenario 2022/10/5")
    scenario_1.month.write(10)
    print("Month Data Node of Scenario 1:", scenario_1.month.read())
    print("Month Data Node of Scenario 2:", scenario_2.month.read())
    scenario_1.submit()
    print("rows of October:", len(scenario_2.month_data.read()), list(scenario_2.month_data.read()["Value"]))
    before_1, before_2 = scenario_1.is_primary, scenario_2.is_primary
    tp.set_primary(scenario_2)
    print("Scenario 1: Primary?", before_1, tp.get(scenario_1.id).is_primary)
    print("Scenario 2: Primary?", before_2, tp.get(scenario_2.id).is_primary)
    print("cycles:", len(tp.get_cycles()), [s.name for s in tp.get_primary_scenarios()])
    print("history shared:", scenario_1.historical_data.id == scenario_2.historical_data.id)

    chain = tp.create_scenario(chain_cfg)
    chain.subscribe(on_job)
    chain.submit(wait=True)
    print("subscribers:", [subscriber.callback.__name__ for subscriber in chain.subscribers])
    chain.unsubscribe(on_job)
    chain.submit(wait=True)
    print("after unsubscribe:", chain.my_output.read(), len(tp.get_jobs()))
    with open("exported.toml") as exported:  # its layout differs (docs/migrating-from-taipy.md)
        print("exported tasks:", sorted(line.strip() for line in exported if line.startswith("[TASK.")))
    tp.Orchestrator().stop()
