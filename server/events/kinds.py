"""The event kinds of a session's stream and the payload of each: the protocol's vocabulary.

Every emitter builds one of the payload dataclasses below; `EventStream.emit` turns it into an
`Event` whose `data` is the payload's fields (the JSON object on the wire, next to `type`,
`seq`, `t` and `ts`). `docs/protocol.md` documents each field; `static/shared/event-kinds.js`
is generated from `EventKind` (`python -m server.events.kinds > static/shared/event-kinds.js`),
so a client cannot handle a kind the server never emits.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar


class EventKind(StrEnum):
    STATE = "state"
    ERROR = "error"
    TRANSCRIPT_PARTIAL = "transcript.partial"
    TRANSCRIPT_FINAL = "transcript.final"
    METRICS = "metrics"
    QUESTION = "question"
    ANSWER_WAITING = "answer.waiting"
    ANSWER_COMPLETED = "answer.completed"
    EVALUATION = "evaluation"
    INTERVIEW_COMPLETED = "interview.completed"
    CANDIDATE_DISCONNECTED = "candidate.disconnected"
    CANDIDATE_RECONNECTED = "candidate.reconnected"
    QUALITY = "quality"
    STAFF_QUESTION_QUEUED = "staff.question_queued"
    STAFF_FOLLOW_UP_PENDING = "staff.follow_up_pending"
    STAFF_FOLLOW_UP_APPROVED = "staff.follow_up_approved"
    STAFF_FOLLOW_UP_REJECTED = "staff.follow_up_rejected"
    STAFF_FOLLOW_UP_EXPIRED = "staff.follow_up_expired"


#: kinds with this prefix are for the staff only: stored and sent to spectators, never to the
#: candidate (queued recruiter questions, follow-ups awaiting approval)
STAFF_PREFIX = "staff."


def for_candidate(kind: str) -> bool:
    """Whether events of `kind` may reach the candidate."""
    return not kind.startswith(STAFF_PREFIX)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    """The fields of one event kind (`KIND`)."""

    KIND: ClassVar[EventKind]

    def data(self) -> dict[str, Any]:
        """The event's `data`: the payload's fields by name."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        return {name: getattr(self, name) for name in names}


