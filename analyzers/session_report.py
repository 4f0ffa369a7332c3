"""The report of an interview from its session's events: evaluations, answers and metrics.

Takes any objects with `type`, `t`, `seq` and `data` (the server's events, live or stored).
Each answer's delivery is measured again from its `transcript.final` events (those inside
its `answer.completed` span), its `question` event's time (time to first word) and its
`answer.waiting` events (thinking pauses), so stored sessions get the answer-span definitions
of `analyzers.delivery` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from analyzers.answer_metrics import answer_delivery
from analyzers.questions import SOURCE_PLAN
from analyzers.report import build_report
from analyzers.report_content import CATEGORIES, source_label
from analyzers.report_moments import moments, question_starts, takeaways


class EventLike(Protocol):
    type: str
    t: float
    seq: int
    data: dict[str, Any]


#: evaluation fields copied to `answers` when the evaluation has them (older and newer
#: evaluators: a field it does not have is left out)
ANSWER_FIELDS = ("score", "accuracy", "coverage", "clarity", "depth", "feedback", "strengths",
                 "improvements", "keywords_mentioned", "points_covered", "points_missed",
                 "points_contradicted", "misconceptions", "evidence", "gates", "method",
                 "formula", "source", "delivery", "vision")
#: a final belongs to an answer whose span holds it (spans are rounded to milliseconds)
SPAN_SLACK_S = 0.002


def _answer_fields(e: dict) -> dict[str, Any]:
    """The evaluation fields an answer row carries; the 0..1 categories (coverage) as 0..100,
    as in `per_question` and `category_scores`, so a row and the overall agree."""
    out = {k: e[k] for k in ANSWER_FIELDS if k in e}
    for key in CATEGORIES:
        value = out.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = round(100 * max(0.0, min(1.0, float(value))))
    return out


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
            "source_label": source_label(e),
            **_answer_fields(e),
        }
        for e in evaluations
    ]
    return report


def _remeasure(evaluations: list[dict], answers: dict[int, dict], finals: list[dict],
               asked: dict[int, float], waits: dict[int, list[tuple[float, float]]]) -> None:
    """Set each evaluation's ``delivery`` from the finals inside its answer's span and its
    announced thinking pauses (kept as stored when no final is found)."""
    for ev in evaluations:
        answer = answers.get(ev.get("turn"))
        if not answer or answer.get("start") is None or answer.get("end") is None:
            continue
        lo, hi = float(answer["start"]) - SPAN_SLACK_S, float(answer["end"]) + SPAN_SLACK_S
        inside = [f for f in finals if lo <= float(f["start"]) and float(f["end"]) <= hi]
        if inside:
            ev["delivery"] = answer_delivery(inside, asked.get(ev.get("turn")),
                                             waits.get(ev.get("turn"), ()))


def report_from_events(events: Iterable[EventLike], questions: list[dict]) -> dict[str, Any] | None:
    """`make_report` from a session's events (live log or stored), with ``through_seq``: the
    last event it saw."""
    evaluations, metrics, answers, finals, asked, last = [], [], {}, [], {}, 0
    waits: dict[int, list[tuple[float, float]]] = {}
    questions_asked: list[dict] = []
    quality: list[tuple[float, dict]] = []
    end_t = 0.0
    for e in events:
        last = max(last, e.seq)
        end_t = max(end_t, e.t)
        if e.type == "quality":
            quality.append((e.t, e.data))
        elif e.type == "evaluation":
            evaluations.append(dict(e.data))
        elif e.type == "metrics":
            metrics.append({**e.data, "t": e.t})
        elif e.type == "answer.completed":
            answers[e.data.get("turn")] = e.data
        elif e.type == "transcript.final" and isinstance(e.data.get("start"), int | float) \
                and isinstance(e.data.get("end"), int | float):
            finals.append(e.data)
        elif e.type == "question":
            asked[e.data.get("turn")] = e.t
            questions_asked.append({**e.data, "t": e.t})
        elif e.type == "answer.waiting" and isinstance(e.data.get("since"), int | float):
            waits.setdefault(e.data.get("turn"), []).append((float(e.data["since"]), e.t))
    _remeasure(evaluations, answers, finals, asked, waits)
    report = make_report(questions, evaluations, metrics, answers)
    if report is not None:
        report["through_seq"] = last
        report["quality"] = quality_summary(quality, end_t)
        add_teaching(report, finals, metrics, questions_asked)
    return report


def add_teaching(report: dict[str, Any], finals: list[dict], metrics: list[dict],
                 asked: list[dict] | None = None) -> None:
    """Set the report's flagged ``moments``, its ``takeaways`` and its ``question_starts``
    (from ``asked``: `question` event data with ``t``; `analyzers.report_moments`)."""
    report["moments"] = moments(report.get("answers") or [], finals, metrics)
    report["takeaways"] = takeaways(report, report["moments"])
    report["question_starts"] = question_starts(asked or [])


def quality_summary(changes: list[tuple[float, dict]], end_t: float) -> dict[str, Any]:
    """The session's time on the degradation ladder (`quality` events): `degraded` when any
    level above full was in force, the periods, and what was not analysed because of it (no
    one is scored on what the server did not look at)."""
    periods: list[dict[str, Any]] = []
    for i, (t, data) in enumerate(changes):
        level = data.get("level")
        if not isinstance(level, int) or level <= 0:
            continue
        until = changes[i + 1][0] if i + 1 < len(changes) else end_t
        periods.append({"start": round(t, 3), "end": round(until, 3), "level": level,
                        "name": data.get("name", ""), "reason": data.get("reason", "")})
    worst = max((p["level"] for p in periods), default=0)
    notes = []
    if any(p["level"] >= 3 for p in periods):
        notes.append("camera not analysed while the server was busy: eye contact and posture "
                     "of that time are left out, not counted as missing")
    elif any(p["level"] >= 1 for p in periods):
        notes.append("camera analysed less often while the server was busy")
    if any(p["level"] >= 2 for p in periods):
        notes.append("no live captions for part of the session (final transcripts complete)")
    return {"degraded": bool(periods), "worst_level": worst, "periods": periods,
            "notes": notes}
