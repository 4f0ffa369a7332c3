"""Offline answer evaluation and follow-up questions."""

from __future__ import annotations

import pytest

from analyzers.answer_eval import WEIGHTS, Evaluation, evaluate_answer_offline, rubric_score
from analyzers.followup import offline_follow_up
from analyzers.questions import Question, bank_questions

SLOW_QUERY = next(q for q in bank_questions("backend", "intermediate") if q.id == "be-i1")

FULL = (
    "First, I would run EXPLAIN ANALYZE to read the query plan and see whether we do a full "
    "table scan. Then I'd add an index on the columns used in the WHERE filter and the join. "
    "I also avoid select star and fix N+1 queries coming from the ORM. For example, at my last "
    "job one report went from 4 seconds to 120 ms. Frequent results can be cached in Redis, and "
    "finally I paginate so we limit the rows returned. The trade-off is that indexes slow down "
    "writes, so it depends on the read to write ratio."
)
OFF_TOPIC = (
    "Well, I would talk to my team lead about it and try a few different things until it feels "
    "faster for the users. Then I would check with the product owner whether the change helped "
    "and write a short summary for everyone on the team."
)
# transcript style: no punctuation, inflected forms, fillers
TRANSCRIPT = (
    "uh so i would first run explain and look at the query plans then um add indexes on the "
    "filtered and joined columns and i would also be caching the frequent results"
)


def evaluate(answer: str, delivery: dict | None = None, question: Question = SLOW_QUERY):
    return evaluate_answer_offline(question, answer, delivery)


def test_full_answer_scores_far_above_an_off_topic_one():
    full, off = evaluate(FULL), evaluate(OFF_TOPIC)
    assert full.coverage == 1.0
    assert off.coverage == 0.0
    assert full.score >= 85
    assert off.score <= 35
    assert full.score - off.score >= 50
    assert full.points_covered == SLOW_QUERY.expected_points
    assert off.points_missed == SLOW_QUERY.expected_points
    assert {"index", "query plan", "redis"} <= set(full.keywords_mentioned)
    assert full.source == off.source == "offline"


def test_score_is_the_weighted_rubric_sum():
    assert WEIGHTS == {"accuracy": 0.4, "coverage": 0.3, "clarity": 0.2, "depth": 0.1}
    for answer in (FULL, OFF_TOPIC, TRANSCRIPT):
        e = evaluate(answer)
        expected = round(100 * (0.4 * e.accuracy + 0.3 * e.coverage + 0.2 * e.clarity
                                + 0.1 * e.depth))
        assert abs(e.score - expected) <= 1
        assert all(0.0 <= x <= 1.0 for x in (e.accuracy, e.coverage, e.clarity, e.depth))
    assert rubric_score(1, 1, 1, 1) == 100
    assert rubric_score(0, 0, 0, 0) == 0


def test_coverage_tolerates_transcripts_and_inflections():
    e = evaluate(TRANSCRIPT)
    assert e.points_covered == [
        "use EXPLAIN to read the query plan",
        "add an index on filtered or joined columns",
        "cache frequent results",
    ]
    assert e.coverage == pytest.approx(0.6)
    assert "Also address: avoid select star and N+1 queries; paginate or limit returned rows" in (
        e.improvements
    )


@pytest.mark.parametrize("answer", ["", "   ", "index", "add an index"])
def test_empty_or_tiny_answers_score_low_with_a_clear_note(answer):
    e = evaluate(answer)
    assert e.score < 15
    assert e.clarity == 0.0 and e.depth == 0.0
    assert "too short" in e.improvements[0]
    assert "query plan" in e.feedback  # tells the candidate what a full answer covers


def test_hedging_lowers_accuracy():
    sure = "I would add an index on the filtered columns and read the query plan with EXPLAIN."
    unsure = ("I think maybe I would add an index on the filtered columns, I'm not sure, and "
              "probably read the query plan with EXPLAIN, I guess.")
    a, b = evaluate(sure), evaluate(unsure)
    assert b.accuracy < a.accuracy - 0.2
    assert any(i.startswith("Sound more certain") for i in b.improvements)


def test_fillers_and_pace_lower_clarity_with_numbers_in_the_advice():
    calm = evaluate(FULL, {"wpm": 140, "fillers_per_min": 1.0})
    rushed = evaluate(FULL, {"wpm": 210, "fillers_per_min": 11.0})
    assert rushed.clarity < calm.clarity - 0.2
    assert "Fewer filler words: 11.0 per minute" in rushed.improvements
    assert "Slow down: 210 wpm (aim for 120-160)" in rushed.improvements
    # fillers written in the transcript count when delivery has no filler rate
    plain = evaluate("I would add an index. Then I would read the query plan. Finally I cache.")
    ummy = evaluate("Um I would uh add an index. Um then uh I would read the um query plan. Uh "
                    "finally um I cache.")
    assert ummy.clarity < plain.clarity


def test_examples_and_tradeoffs_add_depth():
    bare = ("I would add an index on the filtered columns and read the query plan with EXPLAIN "
            "and also cache frequent results in Redis and limit the rows.")
    rich = bare + (" For example, one report dropped from 4 seconds to 120 ms. However, indexes "
                   "slow down writes, so it is a trade-off.")
    assert evaluate(rich).depth > evaluate(bare).depth + 0.3
    assert "Add a concrete example or number from your experience" in evaluate(bare).improvements


def test_behavioral_answer_is_scored_against_star_points():
    q = next(q for q in bank_questions("behavioral", "intermediate") if q.id == "bh-i2")
    good = ("Last year I missed a deadline on a data migration. I owned the mistake and "
            "communicated early to my manager and the team, two days before the due date. "
            "I fixed the problem by splitting the migration into batches, and afterwards I "
            "changed our process: we now add a buffer and a checklist to every plan.")
    vague = "It happens sometimes. Deadlines are hard and people are busy, you move on."
    assert evaluate(good, question=q).score > evaluate(vague, question=q).score + 30


def test_evaluation_round_trip():
    e = evaluate(FULL)
    assert Evaluation.from_dict(e.to_dict()) == e
    data = e.to_dict()
    del data["score"]
    with pytest.raises(ValueError, match="score"):
        Evaluation.from_dict(data)


# --------------------------------------------------------------------------- follow-ups


def test_follow_up_targets_the_first_missed_point():
    e = evaluate(TRANSCRIPT)
    follow = offline_follow_up(SLOW_QUERY, TRANSCRIPT, e)
    assert follow is not None
    assert "avoid select star and N+1 queries" in follow
    assert follow.endswith("?")


def test_no_follow_up_after_a_strong_answer():
    e = evaluate(FULL)
    assert e.score >= 80 and e.coverage >= 0.75
    assert offline_follow_up(SLOW_QUERY, FULL, e) is None


def test_follow_up_digs_into_a_keyword_when_nothing_was_missed():
    e = Evaluation(score=60, accuracy=0.5, coverage=1.0, clarity=0.5, depth=0.2, feedback="",
                   keywords_mentioned=["index", "query plan"], points_missed=[])
    follow = offline_follow_up(SLOW_QUERY, "...", e)
    assert follow is not None and "query plan" in follow


def test_follow_up_for_a_behavioral_question_and_determinism():
    q = next(q for q in bank_questions("behavioral", "intermediate") if q.id == "bh-i1")
    answer = "My teammate wanted to rewrite the service and I did not agree."
    e = evaluate(answer, question=q)
    first = offline_follow_up(q, answer, e)
    assert first == offline_follow_up(q, answer, e)
    assert first is not None and e.points_missed[0] in first
