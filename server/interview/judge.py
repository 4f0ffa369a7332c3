"""Judging one answer: the offline evaluator off the event loop, and the interviewer's judgment
(its evaluation and, with an LLM, its follow-up decision in the same reply).

The offline evaluator (`analyzers.answer_eval`, an embedding model on the CPU) runs in one
bounded pool per process (`OfflineJudge`, `workers` threads; onnxruntime uses the cores inside
each call), so the event loop only awaits it. The model loads once (`warm_up` at start-up).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from analyzers import answer_eval
from analyzers.answer_eval import Evaluation
from analyzers.questions import Question

log = logging.getLogger(__name__)

#: words of an expected point that a follow-up may not repeat in a row (it would give it away)
LEAK_NGRAM = 4


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

    async def warm_up(self) -> float:
        """Load the model (once per process); returns the seconds it took."""
        started = time.monotonic()
        warm = getattr(answer_eval, "warm_up", None)
        if warm is not None:
            await asyncio.get_running_loop().run_in_executor(self._pool, warm)
        took = time.monotonic() - started
        log.info("offline evaluator ready in %.2f s", took)
        return took

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def leaks_point(text: str, points: list[str]) -> bool:
    """Whether a follow-up repeats an expected point: the whole point, or `LEAK_NGRAM` of its
    words in a row."""
    said = " " + " ".join(_words(text)) + " "
    for point in points:
        words = _words(point)
        if not words:
            continue
        n = min(LEAK_NGRAM, len(words))
        for i in range(len(words) - n + 1):
            if " " + " ".join(words[i:i + n]) + " " in said:
                return True
    return False
