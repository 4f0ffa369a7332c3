"""Camera frames over the candidate WebSocket become live vision metrics."""

from __future__ import annotations

import asyncio
import io
import json

import cv2
import numpy as np
import pytest
import websockets
from PIL import Image
from skimage import data as skdata

from media.frames import audio_frame, video_frame
from media.simulate import ws_url
from tests.support.media import read_audio_16k


def jpeg(rgb: np.ndarray, quality: int = 80) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def on_canvas(face: np.ndarray, x: int, y: int, size=(480, 640)) -> np.ndarray:
    canvas = np.full((*size, 3), 128, np.uint8)
    canvas[y : y + face.shape[0], x : x + face.shape[1]] = face
    return canvas


def astronaut_frame() -> np.ndarray:
    face = cv2.resize(skdata.astronaut(), (360, 360))
    return on_canvas(face, 140, 60)


async def stream_av(ws, pcm16k: np.ndarray, frame_bytes: bytes, seconds: float, fps: int = 10):
    """Send `seconds` of 16 kHz audio in 20-ms chunks with a video frame every 1/fps s."""
    step = 320
    every = int(50 / fps)
    for i in range(int(seconds * 50)):
        chunk = pcm16k[(i * step) % len(pcm16k) :][:step]
        if len(chunk) < step:
            chunk = np.zeros(step, np.int16)
        await ws.send(audio_frame(chunk.tobytes()))
        if i % every == 0:
            await ws.send(video_frame(frame_bytes))
        await asyncio.sleep(0.02)


async def collect(ws, until, timeout=30.0) -> list[dict]:
    events = []
    async def loop():
        while True:
            event = json.loads(await ws.recv())
            events.append(event)
            if until(event):
                return
    await asyncio.wait_for(loop(), timeout)
    return events


async def test_face_frames_give_eye_contact_and_confidence(server, jfk, new_interview):
    interview = new_interview()
    samples, rate = jfk
    pcm = read_audio_16k(samples, rate)
    async with websockets.connect(ws_url(server.url, interview["id"],
                                         interview["candidate_token"])) as ws:
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": 16000}}))
        sender = asyncio.create_task(stream_av(ws, pcm, jpeg(astronaut_frame()), 6.0))
        events = await collect(ws, lambda e: e["type"] == "metrics" and e["t"] >= 5.0)
        await sender
        await ws.send(json.dumps({"type": "stop"}))
        events += await collect(ws, lambda e: e.get("state") == "stopped")
    metrics = [e for e in events if e["type"] == "metrics" and "face_present" in e]
    assert metrics, "no vision metrics"
    last = metrics[-1]
    assert last["face_present"] is True
    assert last["eye_contact"] > 0.7 and last["eye_contact_total"] > 0.7
    assert last["framing"] == "centred"
    assert abs(last["head"]["yaw"]) < 20 and abs(last["head"]["roll"]) < 10
    assert last["posture"]["label"] in ("ok", "unknown", "tilted", "slouching")
    assert 0 <= last["confidence"]["score"] <= 100
    assert "eye_contact" in last["confidence"]["components"]
    video = last["video"]
    assert video["frames_analysed"] >= 10 and video["frames_in"] >= video["frames_analysed"]
    # frames come at 10 fps and are analysed at up to 5 fps: the eye-contact metric is never
    # left a second without a fresh frame
    assert 0 < video["max_update_gap_s"] < 1.0
    # metrics updated at least once per second while frames flowed
    ts = [m["t"] for m in metrics]
    assert max(b - a for a, b in zip(ts, ts[1:], strict=False)) <= 1.2


async def test_looking_away_and_off_centre(server, jfk, new_interview):
    interview = new_interview()
    samples, rate = jfk
    pcm = read_audio_16k(samples, rate)
    face = cv2.resize(skdata.astronaut(), (300, 300))
    edge = on_canvas(face, 340, 60)  # pushed to the top right corner
    async with websockets.connect(ws_url(server.url, interview["id"],
                                         interview["candidate_token"])) as ws:
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": 16000}}))
        sender = asyncio.create_task(stream_av(ws, pcm, jpeg(edge), 4.0))
        events = await collect(ws, lambda e: e["type"] == "metrics" and e["t"] >= 3.0)
        await sender
    last = [e for e in events if e["type"] == "metrics" and "framing" in e][-1]
    assert last["face_present"] and last["framing"] == "off-centre"


