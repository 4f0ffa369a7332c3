"""The shape both model schedulers share: worker coroutines on the event loop that pick jobs
and hand them to a bounded thread pool."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


class PooledWorkers:
    """`workers` coroutines running `_worker(index)`, and a pool of as many threads."""

    def __init__(self, workers: int, thread_name_prefix: str) -> None:
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name_prefix)
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._worker(i)) for i in range(self.workers)]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _worker(self, index: int) -> None:
        raise NotImplementedError
