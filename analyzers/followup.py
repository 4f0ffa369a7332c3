"""Offline follow-up questions that probe what the answer got wrong or left out.

The probed point is the first contradicted expected point, else the first missed one (the
question's order); a stated misconception with neither is probed through its topic. The
question names the point's TOPIC (one specific word of it), never the point's text, so the
candidate is not handed the answer; a follow-up is asked after any contradiction or
misconception, whatever the score.
"""

from __future__ import annotations

import re
import zlib

from analyzers.answer_eval import Evaluation
from analyzers.questions import Question
from analyzers.terms import STOPWORDS, words

STRONG_SCORE = 80
STRONG_COVERAGE = 0.75
BANNED_NGRAM = 4

_GENERIC = frozenset([
    "such", "example", "other", "own", "every", "each", "only", "main", "good", "new", "using",
    "use", "based", "way", "thing", "things", "about", "more", "less", "case", "cases", "time",
])

_TECH_MISSED = (
    "How does {topic} come into this, step by step?",
    "Where would {topic} matter in your approach, and why?",
    "Can you say more about the role of {topic} here?",
)
_TECH_WRONG = (
    "I'd like to check what you said about {topic}: how does it actually work?",
    "Let's revisit {topic}. Can you explain again how it behaves, step by step?",
)
_BEH_MISSED = (
    "Can you tell me more about the {topic} side of that story?",
    "Please be specific: what exactly happened regarding {topic}?",
)
_BEH_WRONG = (
    "Looking back at {topic}, would you handle it the same way today? Why?",
    "How did the others see {topic} at the time, and what would you change?",
)
_BEH_BEATS = {  # one-word story beats: asked about without naming them
    "outcome": "How did it turn out in the end, and what changed afterwards?",
    "result": "How did it turn out in the end, and what changed afterwards?",
    "impact": "What difference did it make afterwards, ideally in numbers?",
}
_FALLBACK = "Can you walk me through a real situation where you applied this yourself?"


def is_strong(evaluation: Evaluation) -> bool:
    """Strong enough to move on: high score and coverage, nothing contradicted, no
    misconception stated."""
    return (evaluation.score >= STRONG_SCORE and evaluation.coverage >= STRONG_COVERAGE
            and not evaluation.points_contradicted and not evaluation.misconceptions)


def _pick(options: tuple[str, ...], key: str) -> str:
    """Deterministic choice of wording, stable across processes (no hash randomisation)."""
    return options[zlib.crc32(key.encode("utf-8")) % len(options)]


def topic_of(text: str, question: Question) -> str | None:
    """One specific word of a point (or claim): its longest content word that the question
    does not already use; None when the point has fewer than two content words."""
    content = [w for w in words(text) if w not in STOPWORDS and w not in _GENERIC
               and len(w) > 2 and not w.isdigit()]
    if len(content) < 2:
        return None
    asked = set(words(question.text))
    fresh = [w for w in content if w not in asked] or content
    return max(fresh, key=len)


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    toks = words(text)
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def leaks_point(follow_up: str, question: Question) -> bool:
    """True when the follow-up contains an expected point's text or a BANNED_NGRAM-word run
    of one."""
    low = " ".join(words(follow_up))
    grams = _ngrams(follow_up, BANNED_NGRAM)
    for point in question.expected_points:
        norm = " ".join(words(point))
        if norm and re.search(rf"\b{re.escape(norm)}\b", low):
            return True
        if grams & _ngrams(point, BANNED_NGRAM):
            return True
    return False


def probe_target(question: Question, evaluation: Evaluation) -> tuple[str, str] | None:
    """(text, kind) to probe: kind "contradicted", "misconception" or "missed"; or None."""
    contradicted = [p for p in question.expected_points if p in evaluation.points_contradicted]
    if contradicted:
        return contradicted[0], "contradicted"
    if evaluation.misconceptions:
        return evaluation.misconceptions[0], "misconception"
    missed = [p for p in question.expected_points if p in evaluation.points_missed]
    missed = missed or list(evaluation.points_missed)
    return (missed[0], "missed") if missed else None


def offline_follow_up(question: Question, answer: str, evaluation: Evaluation) -> str | None:
    """One follow-up question, or None when the answer is strong (see module doc)."""
    del answer
    if is_strong(evaluation):
        return None
    target = probe_target(question, evaluation)
    if target is None:
        return _FALLBACK
    text, kind = target
    behavioral = question.type == "behavioral"
    topic = topic_of(text, question)
    if topic is None:
        beat = _BEH_BEATS.get(" ".join(words(text)))
        return beat if beat and behavioral else _FALLBACK
    if kind == "missed":
        table = _BEH_MISSED if behavioral else _TECH_MISSED
    else:
        table = _BEH_WRONG if behavioral else _TECH_WRONG
    follow_up = _pick(table, question.id + text).format(topic=topic)
    return _FALLBACK if leaks_point(follow_up, question) else follow_up


def follow_up_points(parent: Question, evaluation: Evaluation, text: str) -> list[str]:
    """The focus points of a follow-up to ``parent``: the point the offline follow-up probes
    (first contradicted, else first missed), deterministic from the parent and its stored
    evaluation (``text`` may be an LLM's wording and is not used); [] when the follow-up probes
    a misconception or nothing specific (then every parent point counts)."""
    del text
    target = probe_target(parent, evaluation)
    if target is None or target[1] == "misconception":
        contradicted = [p for p in parent.expected_points if p in evaluation.points_contradicted]
        return contradicted[:1]
    return [target[0]]


def follow_up_question(parent: Question, evaluation: Evaluation, text: str,
                       question_id: str | None = None) -> Question:
    """The follow-up as a Question graded against the parent's points and misconceptions,
    mainly its focus points."""
    return Question(id=question_id or parent.id, text=text, type=parent.type,
                    skill=parent.skill, expected_points=list(parent.expected_points),
                    difficulty=parent.difficulty, wrong_claims=list(parent.wrong_claims),
                    focus_points=follow_up_points(parent, evaluation, text),
                    aliases=dict(parent.aliases))
