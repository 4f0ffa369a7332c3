"""Real time enforced on a session's audio, on a clock moved by hand."""

from __future__ import annotations

import pytest

from server.live.budget import RealTimeBudget, TokenBucket
from tests.support.fakes import ManualClock


def test_a_bucket_refills_at_its_rate_up_to_its_burst():
    clock = ManualClock()
    bucket = TokenBucket(2.0, 4.0, lambda: clock.t)
    assert bucket.take(4.0) and not bucket.take(0.1)
    clock.t = 1.0
    assert bucket.take(2.0) and not bucket.take(0.1)
    clock.t = 100.0
    assert bucket.take(4.0) and not bucket.take(0.1)  # no more than the burst saved up


def test_real_time_passes_and_a_reconnect_burst_passes():
    clock = ManualClock()
    budget = RealTimeBudget(speed=1.5, burst_s=15.0, clock=lambda: clock.t)
    assert budget.admit(10.0) == 0  # 10 s buffered during a reconnect: at once
    for i in range(600):  # then a minute of 20-ms chunks in real time
        clock.t = 0.02 * (i + 1)
        assert budget.admit(0.02) == 0
    assert budget.refused_s == 0 and budget.throttled_s == 0


def test_a_flooder_is_throttled_then_refused_and_admitted_at_the_allowed_speed():
    clock = ManualClock()
    budget = RealTimeBudget(speed=1.5, burst_s=15.0, max_wait_s=0.5, max_throttle_s=2.0,
                            clock=lambda: clock.t)
    admitted = waited = 0.0
    for _ in range(4000):  # 0.1-s chunks, 20x real time: one every 5 ms, for 20 s
        wait = budget.admit(0.1)
        if wait is not None:
            admitted += 0.1
            waited += wait
            clock.t += wait  # the socket is read that much later
        clock.t += 0.005
    elapsed = clock.t
    assert budget.refused_s > 100  # most of the 400 s sent was dropped...
    assert admitted <= 15.0 + 1.5 * elapsed + 0.2  # ...and no more than burst + 1.5x went in
    assert waited <= 2.0 + 1e-9  # throttled for at most max_throttle_s, then refused
    assert budget.throttled_s == pytest.approx(waited)


def test_a_client_that_slows_down_is_forgiven():
    clock = ManualClock()
    budget = RealTimeBudget(speed=1.5, burst_s=15.0, max_throttle_s=2.0, clock=lambda: clock.t)
    assert budget.admit(15.0) == 0
    while (wait := budget.admit(0.1)) is not None:
        clock.t += wait  # throttled until the strain is used up...
    assert budget.admit(0.1) is None  # ...then refused
    clock.t += 2.0  # it stops for 2 s: 3 s of budget saved up
    waits = [budget.admit(0.1) for _ in range(32)]  # 3.2 s at once: the budget runs out...
    assert waits[:29] == [0.0] * 29
    assert all(w is not None and w > 0 for w in waits[31:])  # ...throttled, not refused


def test_one_huge_chunk_is_refused_not_waited_for():
    clock = ManualClock()
    budget = RealTimeBudget(speed=1.5, burst_s=15.0, clock=lambda: clock.t)
    assert budget.admit(32.0) is None  # a 1-MiB frame of 16-kHz PCM
    assert budget.admit(10.0) == 0  # the refused one did not use the budget
