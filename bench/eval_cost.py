"""Cost of the offline answer evaluator: model load, time per answer, memory of the model.

Prints the model load time (first `get_embedder()` + one embedding), the evaluation time per
answer (p50 / p95) over the answer-quality suite (7 questions x 7 kinds of answer) and over
150-word answers built from it, and the growth of the process RSS from loading the model.

Usage: PYTHONPATH=. python bench/eval_cost.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the answers")
    args = parser.parse_args()

    import numpy  # noqa: F401 - imported before the baseline so RSS growth is the model's
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    from analyzers.answer_eval import evaluate_answer_offline
    from analyzers.embeddings import get_embedder
    from analyzers.questions import Question, load_bank
    from tests.analyzers.answer_suite import ANSWERS, KINDS, RECRUITER_QUESTION

    base = rss_mb()
    started = time.perf_counter()
    get_embedder().embed(["warm up"])
    load_s = time.perf_counter() - started
    grown = rss_mb() - base

    bank = {item["id"]: item for area in load_bank()["areas"].values()
            for items in area["questions"].values() for item in items}
    bank[RECRUITER_QUESTION["id"]] = RECRUITER_QUESTION
    cases = [(Question.from_dict(bank[qid]), answers[kind])
             for qid, answers in ANSWERS.items() for kind in KINDS]
    long_cases = []
    for qid, answers in ANSWERS.items():
        words = " ".join(answers[k] for k in ("excellent", "plain", "wrong", "vague")).split()
        long_cases.append((Question.from_dict(bank[qid]), " ".join(words[:150])))

    def timed(batch: list[tuple[Question, str]], rounds: int) -> list[float]:
        out = []
        for _ in range(rounds):
            for q, text in batch:
                t = time.perf_counter()
                evaluate_answer_offline(q, text)
                out.append((time.perf_counter() - t) * 1000)
        return out

    cold = timed(cases[:: len(KINDS)], 1)  # first answer per question: points not yet cached
    suite = timed(cases, args.rounds)
    long = timed(long_cases, args.rounds * 3)
    print(f"model load (all-MiniLM-L6-v2 int8 ONNX + tokenizer, first embedding): "
          f"{load_s * 1000:.0f} ms")
    print(f"RSS growth from loading the model: {grown:.0f} MB (process RSS {rss_mb():.0f} MB)")
    print(f"first answer per question (question's points embedded): "
          f"median {statistics.median(cold):.1f} ms, max {max(cold):.1f} ms")
    print(f"suite answers ({len(cases)} x {args.rounds}): p50 {percentile(suite, 0.5):.1f} ms, "
          f"p95 {percentile(suite, 0.95):.1f} ms")
    print(f"150-word answers ({len(long_cases)} x {args.rounds * 3}): "
          f"p50 {percentile(long, 0.5):.1f} ms, p95 {percentile(long, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
