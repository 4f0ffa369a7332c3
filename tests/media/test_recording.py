"""Session recordings: WebM (Opus + VP8) written while the candidate streams, served with
authorization and HTTP Range."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
import websockets

from media.recorder import SessionRecorder
from media.simulate import create_interview, stream_pcm, ws_url
from media.video_source import jpeg_frames
from server.http.recording import media_type
from tests.conftest import run
from tests.support.db import register
from tests.support.media import face_canvas, push_tone, tone, write_mp4

RATE = 16000


# -- helpers ------------------------------------------------------------------------------------
def wait_session_closed(server, interview_id: str, timeout: float = 30.0) -> None:
    """Until the server has closed the session (and with it finished the recording)."""
    live = server.server.config.app.state.sessions.live
    deadline = time.monotonic() + timeout
    while interview_id in live:
        assert time.monotonic() < deadline, "the session was not closed"
        time.sleep(0.05)


def recording_url(server, interview: dict, token: str | None = None) -> str:
    token = interview["candidate_token"] if token is None else token
    return f"{server.url}/api/interviews/{interview['id']}/recording?token={token}"


def probe(path: Path) -> dict:
    """What PyAV decodes from a recording: audio seconds, video frame times and size."""
    out: dict = {"audio_s": 0.0, "audio_first": None, "video_times": [], "video_size": None}
    with av.open(str(path)) as container:
        out["streams"] = sorted(s.type for s in container.streams)
        out["codecs"] = sorted(s.codec_context.name for s in container.streams)
        for frame in container.decode(audio=0):
            if out["audio_first"] is None:
                out["audio_first"] = frame.time
            out["audio_s"] += frame.samples / frame.sample_rate
            out["audio_rate"] = frame.sample_rate
    if "video" in out["streams"]:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                out["video_times"].append(frame.time)
                out["video_size"] = (frame.width, frame.height)
    return out






def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# -- the recorder ---------------------------------------------------------------------------------
def test_recorder_writes_in_chunks_while_recording(tmp_path):
    rec = SessionRecorder(tmp_path, "chunks")
    push_tone(rec, 0.0, 3.0)
    wait_for(lambda: rec.path.exists() and rec.path.stat().st_size > 2000, what="first write")
    first = rec.path.stat().st_size
    push_tone(rec, 3.0, 3.0)
    wait_for(lambda: rec.path.stat().st_size > first, what="the file to grow")
    assert rec.has_video is True and not rec.closed
    grown = rec.path.stat().st_size
    rec.close()
    assert rec.path.stat().st_size >= grown
    info = probe(rec.path)
    assert info["streams"] == ["audio", "video"] and info["codecs"] == ["opus", "vp8"]
    assert abs(info["audio_s"] - 6.0) < 0.1 and info["audio_rate"] == 48000
    assert abs(info["audio_first"]) < 0.03
    times = info["video_times"]
    assert 10 <= len(times) <= 13, times  # 2 fps from 5 fps input
    assert times == sorted(times) and times[0] < 0.05 and times[-1] < 6.0
    assert info["video_size"] == (320, 240)  # 640x480 scaled to 320 wide
    assert rec.stats.frames_written == len(times) and rec.stats.write_errors == 0
    assert media_type(rec.path) == "video/webm"


def test_no_video_makes_an_audio_only_file(tmp_path):
    rec = SessionRecorder(tmp_path, "audio", video_wait_s=2.0)
    push_tone(rec, 0.0, 3.0, frames=False)
    rec.push_frame(face_canvas, 3.0)  # too late: the file was opened audio-only
    push_tone(rec, 3.0, 1.0, frames=False)
    rec.close()
    assert rec.has_video is False
    info = probe(rec.path)
    assert info["streams"] == ["audio"]
    assert abs(info["audio_s"] - 4.0) < 0.1
    assert rec.stats.frames_skipped == 1
    assert media_type(rec.path) == "audio/webm"


def test_short_session_without_frames_and_no_audio_at_all(tmp_path):
    short = SessionRecorder(tmp_path, "short")
    push_tone(short, 0.0, 1.0, frames=False)  # closed before the video wait is over
    short.close()
    assert short.has_video is False and abs(probe(short.path)["audio_s"] - 1.0) < 0.05
    silent = SessionRecorder(tmp_path, "silent")
    silent.push_frame(face_canvas, 0.5)  # video before any audio is not recorded
    silent.close()
    assert not silent.path.exists() and silent.stats.frames_sampled_out == 1


def test_gaps_in_the_session_clock_become_silence(tmp_path):
    rec = SessionRecorder(tmp_path, "gap")
    push_tone(rec, 0.0, 1.0, rate=48000, frames=False)
    push_tone(rec, 2.5, 1.0, rate=48000, frames=False)  # 1.5 s were never pushed
    rec.close()
    assert abs(rec.stats.audio_gap_s - 1.5) < 0.01
    assert abs(probe(rec.path)["audio_s"] - 3.5) < 0.05


def test_bad_frames_and_a_full_frame_queue_are_counted(tmp_path):
    rec = SessionRecorder(tmp_path, "bad", max_queue_frames=1)

    def broken():
        raise ValueError("not an image")

    def slow():
        time.sleep(0.3)
        return face_canvas()

    push_tone(rec, 0.0, 0.1, frames=False)
    rec.push_frame(broken, 0.1)  # the first frame is undecodable: wait for the next one
    wait_for(lambda: rec.stats.frame_errors == 1, what="the bad frame")
    for i in range(8):  # faster than the writer decodes them
        rec.push_frame(slow, 0.7 + i * 0.5)
    push_tone(rec, 0.1, 2.1, frames=False)
    rec.close()
    s = rec.stats
    assert s.frame_errors == 1 and s.frames_queue_full > 0 and s.frames_written >= 1
    assert s.audio_dropped == 0
    info = probe(rec.path)
    assert info["streams"] == ["audio", "video"] and abs(info["audio_s"] - 2.2) < 0.1


def test_a_full_audio_queue_drops_at_once_counted_and_logged(tmp_path, caplog):
    """The recorder runs on the event loop: it never waits for its writer."""
    rec = SessionRecorder(tmp_path, "full", max_queue_audio_s=1.0)
    release = threading.Event()

    def stuck():  # the writer is busy with a frame that takes long to decode
        release.wait(10)
        return face_canvas()

    push_tone(rec, 0.0, 0.1, frames=False)
    rec.push_frame(stuck, 0.05)
    caplog.set_level("WARNING", logger="media.recorder")
    started = time.perf_counter()
    for i in range(100):  # 2 s of 20-ms chunks while the writer is stuck
        rec.push_audio(tone(0.02, RATE).tobytes(), 0.1 + 0.02 * i, RATE)
    took = time.perf_counter() - started
    release.set()
    rec.close()
    assert took < 0.05, took  # no waiting (it waited 0.1 s per chunk before)
    assert rec.stats.audio_dropped > 40 and abs(rec.stats.audio_dropped_s
                                                 - 0.02 * rec.stats.audio_dropped) < 1e-6
    assert any("dropping audio" in r.getMessage() for r in caplog.records)


SHARED_FRAMES = """
import threading
import av
import numpy as np
from media.recorder import SessionRecorder
from media.camera_frame import i420_planes
from tests.support.media import tone
rgb = np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)
frames = [av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
          for _ in range(150)]
