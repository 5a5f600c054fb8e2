"""The calls of Taipy's data integration documentation: json with an encoder and a decoder, a
generic node with its functions' arguments, excel sheets read as a custom type, parquet with
read and write arguments, an SQLite table, csv as numpy, filters and appends."""

import json
import os
import sqlite3

import pandas as pd
import taipy as tp
from taipy import Config, Scope
from taipy.core.data.operator import JoinOperator, Operator


class SaleRow:
    def __init__(self, date, nb_sales):
        self.date = date
        self.nb_sales = nb_sales

    def __repr__(self):
        return f"SaleRow({self.date}, {self.nb_sales})"


class SaleRowEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, SaleRow):
            return {"__type__": "SaleRow", "date": o.date, "nb_sales": o.nb_sales}
        return super().default(o)


class SaleRowDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, object_hook=self.object_hook, **kwargs)

    def object_hook(self, d):
        if d.get("__type__") == "SaleRow":
            return SaleRow(d["date"], d["nb_sales"])
        return d


def read_lines(path, prefix):
    with open(path) as file:
        return [prefix + line.strip() for line in file]


def write_lines(data, path, prefix):
    with open(path, "w") as file:
        file.writelines(f"{item}\n" for item in data)


if __name__ == "__main__":
    with pd.ExcelWriter("sales.xlsx") as writer:
        pd.DataFrame({"date": ["01-01", "01-02"], "nb_sales": [3, 4]}).to_excel(
            writer, sheet_name="January", index=False
        )
        pd.DataFrame({"date": ["02-01"], "nb_sales": [7]}).to_excel(writer, sheet_name="February", index=False)
    with sqlite3.connect("taipy.sqlite3") as db:
        db.execute("CREATE TABLE sales (date TEXT, nb_sales INTEGER)")
    pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}).to_csv("numbers.csv", index=False)

    json_cfg = Config.configure_json_data_node(
        "sales_json", default_path="sales.json", encoder=SaleRowEncoder, decoder=SaleRowDecoder
    )
    generic_cfg = Config.configure_generic_data_node(
        "lines", read_fct=read_lines, write_fct=write_lines, read_fct_args=["lines.txt", "> "],
        write_fct_args=["lines.txt", "ignored"],
    )  # fmt: skip
    excel_cfg = Config.configure_excel_data_node(
        "sales_excel", default_path="sales.xlsx", sheet_name=["January", "February"], exposed_type=SaleRow
    )
    parquet_cfg = Config.configure_parquet_data_node(
        "logs",
        default_path="logs.parquet",
        read_kwargs={"filters": [("log_level", "in", ["ERROR", "CRITICAL"])]},  # a list: Taipy cannot save a set
        write_kwargs={"partition_cols": ["log_level"], "compression": None},
    )
    table_cfg = Config.configure_sql_table_data_node(
        "sales_table", db_name="taipy", db_engine="sqlite", table_name="sales", sqlite_folder_path=".",
        sqlite_file_extension=".sqlite3",
    )  # fmt: skip
    numpy_cfg = Config.configure_csv_data_node("numbers", default_path="numbers.csv", exposed_type="numpy")
    frame_cfg = Config.configure_csv_data_node("frame", default_path="numbers.csv", scope=Scope.GLOBAL)
    memory_cfg = Config.configure_in_memory_data_node("memory", default_data=[1, 2])
    pickle_cfg = Config.configure_pickle_data_node("model", default_data={"weights": [0.5]})
    scenario_cfg = Config.configure_scenario(
        "integration",
        additional_data_node_configs=[json_cfg, generic_cfg, excel_cfg, parquet_cfg, table_cfg, numpy_cfg,
                                      frame_cfg, memory_cfg, pickle_cfg],
    )  # fmt: skip
    scenario = tp.create_scenario(scenario_cfg)

    scenario.sales_json.write([SaleRow("03-01", 5), SaleRow("03-02", 6)])
    print("json:", scenario.sales_json.read())
    with open("sales.json") as file:
        print("json file:", json.load(file))
    scenario.lines.write(["first", "second"])
    print("generic:", scenario.lines.read())
    print("excel:", scenario.sales_excel.read())
    logs = pd.DataFrame({"log_level": ["INFO", "ERROR", "CRITICAL", "ERROR"], "message": list("abcd")})
    scenario.logs.write(logs)
    print("parquet folder:", sorted(os.listdir("logs.parquet")))
    errors = scenario.logs.read()
    print("parquet read:", sorted(errors["message"]), sorted(set(str(level) for level in errors["log_level"])))
    scenario.sales_table.write(pd.DataFrame({"date": ["04-01"], "nb_sales": [9]}))
    scenario.sales_table.append(pd.DataFrame({"date": ["04-02"], "nb_sales": [10]}))
    print("sql table:", scenario.sales_table.read().to_dict("records"))
    numbers = scenario.numbers.read()
    print("numpy:", type(numbers).__name__, numbers.tolist())
    frame = scenario.frame
    print("filter >:", frame.filter(("a", 1, Operator.GREATER_THAN)).to_dict("records"))
    print(
        "filter or:", frame.filter([("a", 1, Operator.EQUAL), ("b", 6, Operator.EQUAL)], JoinOperator.OR)["a"].tolist()
    )
    print("indexing:", frame["b"].tolist(), frame[frame["a"] < 3]["b"].tolist())
    frame.append(pd.DataFrame({"a": [7], "b": [8]}))
    print("appended:", frame.read()["a"].tolist())
    print("memory:", scenario.memory.read(), "pickle:", scenario.model.read())
    print("is_ready_for_reading:", scenario.memory.is_ready_for_reading, "storage types:",
          sorted(dn.storage_type() for dn in scenario.data_nodes.values()))  # fmt: skip
