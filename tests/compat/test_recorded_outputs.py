"""Taipy-style scripts run under ``scenaria run`` print what Taipy 4.1.1 printed for them.

The scripts (tests/compat/scripts/) use Taipy's documented style: configuration in Python and
in TOML, scenarios, sequences, cycles, data node reads, writes, filters and history,
comparators, scenario subscribers, in development mode. tests/compat/recorded/ holds what Taipy
4.1.1 printed for each, recorded by tests/compat/record.py with a scratch Taipy install.

Both outputs are normalised the same way before they are compared: ids, dates, memory
addresses and timings become placeholders, and Taipy's log lines (``[date][Taipy][INFO] ...``,
logging rather than the script's output; scenaria logs through the ``scenaria`` logger) are
dropped. Where Taipy 4.1.1 prints something else because of a defect listed as a [QUIRK] in
the reference behaviour, and that scenaria fixes on purpose, `QUIRKS` replaces Taipy's line
with the intended one; docs/migrating-from-taipy.md lists each.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.compat.record import RECORDED, run_in_fresh_folder, scripts
from tests.support.scripts import compat_env as clean_env

_LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\]\[Taipy\]\[[A-Z]+\] ")
#: the lines of a traceback that a log record of Taipy carries, after its first line
_LOG_CONTINUATION = re.compile(
    r"^(Traceback \(most recent call last\):|\s.*|[\w.]*(Error|Exception|Exit|Interrupt)\b.*|)$"
)
_PATTERNS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"0x[0-9a-f]{6,}"), "<address>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?"), "<datetime>"),
    (re.compile(r"datetime\.datetime\([\d, ]+\)"), "<datetime>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s|seconds)\b"), "<duration>"),
]

#: script -> {Taipy 4.1.1's line: the line scenaria prints instead, on purpose}
QUIRKS: dict[str, dict[str, str]] = {
    "python_config": {
        # [QUIRK 4.1.1] a job's write is not kept in the output's `edits` (Taipy saves a reloaded
        # copy without it); scenaria keeps it: default data, the job's write, then the user's.
        "written: 99 edits: 2": "written: 99 edits: 3",
    },
    "doc_jobs_submissions": {
        # [QUIRK 4.1.1] the same: the three jobs' writes of the output are kept
        "(11) output: 200 edits: 0": "(11) output: 200 edits: 3",
    },
    "doc_scenarios": {
        # [QUIRK 4.1.1] `sequence.name = ...` sets an attribute of that one Python object (a sequence
        # read again has no name); as Taipy's documentation says, scenaria sets the name property
        "sequence properties: {'name': 'sales'}": "sequence properties: {'name': 'Sequence for sales prediction'}",
    },
}

#: Dates the scripts give themselves stay as they are (they are part of what is compared).
_KEPT_DATES = ("2024-01-01 00:00:00", "2024-01-31 23:59:59.999999", "2024-02-01 00:00:00",
               "2024-02-29 23:59:59.999999")  # fmt: skip


def normalise(output: str) -> list[str]:
    lines = []
    in_log = False
    for line in output.splitlines():
        if _LOG_LINE.match(line) or (in_log and _LOG_CONTINUATION.match(line)):
            in_log = True  # a log record goes on over the traceback it carries
            continue
        in_log = False
        if not any(date in line for date in _KEPT_DATES):
            for pattern, placeholder in _PATTERNS:
                line = pattern.sub(placeholder, line)
        lines.append(line.rstrip())
    return lines


def expected(script: str) -> list[str]:
    quirks = QUIRKS.get(script, {})
    return [quirks.get(line, line) for line in normalise((RECORDED / f"{script}.txt").read_text())]


@pytest.mark.parametrize("script", scripts(), ids=lambda path: path.stem)
def test_output_matches_taipy_4_1_1(script: Path) -> None:
    output = run_in_fresh_folder([sys.executable, "-m", "scenaria.cli", "run"], script, env=clean_env())
    assert normalise(output) == expected(script.stem)


def test_every_script_has_a_recording_and_the_normaliser_keeps_the_content() -> None:
    assert {path.stem for path in scripts()} == {path.stem for path in RECORDED.glob("*.txt")}
    assert len(scripts()) >= 4
    sample = "[2026-12-01 22:13:12.552][Taipy][INFO] job JOB_a_0a1b2c3d-0000-4000-8000-00000000abcd is completed."
    assert normalise(sample + "\nid: JOB_a_0a1b2c3d-0000-4000-8000-00000000abcd at 0x7f82ef830990") == [
        "id: JOB_a_<uuid> at <address>"
    ]
    logged_traceback = [
        "[2026-12-01 22:13:12.552][Taipy][ERROR] Error during task function execution!",
        "Traceback (most recent call last):",
        '  File "app.py", line 18, in fail',
        "ValueError: it fails",
        "",
        "failed jobs: ['fail']",
        "",  # the script's own blank line stays
        "done",
    ]
    assert normalise("\n".join(logged_traceback)) == ["failed jobs: ['fail']", "", "done"]
    for script, quirks in QUIRKS.items():  # each quirk replaces a line Taipy really printed
        recorded = normalise((RECORDED / f"{script}.txt").read_text())
        assert all(line in recorded for line in quirks), script
