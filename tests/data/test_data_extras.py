"""Optional libraries: never imported by ``import scenaria``; missing ones named with their pip install.

Each case runs in a fresh interpreter where the library is made unimportable
(``sys.modules[name] = None``), as on a machine without the extra.
"""

from __future__ import annotations

import pytest

from tests.support.scripts import ok, run_python

HEAVY = ("pandas", "numpy", "pyarrow", "openpyxl", "sqlalchemy", "pymongo", "boto3", "fsspec", "dask", "polars")


def test_scenaria_and_its_data_nodes_load_without_the_heavy_libraries(tmp_path):
    done = run_python(
        f"""
        import sys
        import scenaria as tp
        from scenaria import Config, Scope
        for storage in ("csv", "excel", "json", "parquet"):
            tp.create_global_data_node(Config.configure_data_node(storage, storage, scope=Scope.GLOBAL))
        tp.create_global_data_node(Config.configure_sql_table_data_node(
            "table", db_name="d", db_engine="sqlite", table_name="t", scope=Scope.GLOBAL))
        tp.create_global_data_node(Config.configure_s3_object_data_node(
            "s3", aws_access_key="a", aws_secret_access_key="b", aws_s3_bucket_name="c", aws_s3_object_key="d",
            scope=Scope.GLOBAL))
        tp.create_global_data_node(Config.configure_mongo_collection_data_node(
            "mongo", db_name="d", collection_name="c", scope=Scope.GLOBAL))
        print(sorted(name for name in {HEAVY!r} if name in sys.modules))
    """,
        tmp_path,
        timeout=120,
    )
    out = ok(done).strip()
    assert out.splitlines()[-1] == "[]"


CASES = [
    ("pandas", 'Config.configure_csv_data_node("x", scope=Scope.GLOBAL)', "dn.write([[1]])", "scenaria[pandas]"),
    ("openpyxl", 'Config.configure_excel_data_node("x", scope=Scope.GLOBAL)', "dn.write([[1]])", "scenaria[excel]"),
    ("pyarrow", 'Config.configure_parquet_data_node("x", scope=Scope.GLOBAL)', "dn.write([[1]])", "scenaria[parquet]"),
    (
        "polars",
        'Config.configure_csv_data_node("x", exposed_type="polars", scope=Scope.GLOBAL)',
        "dn.write([[1]]); dn.read()",
        "scenaria[polars]",
    ),
    (
        "sqlalchemy",
        'Config.configure_sql_table_data_node("x", db_name="d", db_engine="sqlite", table_name="t", '
        "scope=Scope.GLOBAL)",
        "dn.read()",
        "scenaria[sql]",
    ),
    (
        "psycopg2",
        'Config.configure_sql_table_data_node("x", db_name="d", db_engine="postgresql", table_name="t", '
        'db_username="u", db_password="p", scope=Scope.GLOBAL)',
        "dn.read()",
        "scenaria[postgresql]",
    ),
    (
        "boto3",
        'Config.configure_s3_object_data_node("x", aws_access_key="a", aws_secret_access_key="b", '
        'aws_s3_bucket_name="c", aws_s3_object_key="d", scope=Scope.GLOBAL)',
        "dn.read()",
        "scenaria[s3]",
    ),
    (
        "pymongo",
        'Config.configure_mongo_collection_data_node("x", db_name="d", collection_name="c", scope=Scope.GLOBAL)',
        "dn.read()",
        "scenaria[mongo]",
    ),
    (
        "fsspec",
        'Config.configure_json_data_node("x", default_path="memory://a.json", scope=Scope.GLOBAL)',
        "dn.write({})",
        "scenaria[s3]",
    ),
]


@pytest.mark.parametrize(("missing", "config", "use", "extra"), CASES, ids=[case[0] for case in CASES])
def test_a_missing_library_names_the_pip_install(tmp_path, missing, config, use, extra):
    done = run_python(
        f"""
        import sys
        sys.modules[{missing!r}] = None
        import scenaria as tp
        from scenaria import Config, Scope
        from scenaria.exceptions import DependencyNotInstalled
        try:  # a remote path needs fsspec from the creation on
            dn = tp.create_global_data_node({config})
            {use}
        except DependencyNotInstalled as exc:
            print(exc)
        else:
            print("no error")
    """,
        tmp_path,
        timeout=120,
    )
    out = ok(done).strip()
    assert f'pip install "{extra}"' in out, out
    assert "data node DATANODE_x" in out and f"needs {missing}" in out


def test_csv_with_a_class_as_exposed_type_needs_no_pandas(tmp_path):
    done = run_python(
        """
        import sys
        sys.modules["pandas"] = None
        import scenaria as tp
        from scenaria import Config, Scope
        from scenaria.data.mongo import MongoDefaultDocument as Row
        dn = tp.create_global_data_node(Config.configure_csv_data_node("x", exposed_type=Row, scope=Scope.GLOBAL))
        dn.write([Row(a=1, b="x"), Row(a=2, b="y")])
        dn.append([Row(a=3, b="z")])
        print([(row.a, row.b) for row in dn.read()])
    """,
        tmp_path,
        timeout=120,
    )
    out = ok(done).strip()
    assert out == "[('1', 'x'), ('2', 'y'), ('3', 'z')]"
