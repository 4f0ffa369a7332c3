"""The pieces of an interview's turn-taking: a turn (question + answer), the flow's settings,
and the error of a refused recruiter action."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from analyzers.questions import SOURCE_PLAN, SOURCE_RECRUITER, Question

#: the longest question text a recruiter may ask or approve
MAX_ACTION_TEXT = 500
#: the longest typed answer (`answer.text`)
MAX_TYPED_ANSWER = 5000


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
    #: the silence that ends it after a thinking phrase or an unfinished sentence
    #: (`analyzers.turn_end`; announced with `answer.waiting`)
    thinking_pause_s: float = 12.0
    #: an answer ends at the latest this long after its question was asked
    answer_max_s: float = 180.0
    #: wall-clock budget from the end of an answer to the next question
    follow_up_budget_s: float = 2.0
    #: how long the follow-up decision waits for the interviewer's (Groq) evaluation, which
    #: carries its follow-up, before it uses the offline one (within `follow_up_budget_s`)
    decision_wait_s: float = 1.6
    #: after `next` / the time cap, wait at most this long (wall) for speech still in flight
    settle_max_s: float = 3.0
    #: follow-up questions per planned question
    max_follow_ups: int = 1
    #: with `approve_follow_ups`: how long a follow-up waits for the staff's decision (then it
    #: is skipped)
    follow_up_approval_timeout_s: float = 20.0
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
    asked_seq: int = 0  # the seq of its `question` event
    finals: list[dict] = field(default_factory=list)
    closing_t: float | None = None  # session time of `next` / time cap / stop
    closed: bool = False  # answer.completed was sent: later finals are not part of it
    source: str = SOURCE_PLAN  # plan | interviewer (a follow-up) | recruiter
    typed: str = ""  # an answer written with `answer.text` (after any spoken part)
    #: the pauses announced as thinking (`answer.waiting`): (since, announced at), session time
    waits: list[tuple[float, float]] = field(default_factory=list)
    #: its offline evaluation (`server.interview.judge`), started when the answer ended
    offline: asyncio.Future | None = field(default=None, repr=False, compare=False)

    @property
    def event_index(self) -> int | None:
        """The `index` of its events: a recruiter's question belongs to no planned question."""
        return None if self.source == SOURCE_RECRUITER else self.index

    @property
    def text(self) -> str:
        spoken = [f["text"].strip() for f in self.finals if f.get("text")]
        return " ".join([*spoken, self.typed]).strip()

    @property
    def last_end(self) -> float | None:
        return max((f["end"] for f in self.finals), default=None)
