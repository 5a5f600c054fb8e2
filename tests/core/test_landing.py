"""``entities.landing``: a read of an output waits while its committed file is moved into place."""

from __future__ import annotations

import threading
import time

from scenaria.entities import landing


def test_a_read_waits_for_the_move_of_its_node_only():
    landing.begin(["DATANODE_a", "DATANODE_b"])
    landing.wait("DATANODE_other")  # not being moved: returns at once
    returned: list[float] = []
    reader = threading.Thread(target=lambda: (landing.wait("DATANODE_a"), returned.append(time.monotonic())))
    reader.start()
    time.sleep(0.1)
    assert not returned  # still waiting for its node
    landing.end(["DATANODE_b"])
    time.sleep(0.1)
    assert not returned  # another node's move ending does not release it
    ended = time.monotonic()
    landing.end(["DATANODE_a"])
    reader.join(5)
    assert returned and returned[0] >= ended
    landing.wait("DATANODE_a")  # over: returns at once
