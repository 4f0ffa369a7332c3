"""The typed event model: each payload becomes the event's data, flat on the wire."""

from __future__ import annotations

import json

from server.events.kinds import (
    AnswerEvaluated,
    EventKind,
    Metrics,
    StaffFollowUpPending,
    TranscriptFinal,
    for_candidate,
)
from server.events.model import Event, EventStream


class Collect:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


def test_a_payload_is_the_events_data_and_seq_counts_from_the_start():
    sink = Collect()
    stream = EventStream("s1", sink, start_seq=41)
    event = stream.emit(TranscriptFinal(utterance=3, text="hi", start=0.5, end=0.9, words=[]),
                        1.2)
    assert (event.seq, event.type, event.t) == (42, "transcript.final", 1.2)
    assert event.data == {"utterance": 3, "text": "hi", "start": 0.5, "end": 0.9, "words": []}
    wire = json.loads(event.wire_json)
    assert wire["type"] == "transcript.final" and wire["seq"] == 42 and wire["text"] == "hi"
    assert sink.events == [event] and list(stream.log) == [event] and stream.last_seq == 42


def test_metrics_and_evaluations_send_their_nested_parts_flat():
    metrics = Metrics(wpm=120.0, words=10, filler_count=1, fillers={"um": 1},
                      fillers_per_min=2.0, pause_ratio=0.1, speaking_s=5.0, voiced_s=4.0,
                      vision={"eye_contact": 0.8, "confidence": {"score": 70}})
    data = metrics.data()
    assert data["eye_contact"] == 0.8 and data["confidence"] == {"score": 70}
    assert "vision" not in data and data["wpm"] == 120.0
    evaluated = AnswerEvaluated(index=0, turn=1, question_id="q1", question="Why?",
                                is_follow_up=False, question_source="plan",
                                result={"score": 55, "source": "offline"}, delivery={"wpm": 1},
                                vision={"samples": 0})
    data = evaluated.data()
    assert data["score"] == 55 and data["source"] == "offline" and "result" not in data
    assert data["delivery"] == {"wpm": 1} and data["vision"] == {"samples": 0}


def test_staff_kinds_never_reach_the_candidate():
    staff = {k for k in EventKind if not for_candidate(k)}
    assert staff == {k for k in EventKind if k.value.startswith("staff.")}
    assert len(staff) == 5
    assert StaffFollowUpPending.KIND in staff and for_candidate(EventKind.QUESTION)
