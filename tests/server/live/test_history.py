"""A session keeps only its newest events in memory; its history comes from storage."""

from __future__ import annotations

import types

from server.events.broker import InProcessBroker
from server.events.kinds import Error
from server.events.model import EventStream
from server.live.manager import SessionManager
from server.store.ownership import LocalOwnership
from server.store.store import Store
from server.store.writer import EventWriter


async def test_the_ring_keeps_the_newest_and_history_reads_the_rest_back(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'h.db'}")
    store.create_interview(id="ring")
    broker = InProcessBroker()
    writer = EventWriter(store)
    broker.add_sink(writer)
    manager = SessionManager(store, broker, scheduler=None, vision=None,  # type: ignore[arg-type]
                             ownership=LocalOwnership(store), event_writer=writer)
    stream = EventStream("ring", broker, maxlen=10)
    manager.live["ring"] = types.SimpleNamespace(stream=stream)  # type: ignore[assignment]
    for i in range(50):
        stream.emit(Error(code="e", message=str(i)), float(i))
    assert len(stream.log) == 10 and stream.first_kept_seq == 41  # bounded in memory
    await writer.flush()
    for i in range(50, 53):  # not stored yet: only in the ring
        stream.emit(Error(code="e", message=str(i)), float(i))
    everything = await manager.history("ring", 0)
    assert [e.seq for e in everything] == list(range(1, 54))
    assert [e.seq for e in await manager.history("ring", 45)] == list(range(46, 54))


async def test_a_rebuilt_session_stores_what_only_the_broker_kept(tmp_path):
    """A node killed between publishing an event and storing it: the event is in the broker's
    log (Redis) only; the node that rebuilds the session stores it, so replay has it too."""
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_interview(id="gone")
    broker = InProcessBroker()
    published = EventStream("gone", broker)
    events = [published.emit(Error(code="e", message=str(i)), float(i)) for i in range(5)]
    store.add_events(events[:3])  # the dead node's writer flushed three of five

    async def broker_history(interview_id, after):
        return [e for e in events if e.seq > after]

    broker.history = broker_history  # type: ignore[method-assign]
    manager = SessionManager(store, broker, scheduler=None, vision=None,  # type: ignore[arg-type]
                             ownership=LocalOwnership(store))
    recovered = await manager.recover("gone")
    assert [e.seq for e in recovered] == [1, 2, 3, 4, 5]
    assert [e.seq for e in store.events("gone", 0, 100)] == [1, 2, 3, 4, 5]
    assert [e.seq for e in await manager.recover("gone")] == [1, 2, 3, 4, 5]  # not twice
    assert len(store.events("gone", 0, 100)) == 5
