"""Scheduling of the shared model: finals first, newest partial only, a worker kept for finals.

The transcriber here is a recorder with a fixed cost, so the order and overlap of jobs can be
asserted exactly; the real model is exercised by the live tests."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from server.live.asr_scheduler import AsrScheduler
from tests.support.fakes import RecordingTranscriber


def audio(seconds: float = 1.0) -> np.ndarray:
    return np.zeros(int(16000 * seconds), np.int16)


async def test_finals_run_before_queued_partials_and_are_never_dropped():
    engine = RecordingTranscriber()
    sched = AsrScheduler(engine, workers=1)
    got_partials = []
    for key in ("a", "b"):
        sched.request_partial(key, lambda k=key: (audio(), f"partial-{k}", k),
                              lambda r, ctx: got_partials.append(ctx))
    finals = [sched.submit_final("c", audio(), f"final-{i}") for i in range(3)]
    sched.start()
    results = await asyncio.gather(*finals)
    await asyncio.sleep(0.3)
    await sched.close()
    order = [c[0] for c in engine.calls]
    assert order[:3] == ["final-0", "final-1", "final-2"]
    assert [r.text for r in results] == ["final-0", "final-1", "final-2"]
    assert sorted(order[3:]) == ["partial-a", "partial-b"] and sorted(got_partials) == ["a", "b"]
    assert all(c[1] for c in engine.calls[:3]) and not any(c[1] for c in engine.calls[3:])


async def test_only_the_newest_partial_of_a_session_runs_with_the_newest_audio():
    engine = RecordingTranscriber()
    sched = AsrScheduler(engine, workers=1)
    state = {"audio_version": 0}
    for version in range(5):
        state["audio_version"] = version
        sched.request_partial("a", lambda: (audio(), f"v{state['audio_version']}", None),
                              lambda r, ctx: None)
    assert sched.stats.partials_replaced == 4
    sched.start()
    await asyncio.sleep(0.3)
    await sched.close()
    assert [c[0] for c in engine.calls] == ["v4"]


async def test_with_two_workers_one_is_kept_for_finals():
    engine = RecordingTranscriber(cost_s=0.2)
    sched = AsrScheduler(engine, workers=2)
    assert sched.partial_slots == 1
    for key in "abcd":
        sched.request_partial(key, lambda k=key: (audio(), f"p-{k}", k), lambda r, ctx: None)
    sched.start()
    await asyncio.sleep(0.05)  # one partial is running; the other worker stays free
    t0 = time.perf_counter()
    result = await sched.submit_final("z", audio(), "final")
    waited = time.perf_counter() - t0
    await asyncio.sleep(1.0)
    await sched.close()
    assert result.text == "final"
    assert waited < 0.2 + 0.1, f"the final waited behind partials: {waited:.2f}s"
    partials = sorted((c for c in engine.calls if c[0].startswith("p-")), key=lambda c: c[2])
    assert len(partials) == 4
    # never two partials at once
    assert all(b[2] >= a[3] - 1e-3 for a, b in zip(partials, partials[1:], strict=False))


async def test_cancelled_speculative_final_is_not_run():
    engine = RecordingTranscriber()
    sched = AsrScheduler(engine, workers=1)
    keep = sched.submit_final("a", audio(), "keep")
    drop = sched.submit_final("a", audio(), "drop")
    sched.cancel_final(drop)
    sched.start()
    assert (await keep).text == "keep"
    await asyncio.sleep(0.1)
    await sched.close()
    assert [c[0] for c in engine.calls] == ["keep"] and sched.stats.finals_cancelled == 1
    assert sched.backlog_s == 0


async def test_finals_are_round_robin_across_sessions():
    """A session with many queued finals does not make another wait behind all of them."""
    engine = RecordingTranscriber(cost_s=0.02)
    sched = AsrScheduler(engine, workers=1)
    greedy = [sched.submit_final("greedy", audio(), f"g{i}") for i in range(6)]
    other = [sched.submit_final("other", audio(), f"o{i}") for i in range(2)]
    assert sched.session_backlog_s("greedy") == 6.0 and sched.backlog_s == 8.0
    sched.start()
    await asyncio.gather(*greedy, *other)
    await sched.close()
    order = [c[0] for c in engine.calls]
    assert order == ["g0", "o0", "g1", "o1", "g2", "g3", "g4", "g5"]
    assert sched.backlog_s == 0 and sched.queue_depths["finals"] == 0


async def test_partials_keep_to_their_duty_cycle_and_finals_do_not_wait():
    """At duty 0.5, partials of four sessions that each take 0.1 s start at least 0.1 s
    after the previous one ended; a final submitted meanwhile runs at once."""
    engine = RecordingTranscriber(cost_s=0.1)
    sched = AsrScheduler(engine, workers=2, partial_duty=0.5)
    for key in "abcd":
        sched.request_partial(key, lambda k=key: (audio(), f"p-{k}", k), lambda r, ctx: None)
    sched.start()
    await asyncio.sleep(0.15)  # the first partial ran; the second rests
    t0 = time.perf_counter()
    result = await sched.submit_final("z", audio(), "final")
    waited = time.perf_counter() - t0
    await asyncio.sleep(1.2)
    await sched.close()
    assert result.text == "final" and waited < 0.1 + 0.08, waited
    partials = sorted((c for c in engine.calls if c[0].startswith("p-")), key=lambda c: c[2])
    assert len(partials) == 4
    rests = [b[2] - a[3] for a, b in zip(partials, partials[1:], strict=False)]
    assert min(rests) >= 0.1 - 0.02, rests  # d x (1 / 0.5 - 1) = d
    busy = sum(c[3] - c[2] for c in partials) / (partials[-1][3] - partials[0][2])
    assert busy <= 0.5 + 0.05, busy



async def test_a_full_window_retry_waits_for_the_other_sessions_finals():
    """A final whose trimmed decode is unreliable is decoded again on the full window (4x the
    cost) as a job of its own, after the finals of other sessions queued meanwhile."""
    engine = RecordingTranscriber(cost_s=0.05)
    sched = AsrScheduler(engine, workers=1)
    unsure = sched.submit_final("a", audio(), "unsure-a")
    others = [sched.submit_final(key, audio(), f"final-{key}") for key in "bc"]
    sched.start()
    got = await asyncio.gather(unsure, *others)
    await sched.close()
    assert [c[0] for c in engine.calls] == ["unsure-a", "final-b", "final-c", "unsure-a+full"]
    assert got[0].text == "unsure-a" and got[0].fallback and not got[0].retry_full
    assert [r.text for r in got[1:]] == ["final-b", "final-c"]
    assert sched.stats.finals_done == 3 and sched.stats.finals_fallback == 1
