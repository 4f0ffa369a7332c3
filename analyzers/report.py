"""Final interview report from per-answer evaluations and the live metric events. Pure.

Scores (all 0..100 ints):

* ``knowledge_score`` - mean of the evaluation scores (``None`` with no evaluations).
* ``confidence_score`` - mean of the live ``confidence`` scores (vision + speech); when no event
  carries one, derived from the session's delivery (pace, fillers, pauses, eye contact, posture)
  with :func:`analyzers.confidence.confidence_score`; ``None`` with no metrics at all.
* ``final_score`` = round(0.6 * knowledge + 0.4 * confidence); the available one when the other
  is ``None``; 0 with neither.
* ``performance_level``: excellent >= 85, good >= 70, average >= 50, else poor.

Delivery numbers: ``wpm``, ``fillers_per_min``, ``filler_count``, ``pause_ratio`` and
``eye_contact_total`` are session-cumulative in the live protocol
(:class:`analyzers.delivery.DeliveryTracker`, :mod:`analyzers.eye_contact`), so the session value
is the latest one (by ``t``; a ``wpm`` of 0 before any speech is ignored). Eye contact falls back
to the mean of the windowed ``eye_contact`` when no total is present.

Feedback thresholds: pace above 165 wpm or below 110 wpm, eye contact under 60 %, more than
4 fillers per minute, silent more than 30 % of the time, a poor posture label (not "ok") in more
than 30 % of the labelled readings, a rubric category under 60, a question under 50.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from analyzers.confidence import confidence_score as delivery_confidence

KNOWLEDGE_WEIGHT = 0.6
CONFIDENCE_WEIGHT = 0.4
LEVELS = ((85, "excellent"), (70, "good"), (50, "average"))
WPM_FAST = 165.0
WPM_SLOW = 110.0
EYE_CONTACT_MIN = 0.60
FILLERS_MAX = 4.0
PAUSE_MAX = 0.30
POSTURE_BAD_MAX = 0.30
CATEGORY_MIN = 60
QUESTION_MIN = 50
CATEGORIES = ("accuracy", "coverage", "clarity", "depth")
MAX_TIMELINE_POINTS = 600
TOP_N = 5
_PER_QUESTION_PREFIXES = ("also address", "covered", "missing")


def _num(value: Any) -> float | None:
    """A finite real number, else None (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _pct(value: Any) -> float | None:
    """Eye-contact style value as a 0..1 share: bools, 0..1 shares or 0..100 percentages."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    x = _num(value)
    if x is None or x < 0:
        return None
    return min(1.0, x / 100.0 if x > 1.0 else x)


def _confidence(value: Any) -> float | None:
    raw = value.get("score") if isinstance(value, dict) else value
    x = _num(raw)
    return None if x is None else max(0.0, min(100.0, x))


def _posture_label(value: Any) -> str | None:
    label = value.get("label") if isinstance(value, dict) else value
    if not isinstance(label, str) or not label or label == "unknown":
        return None
    return label


def _level(score: int) -> str:
    for threshold, name in LEVELS:
        if score >= threshold:
            return name
    return "poor"


def _downsample(points: list[list[float]]) -> list[list[float]]:
    if len(points) <= MAX_TIMELINE_POINTS:
        return points
    step = len(points) / MAX_TIMELINE_POINTS
    return [points[int(i * step)] for i in range(MAX_TIMELINE_POINTS - 1)] + [points[-1]]


def _latest(events: list[dict], key: str, *, positive: bool = False) -> float | None:
    for event in reversed(events):
        x = _num(event.get(key))
        if x is not None and (x > 0 or not positive):
            return x
    return None


def _delivery(events: list[dict]) -> dict[str, Any]:
    """Session delivery summary plus the chart series."""
    pace, eye, conf = [], [], []
    windowed_eye, conf_values, postures = [], [], []
    for ev in events:
        t = _num(ev.get("t"))
        wpm = _num(ev.get("wpm"))
        if t is not None and wpm is not None and wpm > 0:
            pace.append([t, round(wpm, 1)])
        e = _pct(ev.get("eye_contact")) if "eye_contact" in ev else None
        if e is not None:
            windowed_eye.append(e)
            if t is not None:
                eye.append([t, round(100 * e, 1)])
        c = _confidence(ev.get("confidence")) if "confidence" in ev else None
        if c is not None:
            conf_values.append(c)
            if t is not None:
                conf.append([t, round(c, 1)])
        label = _posture_label(ev.get("posture")) if "posture" in ev else None
        if label:
            postures.append(label)

    total_eye = None
    for ev in reversed(events):
        total_eye = _pct(ev.get("eye_contact_total")) if "eye_contact_total" in ev else None
        if total_eye is not None:
            break
    eye_share = total_eye if total_eye is not None else _mean(windowed_eye)
    filler_count = _latest(events, "filler_count")
    posture_counts = Counter(postures)
    return {
        "summary": {
            "wpm": _round(_latest(events, "wpm", positive=True), 1),
            "fillers_per_min": _round(_latest(events, "fillers_per_min"), 2),
            "filler_count": None if filler_count is None else int(filler_count),
            "pause_ratio": _round(_latest(events, "pause_ratio"), 3),
            "eye_contact": _round(eye_share, 3),
            "posture": {k: round(v / len(postures), 3) for k, v in sorted(posture_counts.items())},
        },
        "confidence_values": conf_values,
        "timeline": {"pace": _downsample(pace), "eye_contact": _downsample(eye),
                     "confidence": _downsample(conf)},
    }


def _round(x: float | None, nd: int) -> float | None:
    return None if x is None else round(x, nd)


def _delivery_feedback(summary: dict[str, Any]) -> list[str]:
    out: list[str] = []
    wpm, fpm = summary["wpm"], summary["fillers_per_min"]
    pause, eye = summary["pause_ratio"], summary["eye_contact"]
    if wpm is not None and wpm > WPM_FAST:
        out.append(f"Speak slower: {wpm:.0f} wpm (aim for 120-160)")
    elif wpm is not None and wpm < WPM_SLOW:
        out.append(f"Speak a little faster: {wpm:.0f} wpm (aim for 120-160)")
    if eye is not None and eye < EYE_CONTACT_MIN:
        out.append(f"Maintain eye contact: {100 * eye:.0f}% of the time (aim for 60%+)")
    if fpm is not None and fpm > FILLERS_MAX:
        out.append(f"Fewer fillers: {fpm:.0f} per minute (aim for under {FILLERS_MAX:.0f})")
    if pause is not None and pause > PAUSE_MAX:
        out.append(f"Fewer long pauses: {100 * pause:.0f}% of the time silent")
    bad = {k: v for k, v in summary["posture"].items() if k != "ok"}
    if bad and sum(bad.values()) > POSTURE_BAD_MAX:
        worst = max(bad, key=lambda k: (bad[k], k))
        out.append(f"Sit upright: posture was {worst} {100 * bad[worst]:.0f}% of the time")
    return out


def _aggregate(lists: list[list[str]], n_answers: int) -> list[str]:
    """Most frequent items across answers, grouped by their lead phrase (before ':' or '(')."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    order: dict[str, int] = {}
    for items in lists:
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, str) or not item.strip():
                continue
            key = item.split(":")[0].split("(")[0].strip().rstrip(".").lower()
            if key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            first.setdefault(key, item.strip())
            order.setdefault(key, len(order))
    ranked = sorted(counts, key=lambda k: (-counts[k], order[k]))
    general = [k for k in ranked if not k.startswith(_PER_QUESTION_PREFIXES)]
    out = []
    for key in (general or ranked)[:TOP_N]:
        if counts[key] > 1:
            lead = first[key].split(":")[0].split("(")[0].strip().rstrip(".")
            out.append(f"{lead} ({counts[key]} of {n_answers} answers)")
        else:
            out.append(first[key])
    return out


