"""Config in Python: data nodes of several storage types, a scenario, its outputs and history."""

import numpy as np
import pandas as pd
import taipy as tp
from taipy import Config, Orchestrator, Scope
from taipy.core.data.operator import Operator


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["amount"] > 0]


def total(frame: pd.DataFrame) -> int:
    return int(frame["amount"].sum())


def stats(frame: pd.DataFrame) -> list:
    return [np.int64(len(frame)), np.float64(frame["amount"].mean())]


if __name__ == "__main__":
    Config.configure_job_executions(mode="development")
    pd.DataFrame({"region": ["eu", "us", "eu"], "amount": [10, -5, 30]}).to_csv("sales.csv", index=False)
    sales_cfg = Config.configure_csv_data_node("sales", default_path="sales.csv", scope=Scope.GLOBAL)
    cleaned_cfg = Config.configure_parquet_data_node("cleaned")
    total_cfg = Config.configure_data_node("total", default_data=0)
    stats_cfg = Config.configure_csv_data_node("stats", default_path="stats.csv")
    report_cfg = Config.configure_json_data_node("report", default_path="report.json", default_data={"a": 1})
    clean_cfg = Config.configure_task("clean", clean, sales_cfg, cleaned_cfg)
    total_task_cfg = Config.configure_task("total_task", total, cleaned_cfg, total_cfg, skippable=True)
    stats_task_cfg = Config.configure_task("stats_task", stats, cleaned_cfg, stats_cfg)
    scenario_cfg = Config.configure_scenario(
        "sales_scenario", [clean_cfg, total_task_cfg, stats_task_cfg], [report_cfg], owner="ops"
    )
    print("storage types:", sorted(dn.storage_type for dn in scenario_cfg.data_nodes))
    print("csv properties:", sorted(sales_cfg.properties))
    print("task scopes:", clean_cfg.scope, total_task_cfg.scope)

    Orchestrator().run()
    scenario = tp.create_scenario(scenario_cfg, name="First")
    print("name:", scenario.name, "owner:", scenario.properties["owner"])
    print("ready:", scenario.sales.is_ready_for_reading, scenario.cleaned.is_ready_for_reading)
    print("total before:", scenario.total.read(), "report:", scenario.report.read())
    submission = tp.submit(scenario)
    print("submission:", submission.submission_status, len(submission.jobs))
    print("jobs:", sorted((job.task.config_id, job.status.name) for job in submission.jobs))
    print("total after:", scenario.total.read())
    print("cleaned:", scenario.cleaned.read().to_dict("list"))
    print("stats:", scenario.stats.read().to_dict("list"))
    with open("stats.csv") as file:
        print("stats file:", file.read().splitlines())
    scenario.total.write(99)
    print("written:", scenario.total.read(), "edits:", len(scenario.total.edits))
    print("filter:", scenario.sales.filter(("region", "eu", Operator.EQUAL)).to_dict("list"))
    print("getitem:", scenario.sales["amount"].tolist())
    again = tp.submit(scenario)
    print("skippable again:", sorted((job.task.config_id, job.status.name) for job in again.jobs))
    print("entities:", len(tp.get_scenarios()), len(tp.get_tasks()), len(tp.get_data_nodes()), len(tp.get_jobs()))
    print("global data nodes:", [dn.config_id for dn in tp.get_data_nodes() if dn.scope == Scope.GLOBAL])
    tp.delete(scenario.id)
    print("after delete:", len(tp.get_scenarios()), len(tp.get_data_nodes()))
    Orchestrator().stop()
