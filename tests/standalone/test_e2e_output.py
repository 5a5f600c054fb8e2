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


LOUD = """
import os, resource, sys

import scenaria as tp
from scenaria import Config


def loud(megabytes):
    line = "w" * 1023 + "\\n"
    for _ in range(megabytes * 1024):
        sys.stdout.write(line)
    return megabytes


Config.configure_job_executions(mode="standalone", max_nb_of_workers=1)
Config.configure_core(storage_folder=sys.argv[1])
size = Config.configure_data_node("size", default_data=50)
done = Config.configure_data_node("done")
scenario_cfg = Config.configure_scenario("loud_scenario", [Config.configure_task("loud", loud, size, done)])
tp.Orchestrator().run()
scenario = tp.create_scenario(scenario_cfg)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
job = scenario.submit(wait=True, timeout=120).jobs[0]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
tp.Orchestrator().stop()
stored = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs)  # store included
with open(sys.argv[2], "w") as stream:
    stream.write(f"{job.status.name} {len(job.stdout)} {grown} {stored}")
"""


def test_a_job_printing_50_mb_keeps_a_bounded_part_in_memory_and_in_the_store(tmp_path):
    script = tmp_path / "loud.py"
    script.write_text(LOUD)
    report = tmp_path / "report"
    subprocess.run(
        [sys.executable, str(script), str(tmp_path / "storage"), str(report)],
        env=child_env(), cwd=tmp_path, stdout=subprocess.DEVNULL, timeout=300, check=True,
    )  # fmt: skip
    status, kept, grown_kib, stored = report.read_text().split()
    assert status == "COMPLETED"
    assert int(kept) < 4_300_000  # the head and the tail of 50 MB
    assert int(stored) < 12_000_000  # not the 97 MB it took before
    assert int(grown_kib) < 60 * 1024  # not the 116 MiB it took before
