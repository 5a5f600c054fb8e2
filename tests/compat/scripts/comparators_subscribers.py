"""Comparators between scenarios, and a subscriber that follows the jobs of a scenario."""

import taipy as tp
from taipy import Config, Orchestrator
from taipy.core import Status


def forecast(base):
    return base * 1.5


def difference(*values):
    return [round(value - values[0], 2) for value in values]


def on_job(scenario, job):
    print(f"subscriber: {scenario.config_id} {job.task.config_id} {job.status.name}")


if __name__ == "__main__":
    Config.configure_job_executions(mode="development")
    base_cfg = Config.configure_data_node("base", default_data=10)
    forecast_cfg = Config.configure_data_node("forecast")
    task_cfg = Config.configure_task("forecasting", forecast, base_cfg, forecast_cfg)
    scenario_cfg = Config.configure_scenario("forecast_scenario", [task_cfg], comparators={forecast_cfg.id: difference})
    Orchestrator().run()
    low = tp.create_scenario(scenario_cfg, name="low")
    high = tp.create_scenario(scenario_cfg, name="high")
    high.base.write(40)
    tp.subscribe_scenario(on_job, scenario=low)
    low.submit()
    high.submit()
    print("forecasts:", low.forecast.read(), high.forecast.read())
    result = tp.compare_scenarios(low, high)
    print("comparison:", {dn: {name: value for name, value in by.items()} for dn, by in result.items()})
    tp.unsubscribe_scenario(on_job, scenario=low)
    low.submit()
    print("statuses:", sorted(job.status.name for job in tp.get_jobs()))
    print("completed:", all(job.status == Status.COMPLETED for job in tp.get_jobs()))
    print("latest of low:", tp.get_latest_job(low.forecasting).status.name)
    Orchestrator().stop()
