"""The degradation ladder: the node's pressure picks a level (up at once, down step by step),
each session gives up vision frames, then partials, then camera analysis, and says so with a
`quality` event; the report flags the degraded time."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace

import httpx
import numpy as np
import pytest
import websockets

from analyzers.session_report import quality_summary, report_from_events
from media.frames import audio_frame
from media.simulate import ws_url
from server.events.model import Event
from server.live.quality import LEVELS, Ladder, apply_level, level_of, pressure
from server.ops.load import Admission, Limits, Load, LoadMonitor
from tests.support.limits import admitting_server


def test_pressure_and_levels():
    admission = Admission(LoadMonitor(), Limits(max_loop_lag_s=0.1, max_asr_backlog_s=4.0,
                                                max_cpu_share=0.5))
    load = Load(loop_lag_s=0.02, cpu=0.8, cores=2, sessions=3, asr_backlog_s=1.0)
    value, reason = pressure(load, admission)
    assert (round(value, 2), reason) == (0.8, "cpu")  # 0.8 of 0.5 x 2 cores
    assert [level_of(v) for v in (0.5, 0.7, 0.84, 0.85, 0.99, 1.0, 3.0)] == [0, 1, 1, 2, 2, 3, 3]


def test_cpu_alone_stops_at_no_partials_and_latency_signals_go_to_audio_only():
    admission = Admission(LoadMonitor(), Limits(max_loop_lag_s=0.1, max_asr_backlog_s=4.0,
                                                max_cpu_share=0.5))
    saturated = Load(loop_lag_s=0.02, cpu=2.0, cores=2, sessions=8, asr_backlog_s=1.0)
    value, reason = pressure(saturated, admission)
    assert reason == "cpu" and level_of(value) == 2  # 2.0 of 1.0 core: capped below level 3
    lagging = Load(loop_lag_s=0.12, cpu=2.0, cores=2, sessions=8, asr_backlog_s=1.0)
    assert pressure(lagging, admission) == (pytest.approx(1.2), "loop_lag")
    assert level_of(pressure(lagging, admission)[0]) == 3
    behind = Load(loop_lag_s=0.02, cpu=2.0, cores=2, sessions=8, asr_backlog_s=5.0)
    assert level_of(pressure(behind, admission)[0]) == 3


def test_the_ladder_goes_up_at_once_and_down_step_by_step():
    now = [0.0]
    ladder = Ladder(calm_s=5.0, clock=lambda: now[0])
    assert ladder.update(1.2, "loop_lag") == 3 and ladder.reason == "loop_lag"
    for t, expected in ((1, 3), (5.9, 3), (6.0, 2), (10.9, 2), (11.0, 1), (16.0, 0)):
        now[0] = t
        assert ladder.update(0.2, "cpu") == expected, t
    assert ladder.reason == ""
    now[0] = 17.0
    assert ladder.update(0.9, "cpu") == 2  # a new rise is immediate


class FakeVideo:
    def __init__(self) -> None:
        self.fps, self.paused = None, False

    def set_face_fps(self, fps):
        self.fps = fps


def test_apply_level_degrades_in_order_and_announces():
    emitted = []
    session = SimpleNamespace(quality_level=0, video=FakeVideo(),
                              speech=SimpleNamespace(partials=True), emit=emitted.append)
    apply_level(session, 1, "cpu")
    assert (session.video.fps, session.video.paused, session.speech.partials) == (2.0, False,
                                                                                  True)
    apply_level(session, 1, "cpu")  # unchanged: no second event
    apply_level(session, 2, "cpu")
    assert session.speech.partials is False and not session.video.paused
    apply_level(session, 3, "loop_lag")
    assert session.video.paused
    apply_level(session, 0, "")
    assert (session.video.fps, session.video.paused, session.speech.partials) == (None, False,
                                                                                  True)
    assert [(e.level, e.name) for e in emitted] == [(1, LEVELS[1]), (2, LEVELS[2]),
                                                    (3, LEVELS[3]), (0, LEVELS[0])]
    assert emitted[-1].reason == "load back to normal"


def test_the_cameras_share_the_vision_budget_and_the_ladder_cuts_below_it():
    """Each camera gets budget / cameras face analyses a second (at most the configured 5, at
    least 1.5) and one posture reading per 0.5 s x cameras; sessions without a camera do not
    count; the ladder's level 1 still caps every camera at 2 fps."""
    from server.live.quality import QualityController
    from server.live.video import VideoPipeline

    def session(camera: bool):
        video = VideoPipeline("k", scheduler=None, clock=lambda: 0.0, on_error=print)
        if camera:
            video._frame_in_at = time.monotonic()
        return SimpleNamespace(quality_level=0, stopped=False, video=video,
                               speech=SimpleNamespace(partials=True), emit=lambda e: None)

    admission = Admission(LoadMonitor(), Limits())
    calm = [session(True), session(True), session(False)]
    QualityController(admission, lambda: calm, lambda: 0.0, vision_budget_fps=16).step()
    assert [s.video.face_fps for s in calm] == [5.0, 5.0, 5.0]  # 16 / 2 is over the 5 fps
    assert calm[0].video.pose_interval_s == 2.0  # the configured interval
    busy = [session(True) for _ in range(8)] + [session(False)]
    controller = QualityController(admission, lambda: busy, lambda: 0.0, vision_budget_fps=16)
    controller.step()
    assert {s.video.face_fps for s in busy} == {2.0}  # 16 / 8
    assert busy[0].video.pose_interval_s == 4.0
    crowd = [session(True) for _ in range(16)]
    QualityController(admission, lambda: crowd, lambda: 0.0, vision_budget_fps=16).step()
    assert {s.video.face_fps for s in crowd} == {1.5}  # the floor, not 1.0
    apply_level(crowd[0], 1, "cpu", face_fps=1.5)
    assert crowd[0].video.face_fps == 1.5  # the lower of the share and the ladder's 2 fps
    apply_level(calm[0], 1, "cpu", face_fps=5.0)
    assert calm[0].video.face_fps == 2.0


