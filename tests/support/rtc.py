"""WebRTC test clients: aiortc tracks that send real samples in real time, a sending peer, the
candidate socket, and the server's offer route and peer registry."""

from __future__ import annotations

import asyncio
import fractions
import json
import time
from collections.abc import Callable

import av
import httpx
import numpy as np
import websockets
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)

import media.webrtc as webrtc
from media.simulate import ws_url

ROUTE_PATH = "/api/interviews/{interview_id}/webrtc"
AUDIO_PTIME = 0.02


# -- client-side media ------------------------------------------------------------------------
class PcmTrack(MediaStreamTrack):
    """Mono int16 samples sent in real time as 20-ms frames, then silence forever."""

    kind = "audio"

    def __init__(self, samples: np.ndarray, rate: int = 48000) -> None:
        super().__init__()
        self.samples = np.asarray(samples, dtype=np.int16)
        self.rate = rate
        self.per_frame = int(rate * AUDIO_PTIME)
        self.finished = asyncio.Event()  # every sample has been sent
        self._start: float | None = None
        self._n = 0

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + self._n * AUDIO_PTIME - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pos = self._n * self.per_frame
        chunk = self.samples[pos : pos + self.per_frame]
        if len(chunk) < self.per_frame:
            self.finished.set()
            chunk = np.concatenate([chunk, np.zeros(self.per_frame - len(chunk), np.int16)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.rate
        frame.pts = pos
        frame.time_base = fractions.Fraction(1, self.rate)
        self._n += 1
        return frame


class StillTrack(MediaStreamTrack):
    """One RGB image as a camera at `fps` frames per second."""

    kind = "video"

    def __init__(self, rgb: np.ndarray, fps: int = 15) -> None:
        super().__init__()
        self.rgb = rgb
        self.fps = fps
        self._start: float | None = None
        self._n = 0

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + self._n / self.fps - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        frame = av.VideoFrame.from_ndarray(self.rgb, format="rgb24")
        frame.pts = self._n * (90000 // self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return frame


async def connect(offer_to: Callable, *tracks: MediaStreamTrack) -> RTCPeerConnection:
    """A sending client peer: non-trickle offer (ICE gathered), `offer_to(offer)` -> answer."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for track in tracks:
        pc.addTransceiver(track, direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())  # returns once ICE is gathered
    answer = await offer_to(pc.localDescription)
    await pc.setRemoteDescription(answer)
    return pc


async def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
                     details: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} {details()}")
        await asyncio.sleep(0.05)


# -- server -------------------------------------------------------------------------------------
def ensure_webrtc_route(server):
    """The shared test server; the app itself must serve the WebRTC offer route."""
    app = server.server.config.app
    assert any(getattr(r, "path", None) == ROUTE_PATH for r in app.router.routes)
    return server


def peers(server) -> webrtc.PeerRegistry:
    """The WebRTC peers of the test server's app."""
    return server.server.config.app.state.peers


def offer_url(server, interview: dict, token: str | None = None) -> str:
    token = interview["candidate_token"] if token is None else token
    return f"{server.url}/api/interviews/{interview['id']}/webrtc?token={token}"


class Candidate:
    """The candidate WebSocket: collects events, sends control messages."""

    def __init__(self, server, interview: dict) -> None:
        self.url = ws_url(server.url, interview["id"], interview["candidate_token"])
        self.events: list[dict] = []
        self.ws = None
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> Candidate:
        self.ws = await websockets.connect(self.url, max_size=None)
        self._reader = asyncio.create_task(self._read())
        await self.wait(lambda e: e["type"] == "state" and e["state"] == "ready", 10, "ready")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()
        self._reader.cancel()

    async def _read(self) -> None:
        async for raw in self.ws:
            event = json.loads(raw)
            if "seq" in event:  # not the socket's hello
                self.events.append(event)

    async def wait(self, match: Callable[[dict], bool], timeout: float, what: str) -> dict:
        await wait_until(lambda: any(match(e) for e in self.events), timeout, what)
        return next(e for e in self.events if match(e))

    def of(self, type_: str) -> list[dict]:
        return [e for e in self.events if e["type"] == type_]


def poster(server, interview: dict) -> Callable:
    async def post(offer: RTCSessionDescription) -> RTCSessionDescription:
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.post(offer_url(server, interview),
                                json={"sdp": offer.sdp, "type": offer.type})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["type"] == "answer" and "a=candidate" in body["sdp"]
        return RTCSessionDescription(sdp=body["sdp"], type=body["type"])

    return post


def tone(seconds: float, freq: float, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_hz(pcm: bytes, rate: int) -> float:
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))
