"""A raw candidate socket for adversarial tests: send anything, read events, and check that the
session survived (it answers `ping`, the interview is still live, it still transcribes)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

import httpx
import numpy as np
import websockets

from media.frames import audio_frame
from media.simulate import ws_url

PING = json.dumps({"type": "ping"})
RATE = 16000


def start_message(rate: int = RATE) -> str:
    return json.dumps({"type": "start", "audio": {"sample_rate": rate}})


class CandidateSocket:
    """One candidate socket; every received message is kept in `events` (in order)."""

    def __init__(self, server, interview: dict) -> None:
        self.server = server
        self.interview = interview
        self.url = ws_url(server.url, interview["id"], interview["candidate_token"])
        self.events: list[dict] = []
        self._arrived = asyncio.Event()
        self.closed: websockets.ConnectionClosed | None = None

    async def __aenter__(self) -> CandidateSocket:
        self.ws = await websockets.connect(self.url, max_size=None, ping_interval=None)
        self._receiver = asyncio.create_task(self._receive())
        return self

    async def __aexit__(self, *exc) -> None:
        self._receiver.cancel()
        await asyncio.gather(self._receiver, return_exceptions=True)
        await self.ws.close()

    async def _receive(self) -> None:
        try:
            async for raw in self.ws:
                self.events.append(json.loads(raw))
                self._arrived.set()
        except websockets.ConnectionClosed as exc:
            self.closed = exc
        self.closed = self.closed or websockets.ConnectionClosedOK(None, None)
        self._arrived.set()

    @property
    def close_code(self) -> int | None:
        """The close code the server sent (None while open)."""
        if self.closed is None:
            return None
        return self.closed.rcvd.code if self.closed.rcvd is not None else 1006

    async def send(self, message: str | bytes) -> None:
        await self.ws.send(message)

    async def wait_for(self, match: Callable[[dict], bool], timeout: float = 10.0,
                       after: int = 0) -> dict:
        """The first event from index `after` on that matches (AssertionError on timeout or
        when the socket closes first)."""
        deadline = time.monotonic() + timeout
        seen = after
        while True:
            for event in self.events[seen:]:
                if match(event):
                    return event
            seen = max(seen, len(self.events))
            if self.closed is not None:
                raise AssertionError(f"socket closed with {self.close_code} while waiting; "
                                     f"last events: {self.events[-5:]}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; last events: {self.events[-5:]}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def error_after(self, message: str | bytes, timeout: float = 10.0) -> dict:
        """Send `message`; the next `error` event it caused."""
        mark = len(self.events)
        await self.send(message)
        return await self.wait_for(lambda e: e["type"] == "error", timeout, after=mark)

    async def ping(self, timeout: float = 10.0) -> None:
        mark = len(self.events)
        await self.send(PING)
        await self.wait_for(lambda e: e["type"] == "pong", timeout, after=mark)

    async def all_answered(self, pings_sent: int, timeout: float = 30.0) -> None:
        """Send one more `ping` and wait for its `pong`: the `pings_sent + 1`-th. Every message
        sent before it was then handled (a socket's messages are handled in order)."""
        await self.send(PING)
        count = 0

        def nth_pong(event: dict) -> bool:
            nonlocal count
            count += event["type"] == "pong"
            return count == pings_sent + 1

        await self.wait_for(nth_pong, timeout)

    def status(self) -> str:
        r = httpx.get(f"{self.server.url}/api/interviews/{self.interview['id']}",
                      params={"token": self.interview["candidate_token"]}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["status"]

    async def stream(self, pcm: np.ndarray, chunk: int = 3200) -> None:
        """16 kHz int16 PCM as fast as the socket takes it."""
        for i in range(0, len(pcm), chunk):
            await self.send(audio_frame(pcm[i : i + chunk].astype("<i2").tobytes()))
            await asyncio.sleep(0)

    async def assert_survives(self, speech: np.ndarray, *, started: bool = False,
                              heard: str = "americans") -> None:
        """The session is alive: `pong` for `ping`, the interview still live, and speech sent
        now (16 kHz, followed by silence so the utterance closes) comes back transcribed."""
        await self.ping()
        assert self.close_code is None
        assert self.status() == "live"
        mark = len(self.events)
        if not started:
            await self.send(start_message())
        await self.stream(np.concatenate([speech, np.zeros(RATE, np.int16)]))
        final = await self.wait_for(
            lambda e: e["type"] == "transcript.final" and heard in e["text"].lower(),
            timeout=60, after=mark,
        )
        assert final["words"]
        assert not [e for e in self.events if e["type"] == "interview.completed"]
        assert self.close_code is None
