"""Delivery and vision of one answer, from its final transcripts and the metrics during it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from analyzers.delivery import Timing, count_fillers, per_minute, timing, word_count


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _segments(final: dict) -> tuple[list[tuple[float, float]], bool]:
    """A final's timed segments: its words when they all have timings, else its span."""
    if not str(final.get("text") or "").strip():
        return [], False  # a withdrawn partial (no speech): no speaking time
    words = final.get("words") or []
    spans = [(_number(w.get("start")), _number(w.get("end"))) for w in words
             if isinstance(w, dict)]
    if words and len(spans) == len(words) and all(s is not None and e is not None
                                                  for s, e in spans):
        return spans, True  # type: ignore[return-value]
    start, end = _number(final.get("start")), _number(final.get("end"))
    return ([(start, end)] if start is not None and end is not None else []), False


def answer_delivery(finals: list[dict], asked_t: float | None = None,
                    thinking: Iterable[tuple[float, float]] = ()) -> dict[str, Any]:
    """Delivery of one answer from its finals (definitions: :mod:`analyzers.delivery`).

    ``speaking_s`` is the span from the first word to the last (pauses included, thinking
    pauses not), ``wpm``, ``fillers_per_min`` and ``pause_ratio`` are over it (None without
    speech); ``thinking`` are the silences the interview flow announced as thinking pauses
    (``answer.waiting``: from its ``since`` to its time, session clock): the gap between words
    that holds the middle of one is a thinking pause (``thinking_pauses``, ``thinking_s``),
    not a pause;
    ``time_to_first_word_s`` is the reading and thinking time from ``asked_t`` (the time the
    question was asked, session clock) to the first word (None without ``asked_t``);
    ``timing`` says what the pauses were measured on: "words", "utterances" (finals without
    word timings: only the gaps between utterances) or "mixed" (None without speech).
    """
    words, fillers, segments, kinds = 0, Counter(), [], set()
    for f in finals:
        text = str(f.get("text") or "")
        counts = count_fillers(text)
        fillers.update(counts)
        words += word_count(text, counts)
        segs, word_timed = _segments(f)
        if segs:
            segments += segs
            kinds.add("words" if word_timed else "utterances")
    t: Timing = timing(segments, thinking=[(a + b) / 2.0 for a, b in thinking])
    span = t.span_s
    filler_count = sum(fillers.values())
    ttfw = None
    if asked_t is not None and t.first_t is not None:
        ttfw = round(max(0.0, t.first_t - float(asked_t)), 2)
    return {
        "wpm": round(words * 60.0 / span, 1) if span > 0 else None,
        "words": words,
        "speaking_s": round(span, 2),
        "filler_count": filler_count,
        "fillers": dict(fillers),
        "fillers_per_min": per_minute(filler_count, span),
        "pause_ratio": None if t.pause_ratio is None else round(t.pause_ratio, 3),
        "pause_s": round(t.pause_s, 2),
        "long_pauses": t.long_pauses,
        "longest_pause_s": round(t.longest_pause_s, 2),
        "thinking_pauses": t.thinking_pauses,
        "thinking_s": round(t.thinking_s, 2),
        "time_to_first_word_s": ttfw,
        "first_word_t": None if t.first_t is None else round(t.first_t, 3),
        "last_word_t": None if t.last_t is None else round(t.last_t, 3),
        "timing": None if not kinds else kinds.pop() if len(kinds) == 1 else "mixed",
    }


def answer_vision(metrics: Iterable[dict]) -> dict[str, Any]:
    """Eye contact, posture and confidence averaged over the metrics ticks of one answer.

    Ticks of a frozen camera (``camera_frozen``) are left out of eye contact, posture and
    confidence, and ``camera_frozen`` is then True; ``observed`` counts the ticks with a face.
    """
    eye, conf, postures, n, frozen, observed = [], [], Counter(), 0, False, 0
    paused = False
    for m in metrics:
        n += 1
        if m.get("analysis_paused"):  # the degradation ladder: the camera was not analysed
            paused = True
            continue
        if m.get("camera_frozen"):
            frozen = True
            continue
        if m.get("face_present"):
            observed += 1
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
        "face_samples": observed,
        "camera_frozen": frozen,
        "analysis_paused": paused,
    }
