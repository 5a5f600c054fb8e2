"""Pictures of the graph: SVG parsed as XML, Mermaid text, PNG opened by Pillow, job state colours."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import scenaria as tp
from scenaria import Config
from scenaria.drawing import STATE_COLOURS, Graph, to_svg
from scenaria.exceptions import UnsupportedPictureFormat

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[2]


def double(number):
    return number * 2


def add(doubled, number):
    return doubled + number


def boom(doubled, number):
    raise ValueError("no luck")


def pipeline(second=add):
    """number -> double -> doubled -> second -> result, plus an additional data node "notes"."""
    number = Config.configure_data_node("number", default_data=21)
    doubled = Config.configure_data_node("doubled")
    result = Config.configure_data_node("result")
    notes = Config.configure_data_node("notes")
    first = Config.configure_task("double", double, number, doubled)
    last = Config.configure_task("add", second, [doubled, number], result)
    return Config.configure_scenario("pipeline", [first, last], additional_data_node_configs=[notes])


def parse(svg_text: str):
    root = ET.fromstring(svg_text)
    nodes = {g.get("data-key"): g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()}
    edges = [(p.get("data-source"), p.get("data-target")) for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    return root, nodes, edges


def fill_of(node) -> str:
    return node.find(f"{SVG}rect").get("fill")


def test_config_svg_has_one_node_per_task_and_data_node_and_its_edges(tmp_path):
    pipeline().draw(tmp_path / "pipeline.svg")
    root, nodes, edges = parse((tmp_path / "pipeline.svg").read_text())
    assert root.tag == f"{SVG}svg" and float(root.get("width")) > 0
    tasks = {key for key, g in nodes.items() if g.get("class") == "node task"}
    data = {key for key, g in nodes.items() if g.get("class") == "node data"}
    assert tasks == {"task:double", "task:add"}
    assert data == {"data:number", "data:doubled", "data:result", "data:notes"}
    assert sorted(edges) == sorted(
        [
            ("data:number", "task:double"),
            ("task:double", "data:doubled"),
            ("data:doubled", "task:add"),
            ("data:number", "task:add"),
            ("task:add", "data:result"),
        ]
    )
    labels = {g.find(f"{SVG}text").text for g in nodes.values()}
    assert labels == {"double", "add", "number", "doubled", "result", "notes"}
    assert root.find(f"{SVG}g[@class='legend']") is None  # a configuration has no job states


def test_layers_put_every_task_between_its_inputs_and_outputs(tmp_path):
    _, nodes, edges = parse(to_svg(pipeline()._graph()))

    def left(key: str) -> float:
        return float(nodes[key].find(f"{SVG}rect").get("x"))

    for source, target in edges:
        assert left(source) < left(target), (source, target)


def test_mermaid_text_of_a_small_config():
    assert pipeline().to_mermaid() == textwrap.dedent("""\
        flowchart LR
            data_number(["number"])
            task_double["double"]
            data_doubled(["doubled"])
            task_add["add"]
            data_result(["result"])
            data_notes(["notes"])
            data_number --> task_double
            task_double --> data_doubled
            data_doubled --> task_add
            data_number --> task_add
            task_add --> data_result
        """)


def test_png_by_default_named_after_the_config(tmp_path):
    pipeline().draw()  # the working directory is tmp_path
    with Image.open(tmp_path / "pipeline.png") as image:
        assert image.format == "PNG"
        assert image.width > 100 and image.height > 50
        assert len(image.getcolors(maxcolors=1 << 16) or []) > 2  # more than a blank page


def test_a_path_without_suffix_gets_png_and_mmd_is_mermaid(tmp_path):
    config = pipeline()
    config.draw(tmp_path / "picture")
    with Image.open(tmp_path / "picture.png") as image:
        assert image.format == "PNG"
    config.draw(str(tmp_path / "picture.mmd"))
    assert (tmp_path / "picture.mmd").read_text() == config.to_mermaid()


def test_an_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(UnsupportedPictureFormat, match=r"\.png, \.svg, \.mmd"):
        pipeline().draw(tmp_path / "picture.jpg")
    assert not (tmp_path / "picture.jpg").exists()


def test_without_pillow_png_names_the_extra_and_svg_still_works(tmp_path):
    script = textwrap.dedent("""
        import sys
        sys.modules["PIL"] = None  # as if Pillow were not installed
        from scenaria import Config
        from scenaria.exceptions import DependencyNotInstalled
        dn = Config.configure_data_node("a")
        out = Config.configure_data_node("b")
        sc = Config.configure_scenario("sc", [Config.configure_task("t", print, dn, out)])
        sc.draw("sc.svg")
        try:
            sc.draw("sc.png")
        except DependencyNotInstalled as exc:
            print("MISSING", exc)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "MISSING drawing a PNG picture needs pillow" in done.stdout
    assert 'pip install "scenaria[draw]"' in done.stdout
    assert (tmp_path / "sc.svg").exists() and not (tmp_path / "sc.png").exists()


