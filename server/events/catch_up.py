"""A session's past events followed by its live events: no gaps, no duplicates.

The live subscription is opened *before* the history is read, so every event is in one or
both; duplicates are dropped by `seq`. A gap in the live feed (a node that missed events, a
subscriber that reconnects) is filled from the history sources before moving on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from server.events.broker import Subscription
from server.events.model import Event

History = Callable[[int], Awaitable[list[Event]]]

GAP_RETRIES = 20
GAP_RETRY_S = 0.1


class SubscriberOverflow(Exception):
    """The subscriber fell too far behind the live stream."""


async def follow(sub: Subscription, history: History, after: int = 0) -> AsyncIterator[Event]:
    """Events with seq > `after`: history first, then live, each exactly once and in order."""
    last = after
    for event in await history(last):
        if event.seq == last + 1:
            last = event.seq
            yield event
    while True:
        event = await sub.get()
        if event is None:
            raise SubscriberOverflow
        if event.seq <= last:
            continue
        if event.seq > last + 1:
            async for missing in _fill(history, last, event.seq):
                last = missing.seq
                yield missing
        last = event.seq
        yield event


async def _fill(history: History, last: int, upto: int) -> AsyncIterator[Event]:
    """Events last+1 .. upto-1 from history, waiting briefly for storage to catch up."""
    for _ in range(GAP_RETRIES):
        for event in await history(last):
            if event.seq >= upto:
                break
            if event.seq == last + 1:
                last = event.seq
                yield event
        if last >= upto - 1:
            return
        await asyncio.sleep(GAP_RETRY_S)
    raise RuntimeError(f"events {last + 1}..{upto - 1} are missing from every history source")
