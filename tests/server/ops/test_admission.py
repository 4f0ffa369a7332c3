"""Admission by measured load: a node whose event loop lags, whose ASR backlog grows or whose
CPU would not fit one more session refuses it at once (4503 `busy retry=N`), counts it, and
shows its load on /api/health and /metrics."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from media.simulate import ws_url
from server.ops.load import Admission, Limits, Load, LoadMonitor
from tests.support.limits import admitting_server


def load(**kw) -> Load:
    base = {"loop_lag_s": 0.005, "cpu": 0.4, "cores": 2, "sessions": 2, "asr_backlog_s": 0.5}
    return Load(**{**base, **kw})


def test_the_decision_by_reason():
    admission = Admission(LoadMonitor(), Limits(max_sessions=8, max_loop_lag_s=0.15,
                                                max_asr_backlog_s=6.0, max_cpu_share=0.9,
                                                retry_after_s=7))
    assert admission.decide(load()).admitted
    for kw, reason in (({"sessions": 8}, "sessions"), ({"loop_lag_s": 0.2}, "loop_lag"),
                       ({"asr_backlog_s": 9.0}, "asr_backlog"),
                       # 4 sessions use 1.6 cores: a fifth (0.4 more) exceeds 0.9 x 2 cores
                       ({"sessions": 4, "cpu": 1.6}, "cpu")):
        decision = admission.decide(load(**kw))
        assert (decision.admitted, decision.reason, decision.retry_after_s) == (False, reason, 7)
    # 4 sessions at 1.2 cores: a fifth (0.3 more) fits in 1.8
    assert admission.decide(load(sessions=4, cpu=1.2)).admitted
    assert admission.admitted == 2
    assert admission.refused == {"sessions": 1, "loop_lag": 1, "asr_backlog": 1, "cpu": 1}
    # while the ladder sheds work, the low load is the shed load's: nobody new is admitted
    # (a 12-session ramp admitted 7 more after a refusal once the ladder had cut vision)
    admission.shedding = 1  # vision at 2 fps: the load read is still the load
    assert admission.decide(load(sessions=4, cpu=0.6)).admitted
    admission.shedding = 2
    decision = admission.decide(load(sessions=4, cpu=0.6))
    assert (decision.admitted, decision.reason) == (False, "degraded")
    assert admission.decide(load(sessions=0, cpu=0.0)).admitted  # nobody to degrade
    admission.shedding = 0
    assert admission.decide(load(sessions=4, cpu=0.6)).admitted


async def test_the_monitor_sees_a_blocked_loop():
    monitor = LoadMonitor(interval_s=0.05, window=20)
    monitor.start()
    try:
        await asyncio.sleep(0.3)
        assert monitor.loop_lag_s < 0.05
        for _ in range(4):
            spin = time.monotonic() + 0.25
            while time.monotonic() < spin:  # the loop is blocked (and a core busy)
                pass
            await asyncio.sleep(0.06)
        assert monitor.loop_lag_s >= 0.2
        assert 0.2 <= monitor.cpu <= monitor.cores + 0.1  # busy spinning, not idle
    finally:
        await monitor.stop()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, transcriber):
    db = tmp_path_factory.mktemp("admission") / "admission.db"
    with admitting_server(db, transcriber) as srv:
        yield srv


async def connect(srv) -> tuple[float, object]:
    """A new interview's candidate socket: (seconds to the answer, its first event or the
    close that refused it)."""
    interview = httpx.post(f"{srv.url}/api/interviews", json={}, timeout=10).json()
    started = time.monotonic()
    async with websockets.connect(ws_url(srv.url, interview["id"],
                                         interview["candidate_token"])) as ws:
        try:
            first = json.loads(await ws.recv())
        except websockets.ConnectionClosed as exc:
            return time.monotonic() - started, exc.rcvd
        return time.monotonic() - started, first


async def test_a_lagging_node_refuses_at_once_and_says_so(guarded):
    monitor = guarded.app.state.admission.monitor
    took, first = await connect(guarded)
    assert first["type"] == "hello", first  # a healthy node admits
    monitor.lags.extend([0.5] * monitor.lags.maxlen)  # as if its loop had lagged 0.5 s
    took, refused = await connect(guarded)
    assert refused.code == 4503 and refused.reason.startswith("busy retry=10 "), refused
    assert "loop_lag" in refused.reason
    assert took < 0.1, f"refused after {took * 1000:.0f} ms"
    health = httpx.get(f"{guarded.url}/api/health", timeout=10).json()
    assert health["load"]["refused"] == {"loop_lag": 1} and health["load"]["admitted"] >= 1
    assert health["load"]["loop_lag_s"] >= 0.5
    metrics = httpx.get(f"{guarded.url}/metrics", timeout=10).text
    assert 'interview_admissions{reason="loop_lag",result="refused"} 1.0' in metrics
    assert "interview_event_loop_lag_seconds" in metrics
    monitor.lags.clear()  # recovered: admitted again
    took, first = await connect(guarded)
    assert first["type"] == "hello"


def test_the_cpu_reading_counts_the_worker_processes():
    """The vision workers are child processes: a node busy in them is busy."""
    import subprocess
    import sys
    import time

    from server.ops.load import ProcessTreeCpu

    process_tree_cpu_s = ProcessTreeCpu(refresh_s=0)
    before = process_tree_cpu_s()
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nt = time.time()\nwhile time.time() - t < 1.5: pass"])
    try:
        time.sleep(1.2)  # this process sleeps; its child spins
        spent = process_tree_cpu_s() - before
    finally:
        child.wait()
    assert spent >= 0.6, spent
