"""What entities look like: their repr, and their HTML in a notebook."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import scenaria as tp
from scenaria import Config


def shout(text):
    print("line", text)
    for index in range(30):
        print("more", index)
    return text.upper()


def fail(text):
    raise RuntimeError("the input was " + text)


def scenario_of(function, name=None):
    words = Config.configure_data_node("words", default_data="hi")
    loud = Config.configure_data_node("loud")
    task = Config.configure_task("shout", function, words, loud)
    return tp.create_scenario(Config.configure_scenario("talk", [task]), name=name)


def test_reprs_say_what_the_entity_is():
    unnamed = scenario_of(shout)
    assert repr(unnamed) == f"Scenario(config_id='talk', id='{unnamed.id}')"
    scenario = tp.create_scenario(Config.scenarios["talk"], name="Monday")
    assert repr(scenario) == f"Scenario(name='Monday', config_id='talk', id='{scenario.id}')"
    submission = tp.submit(scenario)
    job = submission.jobs[0]
    assert repr(job) == f"Job(id='{job.id}', task='shout', status=COMPLETED)"
    assert repr(submission) == f"Submission(id='{submission.id}', entity='{scenario.id}', status=COMPLETED)"


def test_scenario_html_is_its_graph_with_job_states():
    scenario = scenario_of(shout, name="Monday")
    tp.submit(scenario)
    html = scenario._repr_html_()
    assert "<b>Monday</b>" in html and scenario.id in html
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    states = [g.get("data-state") for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")]
    assert "COMPLETED" in states


def test_job_html_shows_state_duration_and_the_end_of_its_output():
    job = tp.submit(scenario_of(shout)).jobs[0]
    html = job._repr_html_()
    assert ">COMPLETED</span>" in html and " s</td>" in html
    assert "more 29" in html and "line hi" not in html  # the tail: last lines only
    assert "last 15 of 31 lines" in html


def test_failed_job_html_names_the_error():
    job = tp.submit(scenario_of(fail)).jobs[0]
    html = job._repr_html_()
    assert ">FAILED</span>" in html
    assert "RuntimeError: the input was hi" in html
