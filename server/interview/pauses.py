"""When a pause ends an answer, and the delivery of an answer with its thinking pauses.

A pause of `answer_pause_s` ends an answer after a complete sentence; after a thinking phrase
or an unfinished sentence (`analyzers.turn_end`) the answer waits until `thinking_pause_s`,
and says so once per pause with `answer.waiting` at the moment the short pause would have
ended it. Such a pause is a thinking pause in the answer's delivery, not a pause.
"""

from __future__ import annotations

from typing import Any, Protocol

from analyzers.answer_metrics import answer_delivery
from analyzers.turn_end import end_pause_s
from server.events.kinds import AnswerWaiting, Payload
from server.interview.turns import FlowConfig, Turn

#: two speech ends this close are the same (the `since` of an announced pause)
SAME_T = 1e-6


class Emitter(Protocol):
    def emit(self, payload: Payload) -> Any: ...


def pause_ends_answer(session: Emitter, cfg: FlowConfig, turn: Turn, t: float,
                      last: float) -> bool:
    """Whether the silence from `last` (the last speech) to `t` ends `turn`'s answer; emits
    `answer.waiting` (and records the pause on the turn) the first time a pause is long
    enough to end a complete answer but the answer waits longer."""
    silent = t - last
    if silent < cfg.answer_pause_s:
        return False
    wait_s, reason = end_pause_s(turn.text, cfg.answer_pause_s, cfg.thinking_pause_s)
    if reason is None or silent >= wait_s:
        return True
    if not (turn.waits and abs(turn.waits[-1][0] - last) < SAME_T):
        turn.waits.append((last, t))
        session.emit(AnswerWaiting(
            index=turn.event_index, turn=turn.turn, question_id=turn.question.id,
            reason=reason, wait_s=round(wait_s, 3), since=round(last, 3),
        ))
    return False


def turn_delivery(turn: Turn) -> dict[str, Any]:
    """Delivery of a spoken answer, its announced pauses as thinking pauses; a written one has
    none (`typed`)."""
    if turn.typed and not turn.finals:
        return {"typed": True}
    return answer_delivery(turn.finals, turn.asked_t, thinking=turn.waits)
