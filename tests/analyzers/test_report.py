"""Final interview report."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import pytest

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.answer_metrics import answer_delivery
from analyzers.questions import offline_question_plan
from analyzers.report import build_report
from analyzers.session_report import report_from_events


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


def test_final_score_is_the_content_score():
    metrics = [{"t": 1.0, "confidence": {"score": 60, "components": {}}},
               {"t": 2.0, "confidence": 80}, {"t": 3.0, "confidence": {"score": None}}]
    report = build_report(evaluations=[ev(90), ev(70)], metrics=metrics, questions=QUESTIONS)
    assert report["knowledge_score"] == report["content"]["score"] == 80
    assert report["final_score"] == 80 and report["performance_level"] == "good"
    # live confidence values are no observation: no speech, no camera, no delivery score
    assert report["confidence_score"] is None and report["delivery_score"] is None
    assert {n["component"] for n in report["delivery_not_observed"]} == {
        "pace", "fillers", "pauses", "eye_contact", "posture"}
    assert report["weights"]["content"] == 1.0 and report["weights"]["delivery"] == 0.0
    assert report["formula"]["final"].startswith("final score = content score")
    assert "mean of the 2 evaluated answers' scores" in report["formula"]["content"]


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
        ({"wpm": 140.0, "fillers_per_min": 9.0, "filler_count": 12},
         "Fewer fillers: 9 per minute"),
        ({"wpm": 140.0, "pause_ratio": 0.35}, "Fewer long pauses: 35% of the time silent"),
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
    assert report["feedback"] == ["Solid interview: content 80/100, pace 140 wpm"]
    assert report["delivery"]["camera"] == "observed" and report["delivery_score"] == 100


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


def test_delivery_from_live_metrics_without_vision():
    good = build_report(evaluations=[], questions=[],
                        metrics=session(wpm=140.0, fillers_per_min=1.0, pause_ratio=0.1))
    bad = build_report(evaluations=[], questions=[],
                       metrics=session(wpm=230.0, fillers_per_min=11.0, pause_ratio=0.6))
    assert good["confidence_source"] == bad["confidence_source"] == "live metrics"
    assert good["confidence_score"] == good["delivery_score"] == 100
    assert good["delivery_components"] == {"pace": 100, "fillers": 100, "pauses": 100}
    assert bad["confidence_score"] < 30
    assert good["final_score"] == 0  # no evaluations: no content; delivery is not a score
    # before any speech the live rates are 0: not observed, not perfect
    silent = build_report(evaluations=[], questions=[],
                          metrics=session(wpm=0.0, fillers_per_min=0.0, pause_ratio=0.0))
    assert silent["delivery_score"] is None


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


# --------------------------------------------------------------- delivery from the answers


def answer_finals(n_words: int, spans: list[tuple[float, float]]) -> list[dict]:
    per = n_words // len(spans)
    finals = []
    for u, (start, end) in enumerate(spans):
        k = per if u < len(spans) - 1 else n_words - per * (len(spans) - 1)
        step = (end - start) / k
        words = [{"word": f" w{i}", "start": start + i * step, "end": start + (i + 1) * step}
                 for i in range(k)]
        finals.append({"text": " ".join(f"w{i}" for i in range(k)), "start": start, "end": end,
                       "words": words})
    return finals


def paced_answer(score: int, asked_t: float = 0.0, **kw) -> dict:
    """An evaluation whose answer is 150 words over 58.8 s (47.9 s voiced)."""
    gap, spans, t = 10.9 / 9, [], asked_t + 4.0
    for _ in range(10):
        spans.append((t, t + 4.79))
        t += 4.79 + gap
    return ev(score, delivery=answer_delivery(answer_finals(150, spans), asked_t), **kw)


FACE = {"face_present": True, "video": {"frames_analysed": 5}, "posture": {"label": "ok"}}


def test_delivery_is_measured_over_the_answers_spans():
    # the live, utterance-time rate said 188 wpm; the answers' spans say 153
    report = build_report(evaluations=[paced_answer(80), paced_answer(70, asked_t=100.0)],
                          metrics=session(wpm=188.0, pause_ratio=0.5), questions=QUESTIONS)
    d = report["delivery"]
    assert d["source"] == "answers" and d["answers"] == 2
    assert d["wpm"] == pytest.approx(153.1, abs=0.2) and d["words"] == 300
    assert d["pause_ratio"] == pytest.approx(0.185, abs=0.005)
    assert d["time_to_first_word_s"] == 4.0 and d["long_pauses"] == 0
    assert not any(f.startswith(("Speak slower", "Fewer long pauses")) for f in report["feedback"])
    assert report["confidence_source"] == "answers"


def test_no_camera_means_no_eye_contact_component():
    report = build_report(evaluations=[paced_answer(80)], metrics=session(wpm=150.0),
                          questions=QUESTIONS)
    assert report["delivery"]["camera"] == "no camera"
    assert report["delivery"]["eye_contact"] is None
    assert "eye_contact" not in report["delivery_components"]
    reasons = {n["component"]: n["reason"] for n in report["delivery_not_observed"]}
    assert reasons == {"eye_contact": "no camera", "posture": "no camera"}
    assert "not observed: eye contact (no camera)" in report["formula"]["delivery"]
    assert report["delivery_score"] is not None  # speech was observed


def test_no_face_is_not_observed_either():
    metrics = session(wpm=150.0, face_present=False, eye_contact=None, eye_contact_total=None,
                      video={"frames_analysed": 5}, posture={"label": "unknown"})
    report = build_report(evaluations=[ev(80)], metrics=metrics, questions=QUESTIONS)
    assert report["delivery"]["camera"] == "no face" and report["delivery"]["eye_contact"] is None
    assert "eye_contact" not in report["delivery_components"]


def test_a_frozen_camera_is_flagged_and_its_vision_not_used():
    metrics = [{**FACE, "t": float(t), "wpm": 150.0, "eye_contact": 1.0, "eye_contact_total": 1.0,
                "camera_frozen": t > 3, "frozen_s": max(0.0, t - 1.0)} for t in range(1, 20)]
    report = build_report(evaluations=[ev(80)], metrics=metrics, questions=QUESTIONS)
    d = report["delivery"]
    assert d["camera"] == "frozen" and d["camera_frozen"] is True and d["frozen_s"] == 18.0
    assert d["eye_contact"] is None and d["posture"] == {}
    assert not {"eye_contact", "posture"} & set(report["delivery_components"])
    assert any(f.startswith("Camera frozen") for f in report["feedback"])
    assert "camera frozen" in report["formula"]["delivery"]
    assert [p[0] for p in report["timeline"]["eye_contact"]] == [1.0, 2.0, 3.0]
    # a still photo in older events (no flag): the head pose never moves on fresh frames
    still = [{**FACE, "t": float(t), "eye_contact_total": 1.0, "video": {"updated_t": t - 0.1},
              "head": {"yaw": 1.234, "pitch": -2.5, "roll": 0.25}} for t in range(1, 10)]
    assert build_report(evaluations=[ev(80)], metrics=still,
                        questions=QUESTIONS)["delivery"]["camera"] == "frozen"


def test_wrong_answers_cannot_rate_excellent_through_delivery():
    metrics = [{**FACE, "t": float(t), "wpm": 140.0, "fillers_per_min": 0.0, "pause_ratio": 0.1,
                "eye_contact": 0.9, "eye_contact_total": 0.9} for t in range(1, 30)]
    evaluations = [paced_answer(5), paced_answer(10), paced_answer(0)]
    report = build_report(evaluations=evaluations, metrics=metrics, questions=QUESTIONS)
    assert report["delivery_score"] == 100  # polished delivery...
    assert report["final_score"] == 5 and report["performance_level"] == "poor"  # ...wrong


def test_per_question_says_where_each_score_came_from():
    new = {"score": 72, "source": "offline", "method": "meaning match",
           "formula": "score = 100 × covered / expected", "coverage": 0.75,
           "points_covered": ["a"], "points_missed": ["b"], "points_contradicted": [],
           "misconceptions": [], "gates": [], "feedback": "ok", "strengths": [],
           "improvements": [], "evidence": [{"point": "a", "status": "covered",
                                             "sentence": "A is so.", "similarity": 0.81}],
           "question_id": "q1"}
    groq = {"score": 60, "source": "groq", "feedback": "fine", "question_id": "q2"}
    old = ev(40, question_id="q3")
    report = build_report(evaluations=[new, groq, old], metrics=[], questions=QUESTIONS)
    q1, q2, q3 = report["per_question"]
    assert q1["source_label"] == "meaning match, offline estimate"
    assert q1["evidence"][0]["similarity"] == 0.81 and q1["coverage"] == 75
    assert q1["formula"] == new["formula"]
    assert "accuracy" not in q1 and "clarity" not in q1  # not invented for new evaluations
    assert q2["source_label"] == "LLM (Groq)" and "evidence" not in q2
    assert q3["source_label"] == "keyword matching, offline estimate" and q3["accuracy"] == 40
    assert report["content"]["sources"] == {"offline": 2, "groq": 1}
    assert "LLM (Groq) ×1" in report["formula"]["content"]
    assert report["category_scores"]["accuracy"] == 40  # only the old evaluation has it


# ------------------------------------------------------------------- from session events


@dataclass
class Ev:
    type: str
    t: float
    seq: int
    data: dict


def test_report_from_events_measures_each_answer_again():
    finals = answer_finals(30, [(14.0, 20.0), (21.0, 26.0)])
    events = [Ev("question", 10.0, 1, {"turn": 0, "index": 0, "question_id": "q1"})]
    events += [Ev("transcript.final", f["end"] + 0.5, 2 + i, {"utterance": i, **f})
               for i, f in enumerate(finals)]
    events += [Ev("metrics", 27.0, 4, {"wpm": 210.0, "pause_ratio": 0.6}),
               Ev("answer.completed", 30.0, 5, {"turn": 0, "index": 0, "text": "...",
                                                "start": 14.0, "end": 26.0}),
               Ev("evaluation", 30.5, 6, {**ev(66, question_id="q1"), "turn": 0, "index": 0,
                                          "delivery": {"wpm": 210.0, "speaking_s": 11.0}})]
    report = report_from_events(events, QUESTIONS)
    (answer,) = report["answers"]
    d = answer["delivery"]
    assert d["time_to_first_word_s"] == 4.0 and d["speaking_s"] == 12.0
    assert d["wpm"] == 150.0 and d["pause_ratio"] == pytest.approx(1 / 12, abs=1e-3)
    assert answer["source_label"] == "keyword matching, offline estimate"
    assert report["delivery"]["source"] == "answers" and report["delivery"]["wpm"] == 150.0
    assert report["final_score"] == 66 and report["through_seq"] == 6
