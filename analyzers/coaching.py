"""Coaching for practice: advice on one answer, phrased from the topics of what was missed or
got wrong, never the answer key (no expected point's text, no misconception's text).

Shown to a candidate who practises; the recruiters see the full evaluation instead.
"""

from __future__ import annotations

from analyzers.answer_eval import Evaluation, quote
from analyzers.followup import leaks_point, topic_of
from analyzers.questions import Question

MAX_TIPS = 3

_GATE_TIPS = {
    "empty": "Say or write your answer in a few full sentences; nothing was received.",
    "too_short": "Give a fuller answer: a few sentences with your reasoning and an example.",
    "not_sentences": "Explain how things work in full sentences; a list of terms shows little.",
    "off_topic": "Stay with the question that was asked and tie each sentence back to it.",
}


def _leaks(tip: str, question: Question) -> bool:
    claims = Question(id=question.id, text=question.text, type=question.type,
                      skill=question.skill, expected_points=list(question.wrong_claims))
    return leaks_point(tip, question) or leaks_point(tip, claims)


def coaching(question: Question, evaluation: Evaluation) -> list[str]:
    """At most MAX_TIPS tips: gates, else praise quoting the candidate's best sentence; then
    what was contradicted or wrongly claimed, then what was missed (by topic). A tip that
    would leak a point or a misconception is left out (a quote is the candidate's own words,
    but a quote repeating a point's words is dropped too)."""
    tips: list[str] = [_GATE_TIPS[g] for g in evaluation.gates if g in _GATE_TIPS]
    said = [e.get("sentence") for e in evaluation.evidence
            if e.get("status") == "covered" and e.get("sentence")]
    if said and not evaluation.gates:
        tips.append(f"Good: {quote(str(said[0]))} answers part of the question well.")
    wrong = [*[p for p in question.expected_points if p in evaluation.points_contradicted],
             *evaluation.misconceptions]
    for text in wrong[:1]:
        topic = topic_of(text, question)
        tips.append(f"Double-check what you said about {topic}: part of it is not right."
                    if topic else "Double-check your claims: part of the answer is not right.")
    missed = [p for p in question.expected_points if p in evaluation.points_missed]
    topics = [t for t in (topic_of(p, question) for p in missed) if t]
    topics = list(dict.fromkeys(topics))
    if topics:
        named = " and ".join(topics[:2])
        tips.append(f"Cover more ground next time, for example {named}: what happens and why.")
    elif missed:
        tips.append("Cover more of what the question asks: walk through it step by step.")
    return [t for t in dict.fromkeys(tips) if not _leaks(t, question)][:MAX_TIPS]
