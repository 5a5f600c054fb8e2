"""Staged writes on an object store (moto server): a job's output object changes only when the job completes."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config


def both(value):
    return value, object()  # the second output (JSON) cannot encode an object: the job fails between writes


def copied(value):
    return value


def options(bucket) -> dict:
    client = {"endpoint_url": bucket["endpoint"], "region_name": "us-east-1"}
    return {"key": "test", "secret": "test", "client_kwargs": client}


def objects(bucket) -> list[str]:
    listed = bucket["client"].list_objects_v2(Bucket=bucket["bucket"]).get("Contents", [])
    return sorted(item["Key"] for item in listed)


@pytest.mark.parametrize("fails", [False, True])
def test_an_s3_output_is_committed_by_a_server_side_move_only_when_its_job_completes(s3_bucket, tmp_path, fails):
    url = f"s3://{s3_bucket['bucket']}/outputs/result.p"
    spec = Config.configure_data_node("spec", default_data="new")
    result = Config.configure_data_node("result", path=url, storage_options=options(s3_bucket))
    bad = Config.configure_data_node("bad", storage_type="json", default_path=str(tmp_path / "bad.json"))
    task = Config.configure_task("to_s3", both if fails else copied, spec, [result, bad] if fails else [result])
    config = Config.configure_scenario("s3_outputs", [task])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(config)
    scenario.result.write("old")
    submission = scenario.submit(wait=True)
    assert submission.jobs[0].status.name == ("FAILED" if fails else "COMPLETED")
    assert tp.get(scenario.result.id).read() == ("old" if fails else "new")
    assert objects(s3_bucket) == ["outputs/result.p"]  # no staged object left
