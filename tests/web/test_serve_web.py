"""``scenaria serve CONFIG --web [HOST:]PORT``: the orchestrator and the web app in one process.

The test process is a pure HTTP client: it creates and submits over REST and watches the event
stream; the jobs run in the service's worker processes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.network import free_port
from tests.support.scripts import child_env, write_script
from tests.web.sse import EventReader

pytestmark = pytest.mark.processes

CONFIG = """
    from scenaria import Config

    def double(x):
        return 2 * x

    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    source = Config.configure_data_node("source", default_data=21)
    result = Config.configure_data_node("result")
    Config.configure_scenario("answer", [Config.configure_task("double", double, source, result)])
"""


def _serve(tmp_path, *args: str, log=None) -> subprocess.Popen:
    """``scenaria serve app.py ARGS``; its stderr piped, or written to ``log`` (an open file)."""
    write_script(tmp_path, CONFIG)
    return subprocess.Popen(
        [sys.executable, "-m", "scenaria", "serve", "app.py", "--grace", "1", *args],
        cwd=tmp_path,
        env={**child_env(), "SCENARIA_WEB_TOKEN": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if log is None else log,
        text=True,
    )


def _ready(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(url + "/api/v1/scenarios/").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the web app of the service did not answer"
        time.sleep(0.1)


def test_a_job_submitted_over_rest_runs_in_the_service_and_its_end_is_streamed(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(tmp_path, "--web", str(port))
    try:
        _ready(process, url)
        reader = EventReader(f"{url}/api/v1/events", params={"entity_type": "JOB"})
        try:
            with httpx.Client(base_url=url + "/api/v1", timeout=30) as client:
                scenario = client.post("/scenarios/", params={"config_id": "answer"}).json()["scenario"]
                submitted = client.post(f"/scenarios/submit/{scenario['id']}").json()
                (job_id,) = submitted["submission"]["jobs"]
                ended = reader.next_matching(timeout=60, entity_id=job_id, attribute_value="COMPLETED")
                assert ended["attribute_name"] == "status"
                assert client.get(f"/jobs/{job_id}").json()["job"]["status"] == "COMPLETED"
                result = next(node for node in scenario["data_nodes"] if node.startswith("DATANODE_result"))
                assert client.get(f"/datanodes/{result}/read").json() == {"data": 42}
        finally:
            reader.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"Serving the web app on http://127.0.0.1:{port}/" in err


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("nope", "--web 'nope' is not [HOST:]PORT"),
        ("127.0.0.1:99999", "is not [HOST:]PORT"),
        ("0.0.0.0:8123", "refusing to listen on 0.0.0.0 without a token"),
    ],
)
def test_a_bad_web_address_is_refused_before_anything_runs(tmp_path, address, message):
    process = _serve(tmp_path, "--web", address)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3, err
    assert message in err and "Serving version" not in err


def test_serve_web_beyond_localhost_takes_the_token_as_scenaria_web_does(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/scenarios/"
    process = _serve(tmp_path, "--web", f"0.0.0.0:{port}", "--token", "s3cret")
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                answer = httpx.get(url, headers={"Authorization": "Bearer s3cret"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the web app of the service did not answer"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert httpx.get(url).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err


def test_a_port_in_use_stops_the_service_with_a_clear_message(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = _serve(tmp_path, "--web", str(port))
    try:
        _ready(first, url)
        second = subprocess.Popen(
            [sys.executable, "-m", "scenaria", "serve", "--grace", "1", "--web", str(port)],
            cwd=tmp_path / "..",
            env={**child_env(), "SCENARIA_WEB_TOKEN": ""},
            stderr=subprocess.PIPE,
            text=True,
        )
        _, err = second.communicate(timeout=60)
        assert second.returncode == 3, err
        assert "could not listen on" in err and "port in use" in err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)


def test_scenaria_web_beside_a_service_is_its_client(tmp_path):
    log = tmp_path / "serve.log"
    with log.open("w") as written:
        service = _serve(tmp_path, log=written)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web = None
    try:
        deadline = time.monotonic() + 60
        while "Serving version" not in log.read_text():
            assert service.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        web = subprocess.Popen(
            [sys.executable, "-m", "scenaria", "web", "app.py", "--port", str(port)],
            cwd=tmp_path,
            env={**child_env(), "SCENARIA_WEB_TOKEN": ""},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _ready(web, url)
        with httpx.Client(base_url=url + "/api/v1", timeout=30) as client:
            scenario = client.post("/scenarios/", params={"config_id": "answer"}).json()["scenario"]
            submitted = client.post(f"/scenarios/submit/{scenario['id']}").json()["submission"]
            deadline = time.monotonic() + 60
            status = f"/submissions/{submitted['id']}"
            while client.get(status).json()["submission"]["submission_status"] != "COMPLETED":
                assert time.monotonic() < deadline, "the service did not run the job"
                time.sleep(0.1)
            result = next(node for node in scenario["data_nodes"] if node.startswith("DATANODE_result"))
            assert client.get(f"/datanodes/{result}/read").json() == {"data": 42}
    finally:
        if web is not None:
            web.send_signal(signal.SIGINT)
            out, _ = web.communicate(timeout=60)
            assert "a client of the live orchestrator" in out
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=60)
    assert web.returncode == 0 and service.returncode == 0, log.read_text()
