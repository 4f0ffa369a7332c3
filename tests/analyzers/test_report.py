"""Final interview report."""

from __future__ import annotations

import copy
import json

import pytest

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.questions import offline_question_plan
from analyzers.report import build_report


def ev(score: int, **kw) -> dict:
    base = {"score": score, "accuracy": score / 100, "coverage": score / 100,
            "clarity": score / 100, "depth": score / 100, "feedback": "", "strengths": [],
            "improvements": [], "keywords_mentioned": [], "points_covered": [],
            "points_missed": [], "source": "offline"}
    base.update(kw)
    return base


QUESTIONS = [
    {"id": "q1", "text": "Q one?", "type": "technical", "skill": "databases",
     "expected_points": ["a", "b", "c"], "difficulty": "intermediate"},
    {"id": "q2", "text": "Q two?", "type": "behavioral", "skill": "teamwork",
     "expected_points": ["a", "b", "c"], "difficulty": "intermediate"},
    {"id": "q3", "text": "Q three?", "type": "technical", "skill": "caching",
     "expected_points": ["a", "b", "c"], "difficulty": "intermediate"},
]


def session(n: int = 30, **values) -> list[dict]:
    """One metrics event per second carrying the given (constant) values."""
    return [{"t": float(t), **values} for t in range(1, n + 1)]


def test_scores_weights_and_level():
    metrics = [{"t": 1.0, "confidence": {"score": 60, "components": {}}},
               {"t": 2.0, "confidence": 80}, {"t": 3.0, "confidence": {"score": None}}]
    report = build_report(evaluations=[ev(90), ev(70)], metrics=metrics, questions=QUESTIONS)
    assert report["knowledge_score"] == 80
    assert report["confidence_score"] == 70
    assert report["confidence_source"] == "live"
    assert report["final_score"] == round(0.6 * 80 + 0.4 * 70) == 76
    assert report["performance_level"] == "good"
    assert report["weights"] == {"knowledge": 0.6, "confidence": 0.4}


@pytest.mark.parametrize(
    ("score", "level"),
    [(100, "excellent"), (85, "excellent"), (84, "good"), (70, "good"), (69, "average"),
     (50, "average"), (49, "poor"), (0, "poor")],
)
def test_performance_levels(score, level):
    report = build_report(evaluations=[ev(score)], metrics=[], questions=QUESTIONS[:1])
    assert report["confidence_score"] is None  # no metrics at all
    assert report["final_score"] == score  # knowledge only
    assert report["performance_level"] == level


def test_empty_session():
    report = build_report(evaluations=[], metrics=[], questions=[])
    assert report["final_score"] == 0
    assert report["knowledge_score"] is None and report["confidence_score"] is None
    assert report["performance_level"] == "poor"
    assert report["timeline"] == {"pace": [], "eye_contact": [], "confidence": []}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"wpm": 182.0}, "Speak slower: 182 wpm"),
        ({"wpm": 95.0}, "Speak a little faster: 95 wpm"),
        ({"eye_contact_total": 0.41}, "Maintain eye contact: 41% of the time"),
        ({"eye_contact": 0.5}, "Maintain eye contact: 50% of the time"),  # windowed only
        ({"eye_contact_total": 41}, "Maintain eye contact: 41% of the time"),  # a percentage
        ({"fillers_per_min": 9.0, "filler_count": 12}, "Fewer fillers: 9 per minute"),
        ({"pause_ratio": 0.35}, "Fewer long pauses: 35% of the time silent"),
        ({"posture": {"label": "slouching"}}, "Sit upright: posture was slouching 100%"),
    ],
)
def test_delivery_feedback_has_concrete_numbers(values, expected):
    report = build_report(evaluations=[ev(80)], metrics=session(**values), questions=QUESTIONS)
    assert any(line.startswith(expected) for line in report["feedback"]), report["feedback"]


def test_good_delivery_gets_no_delivery_warnings():
    metrics = session(wpm=140.0, fillers_per_min=1.5, pause_ratio=0.15, eye_contact=0.8,
                      eye_contact_total=0.8, posture={"label": "ok"})
    report = build_report(evaluations=[ev(80)], metrics=metrics, questions=QUESTIONS)
    assert report["feedback"] == ["Solid interview: knowledge 80/100, pace 140 wpm"]


def test_cumulative_delivery_uses_the_latest_session_value():
    # wpm 0 before speech starts, then the session-cumulative rate settles at 170
    metrics = [{"t": 0.5, "wpm": 0.0, "pause_ratio": 0.0}] + [
        {"t": float(t), "wpm": 150.0 + t, "pause_ratio": 0.1} for t in range(1, 21)
    ]
    report = build_report(evaluations=[], metrics=list(reversed(metrics)), questions=[])
    assert report["delivery"]["wpm"] == 170.0
    assert "Speak slower: 170 wpm (aim for 120-160)" in report["feedback"]
    assert report["timeline"]["pace"][0] == [1.0, 151.0]  # sorted by t, zero wpm left out
    assert len(report["timeline"]["pace"]) == 20


