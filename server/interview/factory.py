"""The turn-taking of a live session, made from its interview's stored question plan."""

from __future__ import annotations

import logging
from typing import Any

from analyzers.questions import Question
from server.interview.flow import InterviewFlow
from server.interview.llm import Interviewer
from server.interview.turns import FlowConfig
from server.live.session import LiveSession
from server.store.models import Interview
from server.store.store import Store

log = logging.getLogger(__name__)


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


class FlowFactory:
    """Makes the `InterviewFlow` of a session whose interview has questions (the session
    manager's `flow_factory`); None for free practice."""

    def __init__(self, store: Store, interviewer: Interviewer, config: FlowConfig) -> None:
        self.store = store
        self.interviewer = interviewer
        self.config = config

    def __call__(self, session: LiveSession, interview: Interview) -> InterviewFlow | None:
        questions = parse_questions(interview.questions)
        if not questions:
            return None
        settings = interview.settings if isinstance(interview.settings, dict) else {}
        return InterviewFlow(session, questions, interviewer=self.interviewer, store=self.store,
                             config=self.config,
                             approve_follow_ups=settings.get("approve_follow_ups") is True)
