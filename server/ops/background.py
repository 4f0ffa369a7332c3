"""A task that runs for as long as its owner: started once, cancelled and awaited on stop."""

from __future__ import annotations

import asyncio
import contextlib


class Background:
    """Runs `self._run()` as one asyncio task between `start()` and `stop()`."""

    _task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError
