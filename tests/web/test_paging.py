"""Every REST list pages through the store: pages put together are the whole list, in order, and totals count."""

from __future__ import annotations

import pytest

import scenaria as tp

LISTS = [
    ("/api/v1/scenarios/", {}),
    ("/api/v1/scenarios/", {"config_id": "chain"}),
    ("/api/v1/scenarios/", {"tag": "odd"}),
    ("/api/v1/scenarios/", {"primary": "false", "config_id": "chain"}),
    ("/api/v1/cycles/", {}),
    ("/api/v1/sequences/", {}),
    ("/api/v1/tasks/", {"config_id": "t1"}),
    ("/api/v1/datanodes/", {}),
    ("/api/v1/jobs/", {}),
    ("/api/v1/jobs/", {"status": "completed", "config_id": "t2"}),
    ("/api/v1/submissions/", {"status": "COMPLETED"}),
]


@pytest.fixture
def stored(server, configs):
    for number in range(7):
        scenario = tp.create_scenario(configs["chain"], name=f"s{number}")
        if number % 2:
            tp.tag(scenario, "odd")
        if number < 3:
            tp.submit(scenario)
    return server


def _every(client, path, params, limit):
    pages, offset, totals = [], 0, set()
    while True:
        answer = client.get(path, params={**params, "offset": offset, "limit": limit})
        assert answer.status_code == 200, answer.text
        totals.add(int(answer.headers["X-Total-Count"]))
        pages.extend(item["id"] for item in answer.json())
        if "Link" not in answer.headers:
            return pages, totals
        assert f"offset={offset + limit}" in answer.headers["Link"]
        offset += limit


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_pages_put_together_are_the_whole_list(stored, path, params):
    with stored.client() as client:
        whole = client.get(path, params={**params, "limit": 1000})
        ids = [item["id"] for item in whole.json()]
        assert ids and int(whole.headers["X-Total-Count"]) == len(ids) and "Link" not in whole.headers
        for limit in (1, 2, 5):
            assert _every(client, path, params, limit) == (ids, {len(ids)})


def test_filters_keep_what_they_name(stored, configs):
    with stored.client() as client:
        odd = client.get("/api/v1/scenarios/", params={"tag": "odd", "limit": 2})
        jobs = client.get("/api/v1/jobs/", params={"config_id": "t2", "status": "COMPLETED"}).json()
        running = client.get("/api/v1/submissions/", params={"status": "RUNNING"})
    tagged = [scenario.id for scenario in tp.get_scenarios(tag="odd")]  # one per cycle (a tag is unique there)
    assert odd.headers["X-Total-Count"] == str(len(tagged)) and [item["id"] for item in odd.json()] == tagged
    assert len(jobs) == 3 and {job["task_config_id"] for job in jobs} == {"t2"}
    assert running.json() == [] and running.headers["X-Total-Count"] == "0"


def test_the_list_of_an_unknown_owner_is_a_404_naming_it(stored):
    with stored.client() as client:
        answer = client.get("/api/v1/sequences/", params={"owner_id": "SCENARIO_nope_1"})
    assert answer.status_code == 404 and "SCENARIO_nope_1" in answer.json()["message"]


def test_the_dashboard_lists_page_through_the_store_too(server, configs):
    made = [tp.create_scenario(configs["table"], name=f"n{number:03}") for number in range(130)]
    for scenario in made[:3]:
        tp.submit(scenario)
    with server.client() as client:
        first = client.get("/").text
        second = client.get("/", params={"offset": 100}).text
        jobs = client.get("/jobs").text
    assert first.count("<tr class=") == 100 and "1-100 of 130" in first and "offset=100" in first
    assert second.count("<tr class=") == 30 and "id='next'" not in second
    assert made[0].id in first and made[-1].id in second
    job_ids = [job.id for job in tp.get_jobs()]  # in creation order
    positions = [jobs.index(f"id='state-{job_id}'") for job_id in job_ids]
    assert positions == sorted(positions, reverse=True)  # the newest first
