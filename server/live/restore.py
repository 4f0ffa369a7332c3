"""What a session continues from when it is rebuilt from its stored events: the event log is
the session's durable state (a resume on a restarted server or another node)."""

from __future__ import annotations

from collections.abc import Iterable

from server.events.kinds import EventKind
from server.events.model import Event
from server.live.speech import SpeechState


def speech_state(events: Iterable[Event]) -> SpeechState:
    """The clock, the finals, the voiced time and the last utterance id of a session."""
    state = SpeechState()
    for e in events:
        state.t = max(state.t, e.t)
        if e.type == EventKind.TRANSCRIPT_FINAL:
            state.finals.append(e.data)
        elif e.type == EventKind.METRICS:
            voiced = e.data.get("voiced_s")
            if isinstance(voiced, int | float):
                state.voiced_s = float(voiced)
        if e.type in (EventKind.TRANSCRIPT_FINAL, EventKind.TRANSCRIPT_PARTIAL):
            utterance = e.data.get("utterance")
            if isinstance(utterance, int):
                state.last_utterance = max(state.last_utterance, utterance)
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
