"""A candidate client that survives its connection: it streams PCM in real time over the
candidate WebSocket and, when the socket drops (or is dropped on purpose), reconnects with
back-off and `?after=` the last `seq` it saw, sends `start` again and resends the audio the
server did not take (from the session clock `t` of the `ready` event), so nothing said is lost
and no event is seen twice. Used by tests and `bench/chaos.py`; the room page does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import websockets

from media.frames import audio_frame

CHUNK_S = 0.02
#: a send that has not completed by then is a dead connection: websockets' send() can wait
#: forever for a transport whose peer went away with data still buffered
#: (python-websockets/websockets#1563), so the client aborts it and reconnects
SEND_TIMEOUT_S = 10.0
#: close codes after which a client reconnects (1006 is an abnormal close: a network drop)
RETRY_CODES = frozenset({1001, 1006, 1011, 1012, 1013, 4503, 4409})


@dataclass
class Connection:
    """What one socket of the client saw."""

    opened: float
    first_event: float | None = None
    closed_at: float | None = None
    close_code: int | None = None
    close_reason: str = ""


@dataclass
class ResumeStats:
    connections: list[Connection] = field(default_factory=list)
    resends_s: float = 0.0  # audio sent again after a reconnect
    duplicates: int = 0  # events with a seq seen before (must stay 0)
    gaps: int = 0  # seq jumps (must stay 0)

    @property
    def resume_times(self) -> list[float]:
        """For each reconnect: from the drop to the first event on the new socket."""
        return [after.first_event - before.closed_at
                for before, after in zip(self.connections, self.connections[1:], strict=False)
                if before.closed_at is not None and after.first_event is not None]


class ResumableCandidate:
    """Streams `samples` (mono int16 at `rate`) in real time to `url` (a candidate socket URL
    without `after`), surviving drops. `events` are every event once, in seq order."""

    def __init__(self, url: str | Callable[[], str], samples: np.ndarray, rate: int, *,
                 connect_timeout_s: float = 60.0) -> None:
        self._url = url if callable(url) else (lambda: url)
        self.samples = np.asarray(samples, dtype=np.int16)
        self.rate = rate
        self.connect_timeout_s = connect_timeout_s
        self.events: list[dict] = []
        self.stats = ResumeStats()
        self.pos = 0  # next sample to send
        #: wall time (time.time()) each sample was last sent at, by chunk start position
        self.sent_at: dict[int, float] = {}
        self.ws = None
        self._received = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._ready_audio_s: float | None = None  # audio the session had at the newest `ready`
        self._clock0 = 0  # samples the session had before this client's first sample
        self._hold_until = 0.0
        self._ready_seq: int | None = None  # the seq of this socket's `ready` (its `hello`)

    @property
    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else 0

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["type"] == kind]

    # -- connection ---------------------------------------------------------------------------
    async def connect(self) -> None:
        """Open a socket (retrying with back-off while the server says retry), replay what was
        missed, `start`, and rewind the audio to what the server has."""
        if (hold := self._hold_until - time.monotonic()) > 0:
            await asyncio.sleep(hold)
        deadline = time.monotonic() + self.connect_timeout_s
        delay = 0.2
        while True:
            sep = "&" if "?" in self._url() else "?"
            conn = Connection(opened=time.monotonic())
            code = None
            try:
                self.ws = await websockets.connect(f"{self._url()}{sep}after={self.last_seq}",
                                                   max_size=None, open_timeout=10)
                self._ready_audio_s = self._ready_seq = None
                self._reader = asyncio.create_task(self._read(conn))
                if await self._ready(30):
                    self.stats.connections.append(conn)
                    break
                code = conn.close_code  # refused after the handshake (4409, 4503...)
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                pass  # not listening (yet), or no answer
            if code is not None and code not in RETRY_CODES:
                raise ConnectionRefusedError(f"closed {code}: {conn.close_reason}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not resume within {self.connect_timeout_s} s "
                                   f"(last close {code})")
            await asyncio.sleep(delay)
            delay = min(2.0, delay * 2)
        await self.ws.send(json.dumps({"type": "start", "audio": {"sample_rate": self.rate}}))
        server_samples = round(self._ready_audio_s * self.rate)
        if len(self.stats.connections) == 1:
            self._clock0 = server_samples
        else:  # resend what the server did not take
            server_pos = max(0, server_samples - self._clock0)
            if server_pos < self.pos:
                self.stats.resends_s += (self.pos - server_pos) / self.rate
                self.pos = server_pos

    async def _ready(self, timeout: float) -> bool:
        """Wait for this socket's `ready`; False when it closes first."""
        deadline = time.monotonic() + timeout
        while self._ready_audio_s is None:
            if self._reader is None or self._reader.done() or time.monotonic() > deadline:
                return self._ready_audio_s is not None
            self._received.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._received.wait(), 0.5)
        return True

    async def _read(self, conn: Connection) -> None:
        try:
            async for raw in self.ws:
                event = json.loads(raw)
                if conn.first_event is None:
                    conn.first_event = time.monotonic()
                if event.get("type") == "hello":
                    self._ready_seq = event["ready_seq"]
                    continue
                if "seq" not in event:
                    continue  # pong, or an error of this socket only
                if event["seq"] <= self.last_seq:
                    self.stats.duplicates += 1
                    continue
                if event["seq"] != self.last_seq + 1:
                    self.stats.gaps += 1
                event["_arrived"] = time.monotonic()
                self.events.append(event)
                if event["type"] == "state" and event["seq"] == self._ready_seq:
                    self._ready_audio_s = float(event.get("audio_s") or 0.0)  # this socket's
                self._received.set()
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is not None:
                conn.close_code, conn.close_reason = exc.rcvd.code, exc.rcvd.reason
        finally:
            conn.closed_at = time.monotonic()
            self._received.set()

    async def drop(self, hold_s: float = 0.0) -> None:
        """Close the socket without `stop` (a reload, a network drop); the next connect waits
        until `hold_s` have passed."""
        self._hold_until = time.monotonic() + hold_s
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _abort(self) -> None:
        """Drop a connection that stopped taking data, without the closing handshake."""
        if self.ws is not None and self.ws.transport is not None:
            self.ws.transport.abort()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    # -- streaming ----------------------------------------------------------------------------
    async def stream(self, until: int | None = None, *, reconnect: bool = True) -> None:
        """Send samples up to `until` (default: all) in real time; on a drop, reconnect and go on
        (unless `reconnect` is false: then return)."""
        end = len(self.samples) if until is None else min(until, len(self.samples))
        chunk = int(self.rate * CHUNK_S)
        t0, sent = time.perf_counter(), 0
        while self.pos < end:
            if not self.connected:
                if not reconnect:
                    return
                await self.connect()
                t0, sent = time.perf_counter(), 0
            delay = t0 + sent * CHUNK_S - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            piece = self.samples[self.pos : min(self.pos + chunk, end)]
            try:
                self.sent_at[self.pos] = time.time()
                await asyncio.wait_for(self.ws.send(audio_frame(piece.astype("<i2").tobytes())),
                                       SEND_TIMEOUT_S)
            except websockets.ConnectionClosed:
                continue
            except TimeoutError:
                await self._abort()
                continue
            self.pos += len(piece)
            sent += 1

    async def wait_for(self, match: Callable[[dict], bool], timeout: float,
                       since: int = 0) -> dict:
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for event in self.events[seen:]:
                if match(event):
                    return event
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                kinds = [(e["type"], e.get("state")) for e in self.events[-10:]]
                raise TimeoutError(f"no matching event; last: {kinds}")
            self._received.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._received.wait(), left)

    async def stop(self, timeout: float = 60.0) -> None:
        """`stop`, then wait for `state: stopped` (reconnecting if the socket drops first)."""
        while True:
            if not self.connected:
                await self.connect()
            try:
                await self.ws.send(json.dumps({"type": "stop"}))
                await self.wait_for(lambda e: e["type"] == "state" and e["state"] == "stopped",
                                    timeout, since=len(self.events))
                return
            except websockets.ConnectionClosed:
                continue

    async def close(self) -> None:
        await self.drop()