def test_the_report_flags_degraded_time():
    summary = quality_summary([(10.0, {"level": 3, "name": "audio_only", "reason": "cpu"}),
                               (25.0, {"level": 0, "name": "full", "reason": ""})], 60.0)
    assert summary["degraded"] and summary["worst_level"] == 3
    assert summary["periods"] == [{"start": 10.0, "end": 25.0, "level": 3,
                                   "name": "audio_only", "reason": "cpu"}]
    assert "not counted as missing" in summary["notes"][0]
    assert quality_summary([], 60.0) == {"degraded": False, "worst_level": 0, "periods": [],
                                         "notes": []}
    ev = {"index": 0, "turn": 0, "question_id": "q1", "score": 70, "coverage": 0.8,
          "feedback": "ok", "delivery": {}, "vision": {}}
    events = [Event("s", 1, "question", 1.0, {"turn": 0, "index": 0}),
              Event("s", 2, "quality", 2.0, {"level": 1, "name": "reduced_vision",
                                             "reason": "cpu"}),
              Event("s", 3, "evaluation", 9.0, ev)]
    report = report_from_events(events, [{"id": "q1", "text": "Q?"}])
    assert report["quality"]["degraded"] and report["quality"]["worst_level"] == 1


@pytest.fixture
def loaded(tmp_path, transcriber):
    with admitting_server(tmp_path / "q.db", transcriber) as srv:
        yield srv


async def test_a_live_session_is_told_and_stops_analysing(loaded):
    interview = httpx.post(f"{loaded.url}/api/interviews", json={}, timeout=10).json()
    state = loaded.app.state
    state.quality.ladder.calm_s = 0.3
    async with websockets.connect(ws_url(loaded.url, interview["id"],
                                         interview["candidate_token"])) as ws:
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": 16000}}))
        session = state.sessions.live[interview["id"]]
        monitor = state.admission.monitor
        monitor.lags.extend([0.5] * monitor.lags.maxlen)  # the loop lagged: pressure 3.3
        seen: list[dict] = []

        async def until(match, timeout: float) -> dict:
            async def read():
                while True:
                    await ws.send(audio_frame(np.zeros(1600, np.int16).tobytes()))
                    try:
                        event = json.loads(await asyncio.wait_for(ws.recv(), 0.1))
                    except TimeoutError:
                        continue
                    seen.append(event)
                    if match(event):
                        return event
            return await asyncio.wait_for(read(), timeout)

        top = await until(lambda e: e.get("type") == "quality", 5)
        assert (top["level"], top["name"], top["reason"]) == (3, "audio_only", "loop_lag")
        assert session.video.paused and session.speech.partials is False
        metrics = await until(lambda e: e.get("type") == "metrics", 5)
        assert metrics.get("analysis_paused") is True and "eye_contact" not in metrics
        monitor.lags.clear()  # the load is gone: back down, one level at a time
        back = await until(lambda e: e.get("type") == "quality" and e["level"] == 0, 15)
        assert back["reason"] == "load back to normal"
        levels = [e["level"] for e in seen if e.get("type") == "quality"]
        assert levels == [3, 2, 1, 0], levels
        assert not session.video.paused and session.speech.partials
