"""Offline follow-ups probe the topic of a missed or contradicted point without giving it away."""

from __future__ import annotations

import re

import pytest

from analyzers.answer_eval import Evaluation, evaluate_answer_offline
from analyzers.followup import (
    follow_up_points,
    follow_up_question,
    is_strong,
    offline_follow_up,
)
from analyzers.questions import Question, load_bank
from tests.analyzers.answer_suite import ANSWERS, KINDS
from tests.analyzers.test_answer_eval import question


def _all_bank() -> list[Question]:
    return [Question.from_dict({**item, "difficulty": d})
            for area in load_bank()["areas"].values()
            for d, items in area["questions"].items() for item in items]


def _toks(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def assert_no_leak(follow_up: str, q: Question) -> None:
    """No expected point's text, nor a run of 4 of its words, appears in the follow-up."""
    f = " ".join(_toks(follow_up))
    for point in q.expected_points:
        p = _toks(point)
        assert not re.search(rf"\b{re.escape(' '.join(p))}\b", f), (follow_up, point)
        for i in range(len(p) - 3):
            assert " ".join(p[i : i + 4]) not in f, (follow_up, point)


def _ev(**kw) -> Evaluation:
    return Evaluation(**{"score": 50, "feedback": "", "coverage": 0.5, **kw})


@pytest.mark.parametrize("status", ["points_missed", "points_contradicted"])
def test_follow_ups_never_contain_a_points_text(status: str) -> None:
    for q in _all_bank():
        for point in q.expected_points:
            text = offline_follow_up(q, "", _ev(**{status: [point]}))
            assert text and text.endswith("?")
            assert_no_leak(text, q)


def test_suite_follow_ups_do_not_leak() -> None:
    for qid, answers in ANSWERS.items():
        q = question(qid)
        for kind in KINDS:
            ev = evaluate_answer_offline(q, answers[kind])
            text = offline_follow_up(q, answers[kind], ev)
            if not is_strong(ev):
                assert text, (qid, kind)
            if kind in ("wrong", "vague", "buzzwords", "off_topic", "empty"):
                assert text, (qid, kind)
            if text:
                assert_no_leak(text, q)


def test_contradiction_yields_a_follow_up_even_with_a_high_score() -> None:
    q = question("be-i2")
    point = "invalidate or update the cache on writes"
    ev = _ev(score=92, coverage=0.9, points_contradicted=[point])
    assert not is_strong(ev)
    text = offline_follow_up(q, "", ev)
    assert text
    assert_no_leak(text, q)
    assert follow_up_points(q, ev, text) == [point]


def test_misconception_makes_an_answer_not_strong() -> None:
    ev = _ev(score=95, coverage=1.0, misconceptions=["a cache never goes stale"])
    assert not is_strong(ev)
    assert is_strong(_ev(score=95, coverage=1.0))


def test_wrong_answer_is_probed_on_what_it_got_wrong() -> None:
    q = question("ge-b1")
    ev = evaluate_answer_offline(q, ANSWERS["ge-b1"]["wrong"])
    text = offline_follow_up(q, ANSWERS["ge-b1"]["wrong"], ev)
    assert text and ("revisit" in text or "check" in text)


def test_focus_points_are_deterministic_from_the_stored_evaluation() -> None:
    q = question("be-a1")
    ev = evaluate_answer_offline(q, ANSWERS["be-a1"]["vague"])
    stored = Evaluation.from_dict(ev.to_dict())
    a = follow_up_points(q, ev, "any wording from an LLM")
    assert a == follow_up_points(q, stored, "different wording") and len(a) == 1
    assert a[0] in q.expected_points


def test_follow_up_answer_is_scored_on_its_focus_points() -> None:
    parent = question("be-i2")
    focus = "protect against cache stampede"
    ev = _ev(points_missed=[focus])
    fq = follow_up_question(parent, ev, "How would you handle a burst of requests?")
    assert fq.focus_points == [focus] and fq.expected_points == parent.expected_points
    assert fq.wrong_claims == parent.wrong_claims
    on_focus = ("so to stop a stampede when a hot key expires, only one request takes a lock and "
                "rebuilds the entry. the others wait a moment and then read the fresh value.")
    off_focus = ("we also check redis first, and on a miss we load from the database and store "
                 "it with a ttl of a few minutes.")
    good, other = evaluate_answer_offline(fq, on_focus), evaluate_answer_offline(fq, off_focus)
    sim = {e["point"]: e["similarity"] for e in good.evidence}
    other_sim = {e["point"]: e["similarity"] for e in other.evidence}
    assert good.score >= 45 and sim[focus] > other_sim[focus]
    assert other.score <= good.score - 30
    assert set(other.points_missed) == {focus} and len(other.evidence) == 5
    assert set(good.points_missed) <= {focus}
