"""A batch holding an event whose seq is stored already (a session rebuilt while its events
were in flight) cannot block storage: the other events are stored, the duplicate is left out."""

from __future__ import annotations

import time

from server.events.model import Event
from server.store.store import Store
from server.store.writer import EventWriter


async def test_a_duplicate_seq_does_not_block_the_writer(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    store.create_interview(id="a")
    store.create_interview(id="b")
    now = time.time()
    store.add_events([Event("a", 1, "state", 0.0, {"state": "ready"}, now)])
    writer = EventWriter(store)
    for event in (Event("a", 1, "state", 0.1, {"state": "again"}, now),  # seq 1 is stored
                  Event("a", 2, "metrics", 1.0, {"wpm": 0}, now),
                  Event("b", 1, "state", 0.0, {"state": "ready"}, now)):
        writer.deliver(event)
    await writer.flush()
    assert [(e.seq, e.data) for e in store.events("a")] == [(1, {"state": "ready"}),
                                                           (2, {"wpm": 0})]
    assert [e.seq for e in store.events("b")] == [1]
    writer.deliver(Event("b", 2, "state", 1.0, {"state": "stopped"}, now))
    await writer.flush()  # the writer goes on
    assert [e.seq for e in store.events("b")] == [1, 2]
