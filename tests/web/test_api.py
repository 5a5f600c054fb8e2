"""The REST API through httpx over a real socket: every resource, taipy-rest's paths, bad input."""

from __future__ import annotations

import pytest

import scenaria as tp


def test_openapi_and_docs_are_served(server):
    with server.client() as client:
        schema = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    for path in (
        "/api/v1/scenarios/",
        "/api/v1/scenarios/submit/{scenario_id}",
        "/api/v1/datanodes/{datanode_id}/read",
        "/api/v1/jobs/cancel/{job_id}",
        "/api/v1/cycles/",
        "/api/v1/sequences/",
        "/api/v1/tasks/",
        "/api/v1/submissions/",
    ):
        assert path in schema["paths"], path


def test_scenarios_list_filter_page_and_get(server, configs):
    first = tp.create_scenario(configs["chain"], name="first")
    second = tp.create_scenario(configs["chain"], name="second")
    tp.tag(second, "best")
    tp.create_scenario(configs["table"])
    with server.client() as client:
        everything = client.get("/api/v1/scenarios/")
        assert everything.status_code == 200 and everything.headers["X-Total-Count"] == "3"
        chains = client.get("/api/v1/scenarios/", params={"config_id": "chain"}).json()
        assert {item["name"] for item in chains} == {"first", "second"}
        assert [item["id"] for item in client.get("/api/v1/scenarios/", params={"tag": "best"}).json()] == [second.id]
        page = client.get("/api/v1/scenarios/", params={"limit": 2})
        assert len(page.json()) == 2 and "offset=2" in page.headers["Link"]
        assert len(client.get("/api/v1/scenarios/", params={"offset": 2, "limit": 2}).json()) == 1
        primaries = client.get("/api/v1/scenarios/", params={"primary": True, "config_id": "chain"}).json()
        assert [item["id"] for item in primaries] == [first.id]
        one = client.get(f"/api/v1/scenarios/{first.id}").json()["scenario"]
    assert one["config_id"] == "chain" and one["primary_scenario"] is True and one["sequences"] == ["first"]
    assert sorted(one["tasks"]) == sorted(task.id for task in first.tasks.values())
    assert one["cycle"] == first.cycle.id


def test_create_scenario_from_config_with_name_date_and_tags(server):
    with server.client() as client:
        created = client.post(
            "/api/v1/scenarios/",
            params={"config_id": "chain"},
            json={"name": "from http", "creation_date": "2026-03-04T05:06:07", "tags": ["a", "b"]},
        )
    assert created.status_code == 201
    body = created.json()["scenario"]
    scenario = tp.get(body["id"])
    assert scenario.name == "from http" and scenario.tags == {"a", "b"}
    assert scenario.creation_date.isoformat() == "2026-03-04T05:06:07"


def test_unknown_config_names_the_known_ones_and_bad_body_names_the_field(server):
    with server.client() as client:
        unknown = client.post("/api/v1/scenarios/", params={"config_id": "nope"})
        bad = client.post("/api/v1/scenarios/", params={"config_id": "chain"}, json={"creation_date": "yesterday"})
        no_config = client.post("/api/v1/scenarios/")
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["message"] and "broken, chain, curve, slow, table" in unknown.json()["message"]
    assert bad.status_code == 422 and "creation_date" in bad.json()["message"]
    assert no_config.status_code == 422 and "config_id" in no_config.json()["message"]
    assert tp.get_scenarios() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scenarios/SCENARIO_chain_nothere",
        "/api/v1/cycles/CYCLE_nothere",
        "/api/v1/sequences/SEQUENCE_x_SCENARIO_nothere",
        "/api/v1/tasks/TASK_nothere",
        "/api/v1/datanodes/DATANODE_nothere",
        "/api/v1/datanodes/DATANODE_nothere/read",
        "/api/v1/jobs/JOB_nothere",
        "/api/v1/jobs/JOB_nothere/logs",
        "/api/v1/submissions/SUBMISSION_nothere",
    ],
)
def test_unknown_ids_are_404_naming_the_id(server, path):
    with server.client() as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert path.split("/")[4] in answer.json()["message"]


def test_ids_of_the_wrong_kind_or_form_are_refused_before_the_store(server, configs):
    scenario = tp.create_scenario(configs["chain"])
    with server.client() as client:
        wrong_kind = client.get(f"/api/v1/tasks/{scenario.id}")
        odd = client.get("/api/v1/scenarios/SCENARIO_'; DROP TABLE x")
        submit_wrong = client.post(f"/api/v1/scenarios/submit/{next(iter(scenario.tasks.values())).id}")
    assert wrong_kind.status_code == 404 and "is not a task id" in wrong_kind.json()["message"]
    assert odd.status_code == 404 and "is not a scenario id" in odd.json()["message"]
    assert submit_wrong.status_code == 404
    assert tp.get_jobs() == []


