"""Events and the per-session event stream.

Every output of a session is an `Event` with a per-session `seq` and a time `t` on the session
clock. `EventStream.emit` builds it from a typed payload (`server.events.kinds`), appends it to
the session's log and publishes it on the session's channel; the candidate socket, spectators
and storage are subscribers of that channel.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from server.events.kinds import Payload


@dataclass(frozen=True)
class Event:
    session_id: str
    seq: int
    type: str
    t: float
    data: dict[str, Any] = field(default_factory=dict)
    wall: float = field(default_factory=time.time)

    def to_wire(self) -> dict[str, Any]:
        """The JSON object sent to clients."""
        return {"type": self.type, "seq": self.seq, "t": round(self.t, 3),
                "ts": round(self.wall, 3), **self.data}

    @cached_property
    def wire_json(self) -> str:
        """`to_wire()` serialised once, however many sockets it goes to."""
        return json.dumps(self.to_wire())

    def to_record(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "seq": self.seq,
            "type": self.type,
            "t": self.t,
            "data": self.data,
            "wall": self.wall,
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Event:
        return cls(r["session_id"], r["seq"], r["type"], r["t"], r.get("data") or {}, r["wall"])


class Publisher(Protocol):
    def publish(self, event: Event) -> None: ...


#: the newest events a session keeps in memory; older ones are read back from storage
LOG_MAX = 1000


class EventStream:
    """The ordered event log of one session, published as it grows. Only the newest `maxlen`
    events stay in memory (`log`); the history is the store's."""

    def __init__(self, session_id: str, publisher: Publisher, start_seq: int = 0,
                 maxlen: int = LOG_MAX) -> None:
        self.session_id = session_id
        self._publisher = publisher
        self._seq = start_seq
        self.start_seq = start_seq  # events up to this seq were made before this stream opened
        self.log: deque[Event] = deque(maxlen=maxlen)

    @property
    def last_seq(self) -> int:
        return self._seq

    @property
    def first_kept_seq(self) -> int:
        """The seq of the oldest event in `log` (the next seq when it is empty)."""
        return self.log[0].seq if self.log else self._seq + 1

    def emit(self, payload: Payload, t: float) -> Event:
        """Append and publish the event of `payload` at session time `t`."""
        self._seq += 1
        event = Event(self.session_id, self._seq, payload.KIND.value, t, payload.data())
        self.log.append(event)
        self._publisher.publish(event)
        return event
