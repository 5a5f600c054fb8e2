"""With worker processes: cancel a running job or a submission, and the events as SSE."""

from __future__ import annotations

import pytest

import scenaria as tp
from tests.web.sse import EventReader

pytestmark = pytest.mark.processes


def _running(client, scenario_id: str) -> dict:
    reader_job = None
    for _ in range(400):
        jobs = client.get("/api/v1/jobs/", params={"status": "RUNNING"}).json()
        reader_job = next((job for job in jobs if job["submit_entity_id"] == scenario_id), None)
        if reader_job:
            return reader_job
        __import__("time").sleep(0.05)
    raise AssertionError("the job never ran")


def test_cancel_a_running_job_kills_it(standalone_server, configs):
    scenario = tp.create_scenario(configs["slow"])
    with standalone_server.client() as client:
        client.post(f"/api/v1/scenarios/submit/{scenario.id}")
        job = _running(client, scenario.id)
        canceled = client.post(f"/api/v1/jobs/cancel/{job['id']}")
        assert canceled.status_code == 200
        assert tp.get(job["submit_id"]).wait(20)
        assert client.get(f"/api/v1/jobs/{job['id']}").json()["job"]["status"] == "CANCELED"
        logs = client.get(f"/api/v1/jobs/{job['id']}/logs").json()
    assert logs["status"] == "CANCELED"


def test_cancel_a_submission(standalone_server, configs):
    scenario = tp.create_scenario(configs["slow"])
    with standalone_server.client() as client:
        submission = client.post(f"/api/v1/scenarios/submit/{scenario.id}").json()["submission"]
        _running(client, scenario.id)
        answer = client.post(f"/api/v1/submissions/cancel/{submission['id']}").json()
        assert len(answer["canceled"]) == 1
        assert tp.get(submission["id"]).wait(20)
        status = client.get(f"/api/v1/submissions/{submission['id']}").json()["submission"]["submission_status"]
    assert status == "CANCELED"


def test_events_stream_job_states_filtered_and_replayed(standalone_server, configs):
    scenario = tp.create_scenario(configs["chain"])
    url = f"{standalone_server.url}/api/v1/events"
    jobs_only = EventReader(url, params={"entity_type": "JOB"})
    try:
        with standalone_server.client() as client:
            submission = client.post(f"/api/v1/scenarios/submit/{scenario.id}").json()["submission"]
        last = jobs_only.next_matching(
            entity_id=submission["jobs"][1], attribute_name="status", attribute_value="COMPLETED"
        )
        assert last["entity_type"] == "JOB" and last["operation"] == "UPDATE"
        assert all(message["entity_type"] == "JOB" for message in list(jobs_only.messages.queue))
    finally:
        jobs_only.close()
    replay = EventReader(url, headers={"Last-Event-ID": "0"}, params={"entity_id": scenario.id})
    try:
        submitted = replay.next_matching(operation="SUBMISSION", timeout=5)
        assert submitted["entity_type"] == "SCENARIO" and submitted["entity_id"] == scenario.id
    finally:
        replay.close()


def test_bad_event_filters_are_refused(standalone_server):
    with standalone_server.client() as client:
        assert "entity_type" in client.get("/api/v1/events", params={"entity_type": "NOPE"}).json()["message"]
        assert client.get("/api/v1/events", headers={"Last-Event-ID": "x"}).status_code == 422
