"""The offline evaluator judges meaning: an answer-quality suite over hand-written answers,
plus negation, misconceptions, evidence, gates, stored-dict compatibility and the LLM path."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from analyzers.answer_eval import Evaluation, evaluate_answer_offline, evaluation_from_llm
from analyzers.answer_text import is_negated, looks_like_sentence, reversed_comparison
from analyzers.embeddings import get_embedder, warm_up
from analyzers.questions import Question, load_bank
from tests.analyzers.answer_suite import ANSWERS, KINDS, RECRUITER_QUESTION


def _bank(qid: str) -> Question:
    for area in load_bank()["areas"].values():
        for difficulty, items in area["questions"].items():
            for item in items:
                if item["id"] == qid:
                    return Question.from_dict({**item, "difficulty": difficulty})
    raise KeyError(qid)


def question(qid: str) -> Question:
    return Question.from_dict(RECRUITER_QUESTION) if qid == RECRUITER_QUESTION["id"] else _bank(qid)


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Evaluation]]:
    return {qid: {kind: evaluate_answer_offline(question(qid), answers[kind]) for kind in KINDS}
            for qid, answers in ANSWERS.items()}


def test_suite_covers_question_types() -> None:
    types = {question(qid).type for qid in ANSWERS}
    assert types == {"technical", "behavioral"} and len(ANSWERS) >= 6
    assert "wrong_claims" in RECRUITER_QUESTION and "key_points" in RECRUITER_QUESTION


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_answer_quality_thresholds(qid: str, scores: dict) -> None:
    s = {kind: ev.score for kind, ev in scores[qid].items()}
    assert s["excellent"] >= 70, s
    assert s["wrong"] <= s["excellent"] - 30, s
    assert s["buzzwords"] <= 35, s
    assert s["off_topic"] <= 20, s
    assert s["empty"] <= 10, s
    assert s["plain"] >= 50, s
    assert s["vague"] <= s["excellent"] - 20, s


def test_plain_words_beat_vague_on_average(scores: dict) -> None:
    plain = sum(v["plain"].score for v in scores.values())
    vague = sum(v["vague"].score for v in scores.values())
    assert plain > vague + 20 * len(scores)


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_wrong_answers_are_caught_as_wrong(qid: str, scores: dict) -> None:
    ev = scores[qid]["wrong"]
    assert ev.points_contradicted or ev.misconceptions, ev.evidence
    assert ev.improvements and any("misconception" in i or "contradicts" in i
                                   for i in ev.improvements)


def test_gates(scores: dict) -> None:
    for answers in scores.values():
        assert "not_sentences" in answers["buzzwords"].gates
        assert "off_topic" in answers["off_topic"].gates
        assert answers["empty"].gates == ["empty"] and answers["empty"].score == 0
        assert not answers["excellent"].gates
    short = evaluate_answer_offline(_bank("be-i2"), "use redis with a ttl")
    assert "too_short" in short.gates and short.score <= 30


def test_strengths_quote_the_candidates_sentence(scores: dict) -> None:
    for qid, answers in scores.items():
        ev = answers["excellent"]
        assert ev.strengths, qid
        text = ANSWERS[qid]["excellent"]
        for strength in ev.strengths:
            quoted = strength.split("\u201c")[-1].split("\u201d")[0].removesuffix(" ...")
            assert quoted and quoted in text, (strength, qid)
        assert not any("trade-off" in s.lower() or "example" in s.lower() for s in ev.strengths
                       if "\u201c" not in s)


def test_evaluation_lists_source_method_and_evidence(scores: dict) -> None:
    ev = scores["be-i2"]["excellent"]
    assert ev.source == "offline" and "MiniLM" in ev.method and "offline" in ev.method
    assert "coverage" in ev.formula and ev.components["coverage"] == ev.coverage
    q = _bank("be-i2")
    assert [e["point"] for e in ev.evidence] == q.expected_points
    for e in ev.evidence:
        assert e["status"] in ("covered", "missed", "contradicted")
        assert isinstance(e["similarity"], float)
        if e["status"] == "covered":
            assert e["sentence"] and e["sentence"] in ANSWERS["be-i2"]["excellent"]
    assert set(ev.points_covered) == {e["point"] for e in ev.evidence if e["status"] == "covered"}


def test_plain_words_ttl_is_not_reported_missing() -> None:
    q = _bank("be-i2")
    ev = evaluate_answer_offline(q, "we give every key a ttl of five minutes so stale entries "
                                    "expire on their own, and when a row is updated we delete "
                                    "its cached copy.")
    assert "time to live expiration" in ev.points_covered
    assert not any("time to live" in i for i in ev.improvements)


def test_negated_answer_scores_low() -> None:
    q = _bank("be-i2")
    right = ("we check redis first and fill it from the database on a miss. entries expire "
             "after a ttl of a few minutes. on every write we invalidate the cached key.")
    negated = ("we check redis first and fill it from the database on a miss. entries never "
               "expire, there is no ttl. on writes we do not invalidate the cached key.")
    good, bad = evaluate_answer_offline(q, right), evaluate_answer_offline(q, negated)
    assert "invalidate or update the cache on writes" in bad.points_contradicted
    assert bad.score <= good.score - 30 and bad.score <= 40


def test_misconception_subtracts() -> None:
    q = _bank("ds-i2")
    base = ("precision is true positives over everything the model predicted positive and "
            "recall is true positives over all the actual positives.")
    with_wrong = base + " and f1 is just the plain average of the two, you add them and halve."
    a, b = evaluate_answer_offline(q, base), evaluate_answer_offline(q, with_wrong)
    assert "F1 is the simple average of precision and recall" in b.misconceptions
    assert b.score < a.score


def test_delivery_does_not_change_the_content_score() -> None:
    q = _bank("be-a1")
    text = ANSWERS["be-a1"]["excellent"]
    plain = evaluate_answer_offline(q, text)
    fast = evaluate_answer_offline(q, text, {"wpm": 240.0, "fillers_per_min": 20.0})
    assert plain.score == fast.score


def test_polarity_helpers() -> None:
    assert is_negated("you don't need to invalidate anything")
    assert not is_negated("not only fast but also cheap")
    assert not is_negated("it is not that we do not test")
    assert reversed_comparison("threads are cheaper than processes",
                               "processes are cheaper than threads")
    assert not reversed_comparison("processes are really cheaper than threads",
                                   "processes are cheaper than threads")
    assert not looks_like_sentence("redis, memcached, ttl, lru, write through, eviction")
    assert looks_like_sentence("we keep the counters in redis so every server sees them")


def test_from_dict_tolerates_old_stored_evaluations() -> None:
    old = {"score": 64, "accuracy": 0.5, "coverage": 0.5, "clarity": 0.8, "depth": 0.3,
           "feedback": "ok", "strengths": ["x"], "improvements": [], "keywords_mentioned": ["a"],
           "points_covered": ["p"], "points_missed": ["q"], "source": "offline"}
    ev = Evaluation.from_dict(old)
    assert (ev.score, ev.coverage, ev.points_missed) == (64, 0.5, ["q"])
    assert ev.points_contradicted == [] and ev.evidence == [] and "legacy" in ev.method
    new = evaluate_answer_offline(_bank("ge-b1"), ANSWERS["ge-b1"]["wrong"])
    assert Evaluation.from_dict(new.to_dict()) == new
    with pytest.raises(ValueError):
        Evaluation.from_dict({"feedback": "no score"})


def test_evaluation_from_llm_validates() -> None:
    q = _bank("be-i2")
    ev = evaluation_from_llm(q, {
        "score": 140, "feedback": "Good.", "strengths": ["a"], "improvements": [],
        "points_covered": ["Time to live expiration", "made up"],
        "points_contradicted": ["measure the cache hit ratio"], "misconceptions": ["x"],
        "evidence": [{"point": "time to live expiration", "status": "covered",
                      "sentence": "a ttl of five minutes"}]})
    assert ev.score == 100 and ev.source == "groq" and ev.method == "LLM (Groq)"
    assert ev.points_covered == ["time to live expiration"]
    assert ev.points_contradicted == ["measure the cache hit ratio"]
    assert set(ev.points_missed) == set(q.expected_points) - {"time to live expiration",
                                                               "measure the cache hit ratio"}
    assert ev.evidence[1]["sentence"] == "a ttl of five minutes"
    for bad in ({"score": "high", "feedback": "x"}, {"score": 50},
                {"score": 50, "feedback": "x", "strengths": "not a list"}):
        with pytest.raises(ValueError):
            evaluation_from_llm(q, bad)


def test_embeddings_are_sensible() -> None:
    emb = get_embedder()
    v = emb.embed(["entries expire after five minutes", "each key has a time to live",
                   "the weather is sunny today", "A man is eating food.",
                   "A man is eating a piece of bread."])
    assert v.shape == (5, 384)
    assert abs(float((v * v).sum(axis=1).mean()) - 1.0) < 1e-4
    assert float(v[3] @ v[4]) > 0.65  # sentence-transformers reference pair: 0.755
    assert float(v[0] @ v[2]) < 0.15 and float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2
    assert get_embedder() is emb and warm_up() >= 0.0


def test_model_loads_with_hub_offline() -> None:
    code = ("from analyzers.embeddings import get_embedder, model_file;"
            "import sys; v = get_embedder().embed(['hello world']);"
            "assert 'site-packages' in str(model_file()); print(v.shape)")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": os.getcwd()}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    assert "(1, 384)" in out.stdout
