"""Interview test helpers: the planned questions, spoken answers, a real-time candidate
socket that says things when asked, and event matchers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import websockets

from analyzers.questions import bank_questions
from media.audiofile import read_audio
from media.frames import audio_frame
from media.simulate import ws_url
from tests.conftest import espeak

RATE = 16000
CHUNK_S = 0.02  # the candidate streams 20-ms chunks in real time
GAP_S = 0.6  # silence between the sentences of one answer (VAD closes utterances at 0.39 s)


def planned_questions() -> list[dict]:
    """Two fixed bank questions (slow SQL query, caching): answers built from their expected
    points survive espeak + tiny.en with a clear margin over the 'strong answer' bar."""
    by_id = {q.id: q for q in bank_questions("backend", "intermediate")}
    return [by_id["be-i1"].to_dict(), by_id["be-i2"].to_dict()]


VAGUE = ["I am not sure.", "Maybe I would just try something."]


def stored_evaluations(server, interview: dict, n: int, timeout: float = 15.0) -> list[dict]:
    """The interview's stored `evaluation` events as its staff read them (storage is
    asynchronous; the candidate of a practice interview gets coaching copies only), once there
    are `n` (or after `timeout`), in turn order."""
    deadline = time.monotonic() + timeout
    while True:
        r = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                      params={"token": interview["spectator_token"]}, timeout=10)
        assert r.status_code == 200, r.text
        found = [e for e in r.json()["events"] if e["type"] == "evaluation"]
        if len(found) >= n or time.monotonic() > deadline:
            return sorted(found, key=lambda e: e["turn"])
        time.sleep(0.2)


def speech(sentences: list[str], tmp: Path, name: str) -> np.ndarray:
    """The sentences spoken one after the other with short gaps, 16 kHz int16."""
    parts = []
    gap = np.zeros(int(GAP_S * RATE), np.int16)
    for i, sentence in enumerate(sentences):
        samples, rate = read_audio(espeak(sentence, tmp / f"{name}-{i}.wav", rate=RATE))
        assert rate == RATE
        parts += [samples, gap]
    return np.concatenate(parts[:-1])


class Candidate:
    """A candidate socket that streams real-time audio: silence, or speech when asked to say
    something, and records every event with its arrival time."""

    def __init__(self, srv, interview: dict) -> None:
        self.url = ws_url(srv.url, interview["id"], interview["candidate_token"])
        self.events: list[dict] = []
        self._arrived = asyncio.Event()
        self._queue: list[tuple[np.ndarray, asyncio.Future]] = []
        self._stop_sending = False

    async def __aenter__(self) -> Candidate:
        self.ws = await websockets.connect(self.url, max_size=None)
        self._receiver = asyncio.create_task(self._receive())
        await self.ws.send(json.dumps({"type": "start", "audio": {"sample_rate": RATE}}))
        self._sender = asyncio.create_task(self._send())
        return self

    async def __aexit__(self, *exc) -> None:
        self._stop_sending = True
        for task in (self._sender, self._receiver):
            task.cancel()
        await asyncio.gather(self._sender, self._receiver, return_exceptions=True)
        await self.ws.close()

    async def _receive(self) -> None:
        async for raw in self.ws:
            event = json.loads(raw)
            if "seq" not in event:
                continue  # the socket's hello
            event["_arrived"] = time.monotonic()
            self.events.append(event)
            self._arrived.set()

    async def _send(self) -> None:
        chunk = int(RATE * CHUNK_S)
        silence = np.zeros(chunk, np.int16)
        t0, i = time.perf_counter(), 0
        current, pos, done = None, 0, None
        while not self._stop_sending:
            delay = t0 + i * CHUNK_S - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            i += 1
            if current is None and self._queue:
                (current, done), pos = self._queue.pop(0), 0
            if current is not None:
                piece = current[pos : pos + chunk]
                pos += chunk
                if pos >= len(current):
                    current = None
                    done.set_result(time.monotonic())
            else:
                piece = silence
            await self.ws.send(audio_frame(piece.astype("<i2").tobytes()))

    async def say(self, samples: np.ndarray) -> float:
        """Stream `samples` (after what is queued); returns when the last chunk was sent."""
        done = asyncio.get_running_loop().create_future()
        self._queue.append((samples, done))
        return await done

    async def wait_for(self, match: Callable[[dict], bool], timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if match(event):
                    return event
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kinds = [(e["type"], e.get("state") or e.get("turn")) for e in self.events[-30:]]
                raise AssertionError(f"timed out; last events: {kinds}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def stop(self) -> None:
        self._stop_sending = True
        self._sender.cancel()  # no audio after `stop`
        await asyncio.gather(self._sender, return_exceptions=True)
        await self.ws.send(json.dumps({"type": "stop"}))
        await self.wait_for(lambda e: e["type"] == "state" and e.get("state") == "stopped")

    def of(self, type_: str) -> list[dict]:
        return [e for e in self.events if e["type"] == type_]


def is_(type_: str, **fields) -> Callable[[dict], bool]:
    return lambda e: e["type"] == type_ and all(e.get(k) == v for k, v in fields.items())