def _match(evaluations: list[dict], questions: list[dict]) -> list[list[dict]]:
    """Evaluations per question: by ``question_id`` when present, else in order."""
    per_q: list[list[dict]] = [[] for _ in questions]
    index = {q.get("id"): i for i, q in enumerate(questions) if isinstance(q, dict)}
    positional = []
    for ev in evaluations:
        qid = ev.get("question_id")
        if qid is not None and qid in index:
            per_q[index[qid]].append(ev)
        elif qid is None:
            positional.append(ev)
    slots = iter(i for i, evs in enumerate(per_q) if not evs)
    for ev in positional:
        i = next(slots, None)
        if i is None:
            break
        per_q[i].append(ev)
    return per_q


def build_report(
    *, evaluations: list[dict], metrics: list[dict], questions: list[dict]
) -> dict[str, Any]:
    """Aggregate one interview into scores, feedback and chart series (see module docstring).

    ``evaluations`` are :meth:`Evaluation.to_dict` dicts, optionally with a ``question_id``;
    without one they are matched to ``questions`` in order. Inputs are not modified.
    """
    evals = [
        e for e in evaluations or [] if isinstance(e, dict) and _num(e.get("score")) is not None
    ]
    events = sorted(
        (m for m in metrics or [] if isinstance(m, dict)),
        key=lambda m: _num(m.get("t")) if _num(m.get("t")) is not None else -1.0,
    )
    questions = [q for q in questions or [] if isinstance(q, dict)]

    scores = [max(0.0, min(100.0, float(e["score"]))) for e in evals]
    knowledge = _mean(scores)
    category_scores: dict[str, int | None] = {}
    for cat in CATEGORIES:
        vals = [max(0.0, min(1.0, x)) for e in evals if (x := _num(e.get(cat))) is not None]
        category_scores[cat] = None if not vals else round(100 * sum(vals) / len(vals))

    delivery = _delivery(events)
    summary = delivery["summary"]
    if delivery["confidence_values"]:
        confidence, conf_source = _mean(delivery["confidence_values"]), "live"
    else:
        derived = delivery_confidence(
            eye_contact=summary["eye_contact"],
            posture=max(summary["posture"], key=lambda k: (summary["posture"][k], k))
            if summary["posture"] else None,
            wpm=summary["wpm"],
            fillers_per_min=summary["fillers_per_min"],
            pause_ratio=summary["pause_ratio"],
        )["score"]
        confidence = None if derived is None else float(derived)
        conf_source = None if derived is None else "delivery"

    if knowledge is not None and confidence is not None:
        final = KNOWLEDGE_WEIGHT * knowledge + CONFIDENCE_WEIGHT * confidence
    else:
        final = knowledge if knowledge is not None else (confidence or 0.0)
    final_score = round(final)

    per_question = []
    for i, (q, matched) in enumerate(zip(questions, _match(evals, questions), strict=True)):
        entry: dict[str, Any] = {
            "index": i, "question_id": q.get("id"), "question": q.get("text"),
            "skill": q.get("skill"), "type": q.get("type"), "difficulty": q.get("difficulty"),
            "answered": bool(matched), "score": None,
        }
        if matched:
            main = matched[0]
            entry["score"] = round(sum(float(e["score"]) for e in matched) / len(matched))
            for cat in CATEGORIES:
                x = _num(main.get(cat))
                entry[cat] = None if x is None else round(100 * max(0.0, min(1.0, x)))
            entry.update({
                "feedback": main.get("feedback", ""),
                "points_covered": list(main.get("points_covered") or []),
                "points_missed": list(main.get("points_missed") or []),
                "source": main.get("source"),
            })
        per_question.append(entry)

    feedback = _delivery_feedback(summary)
    for cat in CATEGORIES:
        value = category_scores[cat]
        if value is not None and value < CATEGORY_MIN:
            feedback.append(f"Improve answer {cat}: {value}/100 on average")
    answered = [p for p in per_question if p["answered"]]
    if answered:
        low = min(answered, key=lambda p: (p["score"], p["index"]))
        if low["score"] < QUESTION_MIN:
            feedback.append(f"Review {low['skill']}: scored {low['score']}/100 on "
                            f"question {low['index'] + 1}")
    if not feedback and (summary["wpm"] is not None or knowledge is not None):
        parts = [f"knowledge {round(knowledge)}/100"] if knowledge is not None else []
        if summary["wpm"] is not None:
            parts.append(f"pace {summary['wpm']:.0f} wpm")
        feedback.append("Solid interview: " + ", ".join(parts))

    return {
        "final_score": final_score,
        "performance_level": _level(final_score),
        "knowledge_score": None if knowledge is None else round(knowledge),
        "confidence_score": None if confidence is None else round(confidence),
        "confidence_source": conf_source,
        "weights": {"knowledge": KNOWLEDGE_WEIGHT, "confidence": CONFIDENCE_WEIGHT},
        "category_scores": category_scores,
        "questions_total": len(questions),
        "questions_answered": len(answered),
        "per_question": per_question,
        "strengths": _aggregate([list(e.get("strengths") or []) for e in evals], len(evals)),
        "improvements": _aggregate([list(e.get("improvements") or []) for e in evals], len(evals)),
        "feedback": feedback,
        "delivery": summary,
        "timeline": delivery["timeline"],
    }
