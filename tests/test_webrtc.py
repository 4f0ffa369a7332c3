"""WebRTC media in: an aiortc client peer streams real speech and a real face to the server,
events come back over the candidate WebSocket."""

from __future__ import annotations

import asyncio
import fractions
import json
import time
from collections.abc import Callable

import av
import httpx
import numpy as np
import pytest
import websockets
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)

import media.webrtc as webrtc
from analyzers.text import wer
from media.audiofile import read_audio
from media.simulate import ws_url
from tests.conftest import JFK, JFK_TEXT
from tests.media_fixtures import face_canvas

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


@pytest.fixture(scope="module")
def rtc_server(server):
    return ensure_webrtc_route(server)


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
            self.events.append(json.loads(raw))

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


# -- end to end --------------------------------------------------------------------------------
@pytest.mark.timeout(150)
async def test_jfk_and_face_over_webrtc(rtc_server, new_interview):
    speech, rate = read_audio(JFK, rate=48000)
    lead = np.zeros(int(0.5 * rate), np.int16)
    audio = PcmTrack(np.concatenate([lead, speech]), rate)
    interview = new_interview()
    async with Candidate(rtc_server, interview) as candidate:
        pc = await connect(poster(rtc_server, interview), audio, StillTrack(face_canvas()))
        try:
            listening = await candidate.wait(
                lambda e: e["type"] == "state" and e["state"] == "listening", 20, "listening")
            await wait_until(audio.finished.is_set, 40, "the speech to be sent", lambda: (
                pc.connectionState, webrtc.PEERS.get(interview["id"]), candidate.events[-3:]))
            await asyncio.sleep(1.5)  # trailing silence ends the last utterance
            await candidate.ws.send(json.dumps({"type": "stop"}))
            stopped = await candidate.wait(
                lambda e: e["type"] == "state" and e["state"] == "stopped", 60, "stopped")
            peer = webrtc.PEERS.get(interview["id"])
            assert peer is not None and peer.audio_frames > 400 and peer.video_frames > 100
        finally:
            await pc.close()
    finals = candidate.of("transcript.final")
    text = " ".join(f["text"] for f in finals)
    assert finals and wer(JFK_TEXT, text) <= 0.15, text
    assert listening["seq"] < finals[0]["seq"] and finals[-1]["seq"] < stopped["seq"]
    # the session clock is the WebRTC audio: 48 kHz samples counted at their own rate
    assert 11.0 < stopped["t"] < 16.0, stopped
    assert finals[0]["start"] > 0.3 and finals[-1]["end"] < 12.5
    metrics = candidate.of("metrics")
    faced = [m for m in metrics if m.get("face_present") is True]
    assert len(metrics) >= 10 and faced, metrics[-1]
    assert faced[-1]["eye_contact"] > 0.5, faced[-1]
    assert faced[-1]["video"]["frames_in"] > 100
    assert not candidate.of("error"), candidate.of("error")
    # the socket closed: the peer goes with the session
    await wait_until(lambda: interview["id"] not in webrtc.PEERS, 5, "the peer to close")


@pytest.mark.timeout(60)
async def test_new_offer_replaces_peer_and_socket_close_ends_it(rtc_server, new_interview):
    interview = new_interview()
    key = interview["id"]
    post = poster(rtc_server, interview)
    async with Candidate(rtc_server, interview) as candidate:
        first = await connect(post, StillTrack(face_canvas()))
        await wait_until(lambda: first.connectionState == "connected", 15, "first peer")
        old = webrtc.PEERS[key]
        second = await connect(post, StillTrack(face_canvas()))
        await wait_until(lambda: second.connectionState == "connected", 15, "second peer")
        new = webrtc.PEERS[key]
        assert new is not old and old.closed and not new.closed
        assert sum(1 for p in webrtc.PEERS.values() if p.key == key) == 1
        await wait_until(lambda: new.video_frames > 10, 10, "video on the new peer")
        assert not candidate.of("error"), candidate.of("error")
    await wait_until(lambda: new.closed and key not in webrtc.PEERS, 5, "the peer to close")
    for pc in (first, second):
        await pc.close()


# -- the peer on its own ------------------------------------------------------------------------
class FakeSpeech:
    def __init__(self, rate: int | None = None) -> None:
        self.resampler = type("R", (), {"rate": rate})() if rate else None
        self.pcm: list[bytes] = []

    @property
    def started(self) -> bool:
        return self.resampler is not None

    def start(self, rate: int) -> None:
        assert not self.started, "start() twice"
        self.resampler = type("R", (), {"rate": rate})()

    def push_pcm(self, pcm: bytes) -> None:
        self.pcm.append(pcm)


class FakeVideo:
    def __init__(self) -> None:
        self.frames: list[Callable[[], np.ndarray]] = []

    def submit_frame(self, to_rgb: Callable[[], np.ndarray]) -> None:
        self.frames.append(to_rgb)


class FakeSession:
    def __init__(self, rate: int | None = None) -> None:
        self.speech = FakeSpeech(rate)
        self.video = FakeVideo()
        self.stopped = False
        self.events: list[tuple[str, dict]] = []

    def emit(self, type_: str, **data) -> None:
        self.events.append((type_, data))

    def error(self, code: str, message: str) -> None:
        self.emit("error", code=code, message=message)


