"""Writes every published event to the store in batches, off the event loop (a broker sink)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import IntegrityError

from server.events.model import Event
from server.store.store import Store

log = logging.getLogger(__name__)


class EventWriter:
    """Writes every published event to the store in batches, off the event loop."""

    def __init__(self, store: Store, interval_s: float = 0.2, max_batch: int = 500) -> None:
        self.store = store
        self.interval_s = interval_s
        self.max_batch = max_batch
        self._buffer: list[Event] = []
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def deliver(self, event: Event) -> None:
        self._buffer.append(event)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.flush()

    async def flush(self) -> None:
        """Write everything delivered so far (waiting for a write already in progress)."""
        async with self._lock:
            await self._flush()

    async def _flush(self) -> None:
        while self._buffer:
            batch, self._buffer = self._buffer[: self.max_batch], self._buffer[self.max_batch :]
            try:
                await asyncio.to_thread(self.store.add_events, batch)
            except IntegrityError:  # a seq stored already: store the others, never block on it
                skipped = await asyncio.to_thread(self.store.add_new_events, batch)
                log.error("%d of %d events had a seq stored already; stored the others",
                          skipped, len(batch))
            except Exception:  # noqa: BLE001 - keep the events and retry on the next tick
                log.exception("storing %d events failed; will retry", len(batch))
                self._buffer[:0] = batch
                return

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()
