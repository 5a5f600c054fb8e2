"""On a PostgreSQL store the states of jobs and submissions reach clients through LISTEN/NOTIFY.

A service plays host "host-a"; this test process and a second client process are clients on
"another host" (they reach the service only through the store and its TCP address).
"""

from __future__ import annotations

import json
import select
import subprocess
import sys

import pytest

import scenaria as tp
from scenaria.entities.registry import reset_registry
from scenaria.entities.status import Status
from scenaria.events.notifier import Notifier
from scenaria.orchestrator import lease
from scenaria.store import open_repository
from tests.service.test_service import client_config, env, write_config

pytestmark = [pytest.mark.processes, pytest.mark.postgresql]
WATCH = """
import sys, scenaria as tp, svc_config
submission = tp.get(sys.argv[1])
print(submission.wait(60), submission.submission_status.name, flush=True)
"""


def _notifications(conn, submission_id: str, timeout: float = 60) -> list[dict]:
    """What the channel carried about one submission, until its ``done``."""
    seen: list[dict] = []
    while not any(message.get("done") == submission_id for message in seen):
        assert select.select([conn], [], [], timeout)[0], f"no done for {submission_id}: {seen}"
        conn.poll()
        while conn.notifies:
            message = json.loads(conn.notifies.pop(0).payload)
            if submission_id in (message.get("submission_id"), message.get("done")):
                seen.append(message)
    return seen


def test_events_and_ends_reach_clients_on_other_hosts_through_listen_notify(tmp_path, serve, postgres_server):
    import psycopg2

    schema = postgres_server.fresh_schema()
    store = {"repository_type": "postgresql", "repository_properties": {"url": postgres_server.url, "schema": schema}}
    write_config(tmp_path, store=store)
    try:
        service = serve(SCENARIA_HOSTNAME="host-a", SCENARIA_CONTROL_ADDRESS="127.0.0.1:0").ready()
        with open_repository({"type": "postgresql", "url": postgres_server.url, "schema": schema}) as repo:
            record = repo.get_meta(lease.key("svc"))
        assert record["host"] == "host-a" and record["channel"].startswith("scenaria_")
        spy = psycopg2.connect(postgres_server.url)  # listens as any client does
        spy.autocommit = True
        spy.cursor().execute(f'LISTEN "{record["channel"]}"')

        config = client_config(tmp_path)
        scenario = tp.create_scenario(config.slow)
        scenario.seconds.write(3)
        _, events = Notifier.register()
        submission = tp.submit(scenario)
        watcher = subprocess.Popen(  # another client: it only waits, submitted elsewhere
            [sys.executable, "-c", WATCH, submission.id], cwd=tmp_path, env=env(), stdout=subprocess.PIPE, text=True
        )
        assert submission.wait(60) and submission.submission_status.name == "COMPLETED"
        assert scenario.slept.read() == 3
        job = submission.jobs[0]
        received = []
        while not events.empty():
            event = events.get()
            if event.entity_id in (job.id, submission.id):
                received.append((event.entity_id, event.operation.name, event.attribute_name))
        assert (job.id, "UPDATE", "status") in received

        carried = _notifications(spy, submission.id)
        job_states = [m["event"]["attribute_value"] for m in carried if m.get("event", {}).get("entity_id") == job.id]
        assert "RUNNING" in job_states and job_states[-1] == "COMPLETED"
        assert carried[-1] == {"done": submission.id}  # the end comes after every state
        sent = [(m["event"]["entity_id"], m["event"]["operation"], m["event"]["attribute_name"]) for m in carried[:-1]]
        assert received == sent  # all of them, the first ones (sent before the submit was answered) too
        out, _ = watcher.communicate(timeout=60)
        assert out.split() == ["True", "COMPLETED"]

        # requests still go over TCP: cancel a running job from this host
        scenario.seconds.write(60)
        running = tp.submit(scenario)
        while True:
            event = events.get(timeout=60)
            if event.entity_id == running.jobs[0].id and event.attribute_value is Status.RUNNING:
                break
        tp.cancel_job(running.jobs[0])
        assert running.wait(30) and running.submission_status.name == "CANCELED"
        spy.close()
        assert service.stop() == 0
    finally:
        tp.Orchestrator().stop()
        reset_registry()
        postgres_server.drop_schema(schema)