@dataclass(frozen=True, slots=True, kw_only=True)
class State(Payload):
    KIND = EventKind.STATE
    state: str  # ready | listening | stopped | completed
    #: with `ready`: seconds of audio the session has taken (a resuming client resends what
    #: it sent after that); None otherwise
    audio_s: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Error(Payload):
    KIND = EventKind.ERROR
    code: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptPartial(Payload):
    KIND = EventKind.TRANSCRIPT_PARTIAL
    utterance: int
    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptFinal(Payload):
    KIND = EventKind.TRANSCRIPT_FINAL
    utterance: int
    text: str
    start: float
    end: float
    words: list[dict[str, Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics(Payload):
    """Delivery so far, plus the vision fields and confidence (`vision`, sent flat)."""

    KIND = EventKind.METRICS
    wpm: float
    words: int
    filler_count: int
    fillers: dict[str, int]
    fillers_per_min: float
    pause_ratio: float
    speaking_s: float
    voiced_s: float  # seconds of voiced audio so far (what the pause ratio is made of)
    vision: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        data = Payload.data(self)
        data.update(data.pop("vision"))
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionAsked(Payload):
    KIND = EventKind.QUESTION
    index: int | None  # the planned question (None: a recruiter's own)
    turn: int
    question_id: str
    text: str
    question_type: str
    skill: str
    difficulty: str
    is_follow_up: bool
    total: int
    source: str  # plan | interviewer | recruiter


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerWaiting(Payload):
    """A pause that would have ended the answer, after a thinking phrase or an unfinished
    sentence (`analyzers.turn_end`): the answer now ends after `wait_s` of silence from
    `since`. Once per pause."""

    KIND = EventKind.ANSWER_WAITING
    index: int | None
    turn: int
    question_id: str
    reason: str  # thinking | unfinished
    wait_s: float  # the silence (from `since`) that now ends the answer
    since: float  # session time of the last speech before the pause


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerCompleted(Payload):
    KIND = EventKind.ANSWER_COMPLETED
    index: int | None
    turn: int
    question_id: str
    is_follow_up: bool
    text: str
    start: float
    end: float
    reason: str  # pause | next | timeout | stop | typed
    question_source: str
    typed: bool = False  # written with `answer.text` (no delivery metrics)


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerEvaluated(Payload):
    """One answer's evaluation (`result`: the evaluator's fields, sent flat)."""

    KIND = EventKind.EVALUATION
    index: int | None
    turn: int
    question_id: str
    question: str
    is_follow_up: bool
    question_source: str
    result: dict[str, Any]
    delivery: dict[str, Any]
    vision: dict[str, Any]

    def data(self) -> dict[str, Any]:
        data = Payload.data(self)
        result = data.pop("result")
        return {**{k: data[k] for k in ("index", "turn", "question_id", "question",
                                        "is_follow_up", "question_source")},
                **result, "delivery": data["delivery"], "vision": data["vision"]}


@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewCompleted(Payload):
    KIND = EventKind.INTERVIEW_COMPLETED
    final_score: float
    knowledge_score: float | None
    confidence_score: float | None
    performance_level: str
    questions_answered: int
    questions_total: int
    complete: bool
    report_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateDisconnected(Payload):
    """The candidate's socket went without `stop`: the session waits `grace_s` for them."""

    KIND = EventKind.CANDIDATE_DISCONNECTED
    reason: str  # closed (the socket closed) | server_restart | replaced (by a newer socket)
    grace_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateReconnected(Payload):
    """The candidate is back; `offline_s`: wall-clock seconds they were away."""

    KIND = EventKind.CANDIDATE_RECONNECTED
    offline_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Quality(Payload):
    """The session's level on the degradation ladder changed (`server.live.quality`)."""

    KIND = EventKind.QUALITY
    level: int  # 0 full, 1 reduced_vision, 2 no_partials, 3 audio_only
    name: str
    reason: str  # loop_lag | asr_backlog | cpu, or "load back to normal"


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffQuestionQueued(Payload):
    KIND = EventKind.STAFF_QUESTION_QUEUED
    id: str
    text: str
    by: dict[str, Any]
    position: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffFollowUpPending(Payload):
    KIND = EventKind.STAFF_FOLLOW_UP_PENDING
    id: str
    index: int
    text: str
    question_id: str
    turn: int
    timeout_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffFollowUpApproved(Payload):
    KIND = EventKind.STAFF_FOLLOW_UP_APPROVED
    id: str
    index: int
    question_id: str
    by: dict[str, Any]
    text: str
    edited: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffFollowUpRejected(Payload):
    KIND = EventKind.STAFF_FOLLOW_UP_REJECTED
    id: str
    index: int
    question_id: str
    by: dict[str, Any]
    reason: str  # rejected | replaced (a recruiter's question goes first)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffFollowUpExpired(Payload):
    KIND = EventKind.STAFF_FOLLOW_UP_EXPIRED
    id: str
    index: int
    question_id: str
    reason: str  # timeout | ended


def _payload_classes() -> dict[EventKind, type[Payload]]:
    found: dict[EventKind, type[Payload]] = {}
    stack = list(Payload.__subclasses__())
    while stack:
        cls = stack.pop()
        found[cls.KIND] = cls
        stack.extend(cls.__subclasses__())
    return found


#: the payload class of each kind
PAYLOADS: dict[EventKind, type[Payload]] = _payload_classes()


def js_module() -> str:
    """`static/shared/event-kinds.js`: the kinds as a frozen object of the same names."""
    lines = ["// The kinds of event the server emits (the `type` of every event on the",
             "// candidate and spectator sockets and in GET /api/interviews/{id}/events).",
             "// Generated from server/events/kinds.py by `python -m server.events.kinds`:",
             "// do not edit, regenerate. Route events with createDispatcher() (dispatch.js),",
             "// which refuses a handler for a kind that is not here. Socket replies (`pong`,",
             "// `ack`) are not events.",
             "export const EVENT = Object.freeze({"]
    lines += [f"  {kind.name}: '{kind.value}'," for kind in EventKind]
    lines += ["});", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(js_module())
