"""Scenarios whose tasks read and write csv, parquet and sql_table data nodes, in each job mode."""

from __future__ import annotations

import pandas as pd
import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.status import Status, SubmissionStatus


def totals(sales: pd.DataFrame) -> pd.DataFrame:
    return sales.groupby("region", as_index=False)["amount"].sum()


def scenario_config(tmp_path, output: dict):
    (tmp_path / "sales.csv").write_text("region,amount\nnorth,10\nsouth,5\nnorth,7\n", encoding="utf-8")
    sales = Config.configure_csv_data_node("sales", default_path=str(tmp_path / "sales.csv"))
    summary = Config.configure_data_node("summary", **output)
    task = Config.configure_task("totals", totals, sales, summary)
    return Config.configure_scenario("report", task_configs=[task])


def test_csv_input_and_parquet_output_in_development_mode(tmp_path):
    config = scenario_config(tmp_path, {"storage_type": "parquet"})
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    submission = scenario.submit()
    assert submission.submission_status is SubmissionStatus.COMPLETED
    assert scenario.summary.read().to_dict("list") == {"region": ["north", "south"], "amount": [17, 5]}
    assert scenario.summary.path.endswith(f"parquets/{scenario.summary.id}.parquet")
    assert scenario.summary.job_ids == [submission.jobs[0].id]


@pytest.mark.processes
@pytest.mark.parametrize("output", ["parquet", "sql_table"])
def test_workers_read_and_write_the_storage_themselves_in_standalone_mode(tmp_path, output):
    properties = {"storage_type": output}
    if output == "sql_table":
        properties.update(db_engine="sqlite", db_name="report", sqlite_folder_path=str(tmp_path), table_name="totals")
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    config = scenario_config(tmp_path, properties)
    tp.Orchestrator().run()
    try:
        scenario = tp.create_scenario(config)
        submission = scenario.submit(wait=True, timeout=60)
        job = submission.jobs[0]
        assert job.status is Status.COMPLETED, job.stacktrace
        summary = scenario.summary.read().sort_values("region", ignore_index=True)
        assert summary.to_dict("list") == {"region": ["north", "south"], "amount": [17, 5]}
    finally:
        tp.Orchestrator().stop()
