"""Every bank question carries authored misconceptions the evaluator can tell from its points."""

from __future__ import annotations

import pytest

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.questions import Question, load_bank


def _questions() -> list[Question]:
    return [Question.from_dict({**item, "difficulty": d})
            for area in load_bank()["areas"].values()
            for d, items in area["questions"].items() for item in items]


def test_every_bank_question_has_two_to_four_wrong_claims() -> None:
    qs = _questions()
    assert len(qs) >= 100
    for q in qs:
        assert 2 <= len(q.wrong_claims) <= 4, q.id
        assert len(set(q.wrong_claims)) == len(q.wrong_claims), q.id
        assert not set(q.wrong_claims) & set(q.expected_points), q.id
        for point in q.aliases:
            assert point in q.expected_points, (q.id, point)


def test_question_from_dict_tolerates_missing_new_fields() -> None:
    q = Question.from_dict({"id": "x", "text": "t?", "type": "technical", "skill": "s",
                            "expected_points": ["a"]})
    assert (q.wrong_claims, q.focus_points, q.aliases) == ([], [], {})
    r = Question.from_dict({"id": "y", "text": "t?", "type": "technical", "skill": "s",
                            "key_points": ["a"], "wrong_claims": ["b"], "focus_points": ["a"]})
    assert (r.expected_points, r.wrong_claims, r.focus_points) == (["a"], ["b"], ["a"])
    assert Question.from_dict(r.to_dict()) == r
    with pytest.raises(ValueError):
        Question.from_dict({**r.to_dict(), "wrong_claims": "not a list"})


@pytest.mark.parametrize("q", _questions(), ids=lambda q: q.id)
def test_points_and_misconceptions_are_told_apart(q: Question) -> None:
    """Stating the points is not a misconception; stating the misconceptions is caught."""
    good = evaluate_answer_offline(q, " ".join(f"I would say that {p}." for p in q.expected_points))
    wrong = evaluate_answer_offline(q, " ".join(f"I would say that {c}." for c in q.wrong_claims))
    assert not good.misconceptions and not good.points_contradicted, good.evidence
    assert len(wrong.misconceptions) >= len(q.wrong_claims) - 1, wrong.misconceptions
    assert wrong.score <= good.score - 30, (good.score, wrong.score)
