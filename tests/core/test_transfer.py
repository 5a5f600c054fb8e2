"""export_scenario / import_scenario: archives of plain files, moved between the three stores."""

from __future__ import annotations

import fractions
import hashlib
import json
import zipfile

import pandas as pd
import pytest

import scenaria as tp
from scenaria import Config, Frequency, Scope
from scenaria.entities.registry import registry, reset_registry
from scenaria.exceptions import (
    ConflictedConfigurationError,
    DataToBeImportAlredyExist,
    EntitiesToBeImportAlredyExist,
    ExportPathAlreadyExists,
    ImportArchiveDoesntContainAnyScenario,
    InvalidScenarioArchive,
)

STORES = ["sqlite", "filesystem", "postgresql"]


def add_one(frame):
    return frame.assign(v=frame["v"] + 1)


def configure():
    rate = Config.configure_data_node("rate", scope=Scope.GLOBAL, default_data=0.5)
    raw = Config.configure_csv_data_node("raw")
    cooked = Config.configure_parquet_data_node("cooked")
    memo = Config.configure_json_data_node("memo", default_data={"k": 1})
    task = Config.configure_task("cook", add_one, raw, cooked)
    return Config.configure_scenario(
        "kitchen",
        [task],
        additional_data_node_configs=[rate, memo],
        frequency=Frequency.WEEKLY,
        sequences={"s": [task]},
    )


def use_store(kind, tmp_path, request, folder):
    """Point the application at a store of ``kind`` (and a storage folder of its own)."""
    tp.Orchestrator().stop()
    reset_registry()
    if kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        schema = server.fresh_schema()

        def drop():  # after the orchestrator and the store that use the schema are closed
            tp.Orchestrator().stop()
            reset_registry()
            server.drop_schema(schema)

        request.addfinalizer(drop)
        properties = {"url": server.url, "schema": schema}
    elif kind == "sqlite":
        properties = {"db_location": str(tmp_path / folder / "app.db")}
    else:
        properties = {}
    Config.configure_core(
        repository_type=kind,
        repository_properties=properties,
        storage_folder=str(tmp_path / folder / "data"),
        taipy_storage_folder=str(tmp_path / folder / "taipy"),
    )


def made(tmp_path):
    scenario = tp.create_scenario(configure(), name="dinner")
    scenario.raw.write(pd.DataFrame({"v": [1, 2]}))
    scenario.submit()
    scenario.sequences["s"].submit()
    scenario.add_tag("served")
    scenario.properties["weight"] = fractions.Fraction(3, 4)  # no JSON form: kept in a value file
    return scenario


@pytest.mark.parametrize("source", STORES)
@pytest.mark.parametrize("target", STORES)
def test_a_scenario_moves_between_stores_with_its_data(source, target, tmp_path, request):
    use_store(source, tmp_path, request, "a")
    scenario = made(tmp_path)
    ids = {dn.config_id: dn.id for dn in scenario.data_nodes.values()}
    task_id, cycle_id = scenario.tasks["cook"].id, scenario.cycle.id
    other = tp.create_scenario(Config.scenarios["kitchen"])  # its runs stay behind
    other.raw.write(pd.DataFrame({"v": [0]}))
    other.submit()
    ran = {job.id: job.status for job in tp.get_jobs() if job.task.id == task_id}
    submitted = {sub.id: sub.submission_status for sub in tp.get_submissions() if sub.entity_id != other.id}
    tp.export_scenario(scenario.id, tmp_path / "out", include_data=True)
    assert (tmp_path / "out.zip").exists()
    use_store(target, tmp_path, request, "b")
    assert tp.get_scenarios() == []
    imported = tp.import_scenario(tmp_path / "out.zip")
    assert imported.id == scenario.id and imported.name == "dinner" and imported.tags == {"served"}
    assert imported.cycle.id == cycle_id and imported.tasks["cook"].id == task_id
    assert {dn.config_id: dn.id for dn in imported.data_nodes.values()} == ids
    assert imported.raw.read()["v"].tolist() == [1, 2] and imported.cooked.read()["v"].tolist() == [2, 3]
    assert imported.memo.read() == {"k": 1} and imported.rate.read() == 0.5
    assert str(tmp_path / "b" / "data") in imported.cooked.path  # generated files land in this application
    assert set(imported.sequences) == {"s"} and imported.version == registry().version
    # its jobs and submissions come along, with their states, in the new store's version
    assert {job.id: job.status for job in tp.get_jobs()} == ran and len(ran) == 2
    assert {sub.id: sub.submission_status for sub in tp.get_submissions()} == submitted
    latest = tp.get_latest_submission(imported)
    assert latest.is_finished() and [job.task for job in latest.jobs] == [imported.tasks["cook"]]
    assert tp.get_latest_job(imported.tasks["cook"]).id in ran
    # stored for good: a fresh registry reads it back from the target store
    reset_registry()
    again = tp.get(scenario.id)
    assert again.raw.read()["v"].tolist() == [1, 2] and len(tp.get_data_nodes()) == 4
    assert {job.id for job in tp.get_jobs()} == set(ran) and len(tp.get_submissions()) == len(submitted)
    assert again.properties["weight"] == fractions.Fraction(3, 4)  # its value file came with the archive
    assert list((tmp_path / "b" / "data" / "values").iterdir())
    submission = again.submit()
    assert submission.submission_status.name == "COMPLETED"


