"""A monthly planning configuration in the style of Taipy's scenario-management documentation:
a global csv history, cycle-scoped model and predictions, a comparator, two sequences, and
orders in an SQLite table (the documentation's example uses a database server)."""

import os
import sqlite3
from datetime import datetime

import pandas as pd
from taipy import Config, Frequency, Scope

FOLDER = os.path.dirname(os.path.abspath(__file__))


def prepare_files():
    pd.DataFrame({"month": [1, 2, 3], "sold": [10, 12, 14]}).to_csv(os.path.join(FOLDER, "sales.csv"), index=False)
    with sqlite3.connect(os.path.join(FOLDER, "planning.db")) as db:
        db.execute("CREATE TABLE IF NOT EXISTS orders (month INTEGER, quantity INTEGER)")


def write_orders(data: pd.DataFrame):
    rows = data[["month", "quantity"]].to_dict("records")
    return ["DELETE FROM orders", ("INSERT INTO orders VALUES (:month, :quantity)", rows)]


def train(history: pd.DataFrame):
    print("training on", len(history), "months")
    return {"slope": 2}


def predict(model, current_month):
    print("predicting for", current_month.strftime("%Y-%m"))
    return current_month.month * model["slope"] + 10


def plan(prediction, capacity):
    print("planning", prediction, "within", capacity)
    return pd.DataFrame({"month": [1], "quantity": [min(prediction, capacity)]})


def gap(*predictions):
    return [prediction - predictions[0] for prediction in predictions]


history_cfg = Config.configure_csv_data_node("sales_history", scope=Scope.GLOBAL, default_path="sales.csv")
model_cfg = Config.configure_data_node("trained_model", scope=Scope.CYCLE)
month_cfg = Config.configure_data_node("current_month", scope=Scope.CYCLE, default_data=datetime(2020, 1, 1))
prediction_cfg = Config.configure_data_node("sales_predictions", scope=Scope.CYCLE)
capacity_cfg = Config.configure_data_node("capacity", default_data=13)
orders_cfg = Config.configure_sql_data_node(
    "orders",
    db_name="planning",
    db_engine="sqlite",
    sqlite_folder_path=FOLDER,
    read_query="SELECT month, quantity FROM orders",
    write_query_builder=write_orders,
)
training_cfg = Config.configure_task("training", train, history_cfg, [model_cfg])
predicting_cfg = Config.configure_task("predicting", predict, [model_cfg, month_cfg], prediction_cfg)
planning_cfg = Config.configure_task("planning", plan, [prediction_cfg, capacity_cfg], [orders_cfg])
monthly_cfg = Config.configure_scenario(
    "monthly",
    [training_cfg, predicting_cfg, planning_cfg],
    frequency=Frequency.MONTHLY,
    comparators={prediction_cfg.id: gap},
    sequences={"sales": [training_cfg, predicting_cfg], "production": [planning_cfg]},
)
