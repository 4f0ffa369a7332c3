"""Offline follow-up questions: probe a missed expected point, or dig into a mentioned keyword."""

from __future__ import annotations

import zlib

from analyzers.answer_eval import Evaluation
from analyzers.questions import Question

STRONG_SCORE = 80
STRONG_COVERAGE = 0.75

_MISSED_TECHNICAL = (
    "You didn't touch on {point}. How would that fit into your approach?",
    "What about {point}? Can you walk me through how you would handle it?",
    "How does {point} factor in here, and why does it matter?",
)
_MISSED_BEHAVIORAL = (
    "Can you tell me more about {point} in that situation?",
    "What was {point} in that example? Please be specific.",
    "Could you expand on {point}? What exactly happened?",
)
_DEEPER = (
    "You mentioned {kw}. Can you go deeper: how exactly does it work, and what are its "
    "trade-offs?",
    "You brought up {kw}. Can you give a concrete example of using it, with numbers if you can?",
)
_GENERIC = "Can you walk me through a concrete example from your own experience?"


def is_strong(evaluation: Evaluation) -> bool:
    """An answer strong enough that the interview should move to the next planned question."""
    return evaluation.score >= STRONG_SCORE and evaluation.coverage >= STRONG_COVERAGE


def _pick(options: tuple[str, ...], key: str) -> str:
    """Deterministic choice of wording, stable across processes (no hash randomisation)."""
    return options[zlib.crc32(key.encode("utf-8")) % len(options)]


def _as_phrase(point: str) -> str:
    """Lower-case the first letter unless the point starts with an acronym ("SQL", "F1")."""
    point = point.strip().rstrip(".")
    if point[:2].isalpha() and not point[:2].isupper():
        return point[:1].lower() + point[1:]
    return point


def offline_follow_up(question: Question, answer: str, evaluation: Evaluation) -> str | None:
    """One follow-up question, or None when the answer is already strong.

    Order: the first missed expected point (in the question's order); otherwise the most
    specific keyword the candidate mentioned; otherwise a request for a concrete example.
    """
    if is_strong(evaluation):
        return None
    missed = [p for p in question.expected_points if p in evaluation.points_missed]
    missed = missed or list(evaluation.points_missed)
    if missed:
        point = _as_phrase(missed[0])
        table = _MISSED_BEHAVIORAL if question.type == "behavioral" else _MISSED_TECHNICAL
        return _pick(table, question.id + point).format(point=point)
    if evaluation.keywords_mentioned:
        kw = max(evaluation.keywords_mentioned, key=lambda k: (len(k.split()), len(k)))
        return _pick(_DEEPER, question.id + kw).format(kw=kw)
    return _GENERIC


def follow_up_points(parent: Question, evaluation: Evaluation, text: str) -> list[str]:
    """What a follow-up answer is judged against: the missed point the follow-up names, else
    every missed point, else the parent's points."""
    lowered = text.lower()
    missed = [p for p in parent.expected_points if p in evaluation.points_missed]
    named = [p for p in missed if p.lower().rstrip(".") in lowered]
    return named[:1] or missed or list(parent.expected_points)
