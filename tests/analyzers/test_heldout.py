"""Held-out check of the offline evaluator: answers it was never tuned on.

The technical questions here have NO aliases and must stay so: aliases tuned on these answers
would defeat the point (a general mechanism must carry them). Their wrong_claims are as
authored in the bank and must not be edited to make this suite pass; bh-i3 (behavioral: every
behavioral bank question has aliases) keeps exactly its pre-existing ones. Thresholds are
those of the brief; questions that still miss one are listed in KNOWN_WEAK with the reason,
and the plain-words bar is the brief's (>= 50 for at least 6 of the 8 alias-free questions),
currently NOT met: it is an xfail with the measured figures, not a weakened bar.
"""

from __future__ import annotations

import pytest

from analyzers.answer_eval import Evaluation, evaluate_answer_offline
from analyzers.questions import Question, load_bank
from tests.analyzers.answer_suite import ANSWERS as SUITE_ANSWERS
from tests.analyzers.heldout_answers import ANSWERS as PART1
from tests.analyzers.heldout_answers import KINDS
from tests.analyzers.heldout_answers2 import ANSWERS as PART2

ANSWERS = {**PART1, **PART2}
NO_ALIASES = ("ge-i1", "fe-i1", "be-b3", "ds-b4", "do-b1", "se-b1", "pm-b2", "mo-b3")
BH_I3_ALIASES = {
    "what you needed to learn": ["I had to pick up a new technology I had never used"],
    "learning strategy": ["I studied the docs, did tutorials and built a small prototype"],
    "applied it in practice": ["then I used it on the real project"],
    "result": ["in the end it worked and we delivered on time"],
}
#: (question, check) still failing, with why: MiniLM rates the excellent answer's sentences
#: low against terse points ("smallest product that tests a hypothesis": 0.40)
KNOWN_WEAK = {
    ("pm-b2", "excellent"): "points are terse; best sentence similarity 0.30-0.41",
    ("se-b1", "excellent"): "'passwords are hashed with a salt' read as denied by 'hashed and "
                            "not encrypted' (negation scope); 'reversible with a key' at 0.56",
    ("bh-i3", "excellent"): "story beats (strategy, applied) at 0.27-0.43 similarity",
    ("pm-b2", "wrong"): "excellent is itself low (6)",
    ("bh-i3", "wrong"): "excellent is itself low (46)",
}


def _bank() -> dict[str, dict]:
    return {q["id"]: q for area in load_bank()["areas"].values()
            for items in area["questions"].values() for q in items}


@pytest.fixture(scope="module")
def evals() -> dict[str, dict[str, Evaluation]]:
    bank = _bank()
    return {qid: {k: evaluate_answer_offline(Question.from_dict(bank[qid]), a[k]) for k in KINDS}
            for qid, a in ANSWERS.items()}


def test_heldout_questions_have_no_aliases_and_are_not_in_the_suite() -> None:
    bank = _bank()
    assert set(NO_ALIASES) < set(ANSWERS) and len(NO_ALIASES) >= 8
    for qid in NO_ALIASES:
        assert not bank[qid].get("aliases"), qid
    assert bank["bh-i3"]["aliases"] == BH_I3_ALIASES
    assert not set(ANSWERS) & set(SUITE_ANSWERS)
    areas = {qid.split("-")[0] for qid in ANSWERS}
    assert {"ge", "be", "fe", "ds", "do", "se", "pm", "bh"} <= areas


def _check(qid: str, name: str, ok: bool, detail: object) -> None:
    if (qid, name) in KNOWN_WEAK:
        if ok:
            pytest.fail(f"{qid} {name} now passes: drop it from KNOWN_WEAK")
        pytest.xfail(KNOWN_WEAK[(qid, name)])
    assert ok, detail


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_excellent_scores_high(qid: str, evals: dict) -> None:
    s = {k: e.score for k, e in evals[qid].items()}
    _check(qid, "excellent", s["excellent"] >= 70, s)


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_wrong_scores_30_below_excellent(qid: str, evals: dict) -> None:
    s = {k: e.score for k, e in evals[qid].items()}
    _check(qid, "wrong", s["wrong"] <= s["excellent"] - 30, s)


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_lists_off_topic_and_empty_score_low(qid: str, evals: dict) -> None:
    s = {k: e.score for k, e in evals[qid].items()}
    assert s["buzzwords"] <= 35 and s["off_topic"] <= 20 and s["empty"] <= 10, s


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_no_misconception_in_the_excellent_answer(qid: str, evals: dict) -> None:
    ev = evals[qid]["excellent"]
    assert not ev.misconceptions, ev.improvements


@pytest.mark.xfail(strict=True, reason="plain-words answers: MiniLM misses most paraphrases "
                   "(2 of 8 alias-free questions reach 50: do-b1, se-b1)")
def test_plain_words_correct_for_six_of_eight(evals: dict) -> None:
    passing = [qid for qid in NO_ALIASES if evals[qid]["plain"].score >= 50]
    assert len(passing) >= 6, {qid: evals[qid]["plain"].score for qid in NO_ALIASES}
