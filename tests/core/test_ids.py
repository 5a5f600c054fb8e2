"""Entity ids: the reference's shape, ordered by time, unique across threads and forked processes."""

from __future__ import annotations

import os
import threading
import uuid

from scenaria.entities.base import new_id, ordered_uuid


def test_ids_have_the_reference_shape_and_sort_by_age():
    ids = [new_id("DATANODE", "sales") for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for entity_id in ids[:5]:
        prefix, config_id, text = entity_id.split("_", 2)
        assert (prefix, config_id) == ("DATANODE", "sales")
        assert uuid.UUID(text).version == 7 and str(uuid.UUID(text)) == text
    stamps = [entity_id.rsplit("_", 1)[1][:18] for entity_id in ids]  # time part: milliseconds, microseconds
    assert stamps == sorted(stamps)


def test_threads_never_share_an_id():
    found: list[list[str]] = []

    def make() -> None:
        found.append([ordered_uuid() for _ in range(5000)])

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [entity_id for ids in found for entity_id in ids]
    assert len(set(every)) == len(every) == 20000


def test_a_forked_child_does_not_reuse_its_parents_random_bits():
    ordered_uuid()  # the parent holds unused random bits when it forks
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        os.write(write, "\n".join(ordered_uuid() for _ in range(100)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {ordered_uuid() for _ in range(100)}
    assert len(child) == 100
    # the same microsecond is possible; the same random part would be the bug
    assert not {i[19:] for i in child} & {i[19:] for i in parent}
