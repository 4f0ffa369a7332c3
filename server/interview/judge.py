"""Judging one answer: the offline evaluator off the event loop, and the interviewer's judgment
(its evaluation and, with an LLM, its follow-up decision in the same reply).

The offline evaluator (`analyzers.answer_eval`, an embedding model on the CPU) runs in one
bounded pool per process (`OfflineJudge`, `workers` threads; onnxruntime uses the cores inside
each call), so the event loop only awaits it. The model loads once (`warm_up` at start-up).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from analyzers import answer_eval, embeddings
from analyzers.answer_eval import Evaluation
from analyzers.questions import Question

log = logging.getLogger(__name__)


@dataclass
class Judgment:
    """An answer's evaluation, and the follow-up the interviewer decided on (`decided`: an LLM
    said whether to follow up, `follow_up` None meaning "no"; else the offline rules decide)."""

    evaluation: Evaluation
    follow_up: str | None = None
    decided: bool = False


class OfflineJudge:
    """The offline evaluator behind a bounded thread pool."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))
        self._pool = ThreadPoolExecutor(max_workers=self.workers,
                                        thread_name_prefix="evaluator")

    async def evaluate(self, question: Question, answer: str,
                       delivery: dict | None = None) -> Evaluation:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, answer_eval.evaluate_answer_offline,
                                          question, answer, delivery)

    async def prepare(self, questions: list[Question]) -> None:
        """Embed the questions' points and misconceptions ahead of their first answers."""
        await asyncio.get_running_loop().run_in_executor(
            self._pool, answer_eval.prepare_questions, questions)

    async def warm_up(self) -> float:
        """Load the model (once per process); returns the seconds it took."""
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(self._pool, embeddings.warm_up)
        took = time.monotonic() - started
        log.info("offline evaluator ready in %.2f s", took)
        return took

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
