"""What a standalone job prints (stdout, stderr, logging) is kept with the job and shown live on the
orchestrator's console, each line prefixed with the task's config id."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import scenaria as tp
from scenaria import Config
from tests.standalone import e2e_jobs as jobs
from tests.support.scripts import child_env, write_script
from tests.support.standalone import standalone

pytestmark = pytest.mark.processes


def test_a_jobs_output_is_stored_with_the_job():
    text = Config.configure_data_node("text", default_data="hello")
    shout = Config.configure_data_node("shout")
    task = Config.configure_task("chatty", jobs.chatty, text, shout)
    config = Config.configure_scenario("chatty_scenario", [task])
    standalone(2)
    scenario = tp.create_scenario(config)
    job = scenario.submit(wait=True, timeout=20).jobs[0]
    assert job.status.name == "COMPLETED" and scenario.shout.read() == "HELLO"
    assert job.stdout == "out: hello\n"
    assert "err: hello\n" in job.stderr and "log: hello" in job.stderr and "WARNING" in job.stderr
    assert "out: hello" not in job.stderr
    stored = tp.get_jobs()[0]
    assert stored.id == job.id and stored.stdout == job.stdout


CONSOLE = """
import sys
import time

from tests.standalone import e2e_jobs as jobs
import scenaria as tp
from scenaria import Config

Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
text = Config.configure_data_node("text", default_data="hello")
shout = Config.configure_data_node("shout")
seconds = Config.configure_data_node("seconds", default_data=0.8)
slept = Config.configure_data_node("slept")
chatty = Config.configure_task("chatty", jobs.chatty, text, shout)
talker = Config.configure_task("talker", jobs.talk_then_nap, seconds, slept)
scenario_cfg = Config.configure_scenario("console", [chatty, talker])

tp.Orchestrator().run()
submission = tp.create_scenario(scenario_cfg).submit()
assert submission.wait(20)
print("ALL DONE", flush=True)
tp.Orchestrator().stop()
"""


def test_a_jobs_output_is_shown_live_on_the_orchestrators_console(tmp_path):
    script = write_script(tmp_path, CONSOLE)
    lines = []
    with subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        for line in child.stdout:
            lines.append((time.monotonic(), line.rstrip("\n")))
        err = child.stderr.read()
        assert child.wait(30) == 0, err
    seen = {text: at for at, text in lines}
    assert "[chatty] out: hello" in seen and "[talker] after the nap" in seen
    assert seen["ALL DONE"] - seen["[talker] before the nap"] > 0.5  # shown while the job ran
    assert "[chatty] err: hello" in err.splitlines()
    # A record travels as a record: this process's logging shows it (no configuration: the last resort).
    assert "log: hello" in err.splitlines()
