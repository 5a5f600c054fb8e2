"""``[CORE] storage_options``: one setting gives fsspec options to every file data node (moto server)."""

from __future__ import annotations

import scenaria as tp
from scenaria import Config
from tests.data.test_data_staged_s3 import objects, options


def test_the_core_storage_options_reach_every_file_data_node_without_options_of_its_own(s3_bucket):
    bucket = s3_bucket["bucket"]
    Config.configure_core(storage_folder=f"s3://{bucket}/scenaria", storage_options=options(s3_bucket))
    generated = Config.configure_data_node("generated")  # a pickle file under the storage folder
    table = Config.configure_csv_data_node("table", default_path=f"s3://{bucket}/tables/table.csv")
    own = Config.configure_json_data_node("own", default_path=f"s3://{bucket}/own.json",
                                          storage_options={**options(s3_bucket), "anon": False})  # fmt: skip
    scenario = tp.create_scenario(Config.configure_scenario("on_s3", additional_data_node_configs=[generated, table,
                                                                                                    own]))  # fmt: skip
    scenario.generated.write({"a": 1})
    scenario.table.write([{"x": 1}, {"x": 2}])
    scenario.own.write([1, 2])
    assert tp.get(scenario.generated.id).read() == {"a": 1}
    assert tp.get(scenario.table.id).read()["x"].tolist() == [1, 2]
    assert tp.get(scenario.own.id).properties["storage_options"]["anon"] is False  # its own are kept
    assert tp.get(scenario.generated.id).path == f"s3://{bucket}/scenaria/pickles/{scenario.generated.id}.p"
    assert objects(s3_bucket) == sorted(["own.json", "tables/table.csv", f"scenaria/pickles/{scenario.generated.id}.p"])
