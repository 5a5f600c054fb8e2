"""Dask mode with a scheduler address refuses relative file paths (each worker would resolve its own);
``[CORE] storage_options`` must be a dict."""

from __future__ import annotations

from scenaria import Config
from scenaria.exceptions import ConfigCheckError

ADDRESS = "tcp://scheduler:8786"


def errors() -> list:
    try:
        Config.check()
    except ConfigCheckError as error:
        return error.issues.errors
    return []


def test_the_default_relative_storage_folder_is_refused_on_a_dask_cluster_with_the_fix(tmp_path):
    Config.configure_job_executions(mode="dask", address=ADDRESS)
    (issue,) = errors()
    assert (issue.section, issue.field, issue.value) == ("CORE", "storage_folder", "user_data/")
    assert "is relative" in issue.message and "s3://bucket/scenaria" in issue.message
    Config.configure_core(storage_folder=str(tmp_path / "shared"), shared_storage=True)
    assert errors() == []


def test_a_url_storage_folder_is_accepted_on_a_dask_cluster():
    Config.configure_job_executions(mode="dask", address=ADDRESS)
    Config.configure_core(storage_folder="s3://bucket/scenaria")
    assert errors() == []


def test_an_absolute_path_on_a_remote_cluster_must_be_declared_shared():
    Config.configure_job_executions(mode="dask", address=ADDRESS)
    Config.configure_core(storage_folder="/mnt/shared/scenaria")
    Config.configure_data_node("kept", default_path="/data/kept.p")
    issues = {(issue.section, issue.field): issue.message for issue in errors()}
    assert set(issues) == {("CORE", "storage_folder"), ("DATA_NODE.kept", "default_path")}
    assert "shared_storage=True" in issues["CORE", "storage_folder"] and "s3://" in issues["CORE", "storage_folder"]
    Config.configure_core(shared_storage=True)
    assert errors() == []


def test_a_scheduler_on_the_loopback_has_its_workers_here(tmp_path):
    Config.configure_job_executions(mode="dask", address="tcp://127.0.0.1:8786")
    Config.configure_core(storage_folder=str(tmp_path))
    assert errors() == []


def test_shared_storage_is_a_bool():
    Config.configure_job_executions(mode="dask", address=ADDRESS)
    Config.configure_core(storage_folder="s3://bucket/scenaria", shared_storage="yes")
    (issue,) = errors()
    assert (issue.section, issue.field, issue.value) == ("CORE", "shared_storage", "yes")


def test_a_relative_file_data_node_path_is_refused_on_a_dask_cluster_but_not_elsewhere(tmp_path):
    Config.configure_core(storage_folder=str(tmp_path), shared_storage=True)
    Config.configure_csv_data_node("table", default_path="tables/t.csv")
    Config.configure_data_node("remote", default_path="s3://bucket/r.p")
    Config.configure_data_node("kept", storage_type="generic", read_fct=print)  # no file path of its own
    for mode in ({"mode": "standalone"}, {"mode": "dask"}):  # the local cluster runs here, in this folder
        Config.configure_job_executions(**mode)
        assert errors() == []
    Config.configure_job_executions(mode="dask", address=ADDRESS)
    (issue,) = errors()
    assert (issue.section, issue.field, issue.value) == ("DATA_NODE.table", "default_path", "tables/t.csv")


def test_core_storage_options_must_be_a_dict():
    Config.configure_core(storage_options="key=secret")
    (issue,) = errors()
    assert (issue.section, issue.field) == ("CORE", "storage_options")


def test_shared_storage_goes_through_toml(tmp_path):
    Config.configure_core(shared_storage=True)
    Config.backup(str(tmp_path / "app.toml"))
    assert 'shared_storage = "True:bool"' in (tmp_path / "app.toml").read_text()
    Config.restore(str(tmp_path / "app.toml"))
    assert Config.core.shared_storage is True
