"""The recruiters' side of a live interview: their own questions, queued to be asked next, and
follow-ups waiting for their approval (`approve_follow_ups`).

* `ask(text, by)` queues a question (at most `max_queued`); a follow-up waiting for approval
  is then dropped (`rejected`, reason `replaced`): the recruiter's question goes first;
* `await_approval` shows a follow-up to the staff (`staff.follow_up_pending`) and waits for
  `approve(id, by, text)` (the text possibly edited), `reject(id, by)` or the timeout
  (`expired`); `expire()` drops it when the interview ends.

Every decision is a `staff.*` event, for the staff only.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.events.kinds import (
    Payload,
    StaffFollowUpApproved,
    StaffFollowUpExpired,
    StaffFollowUpPending,
    StaffFollowUpRejected,
    StaffQuestionQueued,
)
from server.interview.turns import ActionError, clean_action_text


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


class StaffDesk:
    """Recruiter questions and follow-up approvals of one live interview."""

    def __init__(self, emit: Callable[[Payload], object], is_open: Callable[[], bool], *,
                 max_queued: int, approval_timeout_s: float) -> None:
        self._emit = emit
        self._is_open = is_open
        self.max_queued = max_queued
        self.approval_timeout_s = approval_timeout_s
        self._asks: deque[RecruiterQuestion] = deque()  # recruiter questions, in order
        self._asked = 0
        self._pending: PendingFollowUp | None = None  # the follow-up awaiting approval
        self._decided: dict[str, str] = {}  # follow-up id -> approved | rejected | expired

    def restore(self, queue: list[RecruiterQuestion], asked: int) -> None:
        """Continue a resumed interview: `queue` still to be asked, `asked` ids used so far."""
        self._asks = deque(queue)
        self._asked = asked

    def next_question(self) -> RecruiterQuestion | None:
        """The oldest queued recruiter question, taken off the queue."""
        return self._asks.popleft() if self._asks else None

    # -- actions (server.interview.commands) ---------------------------------------------------
    def ask(self, text: object, by: dict[str, Any]) -> dict[str, Any]:
        """Queue a recruiter's question; returns {id, position}."""
        text = clean_action_text(text)
        self._check_open()
        if len(self._asks) >= self.max_queued:
            raise ActionError("queue_full", f"{len(self._asks)} questions are already waiting "
                                            "to be asked")
        self._asked += 1
        asked = RecruiterQuestion(id=f"recruiter-{self._asked}", text=text, by=by)
        self._asks.append(asked)
        self._emit(StaffQuestionQueued(id=asked.id, text=text, by=by, position=len(self._asks)))
        pending = self._pending
        if pending is not None and not pending.future.done():
            # between questions, waiting for an approval: the recruiter's question goes now
            self._reject(pending, by, "replaced")
        return {"id": asked.id, "position": len(self._asks)}

    def approve(self, follow_up_id: object, by: dict[str, Any],
                text: object = None) -> dict[str, Any]:
        """Ask the pending follow-up `follow_up_id`, with `text` instead of its own if given."""
        pending = self._pending_follow_up(follow_up_id)
        text = pending.text if text is None else clean_action_text(text)
        self._decide(pending, "approved", text,
                     StaffFollowUpApproved(id=pending.id, index=pending.index,
                                           question_id=pending.question_id, by=by, text=text,
                                           edited=text != pending.text))
        return {"id": pending.id, "text": text}

    def reject(self, follow_up_id: object, by: dict[str, Any]) -> dict[str, Any]:
        """Skip the pending follow-up `follow_up_id`: the next planned question comes instead."""
        pending = self._pending_follow_up(follow_up_id)
        self._reject(pending, by, "rejected")
        return {"id": pending.id}

    def _check_open(self) -> None:
        if not self._is_open():
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

    def _decide(self, pending: PendingFollowUp, outcome: str, ask: str | None,
                event: Payload) -> None:
        """Record the decision, emit its staff event, wake the flow with the text to `ask`
        (None: skip it)."""
        self._pending = None
        self._decided[pending.id] = outcome
        self._emit(event)
        if not pending.future.done():
            pending.future.set_result(ask)

    def _reject(self, pending: PendingFollowUp, by: dict[str, Any], reason: str) -> None:
        self._decide(pending, "rejected", None,
                     StaffFollowUpRejected(id=pending.id, index=pending.index,
                                           question_id=pending.question_id, by=by,
                                           reason=reason))

    def _expire(self, pending: PendingFollowUp, reason: str) -> None:
        self._decide(pending, "expired", None,
                     StaffFollowUpExpired(id=pending.id, index=pending.index,
                                          question_id=pending.question_id, reason=reason))

    def expire(self) -> None:
        """The interview ends: a follow-up still waiting for approval is dropped."""
        pending = self._pending
        if pending is not None and not pending.future.done():
            self._expire(pending, "ended")

    async def await_approval(self, index: int, question_id: str, turn: int,
                             text: str) -> str | None:
        """Show a follow-up to the staff and wait for approve / reject / the timeout; the text
        to ask, or None to skip it."""
        pending = PendingFollowUp(
            id=f"fu-{secrets.token_hex(6)}", index=index, text=text, question_id=question_id,
            future=asyncio.get_running_loop().create_future(),
        )
        self._pending = pending
        timeout = self.approval_timeout_s
        self._emit(StaffFollowUpPending(id=pending.id, index=index, text=text,
                                        question_id=question_id, turn=turn, timeout_s=timeout))
        try:
            return await asyncio.wait_for(asyncio.shield(pending.future), timeout)
        except TimeoutError:
            if self._pending is pending:
                self._expire(pending, "timeout")
            return None
        finally:
            if self._pending is pending:
                self._pending = None
