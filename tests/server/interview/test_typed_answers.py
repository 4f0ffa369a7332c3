"""Written answers (`answer.text`) on a live interview: refused with an `error` when malformed or
when no question waits, else the same `answer.completed` and `evaluation` as a spoken answer;
the candidate of a recruiter-run interview receives no evaluation."""

from __future__ import annotations

import json

from tests.support.interview import Candidate, is_, stored_evaluations

QUESTIONS = [
    {"text": "How would you make a payment API safe to retry?",
     "key_points": ["an idempotency key sent with each request",
                    "the server stores the first response and replays it"],
     "wrong_claims": ["retrying a POST is always safe"]},
    {"text": "Tell me about a time you disagreed with a teammate.",
     "question_type": "behavioral",
     "key_points": ["the situation", "how you resolved it", "what you learned"]},
]
ANSWER = ("The client   sends an idempotency key with every payment request.\n The server "
          "stores the first response under that key and replays it on a retry, so the card is "
          "charged once.")


async def error_of(cand: Candidate, message: dict) -> dict:
    mark = len(cand.events)
    await cand.ws.send(json.dumps(message))
    return await cand.wait_for(
        lambda e: e["type"] == "error" and cand.events.index(e) >= mark, 10)


async def test_written_answers(server, new_interview):
    interview = new_interview(questions=QUESTIONS, practice=False)
    async with Candidate(server, interview) as cand:
        early = await error_of(cand, {"type": "answer.text", "text": "too early"})
        assert early["code"] == "not_answering", early
        await cand.wait_for(is_("question", turn=0), 15)
        for bad in ({"type": "answer.text"}, {"type": "answer.text", "text": 5},
                    {"type": "answer.text", "text": "   "},
                    {"type": "answer.text", "text": "x" * 5001},
                    {"type": "answer.text", "text": ["a list"]}):
            assert (await error_of(cand, bad))["code"] == "bad_text", bad
        await cand.ws.send(json.dumps({"type": "answer.text", "text": ANSWER}))
        done = await cand.wait_for(is_("answer.completed", turn=0), 10)
        assert done["reason"] == "typed" and done["typed"] is True
        assert done["text"] == " ".join(ANSWER.split())
        nxt = await cand.wait_for(is_("question", turn=1), 10)
        assert nxt["type"] == "question"
        # a written answer to the follow-up or next question works the same way
        await cand.ws.send(json.dumps({"type": "answer.text", "text": "We talked it through, "
                                       "agreed on a test, and I learned to ask earlier."}))
        await cand.wait_for(is_("answer.completed", turn=1), 10)
    assert not cand.of("evaluation"), "the candidate of a recruiter-run interview got a score"
    evaluations = stored_evaluations(server, interview, 2)
    assert len(evaluations) == 2, evaluations
    first = next(e for e in evaluations if e["turn"] == 0)
    assert first["delivery"] == {"typed": True} and first["vision"] == {}
    assert first["source"] == "offline" and first["score"] >= 50, first