# as media/webrtc.py hands them to the video pipeline: the recorder gets each PyAV frame and
# converts it with its own scaler while the vision thread copies the same frame's planes
def vision():
    for _ in range(3):
        for frame in frames:
            i420_planes(frame)
worker = threading.Thread(target=vision)
rec = SessionRecorder(".", "shared", video_fps=1000, max_queue_frames=1000)
audio = tone(1.5, 16000)
worker.start()
for i, frame in enumerate(frames):
    t = i * 0.01
    rec.push_audio(audio[i * 160 : (i + 1) * 160].tobytes(), t, 16000)
    rec.push_frame(frame, t)
rec.close()
worker.join()
print(rec.stats.frames_written, rec.stats.frame_errors)
"""


def test_frames_shared_with_the_vision_worker(tmp_path):
    """WebRTC frames reach the recorder and the vision payload as the same PyAV frame, used by
    two threads at once; neither goes through the frame's cached scaler (that crashes)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SHARED_FRAMES], cwd=tmp_path, timeout=120,
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    written, errors = map(int, done.stdout.split())
    assert written == 150 and errors == 0


CRASH = """
import os, sys, time
import numpy as np
from media.recorder import SessionRecorder
from tests.support.media import push_tone
rec = SessionRecorder(sys.argv[1], "crash")
push_tone(rec, 0.0, 4.0, rgb=np.full((240, 320, 3), 90, np.uint8))
time.sleep(1.5)
os._exit(3)  # no close(): as if the server died
"""


def test_a_crash_leaves_a_playable_file(tmp_path):
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path)], cwd=root, timeout=60,
                          capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    info = probe(tmp_path / "crash.webm")
    assert info["streams"] == ["audio", "video"]
    assert info["audio_s"] > 2.5, info  # all but about the last cluster
    assert len(info["video_times"]) >= 4


