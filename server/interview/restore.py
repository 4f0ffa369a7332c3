"""An interview flow continued from its session's stored events (a resume on a process that did
not run it): the questions asked, the answers given and evaluated, what the recruiters queued,
and what was under way when the old process stopped."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from analyzers.answer_eval import Evaluation
from analyzers.followup import follow_up_question
from analyzers.questions import SOURCE_PLAN, SOURCE_RECRUITER, Question
from server.events.kinds import EventKind, StaffFollowUpExpired
from server.events.model import Event
from server.interview.judge import Judgment
from server.interview.staff import RecruiterQuestion
from server.interview.turns import Turn

if TYPE_CHECKING:
    from server.interview.flow import InterviewFlow

_DECIDED = (EventKind.STAFF_FOLLOW_UP_APPROVED, EventKind.STAFF_FOLLOW_UP_REJECTED,
            EventKind.STAFF_FOLLOW_UP_EXPIRED)


class _Log:
    """The flow's history, read from the events in order."""

    def __init__(self, flow: InterviewFlow) -> None:
        self.flow = flow
        self.turns: list[Turn] = []
        self.answers: dict[int, dict[str, Any]] = {}  # turn -> answer.completed data
        self.evaluations: dict[int, dict[str, Any]] = {}  # turn -> evaluation data
        self.queued: dict[str, dict[str, Any]] = {}  # recruiter question id -> queued data
        self.asked_recruiter: set[str] = set()
        self.pending: dict[str, Any] | None = None  # a follow-up awaiting approval
        self.completed: dict[str, Any] | None = None

    def read(self, events: list[Event]) -> None:
        for e in events:
            kind, data = e.type, e.data
            if kind == EventKind.QUESTION:
                self.turns.append(self._turn(e))
            elif kind == EventKind.TRANSCRIPT_FINAL:
                turn = self.turns[-1] if self.turns else None
                if turn is not None and not turn.closed and data["end"] > turn.asked_t:
                    turn.finals.append(data)
            elif kind == EventKind.ANSWER_WAITING:  # a thinking pause of the open answer
                turn = self.turns[-1] if self.turns else None
                if turn is not None and turn.turn == data["turn"] and not turn.closed:
                    turn.waits.append((data["since"], e.t))
            elif kind == EventKind.ANSWER_COMPLETED:
                self.answers[data["turn"]] = data
                for turn in self.turns:
                    if turn.turn == data["turn"]:
                        turn.closed, turn.closing_t = True, e.t
                        if data.get("typed"):  # what was written follows what was said
                            spoken = turn.text
                            turn.typed = data["text"][len(spoken):].strip()
            elif kind == EventKind.EVALUATION:
                self.evaluations[data["turn"]] = data
            elif kind == EventKind.STAFF_QUESTION_QUEUED:
                self.queued[data["id"]] = data
            elif kind == EventKind.STAFF_FOLLOW_UP_PENDING:
                self.pending = data
            elif kind in _DECIDED:
                self.pending = None
            elif kind == EventKind.INTERVIEW_COMPLETED:
                self.completed = data

    def _turn(self, e: Event) -> Turn:
        data = e.data
        source = data.get("source", SOURCE_PLAN)
        previous = self.turns[-1] if self.turns else None
        index = data.get("index")
        if index is None:  # a recruiter's question: it comes after the planned one before it
            index = previous.index if previous is not None else -1
        if source == SOURCE_RECRUITER:
            self.asked_recruiter.add(data["question_id"])
            question = Question(id=data["question_id"], text=data["text"],
                                type=data["question_type"], skill=data["skill"],
                                expected_points=[], difficulty=data["difficulty"])
        else:
            planned = self.flow.questions[index]
            question = planned
            if data.get("is_follow_up"):
                parent = self.evaluations.get(previous.turn) if previous is not None else None
                evaluation = Evaluation.from_dict(parent) if parent else Evaluation(
                    score=0, feedback="")
                question = follow_up_question(planned, evaluation, data["text"])
        return Turn(turn=data["turn"], index=index, question=question,
                    is_follow_up=bool(data.get("is_follow_up")), asked_t=e.t,
                    asked_seq=e.seq, source=source)


def restore_flow(flow: InterviewFlow, events: list[Event]) -> None:
    """Put `flow` where the events left it, and restart what was under way: evaluations that
    never finished, and the step after an answer that was completed."""
    log = _Log(flow)
    log.read(events)
    flow.turns = log.turns
    flow.follow_ups = Counter(t.index for t in log.turns if t.is_follow_up)
    flow.staff.restore([RecruiterQuestion(id=q["id"], text=q["text"], by=q.get("by") or {})
                        for qid, q in log.queued.items() if qid not in log.asked_recruiter],
                       asked=len(log.queued))
    if log.completed is not None:
        flow.finished, flow.state = True, "finished"
        flow.completed = bool(log.completed.get("complete"))
        return
    if not log.turns:
        return  # waiting for the first question
    last = log.turns[-1]
    if not last.closed:
        flow.state = "answering"
        return
    tasks: dict[int, asyncio.Future] = {}
    for turn in log.turns:
        answer = log.answers.get(turn.turn)
        if turn.closed and answer is not None and turn.turn not in log.evaluations:
            tasks[turn.turn] = flow._start_evaluation(turn, answer["start"], answer["end"])
    task = tasks.get(last.turn)
    if task is None:
        task = asyncio.get_running_loop().create_future()
        task.set_result(Judgment(Evaluation.from_dict(log.evaluations[last.turn])))
    follow_up_allowed = log.pending is None
    if log.pending is not None:  # the approval it waited for cannot come to this process
        pending = log.pending
        flow.session.emit(StaffFollowUpExpired(id=pending["id"], index=pending["index"],
                                               question_id=pending["question_id"],
                                               reason="resumed"))
    flow.state = "closing"
    flow._driver = asyncio.create_task(
        flow._drive(flow._advance(last, task, time.monotonic(), follow_up_allowed)))