def test_without_data_the_records_still_point_at_the_files(tmp_path, request):
    scenario = made(tmp_path)
    scenario.export(output_path=tmp_path / "plain.zip")  # Taipy's Scenario.export
    with zipfile.ZipFile(tmp_path / "plain.zip") as archive:
        names = set(archive.namelist())
        config = archive.read("config.toml").decode()
    assert not any(name.startswith("data/") for name in names)
    assert {"manifest.json", "config.toml", "records/scenario.json", "records/cycle.json"} <= names
    assert "[SCENARIO.kitchen]" in config
    use_store("filesystem", tmp_path, request, "b")
    assert tp.import_scenario(tmp_path / "plain.zip").raw.read()["v"].tolist() == [1, 2]


def test_existing_ids_are_refused_or_overridden(tmp_path):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x", include_data=True)
    with pytest.raises(ExportPathAlreadyExists, match="override=True"):
        tp.export_scenario(scenario.id, tmp_path / "x.zip")
    tp.export_scenario(scenario.id, tmp_path / "x.zip", override=True, include_data=True)
    scenario.raw.write(pd.DataFrame({"v": [9]}))
    with pytest.raises(EntitiesToBeImportAlredyExist, match="override=True"):  # a ScenarioImportConflict
        tp.import_scenario(tmp_path / "x.zip")
    assert scenario.raw.read()["v"].tolist() == [9]  # nothing changed
    back = tp.import_scenario(tmp_path / "x.zip", override=True)
    assert back.raw.read()["v"].tolist() == [1, 2] and len(tp.get_scenarios()) == 1


def without_runs(files):
    """The archive as exports wrote it before jobs and submissions were part of it."""
    manifest = json.loads(files["manifest.json"])
    for name in ("records/jobs.json", "records/submissions.json"):
        files.pop(name)
        del manifest["files"][name]
    files["manifest.json"] = json.dumps(manifest).encode()


def test_the_jobs_and_submissions_are_in_the_archive_and_an_archive_without_them_imports(tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        jobs = json.loads(archive.read("records/jobs.json"))
        submissions = json.loads(archive.read("records/submissions.json"))
    assert sorted(job["id"] for job in jobs) == sorted(job.id for job in tp.get_jobs())
    assert {sub["entity_id"] for sub in submissions} == {scenario.id, scenario.sequences["s"].id}
    rewrite(tmp_path / "x.zip", without_runs)
    use_store("filesystem", tmp_path, request, "b")
    assert tp.import_scenario(tmp_path / "x.zip").id == scenario.id
    assert tp.get_jobs() == [] and tp.get_submissions() == []


def test_a_data_file_already_where_the_import_would_write_it_is_refused(tmp_path, request):
    use_store("sqlite", tmp_path, request, "a")
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)
    use_store("filesystem", tmp_path, request, "a")  # another store, the same storage folder
    with pytest.raises(DataToBeImportAlredyExist, match="override=True"):  # a ScenarioImportConflict
        tp.import_scenario(tmp_path / "x.zip")
    assert tp.get_scenarios() == []
    assert tp.import_scenario(tmp_path / "x.zip", override=True).raw.read()["v"].tolist() == [1, 2]


