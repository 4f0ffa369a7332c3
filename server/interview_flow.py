"""Live turn-taking of an interview with a question plan: ask, listen, evaluate, follow up.

One `InterviewFlow` per live session whose interview has questions (`SessionManager.open`
creates it). It hooks the session's speech pipeline:

* the first metrics tick (about 1 s after audio starts) asks the first planned question;
* every `transcript.final` that ends after a question was asked belongs to that question's
  answer (the answer text is the concatenation of those finals);
* the answer ends after `answer_pause_s` without speech (at least one final first), on a
  `{"type": "next"}` message, after `answer_max_s`, or on `stop`;
* then `answer.completed`, the evaluation (`Interviewer.evaluate`, Groq or offline; a background
  task, its `evaluation` event and `AnswerRecord` follow when it is done), and within
  `follow_up_budget_s` the next `question`: one follow-up per planned question when the
  interviewer asks for one (`is_follow_up: true`), else the next planned question;
* after the last planned question (or a `stop`) it waits for the pending evaluations, builds the
  report from the session's `evaluation`, `answer.completed` and `metrics` events, stores it and
  the scores on the interview and emits `interview.completed` and `state: completed`.

Everything runs on the event loop; the only CPU work is the offline evaluator and report
(pure Python, milliseconds). The database is written through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from analyzers.answer_eval import Evaluation, evaluate_answer_offline
from analyzers.delivery import DeliveryTracker
from analyzers.followup import offline_follow_up
from analyzers.questions import Question
from analyzers.report import build_report
from server.events import Event
from server.llm import Interviewer
from server.storage import AnswerRecord, Store

if TYPE_CHECKING:
    from server.sessions import LiveSession, SessionManager

log = logging.getLogger(__name__)

#: the message types the flow handles on the candidate socket
MESSAGE_TYPES = frozenset({"next"})


@dataclass
class FlowConfig:
    #: silence (session clock) after the last speech that ends an answer
    answer_pause_s: float = 4.0
    #: an answer ends at the latest this long after its question was asked
    answer_max_s: float = 180.0
    #: wall-clock budget from the end of an answer to the next question
    follow_up_budget_s: float = 1.8
    #: how long an evaluation may take before the follow-up decision uses the offline one
    decision_wait_s: float = 0.4
    #: after `next` / the time cap, wait at most this long (wall) for speech still in flight
    settle_max_s: float = 3.0
    #: follow-up questions per planned question
    max_follow_ups: int = 1


@dataclass
class Turn:
    """One asked question (planned or follow-up) and its answer."""

    turn: int  # order within the interview, 0-based
    index: int  # the planned question it belongs to, 0-based
    question: Question
    is_follow_up: bool
    asked_t: float
    log_start: int  # len(stream.log) when it was asked
    finals: list[dict] = field(default_factory=list)
    closing_t: float | None = None  # session time of `next` / time cap / stop
    closed: bool = False  # answer.completed was sent: later finals are not part of it

    @property
    def text(self) -> str:
        return " ".join(f["text"].strip() for f in self.finals if f.get("text")).strip()

    @property
    def last_end(self) -> float | None:
        return max((f["end"] for f in self.finals), default=None)


def answer_delivery(finals: list[dict]) -> dict[str, Any]:
    """Delivery of one answer from its finals: words per minute of speaking time, fillers, and
    the silent share between its first and last word (the same definitions as the session's
    `metrics`, restricted to the answer)."""
    tracker = DeliveryTracker()
    for f in finals:
        tracker.add_final(f.get("text", ""), float(f["start"]), float(f["end"]))
    end = max((float(f["end"]) for f in finals), default=0.0)
    snap = tracker.snapshot(end, tracker.speaking_s)
    return {
        "wpm": snap["wpm"],
        "words": snap["words"],
        "filler_count": snap["filler_count"],
        "fillers_per_min": snap["fillers_per_min"],
        "pause_ratio": snap["pause_ratio"],
        "speaking_s": snap["speaking_s"],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def answer_vision(metrics: Iterable[dict]) -> dict[str, Any]:
    """Eye contact, posture and confidence averaged over the metrics ticks of one answer."""
    eye, conf, postures, n = [], [], Counter(), 0
    for m in metrics:
        n += 1
        e = _number(m.get("eye_contact"))
        if e is not None:
            eye.append(e)
        c = m.get("confidence")
        c = _number(c.get("score") if isinstance(c, dict) else c)
        if c is not None:
            conf.append(c)
        p = m.get("posture")
        label = p.get("label") if isinstance(p, dict) else p
        if isinstance(label, str) and label and label != "unknown":
            postures[label] += 1
    return {
        "eye_contact": round(sum(eye) / len(eye), 3) if eye else None,
        "posture": max(postures, key=lambda k: (postures[k], k)) if postures else None,
        "confidence": round(sum(conf) / len(conf), 1) if conf else None,
        "samples": n,
    }


# --------------------------------------------------------------------------- the report

ANSWER_FIELDS = ("score", "accuracy", "coverage", "clarity", "depth", "feedback", "strengths",
                 "improvements", "keywords_mentioned", "points_covered", "points_missed",
                 "source", "delivery", "vision")


def make_report(questions: list[dict], evaluations: list[dict], metrics: list[dict],
                answers: dict[int, dict] | None = None) -> dict[str, Any] | None:
    """The interview report (`analyzers.report.build_report`) plus the list of answered turns;
    None when no answer was evaluated.

    ``evaluations`` are `evaluation` event data (follow-ups carry their planned question's id,
    so a question's score is the mean of its answer and its follow-up's; the knowledge score is
    the mean over every evaluated answer), ``metrics`` the `metrics` event data with ``t`` and
    ``answers`` the `answer.completed` event data by ``turn``.
    """
    evaluations = sorted(evaluations, key=lambda e: e.get("turn", 0))
    if not evaluations:
        return None
    report = build_report(evaluations=evaluations, metrics=metrics, questions=questions)
    answers = answers or {}
    report["answers"] = [
        {
            "turn": e.get("turn"), "index": e.get("index"), "question_id": e.get("question_id"),
            "question": e.get("question"), "is_follow_up": bool(e.get("is_follow_up")),
            "answer": answers.get(e.get("turn"), {}).get("text", ""),
            "start": answers.get(e.get("turn"), {}).get("start"),
            "end": answers.get(e.get("turn"), {}).get("end"),
            **{k: e.get(k) for k in ANSWER_FIELDS},
        }
        for e in evaluations
    ]
    return report


def report_from_events(events: Iterable[Event], questions: list[dict]) -> dict[str, Any] | None:
    """`make_report` from a session's events (live log or stored), with ``through_seq``: the
    last event it saw."""
    evaluations, metrics, answers, last = [], [], {}, 0
    for e in events:
        last = max(last, e.seq)
        if e.type == "evaluation":
            evaluations.append(dict(e.data))
        elif e.type == "metrics":
            metrics.append({**e.data, "t": e.t})
        elif e.type == "answer.completed":
            answers[e.data.get("turn")] = e.data
    report = make_report(questions, evaluations, metrics, answers)
    if report is not None:
        report["through_seq"] = last
    return report


def _follow_up_points(parent: Question, evaluation: Evaluation, text: str) -> list[str]:
    """What a follow-up answer is judged against: the missed point the follow-up names, else
    every missed point, else the parent's points."""
    lowered = text.lower()
    missed = [p for p in parent.expected_points if p in evaluation.points_missed]
    named = [p for p in missed if p.lower().rstrip(".") in lowered]
    return named[:1] or missed or list(parent.expected_points)


