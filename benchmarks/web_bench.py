"""The web app's two targets, over a real socket (uvicorn in a thread, the orchestrator in-process).

    python benchmarks/web_bench.py [--scenarios 10000] [--rounds 30] [--pairs 5] [--only list|events]

- ``GET /api/v1/scenarios/?limit=100`` over N stored scenarios: the first page (target < 50 ms),
  beside its floor: the bare SQLite select of the same 100 rows from the same file;
- a job's end reaching an SSE client of ``/api/v1/events``: from the job's finish time the
  orchestrator records to the moment the client has parsed the event (target <= 100 ms);
- a batch of jobs dispatched and run while 50 SSE clients (in another process) stream every
  event, beside its floor:
  the same batch with no client (target: at most 10% slower), best of 5 alternated pairs (and
  the median of the 5 pairs' ratios); also the CPU time this process (orchestrator and server)
  spent on each, less sensitive to the machine's load than the wall time.
The first two print their median and their 90th percentile.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

import scenaria as tp
from scenaria import Config
from scenaria.entities.registry import registry
from tests.web.server import WebServer
from tests.web.sse import EventReader


def identity(x: int) -> int:
    return x


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p90 {ordered[int(len(ordered) * 0.9)] * 1000:.2f} ms"


def list_page(count: int, rounds: int) -> None:
    task = Config.configure_task("copy", identity, Config.configure_data_node("a"), Config.configure_data_node("b"))
    config = Config.configure_scenario("bench", [task])
    started = time.perf_counter()
    for _ in range(count):
        tp.create_scenario(config)
    print(f"created {count} scenarios in {time.perf_counter() - started:.1f} s", flush=True)
    with WebServer() as server, httpx.Client(base_url=server.url) as client:
        client.get("/api/v1/scenarios/", params={"limit": 100})  # warm-up
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            page = client.get("/api/v1/scenarios/", params={"limit": 100})
            times.append(time.perf_counter() - began)
            assert page.status_code == 200 and len(page.json()) == 100
    print(f"GET /api/v1/scenarios/ first page of 100 over {count}: {quantiles(times)} (target < 50 ms)")
    with sqlite3.connect(registry().repository.settings["path"]) as floor:
        floors = []
        for _ in range(rounds):
            began = time.perf_counter()
            rows = floor.execute('SELECT body FROM "scenario" ORDER BY seq LIMIT 100').fetchall()
            floors.append(time.perf_counter() - began)
            assert len(rows) == 100
    print(f"  floor, a bare SQLite select of those 100 rows: {quantiles(floors)}")


def job_end_to_sse(rounds: int, pairs: int) -> None:
    source = Config.configure_data_node("source", default_data=1)
    out = Config.configure_data_node("out")
    config = Config.configure_scenario("one", [Config.configure_task("pass_on", identity, source, out)])
    Config.configure_job_executions(mode="standalone", max_nb_of_workers=2)
    tp.Orchestrator().run()
    try:
        with WebServer() as server:
            _job_end_delays(config, server.url, rounds)
            dispatch_beside_clients(config, server.url, rounds * 5, pairs)  # its floor: no client at all
    finally:
        tp.Orchestrator().stop()


def _job_end_delays(config: object, url: str, rounds: int) -> None:
    delays = []
    reader = EventReader(f"{url}/api/v1/events", params={"entity_type": "JOB"})
    try:
        for _ in range(rounds):
            scenario = tp.create_scenario(config)
            job = tp.submit(scenario).jobs[0]
            message = reader.next_matching(entity_id=job.id, attribute_value="COMPLETED")
            finished = tp.get(job.id).finished_at
            # finished_at is wall-clock time; the reader stamps perf_counter: convert through now
            now_wall, now_perf = time.time(), time.perf_counter()
            received_wall = now_wall - (now_perf - message["received"])
            delays.append(received_wall - finished.timestamp())
    finally:
        reader.close()
    print(f"job end -> SSE client: {quantiles(delays)} over {rounds} jobs (target <= 100 ms)")


def _batch(config: object, jobs: int) -> tuple[float, float]:
    """The batch's wall time, and the CPU time this process (orchestrator and web server) spent on it."""
    scenarios = [tp.create_scenario(config) for _ in range(jobs)]
    began, cpu = time.perf_counter(), time.process_time()
    submissions = [tp.submit(scenario) for scenario in scenarios]
    assert all(submission.wait(120) for submission in submissions)
    return time.perf_counter() - began, time.process_time() - cpu


