"""Cycles, primary scenarios, tags and sequences."""

import datetime as dt

import taipy as tp
from taipy import Config, Frequency, Orchestrator, Scope


def plan(demand):
    return demand * 3


def adjust(planned):
    return planned - 1


if __name__ == "__main__":
    Config.configure_job_executions(mode="development")
    demand_cfg = Config.configure_data_node("demand", default_data=7)
    planned_cfg = Config.configure_data_node("planned")
    adjusted_cfg = Config.configure_data_node("adjusted", scope=Scope.CYCLE)
    plan_cfg = Config.configure_task("plan", plan, demand_cfg, planned_cfg)
    adjust_cfg = Config.configure_task("adjust", adjust, planned_cfg, adjusted_cfg)
    scenario_cfg = Config.configure_scenario(
        "monthly", [plan_cfg, adjust_cfg], frequency=Frequency.MONTHLY, sequences={"planning": [plan_cfg]}
    )
    Orchestrator().run()
    january = tp.create_scenario(scenario_cfg, creation_date=dt.datetime(2024, 1, 15), name="january")
    january_bis = tp.create_scenario(scenario_cfg, creation_date=dt.datetime(2024, 1, 20), name="january bis")
    february = tp.create_scenario(scenario_cfg, creation_date=dt.datetime(2024, 2, 3), name="february")
    print("cycles:", len(tp.get_cycles()))
    for cycle in sorted(tp.get_cycles(), key=lambda c: c.start_date):
        print("cycle:", cycle.frequency, cycle.start_date, cycle.end_date, cycle.name)
    print("primary:", january.is_primary, january_bis.is_primary, february.is_primary)
    tp.set_primary(january_bis)
    january = tp.get(january.id)  # a fresh handle: tagging a stale one makes it primary again in Taipy 4.1.1
    print("primary after set:", tp.get(january.id).is_primary, tp.get(january_bis.id).is_primary)
    print("primary scenarios:", sorted(s.name for s in tp.get_primary_scenarios()))
    same_cycle = january.adjusted.id == january_bis.adjusted.id
    print("shared cycle node:", same_cycle, january.adjusted.id == february.adjusted.id)
    by_cycle = tp.get_cycles_scenarios()
    print("scenarios per cycle:", sorted(len(scenarios) for scenarios in by_cycle.values()))

    tp.tag(january, "reviewed")
    january.add_tag("final")
    print("tags:", sorted(tp.get(january.id).tags), tp.get(january.id).has_tag("final"))
    tp.untag(january, "final")
    print("tags after untag:", sorted(tp.get(january.id).tags))
    print("scenarios by tag:", [s.name for s in tp.get_scenarios(tag="reviewed")])

    planning = january.sequences["planning"]
    print("sequence tasks:", sorted(planning.tasks))
    planning.submit()
    print("after sequence:", january.planned.read(), january.adjusted.is_ready_for_reading)
    january.add_sequences({"adjusting": [january.adjust]})
    print("sequences:", sorted(tp.get(january.id).sequences))
    january.submit()
    print("adjusted:", january.adjusted.read(), january_bis.adjusted.read())
    january.remove_sequences(["adjusting"])
    print("sequences after remove:", sorted(tp.get(january.id).sequences))
    print("can delete primary:", bool(tp.is_deletable(january_bis)), bool(tp.is_deletable(january)))
    Orchestrator().stop()