def test_submit_scenario_sequence_and_task_taipy_rest_paths(server, configs):
    scenario = tp.create_scenario(configs["chain"])
    sequence = scenario.sequences["first"]
    task = scenario.tasks["t2"]
    with server.client() as client:
        submitted = client.post(f"/api/v1/scenarios/submit/{scenario.id}").json()
        assert submitted["message"] == f"Scenario {scenario.id} was submitted."
        assert submitted["submission"]["submission_status"] == "COMPLETED"
        assert client.post(f"/api/v1/sequences/submit/{sequence.id}").status_code == 200
        assert client.post(f"/api/v1/tasks/submit/{task.id}").status_code == 200
        result = client.get(f"/api/v1/datanodes/{scenario.result.id}/read").json()
        jobs = client.get("/api/v1/jobs/", params={"status": "completed"}).json()
        submissions = client.get("/api/v1/submissions/", params={"entity_id": scenario.id}).json()
    assert result == {"data": 12}
    assert len(jobs) == 4 and {job["task_config_id"] for job in jobs} == {"t1", "t2"}
    assert [item["id"] for item in submissions] == [submitted["submission"]["id"]]


def test_sequences_tasks_cycles_datanodes_lists_and_gets(server, configs):
    scenario = tp.create_scenario(configs["chain"])
    with server.client() as client:
        sequences = client.get("/api/v1/sequences/", params={"owner_id": scenario.id}).json()
        tasks = client.get("/api/v1/tasks/", params={"config_id": "t1"}).json()
        cycles = client.get("/api/v1/cycles/").json()
        nodes = client.get("/api/v1/datanodes/", params={"owner_id": scenario.id}).json()
        sequence = client.get(f"/api/v1/sequences/{sequences[0]['id']}").json()["sequence"]
        task = client.get(f"/api/v1/tasks/{tasks[0]['id']}").json()["task"]
        cycle = client.get(f"/api/v1/cycles/{cycles[0]['id']}").json()["cycle"]
        node = client.get(f"/api/v1/datanodes/{scenario.source.id}").json()["datanode"]
    assert sequence["name"] == "first" and sequence["tasks"] == [scenario.tasks["t1"].id]
    assert task["function_name"] == "double" and task["input_ids"] == [scenario.source.id]
    assert cycle["frequency"] == "DAILY" and cycle["id"] == scenario.cycle.id
    assert {item["config_id"] for item in nodes} == {"source", "middle", "result"}
    assert node["storage_type"] == "pickle" and node["scope"] == "SCENARIO"


def test_primary_and_tags(server, configs):
    first = tp.create_scenario(configs["chain"])
    second = tp.create_scenario(configs["chain"])
    with server.client() as client:
        assert client.post(f"/api/v1/scenarios/{second.id}/primary").json()["scenario"]["primary_scenario"] is True
        tagged = client.post(f"/api/v1/scenarios/{second.id}/tags", json={"tag": "keep"}).json()["scenario"]
        empty_tag = client.post(f"/api/v1/scenarios/{second.id}/tags", json={"tag": ""})
        no_tag = client.delete(f"/api/v1/scenarios/{second.id}/tags/other")
        untagged = client.delete(f"/api/v1/scenarios/{second.id}/tags/keep").json()["scenario"]
    assert tp.get(second.id).is_primary and not tp.get(first.id).is_primary
    assert tagged["tags"] == ["keep"] and untagged["tags"] == []
    assert empty_tag.status_code == 422 and "tag" in empty_tag.json()["fields"]
    assert no_tag.status_code == 404 and "other" in no_tag.json()["message"]


def test_read_a_dataframe_in_pages_with_columns_and_types(server, configs):
    scenario = tp.create_scenario(configs["table"])
    scenario.n.write(250)
    tp.submit(scenario)
    path = f"/api/v1/datanodes/{scenario.frame.id}/read"
    with server.client() as client:
        first = client.get(path).json()
        last = client.get(path, params={"offset": 200, "limit": 100}).json()
        followed = client.get(first["next"]).json()
    assert first["columns"] == ["i", "square"] and first["types"] == {"i": "int64", "square": "int64"}
    assert first["total"] == 250 and len(first["data"]) == 100 and first["data"][3] == {"i": 3, "square": 9}
    assert first["next"] == f"{path}?offset=100&limit=100"
    assert followed["data"][0] == {"i": 100, "square": 10000}
    assert len(last["data"]) == 50 and last["next"] is None


