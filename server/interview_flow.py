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

Recruiter actions (`server.commands` routes them here from any node's spectator socket):

* `ask(text, by)`: the recruiter's own question is queued and asked next: when the current
  answer ends (instead of the automatic follow-up), at once when the flow is between questions
  (a follow-up waiting for approval is then dropped), or as the very first question when no
  question was asked yet. It is a `question` with `source: "recruiter"`, answered and evaluated
  like any other, against an ad-hoc question without expected points;
* with `approve_follow_ups` (the interview's `settings.approve_follow_ups`), a follow-up the
  interviewer wants to ask is first shown to the staff (`staff.follow_up_pending`) and asked only
  when approved (`approve(id, text, by)`, the text possibly edited); `reject(id, by)` or no
  decision within `follow_up_approval_timeout_s` skips it (next planned question).

Events whose type starts with `staff.` are for the staff only: the candidate socket drops them.

Everything runs on the event loop; the only CPU work is the offline evaluator and report
(pure Python, milliseconds). The database is written through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from analyzers.answer_eval import WEIGHTS, Evaluation, evaluate_answer_offline, rubric_score
from analyzers.delivery import DeliveryTracker
from analyzers.followup import offline_follow_up
from analyzers.questions import Question, skill_vocabulary
from analyzers.report import build_report
from server.events import Event
from server.llm import Interviewer
from server.storage import AnswerRecord, Store

if TYPE_CHECKING:
    from server.sessions import LiveSession, SessionManager

log = logging.getLogger(__name__)

#: the message types the flow handles on the candidate socket
MESSAGE_TYPES = frozenset({"next"})

#: the prefix of the event types meant for the staff only (never sent to the candidate)
STAFF_PREFIX = "staff."
#: the longest question text a recruiter may ask or approve
MAX_ACTION_TEXT = 500
#: where a question comes from (`source` of a `question` event)
SOURCE_PLAN, SOURCE_INTERVIEWER, SOURCE_RECRUITER = "plan", "interviewer", "recruiter"


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        log.warning("%s is not a number; using %s", name, default)
        return default


class ActionError(Exception):
    """A recruiter action the flow refuses; `code` is the `error` event's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def clean_action_text(text: object) -> str:
    """A question text sent by a recruiter, whitespace-normalised; ActionError `bad_text`."""
    if not isinstance(text, str) or not text.strip():
        raise ActionError("bad_text", "text must be a non-empty string")
    text = " ".join(text.split())
    if len(text) > MAX_ACTION_TEXT:
        raise ActionError("bad_text", f"text must be at most {MAX_ACTION_TEXT} characters")
    return text


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
    #: with `approve_follow_ups`: how long a follow-up waits for the staff's decision (then it
    #: is skipped); FOLLOW_UP_APPROVAL_TIMEOUT_S
    follow_up_approval_timeout_s: float = field(
        default_factory=lambda: _env_float("FOLLOW_UP_APPROVAL_TIMEOUT_S", 20.0)
    )
    #: recruiter questions waiting to be asked, at most
    max_queued_questions: int = 5


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
    source: str = SOURCE_PLAN  # plan | interviewer (a follow-up) | recruiter

    @property
    def event_index(self) -> int | None:
        """The `index` of its events: a recruiter's question belongs to no planned question."""
        return None if self.source == SOURCE_RECRUITER else self.index

    @property
    def text(self) -> str:
        return " ".join(f["text"].strip() for f in self.finals if f.get("text")).strip()

    @property
    def last_end(self) -> float | None:
        return max((f["end"] for f in self.finals), default=None)


@dataclass
class RecruiterQuestion:
    """A question a recruiter asked, waiting for its turn."""

    id: str
    text: str
    by: dict[str, Any]


@dataclass
class PendingFollowUp:
    """A follow-up waiting for the staff's approval; the future gets the text to ask or None."""

    id: str
    index: int
    text: str
    question_id: str
    future: asyncio.Future


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
            "question_source": e.get("question_source", SOURCE_PLAN),
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


#: the share of the offline rubric's accuracy that comes from domain terms (the rest is the
#: expected points' coverage; see `analyzers.answer_eval`)
KEYWORD_SHARE_OF_ACCURACY = 0.6


def open_question_evaluation(question: Question, evaluation: Evaluation) -> Evaluation:
    """The offline rubric for a question without expected points (a recruiter's own question).

    The rubric scores coverage of the expected points (0 when there are none) and blends it
    into accuracy, so such an answer could never score well. Here coverage is not measured:
    accuracy keeps its domain-vocabulary part (hits of the skill's vocabulary minus hedging,
    rescaled to 0..1), or is not measured either when the skill has no vocabulary, and each
    unmeasured component counts as the weighted mean of the measured ones: the score is the
    rubric renormalised over what could be judged, and still equals the rubric formula of the
    four components it reports. Evaluations from Groq (which reads the question) and answers
    to questions with expected points are returned unchanged.
    """
    if question.expected_points or evaluation.source != "offline":
        return evaluation
    measured = {"clarity": evaluation.clarity, "depth": evaluation.depth}
    if skill_vocabulary(question.skill):
        measured["accuracy"] = min(1.0, evaluation.accuracy / KEYWORD_SHARE_OF_ACCURACY)
    weight = sum(WEIGHTS[k] for k in measured)
    neutral = sum(WEIGHTS[k] * v for k, v in measured.items()) / weight
    comps = {k: round(measured.get(k, neutral), 3) for k in WEIGHTS}
    score = rubric_score(**comps)
    judged = "terminology, clarity and depth" if "accuracy" in measured else "clarity and depth"
    feedback = f"Score {score}/100. Judged without an answer key: {judged}."
    if evaluation.improvements:
        feedback += " Next time: " + evaluation.improvements[0].rstrip(".") + "."
    return Evaluation(
        score=score, **comps, feedback=feedback, strengths=list(evaluation.strengths),
        improvements=list(evaluation.improvements),
        keywords_mentioned=list(evaluation.keywords_mentioned), points_covered=[],
        points_missed=[], source=evaluation.source,
    )


# --------------------------------------------------------------------------- the flow


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
        self._asks: deque[RecruiterQuestion] = deque()  # recruiter questions, in order
        self._asked_by_recruiters = 0
        self._pending: PendingFollowUp | None = None  # the follow-up awaiting approval
        self._decided: dict[str, str] = {}  # follow-up id -> approved | rejected | expired
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
            if t - last >= self.cfg.answer_pause_s:
                self._end_answer("pause")

    # -- turns --------------------------------------------------------------------------------
    def _ask(self, index: int, question: Question, *, is_follow_up: bool,
             source: str = SOURCE_PLAN) -> None:
        session = self.session
        turn = Turn(turn=len(self.turns), index=index, question=question,
                    is_follow_up=is_follow_up, asked_t=session.t,
                    log_start=len(session.stream.log), source=source)
        self.turns.append(turn)
        self.state = "answering"
        session.emit(
            "question", index=turn.event_index, turn=turn.turn, question_id=question.id,
            text=question.text, question_type=question.type, skill=question.skill,
            difficulty=question.difficulty, is_follow_up=is_follow_up,
            total=len(self.questions), source=source,
        )

    def _ask_recruiter_question(self, after_index: int) -> bool:
        """Ask the oldest queued recruiter question, if any. `after_index` is the planned
        question it comes after (-1: before the first): the plan resumes after it."""
        if not self._asks:
            return False
        asked = self._asks.popleft()
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
        if self._stopping or self._ask_recruiter_question(turn.index):
            return
        question, text = turn.question, turn.text  # final: the turn is closed
        follow_up: str | None = None
        if (turn.source == SOURCE_PLAN and text
                and self.follow_ups[turn.index] < self.cfg.max_follow_ups):
            follow_up, evaluation = await self._decide_follow_up(turn, evaluation_task, ended)
            if self._stopping or self._ask_recruiter_question(turn.index):
                return
            if follow_up and self.approve_follow_ups:
                follow_up = await self._await_approval(turn, follow_up)
                if self._stopping or self._ask_recruiter_question(turn.index):
                    return
            if follow_up:
                self.follow_ups[turn.index] += 1
                points = _follow_up_points(question, evaluation, follow_up)
                self._ask(turn.index, Question(
                    id=question.id, text=follow_up, type=question.type, skill=question.skill,
                    expected_points=points, difficulty=question.difficulty,
                ), is_follow_up=True, source=SOURCE_INTERVIEWER)
                return
        nxt = turn.index + 1
        if nxt < len(self.questions):
            self._ask(nxt, self.questions[nxt], is_follow_up=False)
        else:
            self.completed = True
            await self.finish(ended_by="flow")

    # -- recruiter actions (server.commands) ---------------------------------------------------
    def ask(self, text: object, by: dict[str, Any]) -> dict[str, Any]:
        """Queue a recruiter's question (see the module docstring); returns {id, position}."""
        text = clean_action_text(text)
        self._check_open()
        if len(self._asks) >= self.cfg.max_queued_questions:
            raise ActionError("queue_full", f"{len(self._asks)} questions are already waiting "
                                            "to be asked")
        self._asked_by_recruiters += 1
        asked = RecruiterQuestion(id=f"recruiter-{self._asked_by_recruiters}", text=text, by=by)
        self._asks.append(asked)
        self.session.emit("staff.question_queued", id=asked.id, text=text, by=by,
                          position=len(self._asks))
        pending = self._pending
        if pending is not None and not pending.future.done():
            # between questions, waiting for an approval: the recruiter's question goes now
            self._resolve(pending, "rejected", None, by=by, reason="replaced")
        return {"id": asked.id, "position": len(self._asks)}

    def approve(self, follow_up_id: object, by: dict[str, Any],
                text: object = None) -> dict[str, Any]:
        """Ask the pending follow-up `follow_up_id`, with `text` instead of its own if given."""
        pending = self._pending_follow_up(follow_up_id)
        text = pending.text if text is None else clean_action_text(text)
        self._resolve(pending, "approved", text, by=by, text=text,
                      edited=text != pending.text)
        return {"id": pending.id, "text": text}

    def reject(self, follow_up_id: object, by: dict[str, Any]) -> dict[str, Any]:
        """Skip the pending follow-up `follow_up_id`: the next planned question comes instead."""
        pending = self._pending_follow_up(follow_up_id)
        self._resolve(pending, "rejected", None, by=by, reason="rejected")
        return {"id": pending.id}

    def _check_open(self) -> None:
        if self.finished or self._stopping:
            raise ActionError("finished", "the interview has ended")

    def _pending_follow_up(self, follow_up_id: object) -> PendingFollowUp:
        if not isinstance(follow_up_id, str) or not follow_up_id:
            raise ActionError("bad_id", "id must be the id of a staff.follow_up_pending event")
        if follow_up_id in self._decided:
            raise ActionError("not_pending", f"follow-up {follow_up_id} was already "
                                             f"{self._decided[follow_up_id]}")
        self._check_open()
        pending = self._pending
        if pending is None or pending.id != follow_up_id or pending.future.done():
            raise ActionError("unknown_follow_up",
                              f"no follow-up {follow_up_id!r} is waiting for approval")
        return pending

    def _resolve(self, pending: PendingFollowUp, outcome: str, ask: str | None,
                 **data: Any) -> None:
        """Decide a pending follow-up: emit `staff.follow_up_{outcome}`, wake the flow with the
        text to `ask` (None: skip it)."""
        self._pending = None
        self._decided[pending.id] = outcome
        self.session.emit(f"staff.follow_up_{outcome}", id=pending.id, index=pending.index,
                          question_id=pending.question_id, **data)
        if not pending.future.done():
            pending.future.set_result(ask)

    async def _await_approval(self, turn: Turn, text: str) -> str | None:
        """Show the follow-up to the staff and wait for approve / reject / the timeout; the
        text to ask, or None to skip it."""
        pending = PendingFollowUp(
            id=f"fu-{secrets.token_hex(6)}", index=turn.index, text=text,
            question_id=turn.question.id, future=asyncio.get_running_loop().create_future(),
        )
        self._pending = pending
        timeout = self.cfg.follow_up_approval_timeout_s
        self.session.emit("staff.follow_up_pending", id=pending.id, index=pending.index,
                          text=text, question_id=pending.question_id, turn=len(self.turns),
                          timeout_s=timeout)
        try:
            return await asyncio.wait_for(asyncio.shield(pending.future), timeout)
        except TimeoutError:
            if self._pending is pending:
                self._resolve(pending, "expired", None, reason="timeout")
            return None
        finally:
            if self._pending is pending:
                self._pending = None

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
        session.emit("answer.completed", index=turn.event_index, turn=turn.turn,
                     question_id=turn.question.id, is_follow_up=turn.is_follow_up,
                     text=turn.text, start=round(start, 3), end=round(end, 3), reason=reason,
                     question_source=turn.source)
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
        evaluation = open_question_evaluation(question, evaluation)
        data = {
            "index": turn.event_index, "turn": turn.turn, "question_id": question.id,
            "question": question.text, "is_follow_up": turn.is_follow_up,
            "question_source": turn.source,
            **evaluation.to_dict(), "delivery": delivery, "vision": vision,
        }
        self.session.emit("evaluation", **data)
        record = AnswerRecord(
            interview_id=self.session.id, index=turn.turn,
            question={**question.to_dict(), "planned_index": turn.event_index,
                      "source": turn.source},
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
        pending = self._pending
        if pending is not None and not pending.future.done():
            self._resolve(pending, "expired", None, reason="ended")
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
    settings = interview.settings if isinstance(interview.settings, dict) else {}
    return InterviewFlow(session, questions, interviewer=interviewer, store=manager.store,
                         config=config,
                         approve_follow_ups=settings.get("approve_follow_ups") is True)