# -- the server -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def recorded(server, jfk, tmp_path_factory) -> dict:
    """jfk.flac and an astronaut video streamed into an interview (twice real time)."""
    samples, rate = jfk
    video = write_mp4(tmp_path_factory.mktemp("video") / "face.mp4")
    interview = run(create_interview(server.url))
    result = run(stream_pcm(server.url, samples, rate, interview=interview, speed=2,
                            video=jpeg_frames(video, 5.0)))
    wait_session_closed(server, interview["id"])
    r = httpx.get(recording_url(server, interview), timeout=30)
    assert r.status_code == 200, r.text
    path = tmp_path_factory.mktemp("download") / "recording.webm"
    path.write_bytes(r.content)
    return {"interview": interview, "result": result, "response": r, "path": path,
            "duration": len(samples) / rate}


def test_recording_of_a_streamed_interview(recorded):
    r = recorded["response"]
    assert r.headers["content-type"] == "video/webm"
    assert r.headers["accept-ranges"] == "bytes"
    info = probe(recorded["path"])
    assert info["codecs"] == ["opus", "vp8"]
    assert abs(info["audio_s"] - recorded["duration"]) <= 0.5, info["audio_s"]
    times = info["video_times"]
    assert info["video_size"][0] == 320
    # the reduced frame rate: about 2 frames per second of session time
    assert 1.4 <= len(times) / recorded["duration"] <= 2.6, times
    assert times == sorted(times) and times[-1] <= recorded["duration"] + 0.5


def test_media_time_is_the_event_clock(recorded):
    """A word's timestamps are media time: the recording is loud while JFK speaks."""
    finals = recorded["result"].finals
    words = [w for f in finals for w in f["words"]]
    assert words
    with av.open(str(recorded["path"])) as container:
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    rms = lambda a, b: float(np.sqrt(np.mean(audio[int(a * 48000) : int(b * 48000)] ** 2)))  # noqa: E731
    speech = np.mean([rms(w["start"], w["end"]) for w in words])
    assert speech > 0.02 and rms(0.0, 0.25) < speech / 4  # jfk.flac starts with silence


def test_range_requests(server, recorded):
    url = recording_url(server, recorded["interview"])
    full = recorded["path"].read_bytes()
    r = httpx.get(url, headers={"Range": "bytes=100-1099"}, timeout=10)
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 100-1099/{len(full)}"
    assert r.content == full[100:1100]
    tail = httpx.get(url, headers={"Range": "bytes=-500"}, timeout=10)
    assert tail.status_code == 206 and tail.content == full[-500:]
    head = httpx.head(url, timeout=10)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(full)
    beyond = httpx.get(url, headers={"Range": f"bytes={len(full) + 10}-"}, timeout=10)
    assert beyond.status_code == 416


def test_recording_authorization(server, recorded):
    interview = recorded["interview"]
    spectator = httpx.get(recording_url(server, interview, interview["spectator_token"]),
                          headers={"Range": "bytes=0-99"}, timeout=10)
    assert spectator.status_code == 206
    wrong = httpx.get(recording_url(server, interview, "wrong"), timeout=10)
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden", wrong.text
    # no credentials at all: 401, as for every interview resource
    none = httpx.get(recording_url(server, interview, ""), timeout=10)
    assert none.status_code == 401 and none.json()["error"]["code"] == "unauthorized", none.text
    r = httpx.get(f"{server.url}/api/interviews/nope/recording?token=x", timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_recording_for_signed_in_users(server, recorded):
    interview = recorded["interview"]
    url = f"{server.url}/api/interviews/{interview['id']}/recording"
    owner, other = register(server), register(server)
    server.server.config.app.state.store.update_interview(
        interview["id"], candidate_id=owner["user"]["id"])
    r = httpx.get(url, headers={**owner["headers"], "Range": "bytes=0-9"}, timeout=10)
    assert r.status_code == 206 and len(r.content) == 10
    assert httpx.get(url, headers=other["headers"], timeout=10).status_code == 403
    forged = httpx.get(url, headers={"Authorization": "Bearer not.a.jwt"}, timeout=10)
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "invalid_token"
    assert httpx.get(url, timeout=10).status_code == 401  # anonymous: no credentials


def test_no_recording_without_audio(server):
    fresh = run(create_interview(server.url))
    r = httpx.get(recording_url(server, fresh), timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_recording"

    async def start_and_stop(interview: dict) -> None:
        url = ws_url(server.url, interview["id"], interview["candidate_token"])
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": RATE}}))
            await ws.send(json.dumps({"type": "stop"}))
            async for raw in ws:
                if json.loads(raw).get("state") == "stopped":
                    break

    silent = run(create_interview(server.url))
    run(start_and_stop(silent))
    wait_session_closed(server, silent["id"])
    r = httpx.get(recording_url(server, silent), timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_recording"