async def test_bad_frames_get_errors_and_session_continues(server, new_interview):
    interview = new_interview()
    huge = io.BytesIO()
    Image.new("RGB", (5000, 100)).save(huge, "JPEG")
    corrupt = jpeg(astronaut_frame())[:600] + b"\x00" * 400
    async with websockets.connect(ws_url(server.url, interview["id"],
                                         interview["candidate_token"])) as ws:
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": 16000}}))
        for payload, code in [(b"not a jpeg", "bad_video"), (huge.getvalue(), "frame_too_large"),
                              (corrupt, "bad_video")]:
            await ws.send(video_frame(payload))
            events = await collect(ws, lambda e: e["type"] == "error", timeout=10)
            assert events[-1]["code"] == code, events[-1]
            await asyncio.sleep(0.25)  # past the sampling interval
        # good frames are still analysed
        silence = np.zeros(16000, np.int16)
        sender = asyncio.create_task(stream_av(ws, silence, jpeg(astronaut_frame()), 4.0))
        events = await collect(ws, lambda e: e["type"] == "metrics" and e.get("face_present"),
                               timeout=10)
        await sender
        assert events[-1]["face_present"] is True


def sampled(fps_in: float, seconds: float = 10.0, jitter: float = 0.0, start: float = 0.0):
    from server.live.video import RateSampler

    sampler = RateSampler(5.0)
    rng = np.random.default_rng(1)
    times = start + np.arange(0, seconds, 1 / fps_in)
    times = times + rng.uniform(-jitter, jitter, len(times))
    return [t for t in times if sampler.take(float(t))]


def test_sampler_keeps_every_frame_of_a_jittery_5_fps_camera():
    taken = sampled(5.0, jitter=0.02)
    assert len(taken) == 50


@pytest.mark.parametrize("fps_in", [7.0, 10.0, 15.0, 30.0])
def test_sampler_gives_its_rate_from_faster_cameras(fps_in):
    taken = sampled(fps_in, jitter=0.005)
    assert 48 <= len(taken) <= 51
    assert max(np.diff(taken)) <= 0.2 + 1 / fps_in + 0.011


def test_sampler_does_not_burst_after_a_pause():
    from server.live.video import RateSampler

    sampler = RateSampler(5.0)
    assert sampler.take(0.0) and not sampler.take(0.1)
    assert sampler.take(5.0)  # after a 5-s pause: taken, and the grid restarts here
    assert [sampler.take(5.0 + k / 30) for k in range(1, 7)] == [False] * 4 + [True, False]


def test_update_gap_counts_slow_analysis_but_not_camera_pauses(monkeypatch):
    import server.live.video as video
    from analyzers.face import FaceObservation
    from server.live.vision_scheduler import VisionResult

    now = [0.0]
    monkeypatch.setattr(video.time, "monotonic", lambda: now[0])
    held = []

    class HoldingScheduler:
        def submit(self, key, job):
            held.append(job)
            return True

    pipe = video.VideoPipeline("s", HoldingScheduler(), clock=lambda: now[0],
                               on_error=lambda *a: None)

    def frame_at(t: float, deliver_at: float | None = None) -> None:
        now[0] = t
        pipe.submit_frame(lambda: np.zeros((4, 4, 3), np.uint8))
        if deliver_at is not None:
            now[0] = deliver_at
            job = held.pop()
            job.deliver(VisionResult(job.t, FaceObservation.absent(), None, 5.0))

    for t in (0.0, 0.2, 0.4):
        frame_at(t, deliver_at=t + 0.01)
    assert pipe.counters.max_update_gap_s == pytest.approx(0.2)
    for t in (5.0, 5.2):  # after a 4.6-s camera pause
        frame_at(t, deliver_at=t + 0.01)
    assert pipe.counters.max_update_gap_s == pytest.approx(0.2)
    frame_at(5.4)  # frames keep coming, the analysis is slow
    frame_at(5.6)
    frame_at(5.8)
    now[0] = 6.41
    held[-1].deliver(VisionResult(5.8, FaceObservation.absent(), None, 5.0))
    assert pipe.counters.max_update_gap_s == pytest.approx(1.2)
    assert pipe.metrics()["video"]["max_update_gap_s"] == pytest.approx(1.2)