def test_confidence_derived_from_delivery_without_vision():
    good = build_report(evaluations=[], questions=[],
                        metrics=session(wpm=140.0, fillers_per_min=1.0, pause_ratio=0.1))
    bad = build_report(evaluations=[], questions=[],
                       metrics=session(wpm=230.0, fillers_per_min=11.0, pause_ratio=0.6))
    assert good["confidence_source"] == bad["confidence_source"] == "delivery"
    assert good["confidence_score"] == 100
    assert bad["confidence_score"] < 30
    assert good["final_score"] == good["confidence_score"]  # no evaluations: confidence only


def test_timeline_series_for_charts():
    metrics = [
        {"t": 1.0, "wpm": 120.0, "eye_contact": 0.5, "confidence": {"score": 55}},
        {"t": 2.0, "wpm": 130.0, "eye_contact": True, "confidence": 65},
        {"t": 3.0, "eye_contact": None},
    ]
    timeline = build_report(evaluations=[], metrics=metrics, questions=[])["timeline"]
    assert timeline["pace"] == [[1.0, 120.0], [2.0, 130.0]]
    assert timeline["eye_contact"] == [[1.0, 50.0], [2.0, 100.0]]
    assert timeline["confidence"] == [[1.0, 55.0], [2.0, 65.0]]
    long = build_report(evaluations=[], metrics=session(5000, wpm=140.0), questions=[])
    assert 2 <= len(long["timeline"]["pace"]) <= 600
    assert long["timeline"]["pace"][-1] == [5000.0, 140.0]


def test_per_question_matching_and_category_scores():
    evaluations = [
        ev(40, question_id="q3", accuracy=0.2, coverage=0.4, clarity=0.6, depth=0.8,
           points_missed=["x"], feedback="meh"),
        ev(90, question_id="q1", accuracy=1.0, coverage=0.8, clarity=0.6, depth=0.4),
    ]
    report = build_report(evaluations=evaluations, metrics=[], questions=QUESTIONS)
    per_q = report["per_question"]
    assert [p["question_id"] for p in per_q] == ["q1", "q2", "q3"]
    assert [p["score"] for p in per_q] == [90, None, 40]
    assert [p["answered"] for p in per_q] == [True, False, True]
    assert per_q[2]["points_missed"] == ["x"] and per_q[2]["feedback"] == "meh"
    assert report["questions_answered"] == 2 and report["questions_total"] == 3
    assert report["category_scores"] == {"accuracy": 60, "coverage": 60, "clarity": 60,
                                         "depth": 60}
    assert "Review caching: scored 40/100 on question 3" in report["feedback"]
    # without question ids, evaluations fill the questions in order
    ordered = build_report(evaluations=[ev(50), ev(60)], metrics=[], questions=QUESTIONS)
    assert [p["score"] for p in ordered["per_question"]] == [50, 60, None]


def test_strengths_and_improvements_ranked_by_frequency():
    evaluations = [
        ev(60, improvements=["Also address: x", "Fewer filler words: 6.0 per minute",
                             "Add a concrete example or number from your experience"],
           strengths=["Clear structure (first, then)"]),
        ev(50, improvements=["Fewer filler words: 8.5 per minute", "Discuss trade-offs"],
           strengths=["Clear structure (first, finally)", "Discussed trade-offs"]),
        ev(55, improvements=["Fewer filler words: 5.0 per minute"]),
    ]
    report = build_report(evaluations=evaluations, metrics=[], questions=[])
    assert report["improvements"][0] == "Fewer filler words (3 of 3 answers)"
    assert "Also address: x" not in report["improvements"]
    assert len(report["improvements"]) == 3
    assert report["strengths"] == ["Clear structure (2 of 3 answers)", "Discussed trade-offs"]


def test_report_is_pure_deterministic_and_json_ready():
    questions = [q.to_dict() for q in offline_question_plan(
        role="Backend engineer", difficulty="intermediate", question_type="mixed",
        num_questions=3, seed=1)]
    evaluations = [
        {**evaluate_answer_offline(offline_question_plan(
            role="Backend engineer", difficulty="intermediate", question_type="mixed",
            num_questions=3, seed=1)[0], "I would add an index and cache results in Redis.",
            {"wpm": 150}).to_dict(), "question_id": questions[0]["id"]},
    ]
    metrics = session(20, wpm=150.0, fillers_per_min=2.0, eye_contact=0.7,
                      eye_contact_total=0.7, confidence={"score": 70}, posture={"label": "ok"})
    args = {"evaluations": evaluations, "metrics": metrics, "questions": questions}
    snapshot = copy.deepcopy(args)
    first = build_report(**args)
    assert args == snapshot
    assert build_report(**copy.deepcopy(args)) == first
    assert json.loads(json.dumps(first)) == first