# The clients read in a process of their own, as real ones would (their parsing is not the
# server's cost: in this process it would compete with the orchestrator for the GIL), and read
# thinly: raw sockets read into one buffer each, noting only the last event id of each read
# (searched from the end) and the bytes. Clients on other machines cost this one nothing; 50
# full parsers here took about 2.5 s of CPU per batch, and counting every id (a scan of every
# byte) about 45 ms, four times what receiving the bytes costs, from the 2 cores the orchestrator
# and its workers share. Their CPU time is printed beside the figures. Told to stop, they read on
# until each has the last event any of them has (at most 5 s), then print the lowest last id,
# the highest, the bytes the slowest read and their CPU time since they connected.
_CLIENTS = """
import selectors, socket, sys, time
host, port = sys.argv[1].rsplit("/", 1)[-1].split(":")
request = f"GET /api/v1/events HTTP/1.1\\r\\nHost: {host}\\r\\nAccept: text/event-stream\\r\\n\\r\\n".encode()
selector, clients = selectors.DefaultSelector(), {}
for _ in range(int(sys.argv[2])):
    client = socket.create_connection((host, int(port)))
    client.sendall(request)
    head = b""
    while b"\\r\\n\\r\\n" not in head:
        head += client.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    buffer = bytearray(1 << 18)
    clients[client] = [0, 0, buffer, memoryview(buffer), 0]  # last id, bytes, buffer, its view, bytes kept
    selector.register(client, selectors.EVENT_READ)
selector.register(sys.stdin, selectors.EVENT_READ)
print("connected", flush=True)
began = time.process_time()

def read(state, sock):
    kept = state[4]
    got = sock.recv_into(state[3][kept:])
    end, buffer = kept + got, state[2]
    state[1] += got
    at = buffer.rfind(b"\\nid: ", 0, end)
    while at >= 0:  # the last id whose line is whole
        stop = buffer.find(b"\\n", at + 5, end)
        if stop >= 0:
            state[0] = max(state[0], int(buffer[at + 5 : stop]))
            break
        at = buffer.rfind(b"\\nid: ", 0, at)
    state[4] = min(64, end)  # an id cut by the read's end is whole in the next one
    buffer[: state[4]] = buffer[end - state[4] : end]

stopping = None
while True:
    for key, _ in selector.select(0.05):
        if key.fileobj is sys.stdin:
            selector.unregister(sys.stdin)
            stopping = time.monotonic() + 5
        else:
            read(clients[key.fileobj], key.fileobj)
    lasts = [state[0] for state in clients.values()]
    if stopping is not None and (min(lasts) == max(lasts) or time.monotonic() > stopping):
        received = min(state[1] for state in clients.values())
        print(min(lasts), max(lasts), received, time.process_time() - began, flush=True)
        sys.exit(0)
"""


@contextlib.contextmanager
def _clients_elsewhere(url: str, clients: int, cpu: list[float]) -> Iterator[None]:
    """``clients`` SSE clients of ``url`` in another process; its CPU time is appended to ``cpu``.

    On leaving, every client must have had the same last event (ids are consecutive and a
    stream sends them in order, so each had all of them)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CLIENTS, url, str(clients)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "connected"
    try:
        yield
    finally:
        out, _ = process.communicate("", timeout=60)
        lowest, highest, received, seconds = out.split()
        cpu.append(float(seconds))
        assert int(lowest) == int(highest) > 0 and int(received) > 0, f"the clients fell behind: {out}"


def dispatch_beside_clients(config: object, url: str, jobs: int, pairs: int = 5, clients: int = 50) -> None:
    """Batches with and without the clients, alternated (the machine's load drifts); the best of each."""
    alone, watched, readers = [], [], []
    for _ in range(pairs):
        alone.append(_batch(config, jobs))
        with _clients_elsewhere(url, clients, readers):
            watched.append(_batch(config, jobs))
    best_alone, best_watched = min(wall for wall, _ in alone), min(wall for wall, _ in watched)
    cpu_alone, cpu_watched = min(cpu for _, cpu in alone), min(cpu for _, cpu in watched)
    paired = statistics.median(with_[0] / without[0] for without, with_ in zip(alone, watched, strict=True))
    print(
        f"{jobs} jobs dispatched and run with {clients} SSE clients: {best_watched:.2f} s, "
        f"{(best_watched / best_alone - 1) * 100:+.0f}% (target <= +10%; median of the {pairs} pairs "
        f"{(paired - 1) * 100:+.0f}%); this process's CPU {cpu_watched:.2f} s "
        f"(the clients' process: {min(readers):.2f} s)\n"
        f"  floor, the same with no client: {best_alone:.2f} s; CPU {cpu_alone:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=5, help="alternated batches with and without the clients")
    parser.add_argument("--only", choices=("list", "events"), help="the list page, or the two event figures")
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="web-bench-"))
    if args.only != "events":
        list_page(args.scenarios, args.rounds)
    if args.only != "list":
        job_end_to_sse(args.rounds, args.pairs)


if __name__ == "__main__":
    main()
