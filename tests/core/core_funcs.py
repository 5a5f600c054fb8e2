"""Task functions and callbacks of the core tests: importable by path, so stored tasks reload them."""

from __future__ import annotations

import sys


def double(x):
    return 2 * x


def add(x, y):
    return x + y


def noisy_double(x):
    print(f"doubling {x}")
    print("a warning", file=sys.stderr)
    return 2 * x


def boom(x):
    raise ValueError(f"boom on {x}")


def two_values(x):
    return x, x + 1


def constant():
    return 42


def identity(x):
    return x


def read_list(*values):
    return list(values)


def write_list(data, key):
    GENERIC_STORE[key] = list(data)


# what generic data nodes write, by the key given in their write_fct_args
GENERIC_STORE: dict[str, list] = {}


def cancel_sibling(x):
    """A task that cancels the other jobs of its own submission (found through the running jobs)."""
    import scenaria as tp

    for job in tp.get_jobs():
        if job.task.config_id != "t1" and not job.is_finished():
            tp.cancel_job(job.id)
    return x


def closes_stdout(x):
    """Prints, closes its ``sys.stdout``, and says what it sees of it."""
    print("before")
    sys.stdout.close()
    return sys.stdout.closed