def tone(seconds: float, freq: float, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_hz(pcm: bytes, rate: int) -> float:
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


async def served_peer(session: FakeSession, *tracks: MediaStreamTrack, key: str = "unit"):
    peer = webrtc.CandidatePeer(key, session, ice_servers=[])
    assert webrtc.register(peer) is None

    async def offer_to(offer: RTCSessionDescription) -> RTCSessionDescription:
        return await peer.accept(offer.sdp, offer.type)

    client = await connect(offer_to, *tracks)
    return peer, client


@pytest.mark.timeout(60)
async def test_peer_feeds_mono_pcm_and_frames_and_closes():
    session = FakeSession()
    peer, client = await served_peer(session, PcmTrack(tone(30, 440)), StillTrack(face_canvas()))
    try:
        await wait_until(lambda: len(session.speech.pcm) >= 100 and session.video.frames, 15,
                         "audio and video at the peer")
        # started once, at the frame's own rate (Opus: 48 kHz), with `state: listening`
        assert session.speech.resampler.rate == 48000
        assert session.events == [("state", {"state": "listening"})]
        pcm = b"".join(session.speech.pcm[-50:])  # mono int16: 1920 bytes per 20 ms
        assert len(pcm) == 50 * 960 * 2
        assert abs(dominant_hz(pcm, 48000) - 440) < 5
        rgb = session.video.frames[-1]()  # the conversion runs where the pipeline calls it
        assert rgb.shape == (480, 640, 3) and rgb.dtype == np.uint8
        assert abs(float(rgb.mean()) - float(face_canvas().mean())) < 10
        # after `stop` audio is drained but no longer pushed
        session.stopped = True
        await asyncio.sleep(0.1)
        n, frames = len(session.speech.pcm), peer.audio_frames
        await wait_until(lambda: peer.audio_frames > frames + 10, 5, "more audio frames")
        assert len(session.speech.pcm) == n
        # close_peer ends everything
        assert await webrtc.close_peer("unit") is True
        assert peer.closed and "unit" not in webrtc.PEERS and not peer._tasks
        assert peer.pc.connectionState == "closed"
        assert await webrtc.close_peer("unit") is False
    finally:
        await client.close()
        await peer.close()


@pytest.mark.timeout(60)
async def test_peer_resamples_to_a_rate_already_started():
    session = FakeSession(rate=16000)  # e.g. started by the WebSocket
    peer, client = await served_peer(session, PcmTrack(tone(30, 300)))
    try:
        await wait_until(lambda: len(session.speech.pcm) >= 60, 15, "audio at the peer")
        assert session.events == []  # not started here: no second `listening`
        pcm = b"".join(session.speech.pcm[-50:])
        assert abs(len(pcm) - 50 * 320 * 2) <= 64  # ~16 kHz mono int16
        assert abs(dominant_hz(pcm, 16000) - 300) < 5
    finally:
        await webrtc.close_peer("unit")
        await client.close()


@pytest.mark.timeout(30)
async def test_peer_watchdog_closes_when_session_ends(monkeypatch):
    monkeypatch.setattr(webrtc, "WATCH_INTERVAL_S", 0.05)
    live = True
    peer = webrtc.CandidatePeer("watch", FakeSession(), lambda: live, ice_servers=[])
    webrtc.register(peer)
    await asyncio.sleep(0.2)
    assert not peer.closed
    live = False
    await wait_until(lambda: peer.closed, 2, "the watchdog")
    assert "watch" not in webrtc.PEERS


def test_peer_limit(monkeypatch):
    monkeypatch.setattr(webrtc, "MAX_PEERS", 0)
    with pytest.raises(webrtc.PeerLimitError):
        webrtc.check_capacity("anything")


# -- HTTP errors ---------------------------------------------------------------------------------
def test_offer_unknown_interview(rtc_server):
    r = httpx.post(f"{rtc_server.url}/api/interviews/nope/webrtc?token=x",
                   json={"sdp": "v=0", "type": "offer"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_offer_wrong_token(rtc_server, new_interview):
    interview = new_interview()
    for token in ("", "wrong", interview["spectator_token"]):
        r = httpx.post(offer_url(rtc_server, interview, token),
                       json={"sdp": "v=0", "type": "offer"})
        assert r.status_code == 403, (token, r.text)
        assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[1, 2]", b'{"type": "offer"}', b'{"sdp": 5, "type": "offer"}',
    b'{"sdp": "v=0", "type": "answer"}', b'{"sdp": "v=0"}', b'{"sdp": "  ", "type": "offer"}',
])
def test_offer_bad_body(rtc_server, new_interview, body):
    interview = new_interview()
    r = httpx.post(offer_url(rtc_server, interview), content=body,
                   headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_offer", r.text


def test_offer_without_socket(rtc_server, new_interview):
    interview = new_interview()
    r = httpx.post(offer_url(rtc_server, interview), json={"sdp": "v=0", "type": "offer"})
    assert r.status_code == 409, r.text
    assert "WebSocket" in r.json()["error"]["message"]


async def test_offer_bad_sdp_and_full_server(rtc_server, new_interview, monkeypatch):
    interview = new_interview()
    async with Candidate(rtc_server, interview), httpx.AsyncClient(timeout=10) as http:
        r = await http.post(offer_url(rtc_server, interview),
                            json={"sdp": "this is not sdp", "type": "offer"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_sdp", r.text
        assert interview["id"] not in webrtc.PEERS
        monkeypatch.setattr(webrtc, "MAX_PEERS", 0)
        r = await http.post(offer_url(rtc_server, interview),
                            json={"sdp": "v=0", "type": "offer"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "too_many_peers", r.text
