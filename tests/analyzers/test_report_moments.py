"""The report's teaching part: flagged moments at their session times and 2-3 takeaways with
their evidence; a metric without data gives no takeaway; coverage per answer and overall
agree (both 0-100 from the same evaluations)."""

from __future__ import annotations

from analyzers.answer_metrics import answer_delivery
from analyzers.session_report import add_teaching, make_report

QUESTIONS = [{"id": "q1", "text": "How do you index a table?", "skill": "databases"},
             {"id": "q2", "text": "How do you cache?", "skill": "caching"}]


def final(start: float, words: list[str], gap_after: int | None = None) -> dict:
    out, t = [], start
    for i, w in enumerate(words):
        out.append({"word": f" {w}", "start": t, "end": t + 0.3})
        t += 0.4 + (3.0 if i == gap_after else 0.0)
    return {"text": " ".join(words), "start": start, "end": out[-1]["end"], "words": out}


def report(evals, finals, metrics=()):
    answers = {e["turn"]: {"text": "x", "start": e["_span"][0], "end": e["_span"][1]}
               for e in evals}
    for e in evals:
        f = [x for x in finals if e["_span"][0] <= x["start"] <= e["_span"][1]]
        e["delivery"] = answer_delivery(f, asked_t=e["_span"][0] - 1)
    r = make_report(QUESTIONS, [{k: v for k, v in e.items() if k != "_span"} for e in evals],
                    list(metrics), answers)
    add_teaching(r, finals, list(metrics))
    return r


def test_moments_and_takeaways_with_evidence():
    um = ["um", "so", "we", "um", "add", "an", "index", "um", "on", "columns"] * 2
    finals = [final(10.0, um, gap_after=4), final(40.0, ["we", "cache", "hot", "keys"] * 3,
                                                  gap_after=2)]
    evals = [
        {"turn": 0, "index": 0, "question_id": "q1", "question": QUESTIONS[0]["text"],
         "score": 17, "method": "meaning match", "source": "offline", "coverage": 0.04,
         "points_covered": [], "points_missed": ["an index on the filtered columns"],
         "_span": (10.0, 30.0)},
        {"turn": 1, "index": 1, "question_id": "q2", "question": QUESTIONS[1]["text"],
         "score": 80, "method": "meaning match", "source": "offline", "coverage": 0.8,
         "points_covered": ["a"], "points_missed": [], "_span": (40.0, 60.0)},
    ]
    r = report(evals, finals)
    kinds = [m["kind"] for m in r["moments"]]
    assert kinds.count("filler") == 6 and kinds.count("pause") == 2 and "missed" in kinds
    assert [m["t"] for m in r["moments"]] == sorted(m["t"] for m in r["moments"])
    assert r["moments"][0] == {"t": 10.0, "kind": "filler", "label": "Filler “um”"}
    assert 2 <= len(r["takeaways"]) <= 3
    texts = " ".join(t["text"] for t in r["takeaways"])
    assert "“um” 6 times" in texts and "under 2 is typical" in texts
    assert "scored 17/100" in texts and "an index on the filtered columns" in texts
    assert all(t["t"] is not None for t in r["takeaways"])
    # the per-answer coverage and the overall use the same 0-100 scale
    assert [a["coverage"] for a in r["answers"]] == [4, 80]
    assert r["category_scores"]["coverage"] == 42
    assert not any("on average" in f for f in r["feedback"])  # no older rubric: no such line


def test_a_metric_without_data_gives_no_takeaway():
    finals = [final(5.0, ["we", "add", "an", "index", "on", "the", "columns"] * 6)]
    evals = [{"turn": 0, "index": 0, "question_id": "q1", "question": QUESTIONS[0]["text"],
              "score": 90, "method": "meaning match", "source": "offline", "coverage": 0.9,
              "points_covered": ["an index"], "_span": (5.0, 30.0)}]
    r = report(evals, finals)
    assert 2 <= len(r["takeaways"]) <= 3
    assert not [t for t in r["takeaways"] if t["kind"] in ("look_away", "filler", "pause")]
    assert not [m for m in r["moments"] if m["kind"] == "look_away"]


def test_a_pace_off_the_band_is_never_also_called_easy_to_follow():
    from analyzers.report_moments import takeaways

    slow = {"delivery": {"wpm": 90.0}, "answers": [{"start": 4.0, "score": None}]}
    out = takeaways(slow, [])
    assert [t["title"] for t in out] == ["Speak a little faster"], out
    easy = takeaways({"delivery": {"wpm": 140.0}, "answers": [{"start": 4.0}]}, [])
    assert [t["title"] for t in easy] == ["Your pace was easy to follow"], easy


def test_question_starts_mark_each_question_asked_once_in_time_order():
    from analyzers.report_moments import question_starts

    asked = [
        {"t": 52.3, "turn": 1, "index": 0, "is_follow_up": True, "text": "Why?",
         "source": "interviewer"},
        {"t": 1.02, "turn": 0, "index": 0, "is_follow_up": False, "text": "How do you index?",
         "source": "plan"},
        {"t": 80.0, "turn": 2, "index": None, "is_follow_up": False, "text": "Deploys?",
         "source": "recruiter"},
        {"t": 95.0, "turn": 3, "index": 1, "is_follow_up": False, "text": "How do you cache?",
         "source": "plan"},
        {"t": 99.0, "turn": 3, "index": 1, "is_follow_up": False, "text": "How do you cache?",
         "source": "plan"},  # the same turn again (a resumed session): counted once
        {"t": None, "turn": 4, "index": 2, "text": "no time"},
    ]
    starts = question_starts(asked)
    assert [(s["t"], s["label"], s["title"]) for s in starts] == [
        (1.02, "Q1", "Question 1"), (52.3, "Q1+", "Follow-up to question 1"),
        (80.0, "R1", "Recruiter's question 1"), (95.0, "Q2", "Question 2")]
    assert starts[0]["question"] == "How do you index?" and starts[0]["source"] == "plan"
    assert question_starts([]) == []


def test_the_report_from_events_has_its_question_starts():
    from types import SimpleNamespace

    from analyzers.session_report import report_from_events

    def event(seq, t, kind, **data):
        return SimpleNamespace(seq=seq, t=t, type=kind, data=data)

    events = [
        event(1, 1.0, "question", turn=0, index=0, is_follow_up=False, text=QUESTIONS[0]["text"],
              question_id="q1", source="plan"),
        event(2, 9.0, "answer.completed", turn=0, index=0, text="an index", start=3.0, end=8.0),
        event(3, 9.1, "evaluation", turn=0, index=0, question_id="q1", score=60,
              question=QUESTIONS[0]["text"]),
        event(4, 10.5, "question", turn=1, index=1, is_follow_up=False, text=QUESTIONS[1]["text"],
              question_id="q2", source="plan"),
    ]
    r = report_from_events(events, QUESTIONS)
    assert [(s["t"], s["label"]) for s in r["question_starts"]] == [(1.0, "Q1"), (10.5, "Q2")]