def test_write_a_data_node_checked_against_its_type(server, configs):
    scenario = tp.create_scenario(configs["table"])
    tp.submit(scenario)
    with server.client() as client:
        number = client.put(f"/api/v1/datanodes/{scenario.n.id}/write", json=7)
        wrong = client.put(f"/api/v1/datanodes/{scenario.n.id}/write", json="seven")
        records = client.put(f"/api/v1/datanodes/{scenario.frame.id}/write", json=[{"i": 1, "square": 1}])
        not_records = client.put(f"/api/v1/datanodes/{scenario.frame.id}/write", json=[1, 2])
    assert number.status_code == 200 and tp.get(scenario.n.id).read() == 7
    assert wrong.status_code == 422 and "value: expected a number" in wrong.json()["message"]
    assert records.status_code == 200 and tp.get(scenario.frame.id).read().to_dict("records") == [{"i": 1, "square": 1}]
    assert not_records.status_code == 422 and "list of records" in not_records.json()["message"]


def test_a_failed_job_logs_and_the_drawings(server, configs):
    scenario = tp.create_scenario(configs["broken"])
    with server.client() as client:
        client.post(f"/api/v1/scenarios/submit/{scenario.id}")
        job = client.get("/api/v1/jobs/", params={"status": "FAILED"}).json()[0]
        logs = client.get(f"/api/v1/jobs/{job['id']}/logs").json()
        again = client.post(f"/api/v1/jobs/cancel/{job['id']}")
        picture = client.get(f"/api/v1/scenarios/{scenario.id}/svg")
        sequence_picture = client.get(f"/api/v1/submissions/{job['submit_id']}/svg")
        one = client.get(f"/api/v1/jobs/{job['id']}").json()["job"]
    assert logs["status"] == "FAILED" and "boom on 5" in "".join(logs["stacktrace"])
    assert again.status_code == 409 and "FAILED" in again.json()["message"]
    assert picture.headers["content-type"].startswith("image/svg+xml") and picture.text.startswith("<svg")
    assert sequence_picture.status_code == 200 and "<svg" in sequence_picture.text
    assert one["status"] == "FAILED" and one["task_config_id"] == "fail"


def test_delete_a_scenario(server, configs):
    scenario = tp.create_scenario(configs["chain"])
    with server.client() as client:
        assert client.delete(f"/api/v1/scenarios/{scenario.id}").status_code == 200
        assert client.get(f"/api/v1/scenarios/{scenario.id}").status_code == 404
    assert tp.get_scenarios() == []


def test_no_pickle_crosses_http(server, configs):
    scenario = tp.create_scenario(configs["chain"])
    scenario.source.write({"when": __import__("datetime").date(2026, 1, 2), "obj": object()})
    with server.client() as client:
        data = client.get(f"/api/v1/datanodes/{scenario.source.id}/read").json()["data"]
    assert data["when"] == "2026-01-02" and data["obj"].startswith("<object object")


def test_a_million_row_frame_pages_without_sending_the_frame(server, configs):
    import pandas as pd

    scenario = tp.create_scenario(configs["table"])
    scenario.frame.write(pd.DataFrame({"i": range(1_000_000), "half": [i / 2 for i in range(1_000_000)]}))
    with server.client() as client:
        answer = client.get(f"/api/v1/datanodes/{scenario.frame.id}/read", params={"offset": 999_950})
    body = answer.json()
    assert body["total"] == 1_000_000 and len(body["data"]) == 50 and body["next"] is None
    assert body["data"][-1] == {"i": 999_999, "half": 499_999.5} and body["types"]["half"] == "float64"
    assert len(answer.content) < 10_000


@pytest.mark.parametrize(("path", "bad", "named"), [("jobs", "FAILD", "FAILED"), ("submissions", "DONE", "COMPLETED")])
def test_an_unknown_status_filter_is_a_422_naming_it_and_the_statuses(server, configs, path, bad, named):
    tp.create_scenario(configs["chain"]).submit(wait=True)
    with server.client() as client:
        refused = client.get(f"/api/v1/{path}/", params={"status": bad})
        kept = client.get(f"/api/v1/{path}/", params={"status": "completed"})  # any case
    assert refused.status_code == 422 and refused.json()["fields"] == ["query.status"]
    assert bad in refused.json()["message"] and named in refused.json()["message"]
    assert kept.status_code == 200 and kept.json()


def test_the_dashboard_says_an_unknown_status_filter_names_no_status(server):
    with server.client() as client:
        page = client.get("/jobs", params={"status": "BOGUS"})
    assert page.status_code == 200
    assert "id='filter-error'" in page.text and "BOGUS&#x27; is not a status" in page.text and "COMPLETED" in page.text
