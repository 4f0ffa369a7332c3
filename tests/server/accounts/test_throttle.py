"""The throttle itself: windows, the back-off lock and its end, counts shared through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from server.accounts.throttle import Rule, Throttle
from server.errors import ApiError
from tests.support.services import redis_url


def rule(spec: str) -> Rule:
    return Rule.parse(f"test-{uuid.uuid4().hex[:8]}", spec, "too many tests")


async def refused(throttle: Throttle, r: Rule, key: str) -> int:
    with pytest.raises(ApiError) as err:
        await throttle.hit(r, key)
    assert err.value.status == 429 and err.value.code == "rate_limited"
    assert "too many tests" in err.value.message
    return int(err.value.headers["Retry-After"])


async def test_a_key_over_its_limit_waits_for_its_window_then_may_try_again():
    throttle = Throttle.create()
    r = rule("3/2second")
    for _ in range(3):
        await throttle.hit(r, "a")
    assert await refused(throttle, r, "a") <= 2
    await throttle.hit(r, "b")  # another key is not affected
    await asyncio.sleep(2.2)  # the window and the lock have passed
    await throttle.hit(r, "a")


async def test_every_attempt_while_locked_doubles_the_wait_up_to_the_cap():
    throttle = Throttle.create(max_backoff_s=20)
    r = rule("1/2second")
    await throttle.hit(r, "a")
    waits = [await refused(throttle, r, "a") for _ in range(5)]
    assert waits == [2, 4, 8, 16, 20]
    # check() refuses the same way and counts nothing
    with pytest.raises(ApiError):
        await throttle.check(r, "a")
    await throttle.check(r, "b")
    await throttle.check(r, "b")
    await throttle.hit(r, "b")


async def test_reset_forgets_the_attempts_and_the_lock():
    throttle = Throttle.create()
    r = rule("1/minute")
    await throttle.hit(r, "a")
    await refused(throttle, r, "a")
    await throttle.reset(r, "a")
    await throttle.hit(r, "a")


def test_a_bad_limit_is_refused_at_start_up():
    with pytest.raises(ValueError, match="login-ip"):
        Rule.parse("login-ip", "ten a minute", "x")


@pytest.mark.redis
async def test_nodes_share_the_counts_through_redis():
    url = redis_url()
    node_a, node_b = Throttle.create(url), Throttle.create(url)
    r = rule("4/minute")
    for node in (node_a, node_b, node_a, node_b):
        await node.hit(r, "203.0.113.7")
    assert await refused(node_b, r, "203.0.113.7") <= 60
    # and the back-off lock is shared too
    with pytest.raises(ApiError) as err:
        await node_a.check(r, "203.0.113.7")
    assert int(err.value.headers["Retry-After"]) > 60
    await node_a.reset(r, "203.0.113.7")
    await node_b.hit(r, "203.0.113.7")
    await node_a.reset(r, "203.0.113.7")
