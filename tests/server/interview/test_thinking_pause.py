"""Thinking pauses are not the end of an answer: a real `InterviewFlow` on a scripted session
(finals and metrics ticks by hand, on the session clock). After "let me think" or an unfinished
sentence the answer waits `thinking_pause_s` (announced once per pause by `answer.waiting`);
after a complete sentence the short pause ends it; `next` ends it at any time; the announced
pause is a thinking pause in the answer's delivery and the report, not a long pause."""

from __future__ import annotations

import asyncio
import time

import pytest

from analyzers.answer_eval import Evaluation
from analyzers.questions import Question
from server.interview.flow import InterviewFlow
from server.interview.judge import Judgment
from server.interview.turns import FlowConfig
from server.store.store import Store
from tests.support.fakes import ScriptedSession
from tests.support.interview import planned_questions

PAUSE_S, THINKING_S = 4.0, 12.0
COMPLETE = "I would add an index on the user id column."


class _Offline:
    async def prepare(self, questions) -> None:
        return None

    async def evaluate(self, question, answer, delivery=None) -> Evaluation:
        return Evaluation(score=60, feedback="fine")


class QuickInterviewer:
    """Evaluates at once and never follows up (the next planned question comes next)."""

    def __init__(self) -> None:
        self.offline = _Offline()

    async def judge(self, question, answer, delivery=None, offline=None) -> Judgment:
        return Judgment(Evaluation(score=60, feedback="fine"), None, decided=True)


@pytest.fixture
async def interview(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'pause.db'}")
    store.create_interview(id="stub", questions=planned_questions())
    session = ScriptedSession()
    flow = InterviewFlow(session, [Question.from_dict(q) for q in planned_questions()],
                         interviewer=QuickInterviewer(), store=store,
                         config=FlowConfig(answer_pause_s=PAUSE_S, thinking_pause_s=THINKING_S))
    session.tick(1.0)  # the first question, asked at t = 1.0
    assert len(session.of("question")) == 1
    return session, flow, store


def ticks(session: ScriptedSession, start: float, stop: float, step: float = 0.5) -> None:
    t = start
    while t <= stop + 1e-9:
        session.tick(round(t, 3))
        t += step


async def wait_for(session: ScriptedSession, kind: str, n: int = 1, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while len(session.of(kind)) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return session.of(kind)


async def test_a_thinking_pause_does_not_end_the_answer_and_is_announced_once(interview):
    session, flow, _ = interview
    session.say("Hmm, let me think.", 1.5, 2.5)
    ticks(session, 3.0, 8.5)  # 6 s of silence after "let me think"
    await asyncio.sleep(0.05)
    assert not session.of("answer.completed")
    assert flow.state == "answering"
    (waiting,) = session.of("answer.waiting")  # once, though the pause went on for 4 ticks
    assert waiting.t == 6.5  # when the short pause would have ended the answer
    assert waiting.data == {"index": 0, "turn": 0, "question_id": planned_questions()[0]["id"],
                            "reason": "thinking", "wait_s": THINKING_S, "since": 2.5}
    ticks(session, 9.0, 14.0)
    await asyncio.sleep(0.05)
    assert not session.of("answer.completed")  # 11.5 s < 12 s
    session.tick(14.5)  # 12 s of silence: the long pause ends it
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "pause" and done.data["text"] == "Hmm, let me think."
    assert len(session.of("answer.waiting")) == 1
    await flow.stop()


async def test_a_pause_after_a_complete_sentence_ends_the_answer_after_4_s(interview):
    session, flow, _ = interview
    session.say(COMPLETE, 1.5, 3.0)
    ticks(session, 3.5, 6.5)
    await asyncio.sleep(0.05)
    assert not session.of("answer.completed")
    session.tick(7.0)
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "pause" and done.data["text"] == COMPLETE
    assert not session.of("answer.waiting")
    assert len(await wait_for(session, "question", 2)) == 2  # on to the next question
    await flow.stop()


async def test_speech_after_a_thinking_pause_then_a_complete_sentence_ends_it(interview):
    session, flow, store = interview
    session.say("Let me think.", 1.5, 2.5)
    ticks(session, 3.0, 8.5)
    assert len(session.of("answer.waiting")) == 1
    session.speech.speaking = True  # the candidate goes on at 9.0
    ticks(session, 9.0, 12.0)
    session.speech.speaking = False
    session.say("I would add an index and", 9.0, 12.0)  # unfinished: a new pause, a new wait
    ticks(session, 12.5, 18.0)
    waits = session.of("answer.waiting")
    assert [(w.data["reason"], w.data["since"], w.t) for w in waits] == [
        ("thinking", 2.5, 6.5), ("unfinished", 12.0, 16.0)]
    session.speech.speaking = True
    ticks(session, 18.5, 20.0)
    session.speech.speaking = False
    session.say("then I would cache the hot rows.", 18.5, 20.0)
    ticks(session, 20.5, 23.5)
    await asyncio.sleep(0.05)
    assert not session.of("answer.completed")  # 3.5 s after a complete sentence
    session.tick(24.0)
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "pause"
    assert done.data["text"] == "Let me think. I would add an index and then I would cache the " \
                                "hot rows."
    assert len(session.of("answer.waiting")) == 2
    (ev,) = await wait_for(session, "evaluation")
    d = ev.data["delivery"]
    # the two announced pauses are thinking pauses (6.5 s + 6.5 s), not long pauses
    assert d["thinking_pauses"] == 2 and d["thinking_s"] == 13.0
    assert d["long_pauses"] == 0 and d["pause_s"] == 0.0
    assert d["speaking_s"] == 1.0 + 3.0 + 1.5  # the three utterances, no thinking inside
    assert d["time_to_first_word_s"] == 0.5  # question at 1.0, first word at 1.5
    await flow.stop()
    # the report measures the answer again from the events: the same thinking pauses
    report = store.get_interview("stub").report
    (answer,) = report["answers"]
    assert answer["delivery"]["thinking_pauses"] == 2
    assert answer["delivery"]["time_to_first_word_s"] == 0.5
    assert report["delivery"]["long_pauses"] == 0
    assert report["delivery"]["thinking_pauses"] == 2


async def test_next_ends_the_answer_while_it_waits(interview):
    session, flow, _ = interview
    session.say("Give me a second.", 1.5, 2.5)
    ticks(session, 3.0, 7.0)
    assert len(session.of("answer.waiting")) == 1
    await flow.on_message({"type": "next"})
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "next" and done.data["text"] == "Give me a second."
    assert len(await wait_for(session, "question", 2)) == 2
    await flow.stop()


async def test_saying_next_ends_the_answer_and_is_not_part_of_it(interview):
    session, flow, _ = interview
    session.say(COMPLETE, 1.5, 4.0)
    session.say("Next question, please.", 4.5, 5.5)
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "next" and done.data["text"] == COMPLETE
    assert len(await wait_for(session, "question", 2)) == 2
    await flow.stop()


async def test_next_inside_an_answer_is_part_of_it(interview):
    session, flow, _ = interview
    text = "Next I would add an index."
    session.say(text, 1.5, 4.0)
    await asyncio.sleep(0.05)
    assert not session.of("answer.completed")
    ticks(session, 4.5, 8.5)
    (done,) = await wait_for(session, "answer.completed")
    assert done.data["reason"] == "pause" and done.data["text"] == text
    await flow.stop()
