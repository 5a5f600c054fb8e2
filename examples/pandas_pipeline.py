"""A small pandas pipeline: raw sales -> cleaned -> monthly totals, run on worker processes.

python pandas_pipeline.py
"""

import pandas as pd

import scenaria as tp
from scenaria import Config


def load(rows):
    return pd.DataFrame(rows, columns=["month", "region", "amount"])


def clean(frame):
    frame = frame.dropna(subset=["amount"])
    return frame[frame["amount"] > 0]


def monthly(frame):
    return frame.groupby("month", as_index=False)["amount"].sum()


RAW = [("2026-01", "north", 120.0), ("2026-01", "south", None), ("2026-02", "north", 80.0),
       ("2026-02", "south", 40.0), ("2026-02", "east", -5.0)]  # fmt: skip

rows = Config.configure_data_node("rows", default_data=RAW)
raw = Config.configure_data_node("raw")
cleaned = Config.configure_data_node("cleaned")
totals = Config.configure_data_node("totals")
pipeline = Config.configure_scenario(
    "sales_pipeline",
    task_configs=[
        Config.configure_task("load", load, rows, raw),
        Config.configure_task("clean", clean, raw, cleaned),
        Config.configure_task("monthly", monthly, cleaned, totals),
    ],
)

if __name__ == "__main__":
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    tp.Orchestrator().run()
    scenario = tp.create_scenario(pipeline)
    scenario.submit(wait=True)
    print(scenario.totals.read().to_string(index=False))
    tp.Orchestrator().stop()
