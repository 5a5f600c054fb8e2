"""``make bench``: every workload in its own process and folder, printed as a table.

    python -m benchmarks [--quick] [--taipy] [--only NAME ...]

Each figure is printed beside its floor (what the same work costs without the engine, measured
in the same run) and the project's target. With ``--taipy`` (``make bench TAIPY=1``) the same
workloads also run on Taipy 4.1.1, installed in a scratch virtual environment outside the
repository on first use. Then the component benchmarks run (store, worker pool, data nodes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
TAIPY_VENV = Path(os.environ.get("SCENARIA_TAIPY_VENV", "/tmp/taipy-ref"))
# Workloads worth running on the reference (it needs minutes for 1,000 scenarios; skip 100,000).
TAIPY_WORKLOADS = (
    "dev_overhead",
    "create_scenarios",
    "import_and_run",
    "throughput",
    "cpu_parallel",
    "big_value",
    "latency",
)
COMPONENTS = ("store_bench.py", "pool_bench.py", "data_bench.py", "web_bench.py")


def run_workload(name: str, python: str, engine: str, quick: bool) -> list[dict]:
    """Run one workload in a fresh folder and process group; its figures come back in a file.

    The whole group is killed afterwards: an engine may leave worker processes behind (the
    reference does when its main process exits), and they must not skew the next workload.
    """
    folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [python, "-m", "benchmarks.workloads", name, "--engine", engine, *(["--quick"] if quick else [])]
    with open(os.path.join(folder, "stderr.log"), "w") as errors:
        child = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
        try:
            code = child.wait(timeout=3600)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
    result = os.path.join(folder, "result.json")
    if code != 0 or not os.path.exists(result):
        with open(os.path.join(folder, "stderr.log")) as errors:
            last = errors.read().strip().splitlines()[-1:]
        return [{"name": f"{name}: FAILED ({last})", "value": None}]
    with open(result) as file:
        return json.load(file)


def taipy_python() -> str:
    python = TAIPY_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TAIPY_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "taipy-core==4.1.1"], check=True)
    return str(python)


def show(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def print_table(rows: list[dict], reference: dict[str, dict]) -> None:
    header = ("workload", "scenaria", "floor", "ratio", "target", "taipy 4.1.1")
    lines = [header]
    for item in rows:
        value, floor = item.get("value"), item.get("floor")
        ratio = ""
        if value is not None and floor:
            ratio = f"{value / floor:.2f}x"
        other = reference.get(item["name"], {}).get("value")
        unit = item.get("unit", "")
        lines.append(
            (
                item["name"],
                f"{show(value)} {unit}",
                f"{show(floor)} {unit}" if floor else "",
                ratio,
                item.get("target", ""),
                f"{show(other)} {unit}" if other is not None else "",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    for item in rows:
        if item.get("floor_name"):
            print(f"  floor of '{item['name']}': {item['floor_name']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (10,000 scenarios, 50 MB)")
    parser.add_argument("--taipy", action="store_true", help="also run the workloads on Taipy 4.1.1")
    parser.add_argument("--only", nargs="*", choices=sorted(WORKLOADS), help="run these workloads only")
    parser.add_argument("--no-components", action="store_true", help="skip the store, pool and data benchmarks")
    args = parser.parse_args()
    names = args.only or [name for name in WORKLOADS if name != "read_back"]
    rows: list[dict] = []
    reference: dict[str, dict] = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += run_workload(name, sys.executable, "scenaria", args.quick)
        if args.taipy and name in TAIPY_WORKLOADS:
            for item in run_workload(name, taipy_python(), "taipy", args.quick):
                reference[item["name"].replace("import taipy", "import scenaria")] = item
    print()
    print_table(rows, reference)
    if not args.no_components:
        for script in COMPONENTS:
            path = ROOT / "benchmarks" / script
            if path.exists():
                print(f"\n== {script}", flush=True)
                subprocess.run([sys.executable, str(path)], cwd=tempfile.mkdtemp(), check=False)


if __name__ == "__main__":
    main()