# --------------------------------------------------------------------------- the flow


class InterviewFlow:
    """Turn-taking controller of one live session (see the module docstring)."""

    def __init__(self, session: LiveSession, questions: list[Question], *,
                 interviewer: Interviewer, store: Store, config: FlowConfig | None = None) -> None:
        if not questions:
            raise ValueError("an interview flow needs at least one question")
        self.session = session
        self.questions = questions
        self.interviewer = interviewer
        self.store = store
        self.cfg = config or FlowConfig()
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
        session.speech.final_listeners.append(self._on_final)
        session.speech.tick_listeners.append(self._on_tick)

    @property
    def current(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    # -- socket messages --------------------------------------------------------------------
    def handles(self, type_: object) -> bool:
        return type_ in MESSAGE_TYPES

    async def on_message(self, msg: dict) -> None:
        """`next`: end the current answer now. Ignored while no answer is open (e.g. while the
        previous answer is being evaluated)."""
        if msg.get("type") == "next" and self.state == "answering":
            self._end_answer("next")

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
        turn.finals.append(data)

    def _on_tick(self, t: float) -> None:
        if self.finished or self._stopping:
            return
        if self.state == "waiting" and not self.turns:
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
            if t - last >= self.cfg.answer_pause_s:
                self._end_answer("pause")

    # -- turns --------------------------------------------------------------------------------
    def _ask(self, index: int, question: Question, *, is_follow_up: bool) -> None:
        session = self.session
        turn = Turn(turn=len(self.turns), index=index, question=question,
                    is_follow_up=is_follow_up, asked_t=session.t,
                    log_start=len(session.stream.log))
        self.turns.append(turn)
        self.state = "answering"
        session.emit(
            "question", index=index, turn=turn.turn, question_id=question.id,
            text=question.text, question_type=question.type, skill=question.skill,
            difficulty=question.difficulty, is_follow_up=is_follow_up,
            total=len(self.questions),
        )

    def _end_answer(self, reason: str) -> None:
        turn = self.current
        assert turn is not None
        self.state = "closing"
        turn.closing_t = self.session.t
        self._driver = asyncio.create_task(self._drive(turn, reason))

    async def _drive(self, turn: Turn, reason: str) -> None:
        try:
            await self._close_turn(turn, reason)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reported; the session goes on
            log.exception("interview flow of %s failed", self.session.id)
            self.session.error("flow_failed", "the interview flow failed; please stop and retry")

    async def _close_turn(self, turn: Turn, reason: str) -> None:
        speech = self.session.speech
        if reason in ("next", "timeout"):
            # let the utterance in progress close (VAD end) and its final arrive
            deadline = time.monotonic() + self.cfg.settle_max_s
            while speech.speaking and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        ended = time.monotonic()
        evaluation_task = self._answer_done(turn, reason)
        if self._stopping:
            return
        question, text = turn.question, turn.text  # final: the turn is closed
        follow_up: str | None = None
        if (not turn.is_follow_up and text
                and self.follow_ups[turn.index] < self.cfg.max_follow_ups):
            follow_up, evaluation = await self._decide_follow_up(turn, evaluation_task, ended)
            if self._stopping:
                return
            if follow_up:
                self.follow_ups[turn.index] += 1
                points = _follow_up_points(question, evaluation, follow_up)
                self._ask(turn.index, Question(
                    id=question.id, text=follow_up, type=question.type, skill=question.skill,
                    expected_points=points, difficulty=question.difficulty,
                ), is_follow_up=True)
                return
        nxt = turn.index + 1
        if nxt < len(self.questions):
            self._ask(nxt, self.questions[nxt], is_follow_up=False)
        else:
            self.completed = True
            await self.finish(ended_by="flow")

    async def _decide_follow_up(self, turn: Turn, evaluation_task: asyncio.Task,
                                ended: float) -> tuple[str | None, Evaluation]:
        """The follow-up text (or None) and the evaluation it was based on, within budget: a
        slow (Groq) evaluation is replaced by the offline one for this decision."""
        question, text = turn.question, turn.text
        try:
            evaluation = await asyncio.wait_for(asyncio.shield(evaluation_task),
                                                self.cfg.decision_wait_s)
        except Exception:  # noqa: BLE001 - timeout or failure: fall back to the offline rubric
            evaluation = evaluate_answer_offline(question, text, answer_delivery(turn.finals))
        remaining = self.cfg.follow_up_budget_s - (time.monotonic() - ended)
        try:
            follow_up = await asyncio.wait_for(
                self.interviewer.follow_up(question, text, evaluation), max(0.05, remaining)
            )
        except Exception:  # noqa: BLE001 - timeout or failure: the offline follow-up, never late
            follow_up = offline_follow_up(question, text, evaluation)
        return follow_up, evaluation

    def _answer_done(self, turn: Turn, reason: str) -> asyncio.Task:
        """Emit `answer.completed` and start the evaluation; returns the evaluation task."""
        session = self.session
        turn.closed = True
        finals = list(turn.finals)
        start = min((f["start"] for f in finals), default=turn.asked_t)
        end = turn.last_end if finals else (turn.closing_t or session.t)
        session.emit("answer.completed", index=turn.index, turn=turn.turn,
                     question_id=turn.question.id, is_follow_up=turn.is_follow_up,
                     text=turn.text, start=round(start, 3), end=round(end, 3), reason=reason)
        delivery = answer_delivery(finals)
        window = session.stream.log[turn.log_start:]
        vision = answer_vision(
            e.data for e in window if e.type == "metrics" and start - 1.0 <= e.t <= end + 1.0
        )
        task = asyncio.create_task(self._evaluate(turn, start, end, delivery, vision))
        self._evaluations.add(task)
        task.add_done_callback(self._evaluations.discard)
        return task

    async def _evaluate(self, turn: Turn, start: float, end: float, delivery: dict,
                        vision: dict) -> Evaluation:
        question, text = turn.question, turn.text
        try:
            evaluation = await self.interviewer.evaluate(question, text, delivery=delivery)
        except Exception:  # noqa: BLE001 - Interviewer falls back itself; belt and braces
            log.exception("evaluating turn %d of %s failed", turn.turn, self.session.id)
            evaluation = evaluate_answer_offline(question, text, delivery)
        data = {
            "index": turn.index, "turn": turn.turn, "question_id": question.id,
            "question": question.text, "is_follow_up": turn.is_follow_up,
            **evaluation.to_dict(), "delivery": delivery, "vision": vision,
        }
        self.session.emit("evaluation", **data)
        record = AnswerRecord(
            interview_id=self.session.id, index=turn.turn,
            question={**question.to_dict(), "planned_index": turn.index},
            is_follow_up=turn.is_follow_up, answer=text, start=start, end=end,
            score=evaluation.score, evaluation=evaluation.to_dict(),
            delivery={**delivery, "vision": vision},
        )
        try:
            await asyncio.to_thread(_add_record, self.store, record)
        except Exception:  # noqa: BLE001 - the event is out; storage is best effort here
            log.exception("storing the answer of turn %d of %s failed", turn.turn,
                          self.session.id)
        return evaluation

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
            session = self.session
            questions = [q.to_dict() for q in self.questions]
            report = report_from_events(session.stream.log, questions)
            if report is None:
                return  # nothing was answered: no report (the report API answers 409)
            self.report = report
            fields: dict[str, Any] = {
                "final_score": float(report["final_score"]),
                "knowledge_score": _float(report["knowledge_score"]),
                "confidence_score": _float(report["confidence_score"]),
                "performance_level": report["performance_level"],
                "report": report,
            }
            if ended_by != "disconnect":
                fields.update(status="completed", ended_at=datetime.now(UTC))
            try:
                await asyncio.to_thread(self.store.update_interview, session.id, **fields)
            except Exception:  # noqa: BLE001 - still tell the candidate
                log.exception("storing the report of %s failed", session.id)
            session.emit(
                "interview.completed", final_score=report["final_score"],
                knowledge_score=report["knowledge_score"],
                confidence_score=report["confidence_score"],
                performance_level=report["performance_level"],
                questions_answered=report["questions_answered"],
                questions_total=len(self.questions),
                complete=self.completed, report_url=f"/report/{session.id}",
            )
            session.emit("state", state="completed")


def _float(x: Any) -> float | None:
    return None if x is None else float(x)


def _add_record(store: Store, record: AnswerRecord) -> None:
    with Session(store.engine) as db:
        db.add(record)
        db.commit()


def answer_records(store: Store, interview_id: str) -> list[AnswerRecord]:
    """The stored answers of an interview, in turn order."""
    from sqlmodel import select

    with Session(store.engine, expire_on_commit=False) as db:
        return list(db.exec(
            select(AnswerRecord).where(AnswerRecord.interview_id == interview_id)
            .order_by(AnswerRecord.index)
        ).all())


def parse_questions(items: list[Any]) -> list[Question]:
    """The interview's stored questions as `Question`s (malformed entries are skipped)."""
    out = []
    for i, item in enumerate(items or []):
        if not isinstance(item, dict):
            continue
        try:
            out.append(Question.from_dict({"id": f"q{i + 1}", "type": "technical", "skill": "",
                                           "expected_points": [], **item}))
        except (ValueError, TypeError):
            log.warning("skipping malformed question %d: %r", i, item)
    return [q for q in out if q.text.strip()]


async def create_flow(manager: SessionManager, session: LiveSession) -> InterviewFlow | None:
    """The flow of a session whose interview has questions; None for free practice."""
    interview = await asyncio.to_thread(manager.store.get_interview, session.id)
    if interview is None or not interview.questions:
        return None
    questions = parse_questions(interview.questions)
    if not questions:
        return None
    interviewer = getattr(manager, "interviewer", None) or Interviewer()
    config = getattr(manager, "flow_config", None) or FlowConfig()
    return InterviewFlow(session, questions, interviewer=interviewer, store=manager.store,
                         config=config)
