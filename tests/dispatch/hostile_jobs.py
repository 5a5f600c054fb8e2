"""Jobs that harm the process running them, for ``test_standalone_hostile`` (importable by workers)."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time


def _shout(index: int) -> int:
    print(f"{index}:" + "x" * 20_000)
    return index


def fork_pool_printing_long_lines() -> int:
    """Children of a fork pool print long lines (they inherit the worker's streams)."""
    with multiprocessing.get_context("fork").Pool(4) as pool:
        return sum(pool.map(_shout, range(40)))


def fork_and_return() -> str:
    """Fork and let the child go on (back into the worker's code) as if it were the worker."""
    os.fork()
    return "forked"


def write_file(path: str, text: str) -> str:
    with open(path, "w") as stream:
        stream.write(text)
    return text


def garbage_on_channel() -> None:
    """Write garbage onto every socket this process holds: the channel to the orchestrator is one."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, b"\xff" * 64 + b"garbage" * 100)
        except OSError:
            pass
    time.sleep(5)


def change_state(folder: str) -> None:
    os.chdir(folder)
    os.environ["SCENARIA_LEAK"] = "1"
    sys.path.insert(0, folder)


def state() -> tuple[str, str | None, str]:
    return os.getcwd(), os.environ.get("SCENARIA_LEAK"), sys.path[0]


def _chatter(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        print("from a thread of an earlier job")
        time.sleep(0.01)


def leave_a_thread() -> None:
    threading.Thread(target=_chatter, args=(time.monotonic() + 3,), daemon=True).start()


def quiet() -> str:
    time.sleep(0.3)
    return "quiet"


def leave_a_process(setsid: bool) -> int:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=setsid)
    return child.pid


def hold_a_setsid_child(path: str) -> None:
    """Start a child in a session of its own, say its pid, then wait to be canceled."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    with open(path, "w") as stream:
        stream.write(str(child.pid))
    time.sleep(60)


def print_a_lot(megabytes: int) -> int:
    line = "y" * 1023 + "\n"
    for _ in range(megabytes * 1024):
        sys.stdout.write(line)
    return megabytes


def write_to_descriptors(tag: str) -> str:
    """Output that bypasses sys.stdout: straight to fds 1 and 2, and from a child inheriting them."""
    os.write(1, f"fd1 {tag}\n".encode())
    os.write(2, f"fd2 {tag}\n".encode())
    unbuffered = {**os.environ, "PYTHONUNBUFFERED": "1"}  # its line in two writes: the text, then the newline
    subprocess.run([sys.executable, "-c", f"print('child {tag}')"], check=True, env=unbuffered)
    print(f"print {tag}")
    return tag


def leave_a_writer() -> None:
    """A child that keeps writing to the inherited fd 1 after the job returned."""
    code = "import os, time\nwhile True:\n    os.write(1, b'from a leftover process\\n')\n    time.sleep(0.01)"
    subprocess.Popen([sys.executable, "-c", code])
    time.sleep(0.3)


def write_a_lot_to_fd1(megabytes: int) -> int:
    block = b"z" * 1023 + b"\n"
    for _ in range(megabytes * 1024):
        os.write(1, block)
    return megabytes


def close_descriptors() -> int:
    """Write to fds 1 and 2, then close them (the worker's capture of them sees their end early)."""
    os.write(1, b"before close\n")
    os.close(1)
    os.close(2)
    return os.getpid()


_KEPT: list[int] = []  # descriptors a job leaves open in its worker


def reuse_the_capture_descriptor() -> int:
    """Close the read end of the pipe the worker captures fd 1 with, and open a pipe of our own
    under its number, with a live writer (a blocking read of it would never end)."""
    target = os.fstat(1).st_ino
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            try:
                same = os.fstat(fd).st_ino == target
            except OSError:
                continue
            if same:
                os.close(fd)
                read, write = os.pipe()
                if read != fd:
                    os.dup2(read, fd)
                    os.close(read)
                _KEPT.extend((fd, write))
                return fd
    raise AssertionError("no capture pipe found")
