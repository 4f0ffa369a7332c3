"""The report of an interview from its session's events: evaluations, answers and metrics.

Takes any objects with `type`, `t`, `seq` and `data` (the server's events, live or stored).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from analyzers.questions import SOURCE_PLAN
from analyzers.report import build_report


class EventLike(Protocol):
    type: str
    t: float
    seq: int
    data: dict[str, Any]


ANSWER_FIELDS = ("score", "accuracy", "coverage", "clarity", "depth", "feedback", "strengths",
                 "improvements", "keywords_mentioned", "points_covered", "points_missed",
                 "source", "delivery", "vision")


def make_report(questions: list[dict], evaluations: list[dict], metrics: list[dict],
                answers: dict[int, dict] | None = None) -> dict[str, Any] | None:
    """The interview report (`analyzers.report.build_report`) plus the list of answered turns;
    None when no answer was evaluated.

    ``evaluations`` are `evaluation` event data (follow-ups carry their planned question's id,
    so a question's score is the mean of its answer and its follow-up's; the knowledge score is
    the mean over every evaluated answer), ``metrics`` the `metrics` event data with ``t`` and
    ``answers`` the `answer.completed` event data by ``turn``.
    """
    evaluations = sorted(evaluations, key=lambda e: e.get("turn", 0))
    if not evaluations:
        return None
    report = build_report(evaluations=evaluations, metrics=metrics, questions=questions)
    answers = answers or {}
    report["answers"] = [
        {
            "turn": e.get("turn"), "index": e.get("index"), "question_id": e.get("question_id"),
            "question": e.get("question"), "is_follow_up": bool(e.get("is_follow_up")),
            "answer": answers.get(e.get("turn"), {}).get("text", ""),
            "start": answers.get(e.get("turn"), {}).get("start"),
            "end": answers.get(e.get("turn"), {}).get("end"),
            "question_source": e.get("question_source", SOURCE_PLAN),
            **{k: e.get(k) for k in ANSWER_FIELDS},
        }
        for e in evaluations
    ]
    return report


def report_from_events(events: Iterable[EventLike], questions: list[dict]) -> dict[str, Any] | None:
    """`make_report` from a session's events (live log or stored), with ``through_seq``: the
    last event it saw."""
    evaluations, metrics, answers, last = [], [], {}, 0
    for e in events:
        last = max(last, e.seq)
        if e.type == "evaluation":
            evaluations.append(dict(e.data))
        elif e.type == "metrics":
            metrics.append({**e.data, "t": e.t})
        elif e.type == "answer.completed":
            answers[e.data.get("turn")] = e.data
    report = make_report(questions, evaluations, metrics, answers)
    if report is not None:
        report["through_seq"] = last
    return report
