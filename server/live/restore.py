"""What a session continues from when it is rebuilt from its stored events: the event log is
the session's durable state (a resume on a restarted server or another node)."""

from __future__ import annotations

from collections.abc import Iterable

from server.events.kinds import EventKind
from server.events.model import Event
from server.live.speech import SpeechState

_CONNECTED = (EventKind.CANDIDATE_RECONNECTED, EventKind.STATE)


def speech_state(events: Iterable[Event]) -> SpeechState:
    """Where the session's speech goes on: the finals so far, the voiced time, the last
    utterance id, and the clock.

    The clock goes on where the old process stopped when it handed the session over (its last
    word on the connection is `candidate.disconnected` and no utterance was left open);
    otherwise (it died) at the end of the last final: what came after was never transcribed,
    and the candidate's client sends that audio again from there (`state: ready` says where).
    """
    state = SpeechState()
    last_t = 0.0
    handed_over = False
    open_utterance = False
    for e in events:
        last_t = max(last_t, e.t)
        if e.type == EventKind.TRANSCRIPT_FINAL:
            state.finals.append(e.data)
            state.last_utterance = max(state.last_utterance, int(e.data.get("utterance") or 0))
            open_utterance = False
        elif e.type == EventKind.TRANSCRIPT_PARTIAL:
            open_utterance = int(e.data.get("utterance") or 0) > state.last_utterance
        elif e.type == EventKind.METRICS:
            voiced = e.data.get("voiced_s")
            if isinstance(voiced, int | float):
                state.voiced_s = float(voiced)
        if e.type == EventKind.CANDIDATE_DISCONNECTED:
            handed_over = True
        elif e.type in _CONNECTED and (e.type != EventKind.STATE
                                       or e.data.get("state") == "ready"):
            handed_over = False
    if handed_over and not open_utterance:
        state.t = last_t
    else:
        state.t = float(state.finals[-1]["end"]) if state.finals else 0.0
    return state


def server_went_away(events: Iterable[Event]) -> bool:
    """Whether the candidate's last connection ended with their server (a restart, or a node
    that died with the candidate connected: no `candidate.disconnected` after it) rather than
    by the candidate leaving."""
    away = False
    for e in events:
        if e.type == EventKind.CANDIDATE_DISCONNECTED:
            away = e.data.get("reason") == "server_restart"
        elif e.type == EventKind.CANDIDATE_RECONNECTED or (
                e.type == EventKind.STATE and e.data.get("state") == "ready"):
            away = True  # connected: only a server that went away leaves it so
    return away
