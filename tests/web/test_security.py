"""Token authentication, read-only mode, CSRF for browser requests, and binding refusal."""

from __future__ import annotations

import pytest

import scenaria as tp
from scenaria import Config
from scenaria.web.app import InsecureWebBinding, check_binding, resolve_token
from tests.web.server import WebServer


def test_a_token_is_required_when_configured(configs):
    scenario = tp.create_scenario(configs["chain"])
    with WebServer(token="s3cret") as server:
        with server.client() as anonymous:
            assert anonymous.get("/api/v1/scenarios/").status_code == 401
            assert anonymous.post(f"/api/v1/scenarios/submit/{scenario.id}").status_code == 401
            assert anonymous.get("/").status_code == 401
        with server.client(Authorization="Bearer wrong") as wrong:
            assert wrong.get("/api/v1/scenarios/").status_code == 401
        with server.client(Authorization="Bearer s3cret") as client:
            assert [item["id"] for item in client.get("/api/v1/scenarios/").json()] == [scenario.id]
        with server.client() as browser:
            logged = browser.get("/login", params={"token": "s3cret"}, follow_redirects=True)
            assert logged.status_code == 200 and "Scenarios" in logged.text
            assert browser.get("/api/v1/scenarios/").status_code == 200
    assert tp.get_jobs() == []


def test_the_token_comes_from_the_environment_or_the_configuration(monkeypatch):
    monkeypatch.delenv("SCENARIA_WEB_TOKEN", raising=False)
    assert resolve_token(None) is None
    Config.configure_core(web_token="from-config")
    assert resolve_token(None) == "from-config"
    monkeypatch.setenv("SCENARIA_WEB_TOKEN", "from-env")
    assert resolve_token(None) == "from-env"
    assert resolve_token("given") == "given"
    with WebServer() as server, server.client() as client:
        assert client.get("/api/v1/cycles/").status_code == 401
        assert client.get("/api/v1/cycles/", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_read_only_serves_reads_and_refuses_changes(configs):
    scenario = tp.create_scenario(configs["chain"])
    with WebServer(read_only=True) as server, server.client() as client:
        assert client.get(f"/api/v1/scenarios/{scenario.id}").status_code == 200
        refused = client.post(f"/api/v1/scenarios/submit/{scenario.id}")
        assert refused.status_code == 403 and "read-only" in refused.json()["message"]
        assert client.put(f"/api/v1/datanodes/{scenario.source.id}/write", json=4).status_code == 403
        assert client.delete(f"/api/v1/scenarios/{scenario.id}").status_code == 403
    assert tp.get_jobs() == [] and tp.get(scenario.source.id).read() == 3


def test_a_browser_request_needs_the_csrf_token(configs):
    scenario = tp.create_scenario(configs["chain"])
    tp.Orchestrator().run()
    with WebServer() as server, server.client(Origin="http://evil.example") as client:
        forged = client.post(f"/api/v1/scenarios/submit/{scenario.id}")
        assert forged.status_code == 403 and "CSRF" in forged.json()["message"]
        assert tp.get_jobs() == []
        page = client.get("/").text
        assert server.app.state.csrf in page
        sent = client.post(f"/api/v1/scenarios/submit/{scenario.id}", headers={"X-CSRF-Token": server.app.state.csrf})
        assert sent.status_code == 200
    assert len(tp.get_jobs()) == 2


def test_binding_beyond_localhost_needs_a_token():
    check_binding("127.0.0.1", None)
    check_binding("0.0.0.0", "token")
    with pytest.raises(InsecureWebBinding, match=r"refusing to listen on 0\.0\.0\.0 without a token"):
        check_binding("0.0.0.0", None)


class _Planted:
    """Unpickling it creates the marker file (what a real attack would do with os.system)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_planted_in_the_store_is_listed_never_run(configs, tmp_path):
    import base64
    import pickle

    from scenaria.entities.registry import registry, reset_registry

    scenario = tp.create_scenario(configs["chain"])
    marker = tmp_path / "pwned"
    repository = registry().repository
    for kind, entity_id in (("scenario", scenario.id), ("data_node", scenario.source.id)):
        record = repository.load(kind, entity_id)
        record["properties"]["planted"] = {
            "__type__": "pickle",
            "__value__": base64.b64encode(pickle.dumps(_Planted(str(marker)))).decode(),
        }
        repository.save(kind, record)
    reset_registry()  # read again from the store, as a web server started later would
    with WebServer() as server, server.client() as client:
        listed = client.get("/api/v1/scenarios/")
        assert listed.status_code == 200 and [item["id"] for item in listed.json()] == [scenario.id]
        assert "RefusedValue" in str(listed.json()[0]["properties"]["planted"])
        node = client.get(f"/api/v1/datanodes/{scenario.source.id}")
        assert node.status_code == 200, node.text
        assert client.get(f"/scenarios/{scenario.id}").status_code == 200
    assert not marker.exists()
