from __future__ import annotations

import pytest

from scenaria.cli import COMMANDS, build_parser, main
from scenaria.cli.run import rewrite_taipy_flags


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: scenaria") and "run" in out and "help" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("-v", "--version"):
        with pytest.raises(SystemExit) as exit_info:
            main([flag])
        assert exit_info.value.code == 0
        assert capsys.readouterr().out.startswith("scenaria ")


def test_help_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help"]) == 0
    assert capsys.readouterr().out.startswith("usage: scenaria")
    assert main(["help", "run"]) == 0
    assert capsys.readouterr().out.startswith("usage: scenaria run")
    with pytest.raises(SystemExit) as exit_info:
        main(["help", "nope"])
    assert exit_info.value.code == 2
    assert "unknown command 'nope'" in capsys.readouterr().err


def test_every_command_module_has_the_contract() -> None:
    _, commands = build_parser()
    assert list(commands) == [
        "run",
        "scenarios",
        "jobs",
        "submissions",
        "show",
        "logs",
        "create",
        "submit",
        "cancel",
        "schedules",
        "prune",
        "doctor",
        "manage-versions",
        "graph",
        "serve",
        "web",
        "help",
    ]
    assert len(commands) == len(COMMANDS)
    for module in commands.values():
        assert callable(module.add_parser) and callable(module.run) and module.HELP


def test_run_takes_the_script_options_verbatim() -> None:
    parser, _ = build_parser()
    args = parser.parse_args(["run", "app.py", "--help", "-v", "x"])
    assert (args.script, args.script_args) == ("app.py", ["--help", "-v", "x"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["--development"], ["--taipy-development"]),
        (["--experiment"], ["--taipy-experiment"]),
        (["--experiment", "1.0"], ["--taipy-experiment", "1.0"]),
        (["--experiment=1.0"], ["--taipy-experiment=1.0"]),
        (["--production", "2"], ["--taipy-production", "2"]),
        (["--force"], ["--taipy-force"]),
        (["--no-force"], ["--no-taipy-force"]),
        (["--taipy-no-force"], ["--no-taipy-force"]),
        (["--taipy-experiment", "3"], ["--taipy-experiment", "3"]),
        (["--port", "5000", "data.csv"], ["--port", "5000", "data.csv"]),
        (["--force", "external-args", "--force", "external-args"], ["--taipy-force", "--force", "external-args"]),
    ],
)
def test_rewrite_taipy_flags(given: list[str], expected: list[str]) -> None:
    assert rewrite_taipy_flags(given) == expected
