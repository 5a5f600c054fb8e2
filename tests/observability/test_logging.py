"""One logging path: a job's records reach the orchestrator's own logging setup (issue 12.3)."""

from __future__ import annotations

import json
import logging
import time

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.entities.registry import reset_registry
from tests.observability import user_funcs

MODES = [
    pytest.param("development", id="development"),
    pytest.param("standalone", id="standalone", marks=pytest.mark.processes),
    pytest.param("dask", id="dask", marks=[pytest.mark.dask, pytest.mark.processes]),
]
FIELDS = ("name", "levelname", "levelno", "funcName", "lineno", "pathname", "module")


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.formatted: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.formatted.append(self.format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document = {name: getattr(record, name) for name in FIELDS}
        document["message"] = record.getMessage()
        document["rows"] = getattr(record, "rows", None)
        document["exception"] = self.formatException(record.exc_info) if record.exc_info else record.exc_text
        return json.dumps(document)


@pytest.fixture
def handler():
    handler = ListHandler()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("mypipe")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def _run(mode: str, function, value=20):
    Config.configure_job_executions(mode=mode, max_nb_of_workers=1)
    task = Config.configure_task("logs", function, Config.configure_data_node("n", default_data=value),
                                 Config.configure_data_node("out"))  # fmt: skip
    scenario = Config.configure_scenario("s", [task])
    tp.Orchestrator().run()
    try:
        submission = tp.create_scenario(scenario).submit(wait=True, timeout=60)
        return tp.get(submission.jobs[0].id)
    finally:
        tp.Orchestrator().stop()


def _documents(mode: str, handler: ListHandler) -> list[dict]:
    job = _run(mode, user_funcs.log_some)
    assert job.is_completed()
    assert "[mypipe][WARNING] careful" in job.stderr  # also kept with the job
    assert "RuntimeError: inner problem" in job.stderr
    return [json.loads(text) for text in handler.formatted]


@pytest.mark.parametrize("mode", MODES)
def test_a_users_handler_and_formatter_get_the_jobs_records_with_their_fields(mode, handler):
    documents = _documents(mode, handler)
    assert [d["message"] for d in documents] == ["starting with 20", "careful", "caught it"]
    assert [d["levelname"] for d in documents] == ["INFO", "WARNING", "ERROR"]
    assert all(d["name"] == "mypipe" and d["funcName"] == "log_some" for d in documents)
    assert documents[1]["rows"] == 3  # an extra field
    assert documents[1]["pathname"] == user_funcs.__file__
    assert "RuntimeError: inner problem" in documents[2]["exception"]
    assert 'raise RuntimeError("inner problem")' in documents[2]["exception"]


def test_the_records_have_the_same_fields_in_every_mode(handler):
    modes = ["development", "standalone", "dask"]
    seen = {}
    for mode in modes:
        handler.formatted.clear()
        seen[mode] = _documents(mode, handler)
        reset_registry()
        Config._reset()
    assert seen["development"] == seen["standalone"] == seen["dask"]


test_the_records_have_the_same_fields_in_every_mode = pytest.mark.dask(
    pytest.mark.processes(test_the_records_have_the_same_fields_in_every_mode)
)


@pytest.mark.processes
def test_records_keep_their_order_and_the_users_levels_apply(handler):
    logging.getLogger("mypipe.bulk").setLevel(logging.WARNING)
    try:
        job = _run("standalone", user_funcs.many_records, 500)
    finally:
        logging.getLogger("mypipe.bulk").setLevel(logging.NOTSET)
    assert job.is_completed()
    assert [r.getMessage() for r in handler.records] == [f"record {i}" for i in range(500)]
    assert all(r.name == "mypipe.bulk" for r in handler.records)


@pytest.mark.processes
def test_a_logger_the_user_silenced_here_stays_silent_for_jobs(handler):
    logging.getLogger("mypipe").setLevel(logging.ERROR)
    job = _run("standalone", user_funcs.log_some)
    assert [r.getMessage() for r in handler.records] == ["caught it"]
    assert "careful" not in job.stderr  # not emitted at all, as in development mode


@pytest.mark.processes
def test_a_record_reaches_the_users_handler_while_its_job_still_runs(handler, tmp_path):
    """Records are batched, but one that no other follows is sent within a batch delay, not at the job's end."""
    go = tmp_path / "go"
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
    path = Config.configure_data_node("p", default_data=str(go))
    task = Config.configure_task("waits", user_funcs.log_then_wait, path, Config.configure_data_node("out"))
    config = Config.configure_scenario("s", [task])
    tp.Orchestrator().run()
    try:
        scenario = tp.create_scenario(config)
        submission = scenario.submit()
        deadline = time.monotonic() + 20
        while not handler.records and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [r.getMessage() for r in handler.records] == ["still running"]
        assert not submission.is_finished()  # the job waits for the test: the record came before its end
        go.write_text("")
        assert submission.wait(30)
        assert scenario.out.read() is True
    finally:
        tp.Orchestrator().stop()


@pytest.mark.processes
def test_records_from_jobs_are_built_by_the_users_record_factory(handler):
    standard = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = standard(*args, **kwargs)
        record.tenant = "acme"
        return record

    logging.setLogRecordFactory(factory)
    try:
        job = _run("standalone", user_funcs.many_records, 5)
    finally:
        logging.setLogRecordFactory(standard)
    assert job.is_completed()
    assert [(r.getMessage(), r.tenant) for r in handler.records] == [(f"record {i}", "acme") for i in range(5)]
