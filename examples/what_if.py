"""What-if scenarios: the same plan with three growth rates, compared by a comparator.

python what_if.py
"""

import scenaria as tp
from scenaria import Config


def project(base, growth):
    return round(base * (1 + growth) ** 3, 2)


def spread(*values):
    """Gets the projection of every compared scenario, in order; returns what the comparison shows."""
    return {"lowest": min(values), "highest": max(values), "spread": round(max(values) - min(values), 2)}


base = Config.configure_data_node("base", default_data=1000.0)
growth = Config.configure_data_node("growth", default_data=0.0)
projection = Config.configure_data_node("projection")
plan = Config.configure_scenario(
    "plan",
    task_configs=[Config.configure_task("project", project, [base, growth], projection)],
    comparators={projection.id: spread},
)

if __name__ == "__main__":
    tp.Orchestrator().run()
    scenarios = []
    for rate in (0.01, 0.05, 0.10):
        scenario = tp.create_scenario(plan, name=f"growth {rate:.0%}")
        scenario.growth.write(rate)
        scenarios.append(scenario)
    for scenario in scenarios:
        tp.submit(scenario, wait=True)
    for scenario in scenarios:
        print(f"{scenario.name}: {scenario.projection.read()}")
    # {data node config id: {comparator name: what it returned}}
    print("comparison:", tp.compare_scenarios(*scenarios)["projection"]["spread"])
    tp.Orchestrator().stop()
