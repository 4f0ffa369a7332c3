"""Live turn-taking of an interview with a question plan: ask, listen, evaluate, follow up.

One `InterviewFlow` per live session whose interview has questions (`server.interview.factory`
makes it when `SessionManager.open` opens the session). It hooks the session's speech pipeline:

* the first metrics tick (about 1 s after audio starts) asks the first planned question;
* every `transcript.final` that ends after a question was asked belongs to that question's
  answer (the answer text is the concatenation of those finals);
* the answer ends after `answer_pause_s` without speech (at least one final first; after a
  thinking phrase or an unfinished sentence `thinking_pause_s`, announced by `answer.waiting`:
  `server.interview.pauses`), on a `{"type": "next"}` message or the candidate saying it
  ("Next question, please.": `analyzers.turn_end.is_next_command`), after `answer_max_s`, or on
  `stop`;
* then `answer.completed`, the evaluation (`Interviewer.evaluate`, Groq or offline; a background
  task, its `evaluation` event and `AnswerRecord` follow when it is done), and within
  `follow_up_budget_s` the next `question`: one follow-up per planned question when the
  interviewer asks for one (`is_follow_up: true`), else the next planned question;
* after the last planned question (or a `stop`) it waits for the pending evaluations, builds the
  report from the session's `evaluation`, `answer.completed` and `metrics` events, stores it and
  the scores on the interview and emits `interview.completed` and `state: completed`.

Recruiter actions (their own questions, approving follow-ups) are `flow.staff`
(`server.interview.staff`); a resumed session continues from its events
(`server.interview.restore`).

Events whose type starts with `staff.` are for the staff only: the candidate socket drops them.
Scoring is the analysers' (`analyzers.answer_metrics`, `analyzers.open_question`,
`analyzers.session_report`); this module only decides when.

Everything runs on the event loop; the only CPU work is the offline evaluator and report
(pure Python, milliseconds). The database is written through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from analyzers.answer_eval import Evaluation
from analyzers.answer_metrics import answer_vision
from analyzers.coaching import coaching
from analyzers.followup import follow_up_question, offline_follow_up
from analyzers.open_question import open_question_evaluation
from analyzers.questions import SOURCE_INTERVIEWER, SOURCE_PLAN, SOURCE_RECRUITER, Question
from analyzers.turn_end import is_next_command
from server.events.kinds import (
    AnswerCompleted,
    AnswerEvaluated,
    EventKind,
    QuestionAsked,
)
from server.events.model import Event
from server.interview.closing import close_interview
from server.interview.judge import Judgment
from server.interview.llm import Interviewer
from server.interview.pauses import pause_ends_answer, turn_delivery
from server.interview.restore import restore_flow
from server.interview.staff import StaffDesk
from server.interview.turns import MAX_TYPED_ANSWER, FlowConfig, Turn
from server.store.answers import add_answer
from server.store.models import AnswerRecord
from server.store.store import Store

if TYPE_CHECKING:
    from server.live.session import LiveSession

log = logging.getLogger(__name__)

#: the message types the flow handles on the candidate socket
MESSAGE_TYPES = frozenset({"next", "answer.text"})


class InterviewFlow:
    """Turn-taking controller of one live session (see the module docstring)."""

    def __init__(self, session: LiveSession, questions: list[Question], *,
                 interviewer: Interviewer, store: Store, config: FlowConfig | None = None,
                 approve_follow_ups: bool = False) -> None:
        if not questions:
            raise ValueError("an interview flow needs at least one question")
        self.session = session
        self.questions = questions
        self.interviewer = interviewer
        self.store = store
        self.cfg = config or FlowConfig()
        #: follow-ups wait for a recruiter's approval (the interview's setting)
        self.approve_follow_ups = approve_follow_ups
        self.state = "waiting"  # waiting | answering | closing | finished
        self.turns: list[Turn] = []
        self.follow_ups: Counter[int] = Counter()
        self.completed = False  # every planned question was answered
        self.finished = False
        self.report: dict[str, Any] | None = None
        self._stopping = False
        self._driver: asyncio.Task | None = None
        self._evaluations: set[asyncio.Task] = set()
        self._finish_lock = asyncio.Lock()
        #: recruiters' questions and follow-up approvals (server.interview.commands)
        self.staff = StaffDesk(session.emit, self._is_open,
                               max_queued=self.cfg.max_queued_questions,
                               approval_timeout_s=self.cfg.follow_up_approval_timeout_s)
        #: the offline evaluator embeds the plan's points now, not at the first answer
        self._prepared = asyncio.ensure_future(interviewer.offline.prepare(questions))
        session.speech.final_listeners.append(self._on_final)
        session.speech.tick_listeners.append(self._on_tick)

    @property
    def current(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    # -- socket messages --------------------------------------------------------------------
    def handles(self, kind: str) -> bool:
        return kind in MESSAGE_TYPES

    async def on_message(self, msg: dict) -> None:
        """`next`: end the current answer now (ignored while no answer is open, e.g. while the
        previous one is being evaluated). `answer.text`: answer the current question in
        writing (after anything said); `error` bad_text / not_answering otherwise."""
        if msg.get("type") == "next":
            if self.state == "answering":
                self._end_answer("next")
            return
        text = msg.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TYPED_ANSWER:
            self.session.error("bad_text", "text must be a string of 1 to "
                               f"{MAX_TYPED_ANSWER} characters")
            return
        turn = self.current
        if self.state != "answering" or turn is None:
            self.session.error("not_answering", "no question is waiting for an answer")
            return
        turn.typed = " ".join(text.split())
        self._end_answer("typed")

    # -- speech hooks (synchronous, on the event loop) ----------------------------------------
    def _on_final(self, data: dict) -> None:
        turn = self.current
        if turn is None or turn.closed or self.state not in ("answering", "closing"):
            return
        if data["end"] <= turn.asked_t:
            return  # speech from before the question
        closing = turn.closing_t if self.state == "closing" else None
        if closing is not None and data["start"] > closing:
            return  # started after `next`: not part of this answer
        if self.state == "answering" and is_next_command(data.get("text", "")):
            self._end_answer("next")  # said "next" instead of pressing it: not an answer
            return
        turn.finals.append(data)

    def _on_tick(self, t: float) -> None:
        if self.finished or self._stopping:
            return
        if self.state == "waiting" and not self.turns:
            if not self._ask_recruiter_question(-1):
                self._ask(0, self.questions[0], is_follow_up=False)
            return
        turn = self.current
        if self.state != "answering" or turn is None:
            return
        speech = self.session.speech
        if t - turn.asked_t >= self.cfg.answer_max_s:
            self._end_answer("timeout")
        elif turn.finals and not speech.speaking:
            last = max(turn.last_end or 0.0, speech.last_speech_end or 0.0)
            if pause_ends_answer(self.session, self.cfg, turn, t, last):
                self._end_answer("pause")

    # -- turns --------------------------------------------------------------------------------
    def _ask(self, index: int, question: Question, *, is_follow_up: bool,
             source: str = SOURCE_PLAN) -> None:
        session = self.session
        turn = Turn(turn=len(self.turns), index=index, question=question,
                    is_follow_up=is_follow_up, asked_t=session.t, source=source)
        self.turns.append(turn)
        self.state = "answering"
        turn.asked_seq = session.emit(QuestionAsked(
            index=turn.event_index, turn=turn.turn, question_id=question.id,
            text=question.text, question_type=question.type, skill=question.skill,
            difficulty=question.difficulty, is_follow_up=is_follow_up,
            total=len(self.questions), source=source,
        )).seq

    def _ask_recruiter_question(self, after_index: int) -> bool:
        """Ask the oldest queued recruiter question, if any. `after_index` is the planned
        question it comes after (-1: before the first): the plan resumes after it."""
        asked = self.staff.next_question()
        if asked is None:
            return False
        context = self.questions[max(0, min(after_index, len(self.questions) - 1))]
        question = Question(id=asked.id, text=asked.text, type=context.type,
                            skill=context.skill, expected_points=[],
                            difficulty=context.difficulty)
        self._ask(after_index, question, is_follow_up=False, source=SOURCE_RECRUITER)
        return True

    def _end_answer(self, reason: str) -> None:
        turn = self.current
        assert turn is not None
        self.state = "closing"
        turn.closing_t = self.session.t
        self._driver = asyncio.create_task(self._drive(self._close_turn(turn, reason)))

    async def _drive(self, step: Awaitable[None]) -> None:
        try:
            await step
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reported; the session goes on
            log.exception("interview flow of %s failed", self.session.id)
            self.session.error("flow_failed", "the interview flow failed; please stop and retry")

    async def _close_turn(self, turn: Turn, reason: str) -> None:
        speech = self.session.speech
        if reason in ("next", "timeout", "typed"):
            # let the utterance in progress close (VAD end) and its final arrive
            deadline = time.monotonic() + self.cfg.settle_max_s
            while speech.speaking and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        ended = time.monotonic()
        evaluation_task = self._answer_done(turn, reason)
        await self._advance(turn, evaluation_task, ended)

    async def _advance(self, turn: Turn, evaluation_task: asyncio.Future, ended: float,
                       follow_up_allowed: bool = True) -> None:
        """After an answer: a recruiter's question, a follow-up, the next planned question or
        the end."""
        if self._stopping or self._ask_recruiter_question(turn.index):
            return
        question, text = turn.question, turn.text  # final: the turn is closed
        follow_up: str | None = None
        if (follow_up_allowed and turn.source == SOURCE_PLAN and text
                and self.follow_ups[turn.index] < self.cfg.max_follow_ups):
            follow_up, evaluation = await self._decide_follow_up(turn, evaluation_task, ended)
            if self._stopping or self._ask_recruiter_question(turn.index):
                return
            if follow_up and self.approve_follow_ups:
                follow_up = await self.staff.await_approval(
                    turn.index, turn.question.id, len(self.turns), follow_up)
                if self._stopping or self._ask_recruiter_question(turn.index):
                    return
            if follow_up:
                self.follow_ups[turn.index] += 1
                self._ask(turn.index, follow_up_question(question, evaluation, follow_up),
                          is_follow_up=True, source=SOURCE_INTERVIEWER)
                return
        nxt = turn.index + 1
        if nxt < len(self.questions):
            self._ask(nxt, self.questions[nxt], is_follow_up=False)
        else:
            self.completed = True
            await self.finish(ended_by="flow")

    def _is_open(self) -> bool:
        return not (self.finished or self._stopping)

    async def _decide_follow_up(self, turn: Turn, evaluation_task: asyncio.Future,
                                ended: float) -> tuple[str | None, Evaluation]:
        """The follow-up text (or None) and the evaluation it was based on, within
        `follow_up_budget_s`: the interviewer's (LLM) decision when its judgment arrives within
        `decision_wait_s`, else the offline evaluation and the offline follow-up rules."""
        question, text = turn.question, turn.text
        wait = max(0.0, min(self.cfg.decision_wait_s,
                            self.cfg.follow_up_budget_s - (time.monotonic() - ended)))
        try:
            judgment: Judgment = await asyncio.wait_for(asyncio.shield(evaluation_task), wait)
        except Exception:  # noqa: BLE001 - late or failed: the offline evaluation decides
            judgment = Judgment(await self._offline(turn))
        evaluation = judgment.evaluation
        if judgment.decided:  # the LLM's decision (`Interviewer.judge` checked it gives
            return judgment.follow_up, evaluation  # no point away)
        return offline_follow_up(question, text, evaluation), evaluation

    async def _offline(self, turn: Turn) -> Evaluation:
        """The turn's offline evaluation (started with the judgment; made now after a resume)."""
        if turn.offline is None:
            turn.offline = asyncio.ensure_future(self.interviewer.offline.evaluate(
                turn.question, turn.text, turn_delivery(turn)))
        return await asyncio.shield(turn.offline)

    def _answer_done(self, turn: Turn, reason: str) -> asyncio.Task:
        """Emit `answer.completed` and start the evaluation; returns the evaluation task."""
        session = self.session
        turn.closed = True
        finals = list(turn.finals)
        start = min((f["start"] for f in finals), default=turn.asked_t)
        end = turn.last_end if finals else (turn.closing_t or session.t)
        session.emit(AnswerCompleted(
            index=turn.event_index, turn=turn.turn, question_id=turn.question.id,
            is_follow_up=turn.is_follow_up, text=turn.text, start=round(start, 3),
            end=round(end, 3), reason=reason, question_source=turn.source,
            typed=bool(turn.typed),
        ))
        return self._start_evaluation(turn, start, end)

    def _start_evaluation(self, turn: Turn, start: float, end: float) -> asyncio.Task:
        task = asyncio.create_task(self._evaluate(turn, start, end))
        self._evaluations.add(task)
        task.add_done_callback(self._evaluations.discard)
        return task

    async def _evaluate(self, turn: Turn, start: float, end: float) -> Judgment:
        question, text = turn.question, turn.text
        delivery = turn_delivery(turn)
        turn.offline = asyncio.ensure_future(
            self.interviewer.offline.evaluate(question, text, delivery))
        since = await self.session.history(turn.asked_seq)
        vision = answer_vision(
            e.data for e in since
            if e.type == EventKind.METRICS and start - 1.0 <= e.t <= end + 1.0
        ) if not turn.typed or turn.finals else {}
        try:
            judgment = await self.interviewer.judge(question, text, delivery, turn.offline)
        except Exception:  # noqa: BLE001 - Interviewer falls back itself; belt and braces
            log.exception("evaluating turn %d of %s failed", turn.turn, self.session.id)
            judgment = Judgment(await self._offline(turn))
        evaluation = open_question_evaluation(question, judgment.evaluation)
        judgment.evaluation = evaluation
        self.session.emit(AnswerEvaluated(
            index=turn.event_index, turn=turn.turn, question_id=question.id,
            question=question.text, is_follow_up=turn.is_follow_up,
            question_source=turn.source,
            result={**evaluation.to_dict(), "coaching": coaching(question, evaluation)},
            delivery=delivery,
            vision=vision,
        ))
        record = AnswerRecord(
            interview_id=self.session.id, index=turn.turn,
            question={**question.to_dict(), "planned_index": turn.event_index,
                      "source": turn.source},
            is_follow_up=turn.is_follow_up, answer=text, start=start, end=end,
            score=evaluation.score, evaluation=evaluation.to_dict(),
            delivery={**delivery, "vision": vision},
        )
        try:
            await asyncio.to_thread(add_answer, self.store, record)
        except Exception:  # noqa: BLE001 - the event is out; storage is best effort here
            log.exception("storing the answer of turn %d of %s failed", turn.turn,
                          self.session.id)
        return judgment

    # -- resume and shutdown -----------------------------------------------------------------
    def restore(self, events: list[Event]) -> None:
        """Continue from the session's stored events (`server.interview.restore`)."""
        restore_flow(self, events)

    async def settle(self, timeout_s: float) -> None:
        """Wait at most `timeout_s` for the evaluations and the step after an answer."""
        tasks = [*self._evaluations]
        if self._driver is not None and not self._driver.done():
            tasks.append(self._driver)
        if tasks:
            await asyncio.wait(tasks, timeout=timeout_s)

    # -- the end ------------------------------------------------------------------------------
    async def stop(self) -> None:
        """The candidate stopped (after the speech flush): evaluate the answer in progress (if
        it has words), then finish with what was answered."""
        await self._wind_down()
        await self.finish(ended_by="candidate")

    async def close(self) -> None:
        """The session ends without a `stop` (disconnect, shutdown): finish like `stop`, but
        leave the interview's status to the session manager."""
        await self._wind_down()
        await self.finish(ended_by="disconnect")

    async def _wind_down(self) -> None:
        self._stopping = True
        self.staff.expire()
        if self._driver is not None and not self._driver.done():
            await asyncio.gather(self._driver, return_exceptions=True)
        turn = self.current
        if self.state == "answering" and turn is not None:
            self.state = "closing"
            if turn.finals:
                turn.closing_t = self.session.t
                self._answer_done(turn, "stop")

    async def finish(self, ended_by: str) -> None:
        """Wait for the evaluations, build and store the report, emit `interview.completed`."""
        async with self._finish_lock:
            if self.finished:
                return
            self.finished = True
            self.state = "finished"
            if self._evaluations:
                await asyncio.gather(*list(self._evaluations), return_exceptions=True)
            self.report = await close_interview(
                self.session, self.store, [q.to_dict() for q in self.questions],
                complete=self.completed, ended_by=ended_by)
