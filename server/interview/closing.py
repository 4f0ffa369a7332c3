"""The end of an interview: its report from the session's events, stored with the scores on the
interview, then `interview.completed` and `state: completed`."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from analyzers.session_report import report_from_events
from server.events.kinds import InterviewCompleted, State
from server.store.store import Store

if TYPE_CHECKING:
    from server.live.session import LiveSession

log = logging.getLogger(__name__)


def _float(x: Any) -> float | None:
    return None if x is None else float(x)


async def close_interview(session: LiveSession, store: Store, questions: list[dict[str, Any]],
                          *, complete: bool, ended_by: str) -> dict[str, Any] | None:
    """Build, store and announce the report; None (and nothing emitted) when nothing was
    answered (the report API then answers 409). `ended_by` "disconnect" leaves the
    interview's status to the session manager."""
    events = await session.history(0)
    report = await asyncio.to_thread(report_from_events, events, questions)
    if report is None:
        return None
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
        await asyncio.to_thread(store.update_interview, session.id, **fields)
    except Exception:  # noqa: BLE001 - still tell the candidate
        log.exception("storing the report of %s failed", session.id)
    session.emit(InterviewCompleted(
        final_score=report["final_score"],
        knowledge_score=report["knowledge_score"],
        confidence_score=report["confidence_score"],
        performance_level=report["performance_level"],
        questions_answered=report["questions_answered"],
        questions_total=len(questions),
        complete=complete, report_url=f"/report/{session.id}",
    ))
    session.emit(State(state="completed"))
    return report
