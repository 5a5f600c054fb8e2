"""``scenaria web CONFIG``: serves the API over the configuration's store; refuses an open binding without a token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx

from tests.support.network import free_port
from tests.support.scripts import child_env, write_script

CONFIG = """
    from scenaria import Config

    def double(x):
        return 2 * x

    source = Config.configure_data_node("source", default_data=21)
    result = Config.configure_data_node("result")
    Config.configure_scenario("answer", [Config.configure_task("double", double, source, result)])
"""


def _scenaria_web(tmp_path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scenaria", "web", "app.py", *args],
        cwd=tmp_path,
        env={**child_env(), "SCENARIA_WEB_TOKEN": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serves_the_api_and_runs_what_it_is_asked(tmp_path):
    write_script(tmp_path, CONFIG)
    port = free_port()
    process = _scenaria_web(tmp_path, "--port", str(port), "--token", "t0k")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer t0k"}) as client:
            for _ in range(200):
                try:
                    created = client.post("/api/v1/scenarios/", params={"config_id": "answer"})
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            scenario = created.json()["scenario"]
            client.post(f"/api/v1/scenarios/submit/{scenario['id']}")
            result = next(node for node in scenario["data_nodes"] if node.startswith("DATANODE_result"))
            assert client.get(f"/api/v1/datanodes/{result}/read").json() == {"data": 42}
            assert httpx.get(f"http://127.0.0.1:{port}/api/v1/scenarios/").status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert process.returncode == 0


def test_refuses_an_open_binding_without_a_token(tmp_path):
    write_script(tmp_path, CONFIG)
    process = _scenaria_web(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "refusing to listen on 0.0.0.0 without a token" in err and "--token" in err


def test_a_missing_configuration_is_a_clear_error(tmp_path):
    process = _scenaria_web(tmp_path)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "app.py is not a file" in err
    assert not os.path.exists(tmp_path / "user_data")


def test_web_and_the_other_commands_share_an_experiment_version(tmp_path):
    (tmp_path / "app_config.py").write_text(
        textwrap.dedent(CONFIG) + 'Config.configure_core(mode="experiment", version_number="1")\n'
    )
    created = subprocess.run(
        [sys.executable, "-m", "scenaria", "create", "answer", "--config", "app_config.py"],
        cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scenaria", "web", "app_config.py", "--port", str(port)],
        cwd=tmp_path, env={**child_env(), "SCENARIA_WEB_TOKEN": ""}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]  # not "configuration ... differs"
            try:
                listed = httpx.get(f"http://127.0.0.1:{port}/api/v1/scenarios/")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the web app did not answer"
                time.sleep(0.1)
        assert listed.status_code == 200 and len(listed.json()) == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert process.returncode == 0
