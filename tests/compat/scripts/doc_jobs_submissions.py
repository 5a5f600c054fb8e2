"""The calls of Taipy's job and submission documentation: a submission's jobs, the latest job of a
task, deleting a job and a submission, cancelling a job that has finished, data node history."""

import taipy as tp
from taipy import Config


def double(number):
    return number * 2


def echo(number):
    print("echo:", number)


if __name__ == "__main__":
    print("(1) jobs:", len(tp.get_jobs()), "submissions:", len(tp.get_submissions()))
    input_cfg = Config.configure_data_node("my_input", default_data=21)
    output_cfg = Config.configure_data_node("my_output")
    double_cfg = Config.configure_task("double_task", double, [input_cfg], [output_cfg])
    echo_cfg = Config.configure_task("echo_task", echo, output_cfg)
    scenario_cfg = Config.configure_scenario("my_scenario", [double_cfg, echo_cfg])
    tp.Orchestrator().run()
    scenario = tp.create_scenario(scenario_cfg)
    submission = tp.submit(scenario)
    jobs = submission.jobs
    print("(2) submission jobs:", [job.task.config_id for job in jobs], [job.status.name for job in jobs])
    print("(3) jobs:", len(tp.get_jobs()), "submissions:", len(tp.get_submissions()))
    job_double = tp.get_latest_job(scenario.double_task)
    job_echo = tp.get_latest_job(scenario.echo_task)
    print("(4) latest:", job_double.status, job_echo.status, job_double.is_completed(), job_echo.is_finished())
    tp.cancel_job(job_echo)
    print("(5) after cancel of a finished job:", tp.get(job_echo.id).status)
    print("(6) output:", scenario.my_output.read(), "submission:", submission.submission_status)
    tp.delete_job(job_double)
    print("(7) jobs:", len(tp.get_jobs()), bool(tp.exists(job_double.id)))
    tp.submit(scenario)
    latest = tp.get_latest_submission(scenario)
    print("(8) latest submission is new:", latest.id != submission.id, len(tp.get_submissions()))
    tp.delete(latest.id)
    print("(9) submissions:", len(tp.get_submissions()), bool(tp.exists(latest.id)))
    scenario.my_input.write(100, editor="John", comment="Manual edition: 100", extra="extra data")
    tp.submit(scenario)
    edits = scenario.my_input.edits
    print("(10) input edits:", len(edits), sorted(edits[-1]), edits[-1]["editor"], edits[-1]["comment"])
    print("(11) output:", scenario.my_output.read(), "edits:", len(scenario.my_output.edits))
    tp.Orchestrator().stop()
