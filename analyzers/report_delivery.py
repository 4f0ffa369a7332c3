"""The delivery half of the report: pace, fillers and pauses over the answers, what the camera
observed, and the delivery score (only from what was observed). Pure.

Speech: summed over the answers' deliveries (:func:`analyzers.answer_metrics.answer_delivery`:
each answer from its first word to its last), so reading the question, thinking (before the
first word, and the pauses the flow announced as thinking) and the silence that ends an answer
are not pauses. Sessions without such deliveries (older events)
fall back to the latest session-cumulative live `metrics` values (``source`` "live metrics").

Vision: eye contact is the latest ``eye_contact_total`` (else the mean windowed
``eye_contact``) of the live metrics; it is *not observed* (None) without a camera, when no
face was ever seen, or when the camera was frozen (:mod:`analyzers.camera_freeze`): then
posture is not used either.

Delivery score (:func:`analyzers.confidence.confidence_score`): the weighted mean of the
observed components only (pace, fillers, pauses, eye contact, posture); None when nothing was
observed. It is reported next to the content score, never mixed into it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from analyzers.camera_freeze import frozen_in_metrics
from analyzers.confidence import WEIGHTS, confidence_score

COMPONENT_LABELS = {"pace": "pace", "fillers": "fillers", "pauses": "pauses",
                    "eye_contact": "eye contact", "posture": "posture"}


def num(value: Any) -> float | None:
    """A finite real number, else None (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _rnd(x: float | None, nd: int) -> float | None:
    return None if x is None else round(x, nd)


def pct(value: Any) -> float | None:
    """Eye-contact style value as a 0..1 share: bools, 0..1 shares or 0..100 percentages."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    x = num(value)
    if x is None or x < 0:
        return None
    return min(1.0, x / 100.0 if x > 1.0 else x)


def is_answer_delivery(d: Any) -> bool:
    """An answer-span delivery (with ``timing``), not an older utterance-time one."""
    return isinstance(d, dict) and "timing" in d and (num(d.get("speaking_s")) or 0) > 0


def speech_from_answers(deliveries: list[dict]) -> dict[str, Any] | None:
    """Session speech over the answers' spans; None when no answer has one."""
    ds = [d for d in deliveries if is_answer_delivery(d)]
    if not ds:
        return None
    span = sum(float(d["speaking_s"]) for d in ds)
    words = sum(int(num(d.get("words")) or 0) for d in ds)
    fillers: Counter[str] = Counter()
    for d in ds:
        fillers.update({k: int(v) for k, v in (d.get("fillers") or {}).items()
                        if num(v) is not None})
    filler_count = sum(int(num(d.get("filler_count")) or 0) for d in ds)
    pause_s = sum(num(d.get("pause_s")) or 0.0 for d in ds)
    ttfw = [x for d in ds if (x := num(d.get("time_to_first_word_s"))) is not None]
    return {
        "source": "answers", "answers": len(ds),
        "wpm": round(words * 60.0 / span, 1), "words": words, "speaking_s": round(span, 2),
        "filler_count": filler_count, "fillers": dict(fillers),
        "fillers_per_min": round(filler_count * 60.0 / span, 2),
        "pause_ratio": round(min(1.0, pause_s / span), 3),
        "long_pauses": sum(int(num(d.get("long_pauses")) or 0) for d in ds),
        "longest_pause_s": max((num(d.get("longest_pause_s")) or 0.0 for d in ds), default=0.0),
        "thinking_pauses": sum(int(num(d.get("thinking_pauses")) or 0) for d in ds),
        "thinking_s": round(sum(num(d.get("thinking_s")) or 0.0 for d in ds), 2),
        "time_to_first_word_s": _rnd(sum(ttfw) / len(ttfw), 2) if ttfw else None,
    }


def _latest(events: list[dict], key: str, *, positive: bool = False) -> float | None:
    for event in reversed(events):
        x = num(event.get(key))
        if x is not None and (x > 0 or not positive):
            return x
    return None


def speech_from_metrics(events: list[dict]) -> dict[str, Any]:
    """Session speech from the latest session-cumulative live metrics (older sessions)."""
    wpm = _latest(events, "wpm", positive=True)
    filler_count = _latest(events, "filler_count")
    return {
        "source": "live metrics" if wpm is not None else None, "answers": 0,
        "wpm": _rnd(wpm, 1), "words": None, "speaking_s": None,
        "filler_count": None if filler_count is None else int(filler_count), "fillers": None,
        "fillers_per_min": _rnd(_latest(events, "fillers_per_min"), 2) if wpm else None,
        "pause_ratio": _rnd(_latest(events, "pause_ratio"), 3) if wpm else None,
        "long_pauses": None, "longest_pause_s": None, "thinking_pauses": None,
        "thinking_s": None, "time_to_first_word_s": None,
    }


def _posture_label(value: Any) -> str | None:
    label = value.get("label") if isinstance(value, dict) else value
    if not isinstance(label, str) or not label or label == "unknown":
        return None
    return label


def vision(events: list[dict]) -> dict[str, Any]:
    """What the camera observed: ``camera`` is "observed", "no camera", "no face" or
    "frozen"; eye contact and posture are None unless observed."""
    camera_on = face_seen = False
    windowed, postures, total = [], [], None
    frozen_s = 0.0
    for ev in events:
        if any(k in ev for k in ("face_present", "video", "camera_frozen")):
            camera_on = True
        face_seen = face_seen or ev.get("face_present") is True
        frozen_s = max(frozen_s, num(ev.get("frozen_s")) or 0.0)
        e = pct(ev.get("eye_contact")) if "eye_contact" in ev else None
        if e is not None:
            windowed.append(e)
        t = pct(ev.get("eye_contact_total")) if "eye_contact_total" in ev else None
        if t is not None:
            total = t
        label = _posture_label(ev.get("posture")) if "posture" in ev else None
        if label:
            postures.append(label)
    eye = total if total is not None else (sum(windowed) / len(windowed) if windowed else None)
    frozen = frozen_in_metrics(events)
    if frozen:
        status = "frozen"
    elif eye is not None or postures:
        status = "observed"
    else:
        status = "no face" if camera_on or face_seen else "no camera"
    used = status == "observed"
    counts = Counter(postures) if used else Counter()
    return {
        "camera": status, "camera_frozen": frozen, "frozen_s": round(frozen_s, 2),
        "eye_contact": _rnd(eye, 3) if used else None,
        "posture": {k: round(v / len(postures), 3) for k, v in sorted(counts.items())},
    }


NOT_OBSERVED_REASONS = {"no camera": "no camera", "no face": "no face in view",
                        "frozen": "camera frozen (still frames): vision not used"}


def delivery_result(speech: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    """The delivery score, its components, the formula and what was not observed."""
    posture = seen["posture"]
    out = confidence_score(
        eye_contact=seen["eye_contact"],
        posture=max(posture, key=lambda k: (posture[k], k)) if posture else None,
        wpm=speech["wpm"], fillers_per_min=speech["fillers_per_min"],
        pause_ratio=speech["pause_ratio"],
    )
    comps = out["components"]
    reason_vision = NOT_OBSERVED_REASONS.get(seen["camera"], "not measured")
    not_observed = [
        {"component": k, "reason": reason_vision if k in ("eye_contact", "posture")
         else "no speech measured"}
        for k in WEIGHTS if k not in comps
    ]
    total = sum(WEIGHTS[k] for k in comps)
    if comps:
        terms = " + ".join(f"{WEIGHTS[k]}×{COMPONENT_LABELS[k]}" for k in comps)
        formula = f"delivery score = ({terms}) / {total}"
    else:
        formula = "delivery score: nothing was observed"
    if not_observed:
        formula += "; not observed: " + ", ".join(
            f"{COMPONENT_LABELS[n['component']]} ({n['reason']})" for n in not_observed)
    return {"score": out["score"], "components": comps,
            "weights": {k: WEIGHTS[k] for k in comps}, "not_observed": not_observed,
            "formula": formula}
