"""Several processes on one store: writers wait their turn, readers see what others committed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from scenaria.store import open_repository

WRITER = textwrap.dedent(
    """
    import json, sys
    from scenaria.store import open_repository

    settings, name, rounds = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    repo = open_repository(settings)
    try:
        for i in range(rounds):
            with repo.transaction():  # a scenario's worth of records at once
                repo.save("scenario", {"id": f"S_{name}_{i}", "config_id": name})
                for t in range(3):
                    repo.save("task", {"id": f"T_{name}_{i}_{t}", "owner_id": f"S_{name}_{i}"})
            for status in ("PENDING", "RUNNING", "COMPLETED"):  # job states, one commit each
                repo.save("job", {"id": f"J_{name}_{i}", "task_id": f"T_{name}_{i}_0", "status": status})
        repo.set_meta(f"done_{name}", rounds)
    finally:
        repo.close()
    """
)


def start_writer(settings: dict, name: str, rounds: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, json.dumps(settings), name, str(rounds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_writer_processes_wait_instead_of_failing(persistent_settings):
    repo = open_repository(persistent_settings)
    try:
        writers = [start_writer(persistent_settings, name, 40) for name in ("a", "b")]
        # this process writes and reads at the same time
        for i in range(40):
            with repo.transaction():
                repo.save("scenario", {"id": f"S_main_{i}", "config_id": "main"})
            repo.find("job", status="COMPLETED")
        for writer in writers:
            _, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err
        for name in ("a", "b", "main"):
            found = repo.find("scenario", config_id=name)
            assert [r["id"] for r in found] == [f"S_{name}_{i}" for i in range(40)]
        assert repo.count("task") == 240
        assert repo.count("job", status="COMPLETED") == 80
        assert repo.count("job") == 80
        assert repo.get_meta("done_a") == 40 and repo.get_meta("done_b") == 40
    finally:
        repo.close()


def test_a_reader_sees_what_another_process_committed(persistent_settings):
    repo = open_repository(persistent_settings)
    try:
        repo.save("scenario", {"id": "S_before", "config_id": "x"})
        assert repo.count("scenario") == 1  # fills whatever cache the back end keeps
        writer = start_writer(persistent_settings, "w", 3)
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert [r["id"] for r in repo.find("scenario")] == ["S_before", "S_w_0", "S_w_1", "S_w_2"]
        assert repo.load("job", "J_w_2")["status"] == "COMPLETED"
        assert repo.count("task", owner_id="S_w_1") == 3
        assert repo.get_meta("done_w") == 3
        # and the other way round: a replaced record changes in place for the other process
        repo.save("scenario", {"id": "S_w_1", "config_id": "changed"})
        check = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, sys; from scenaria.store import open_repository\n"
                "r = open_repository(json.loads(sys.argv[1]))\n"
                "print(json.dumps([s['id'] for s in r.find('scenario', config_id=['changed', 'w'])]))\n"
                "r.close()",
                json.dumps(persistent_settings),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode == 0, check.stderr
        assert json.loads(check.stdout) == ["S_w_0", "S_w_1", "S_w_2"]
    finally:
        repo.close()