def test_a_cyclic_configuration_is_still_drawn():
    a = Config.configure_data_node("a")
    b = Config.configure_data_node("b")
    forth = Config.configure_task("forth", double, a, b)
    back = Config.configure_task("back", double, b, a)
    _, nodes, edges = parse(to_svg(Config.configure_scenario("loop", [forth, back])._graph()))
    assert set(nodes) == {"data:a", "data:b", "task:forth", "task:back"}
    assert len(edges) == 4


def test_scenario_after_a_run_shows_completed_tasks_in_green(tmp_path):
    scenario = tp.create_scenario(pipeline())
    scenario.draw(tmp_path / "before.svg")
    _, before, _ = parse((tmp_path / "before.svg").read_text())
    assert before[scenario.double.id].get("data-state") is None

    tp.submit(scenario)
    scenario.draw(tmp_path / "after.svg")
    root, nodes, _ = parse((tmp_path / "after.svg").read_text())
    completed_fill = STATE_COLOURS["COMPLETED"][0]
    for task in (scenario.double, scenario.add):
        assert nodes[task.id].get("data-state") == "COMPLETED"
        assert fill_of(nodes[task.id]) == completed_fill
    legend = [item.get("data-state") for item in root.iter(f"{SVG}g") if item.get("class") == "legend-item"]
    assert legend == ["COMPLETED"]
    scenario.draw()
    with Image.open(tmp_path / f"{scenario.id}.png") as image:
        assert image.getpixel((0, 0)) == (255, 255, 255)
        assert image.width > 0


def test_submission_shows_its_own_jobs_failed_and_completed(tmp_path):
    scenario = tp.create_scenario(pipeline(second=boom))
    submission = tp.submit(scenario)
    submission.draw(tmp_path / "run.svg")
    root, nodes, _ = parse((tmp_path / "run.svg").read_text())
    assert nodes[scenario.double.id].get("data-state") == "COMPLETED"
    assert nodes[scenario.add.id].get("data-state") == "FAILED"
    assert fill_of(nodes[scenario.add.id]) == STATE_COLOURS["FAILED"][0]
    assert "notes" not in {g.find(f"{SVG}text").text for g in nodes.values()}  # only the submitted tasks' graph
    legend = [item.get("data-state") for item in root.iter(f"{SVG}g") if item.get("class") == "legend-item"]
    assert legend == ["COMPLETED", "FAILED"]


def test_a_sequence_draws_its_own_tasks(tmp_path):
    scenario = tp.create_scenario(pipeline())
    scenario.add_sequence("first", [scenario.double])
    scenario.sequences["first"].draw(tmp_path / "first.svg")
    _, nodes, edges = parse((tmp_path / "first.svg").read_text())
    assert {g.get("class") for g in nodes.values()} == {"node task", "node data"}
    assert len([g for g in nodes.values() if g.get("class") == "node task"]) == 1
    assert len(edges) == 2


def test_a_graph_with_states_lists_tasks_that_never_ran_in_the_legend():
    graph = Graph("g", with_states=True)
    graph.add_node("t1", "t1", "task", "RUNNING")
    graph.add_node("t2", "t2", "task")
    root, _, _ = parse(to_svg(graph))
    legend = [item.get("data-state") for item in root.iter(f"{SVG}g") if item.get("class") == "legend-item"]
    assert legend == ["RUNNING", "NOT RUN"]


def test_the_drawing_package_imports_nothing_of_scenaria_but_its_exceptions():
    import ast

    for module in (REPO / "scenaria" / "drawing").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scenaria"):
                assert node.module == "scenaria.exceptions" or node.module.startswith("scenaria.drawing"), (
                    f"{module.name} imports {node.module}"
                )
