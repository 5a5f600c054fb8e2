"""Task functions of the benchmarks, importable by name (the reference engine needs that)."""

from __future__ import annotations

import time


def increment(x):
    return x + 1


def identity(x):
    return x


def burn(seconds):
    """Keep one core busy for ``seconds`` (CPU-bound, no sleep)."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def make_big(megabytes):
    return bytes(int(megabytes) * 2**20)


def size_of(value):
    return len(value)


def stamped(x):
    """The wall-clock time at which the function ran (to measure dispatch latency)."""
    return time.time()


def write_stamp(path):
    """``stamped``, writing its value to ``path`` as a pickle (temporary file, then rename): a floor."""
    import os
    import pickle

    ran = time.time()
    with open(path + ".tmp", "wb") as file:
        pickle.dump(ran, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(path + ".tmp", path)
    return ran


def pid_then_sleep(path):
    """Write this process's pid to ``path``, then sleep until killed (a job to cancel)."""
    import os
    import time

    with open(path + ".tmp", "w") as file:
        file.write(str(os.getpid()))
    os.replace(path + ".tmp", path)
    time.sleep(60)


def nothing():
    return None