def rewrite(path, change):
    """Rewrite the archive at ``path`` with ``change(files)`` applied to its {name: bytes}."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def tamper(files):
    records = json.loads(files["records/scenario.json"])
    records[0]["properties"]["name"] = "forged"
    files["records/scenario.json"] = json.dumps(records).encode()


def new_version(files):
    manifest = json.loads(files["manifest.json"])
    manifest["format_version"] = 99
    files["manifest.json"] = json.dumps(manifest).encode()


def no_version(files):
    manifest = json.loads(files["manifest.json"])
    del manifest["version"]
    files["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda files: files.pop("records/data_nodes.json"), "records/data_nodes.json is missing"),
        (lambda files: files.pop("manifest.json"), "no manifest.json"),
        (tamper, "records/scenario.json was changed after the export"),
        (new_version, "format version 99"),
        (no_version, "names no version"),  # ImportScenarioDoesntHaveAVersion, Taipy's name
        (lambda files: files.update({"extra.txt": b"x"}), "does not list"),
    ],
)
def test_a_bad_archive_is_refused_and_changes_nothing(damage, match, tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)
    rewrite(tmp_path / "x.zip", damage)
    use_store("sqlite", tmp_path, request, "b")
    with pytest.raises(InvalidScenarioArchive, match=match):
        tp.import_scenario(tmp_path / "x.zip")
    assert tp.get_scenarios() == [] and tp.get_data_nodes() == []
    assert not (tmp_path / "b" / "data").exists()


def test_a_corrupt_or_truncated_zip_is_refused(tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)
    content = (tmp_path / "x.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(content[: len(content) // 2])
    flipped = bytearray(content)
    flipped[len(content) // 3] ^= 0xFF
    (tmp_path / "flipped.zip").write_bytes(bytes(flipped))
    use_store("filesystem", tmp_path, request, "b")
    for name in ("cut.zip", "flipped.zip"):
        with pytest.raises(InvalidScenarioArchive):
            tp.import_scenario(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="No archive"):
        tp.import_scenario(tmp_path / "nowhere.zip")
    assert tp.get_scenarios() == []


def test_a_record_that_does_not_load_changes_nothing(tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)

    def no_scenario(files):
        files["records/scenario.json"] = b"[]"
        manifest = json.loads(files["manifest.json"])
        manifest["files"]["records/scenario.json"] = hashlib.sha256(b"[]").hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    rewrite(tmp_path / "x.zip", no_scenario)
    use_store("sqlite", tmp_path, request, "b")
    with pytest.raises(ImportArchiveDoesntContainAnyScenario):
        tp.import_scenario(tmp_path / "x.zip")
    assert tp.get_scenarios() == []


def test_an_archive_of_another_configuration_is_refused(tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip")
    use_store("sqlite", tmp_path, request, "b")
    Config.configure_csv_data_node("raw", has_header=False)  # the same id, other settings
    with pytest.raises(ConflictedConfigurationError, match="'raw'"):
        tp.import_scenario(tmp_path / "x.zip")
    assert tp.get_scenarios() == []


def with_listed(files, name, content):
    """Add ``name`` to the archive with a manifest entry that matches, as a forger would."""
    files[name] = content
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name] = hashlib.sha256(content).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize("name", ["data/{dn}/../../../../escaped.txt", "/tmp/escaped.txt", "data\\..\\escaped.txt"])
def test_a_file_name_that_leaves_the_data_folder_is_refused(name, tmp_path, request):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)
    rewrite(tmp_path / "x.zip", lambda files: with_listed(files, name.format(dn=scenario.raw.id), b"owned"))
    use_store("sqlite", tmp_path, request, "b")
    with pytest.raises(InvalidScenarioArchive, match="outside its data folder"):
        tp.import_scenario(tmp_path / "x.zip")
    assert not list(tmp_path.rglob("escaped.txt")) and tp.get_scenarios() == []


def test_an_override_that_fails_keeps_the_data_it_would_have_replaced(tmp_path, monkeypatch):
    scenario = made(tmp_path)
    tp.export_scenario(scenario.id, tmp_path / "x.zip", include_data=True)
    scenario.raw.write(pd.DataFrame({"v": [9]}))
    # the store fails when the import commits (injected: nothing here makes SQLite fail at that point on demand)
    working = registry().transaction

    def transaction():
        raise RuntimeError("the store went away")

    monkeypatch.setattr(registry(), "transaction", transaction)
    with pytest.raises(RuntimeError, match="went away"):
        tp.import_scenario(tmp_path / "x.zip", override=True)
    monkeypatch.setattr(registry(), "transaction", working)
    assert scenario.raw.read()["v"].tolist() == [9]
    assert not list(tmp_path.rglob(".import-*"))
