"""Delivery and vision of one answer, from its final transcripts and the metrics during it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from analyzers.delivery import DeliveryTracker


def answer_delivery(finals: list[dict]) -> dict[str, Any]:
    """Delivery of one answer from its finals: words per minute of speaking time, fillers, and
    the silent share between its first and last word (the same definitions as the session's
    `metrics`, restricted to the answer)."""
    tracker = DeliveryTracker()
    for f in finals:
        tracker.add_final(f.get("text", ""), float(f["start"]), float(f["end"]))
    end = max((float(f["end"]) for f in finals), default=0.0)
    snap = tracker.snapshot(end, tracker.speaking_s)
    return {
        "wpm": snap["wpm"],
        "words": snap["words"],
        "filler_count": snap["filler_count"],
        "fillers_per_min": snap["fillers_per_min"],
        "pause_ratio": snap["pause_ratio"],
        "speaking_s": snap["speaking_s"],
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def answer_vision(metrics: Iterable[dict]) -> dict[str, Any]:
    """Eye contact, posture and confidence averaged over the metrics ticks of one answer."""
    eye, conf, postures, n = [], [], Counter(), 0
    for m in metrics:
        n += 1
        e = _number(m.get("eye_contact"))
        if e is not None:
            eye.append(e)
        c = m.get("confidence")
        c = _number(c.get("score") if isinstance(c, dict) else c)
        if c is not None:
            conf.append(c)
        p = m.get("posture")
        label = p.get("label") if isinstance(p, dict) else p
        if isinstance(label, str) and label and label != "unknown":
            postures[label] += 1
    return {
        "eye_contact": round(sum(eye) / len(eye), 3) if eye else None,
        "posture": max(postures, key=lambda k: (postures[k], k)) if postures else None,
        "confidence": round(sum(conf) / len(conf), 1) if conf else None,
        "samples": n,
    }
