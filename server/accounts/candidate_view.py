"""What the candidate may see of their own interview.

* Never: `staff.*` events, the spectator token, the answer key (expected points, wrong claims)
  or the evidence of an evaluation (matched, missed and contradicted points).
* A recruiter-run interview (`settings.practice` false): no score, level or feedback at all;
  `evaluation` events are not sent (the room shows "Answer received" on `answer.completed`),
  `interview.completed` comes with its scores null, the live `metrics` without `confidence`,
  the report API answers 403 `recruiters_only`.
* A practice interview (the candidate's own, or an anonymous demo): coaching after each
  answer (its score, where the score came from, praise quoting the candidate's words and
  advice phrased from topics, never the points themselves: `analyzers.coaching`) and the
  report at the end.

Interviews stored before `practice` existed count as practice when nobody else made them.
"""

from __future__ import annotations

import json
from typing import Any

from server.events.kinds import EventKind, for_candidate
from server.events.model import Event
from server.store.models import Interview

#: the fields of an `evaluation` a practising candidate receives
COACHING_FIELDS = ("index", "turn", "question_id", "question", "is_follow_up",
                   "question_source", "score", "source", "method", "formula", "coaching",
                   "delivery")
#: scores of `interview.completed` that only practice shows the candidate
COMPLETED_SCORES = ("final_score", "knowledge_score", "confidence_score", "performance_level")
#: fields of a stored question that form the answer key
ANSWER_KEY = ("expected_points", "wrong_claims", "focus_points", "aliases")
#: interview fields that are judgments
JUDGMENT_FIELDS = ("final_score", "knowledge_score", "confidence_score", "performance_level")


def is_practice(interview: Interview) -> bool:
    """Whether the candidate sees coaching and scores (see the module docstring)."""
    settings = interview.settings if isinstance(interview.settings, dict) else {}
    value = settings.get("practice")
    if isinstance(value, bool):
        return value
    return interview.created_by is None or interview.created_by == interview.candidate_id


def candidate_wire(event: Event, practice: bool) -> dict[str, Any] | None:
    """The event as the candidate receives it, or None when it is not for them."""
    if not for_candidate(event.type):
        return None
    kind = event.type
    if kind == EventKind.EVALUATION:
        if not practice:
            return None
        wire = event.to_wire()
        keep = {"type", "seq", "t", "ts", *COACHING_FIELDS}
        return {k: v for k, v in wire.items() if k in keep}
    if not practice and kind == EventKind.INTERVIEW_COMPLETED:
        wire = event.to_wire()
        return {**wire, **dict.fromkeys(COMPLETED_SCORES), "report_url": ""}
    if not practice and kind == EventKind.METRICS and "confidence" in event.data:
        wire = event.to_wire()
        wire.pop("confidence", None)
        return wire
    return event.to_wire()


def candidate_json(event: Event, practice: bool) -> str | None:
    """`candidate_wire` serialised (the shared serialisation when nothing is removed)."""
    if not for_candidate(event.type):
        return None
    if _unchanged(event, practice):
        return event.wire_json
    wire = candidate_wire(event, practice)
    return None if wire is None else json.dumps(wire)


def _unchanged(event: Event, practice: bool) -> bool:
    if event.type == EventKind.EVALUATION:
        return False
    return practice or event.type not in (EventKind.INTERVIEW_COMPLETED, EventKind.METRICS)


def candidate_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored questions without their answer key."""
    return [{k: v for k, v in q.items() if k not in ANSWER_KEY} for q in questions]


def redact_interview(out: dict[str, Any], interview: Interview) -> dict[str, Any]:
    """An interview's JSON as its candidate sees it (in place and returned)."""
    if "questions" in out:
        out["questions"] = candidate_questions(out["questions"])
    out["practice"] = is_practice(interview)
    if not out["practice"]:
        for name in JUDGMENT_FIELDS:
            out[name] = None
        out.pop("report", None)
    return out
