"""The worker settings of ``configure_job_executions``: checked, written to TOML and read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenaria import Config
from scenaria.dispatch.standalone import StandaloneDispatcher
from scenaria.exceptions import ConfigCheckError


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_jobs_per_worker", -1), ("max_jobs_per_worker", "many"), ("max_jobs_per_worker", 2.5),
     ("max_output_size", 10), ("max_output_size", True), ("job_grace_period", -1), ("job_grace_period", "soon")],
)  # fmt: skip
def test_bad_worker_settings_fail_the_check(name: str, value: object) -> None:
    Config.configure_job_executions(mode="standalone", **{name: value})
    with pytest.raises(ConfigCheckError, match=name):
        Config.check()


def test_worker_settings_go_to_toml_and_back(tmp_path: Path) -> None:
    Config.configure_job_executions(
        mode="standalone", max_jobs_per_worker=5, max_output_size=2048, job_grace_period=0.5
    )
    Config.check()
    path = tmp_path / "config.toml"
    Config.backup(str(path))
    text = path.read_text()
    assert "max_jobs_per_worker" in text and "max_output_size" in text
    Config.load(str(path))
    job = Config.job_config
    assert (job.max_jobs_per_worker, job.max_output_size, job.job_grace_period) == (5, 2048, 0.5)
    pool = StandaloneDispatcher.configured(1, job.properties)
    assert (pool._max_jobs, pool._max_output, pool._job_grace) == (5, 2048, 0.5)
