"""Final interview report from per-answer evaluations and the live metric events. Pure.

Two separate results (0..100 ints):

* content - ``knowledge_score`` (= ``content["score"]``): the mean of the answers' evaluation
  scores (``None`` with no evaluations). Each answer says where its score came from
  (``source_label``: "LLM (Groq)", "<method>, offline estimate", or "keyword matching, offline
  estimate" for older offline evaluations).
* delivery - ``delivery_score`` (also ``confidence_score``, the older name): pace, fillers and
  pauses over the answers' spans, eye contact and posture when a live, unfrozen camera saw a
  face (:mod:`analyzers.report_delivery`); a component that was not observed is left out and
  listed in ``delivery_not_observed``; ``None`` when nothing was observed.

``final_score`` is the content score (0 with no evaluation): delivery is shown next to it,
never mixed into it, so polished delivery cannot lift wrong answers. ``performance_level``
(of the final score): excellent >= 85, good >= 70, average >= 50, else poor. ``formula``
holds the content, delivery, final and level formulas as shown on the report page.

Feedback thresholds: pace above 165 wpm or below 110 wpm, eye contact under 60 %, more than
4 fillers per minute, more than 30 % of the answers' time in pauses, a poor posture label (not
"ok") in more than 30 % of the labelled readings, an older rubric category under 60, a
question under 50.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from analyzers.report_content import CATEGORIES, content_fields, content_formula
from analyzers.report_delivery import (
    delivery_result,
    num,
    pct,
    speech_from_answers,
    speech_from_metrics,
    vision,
)

#: final = CONTENT_WEIGHT x content (+ 0 x delivery); the older names are kept for callers.
CONTENT_WEIGHT = 1.0
KNOWLEDGE_WEIGHT = CONTENT_WEIGHT
CONFIDENCE_WEIGHT = 0.0
LEVELS = ((85, "excellent"), (70, "good"), (50, "average"))
WPM_FAST = 165.0
WPM_SLOW = 110.0
EYE_CONTACT_MIN = 0.60
FILLERS_MAX = 4.0
PAUSE_MAX = 0.30
POSTURE_BAD_MAX = 0.30
CATEGORY_MIN = 60
QUESTION_MIN = 50
MAX_TIMELINE_POINTS = 600
TOP_N = 5
_PER_QUESTION_PREFIXES = ("also address", "covered", "missing")
FINAL_FORMULA = "final score = content score (delivery is reported separately, not added)"
LEVEL_FORMULA = "level of the final score: excellent ≥ 85, good ≥ 70, average ≥ 50, else poor"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _confidence(value: Any) -> float | None:
    raw = value.get("score") if isinstance(value, dict) else value
    x = num(raw)
    return None if x is None else max(0.0, min(100.0, x))


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


def _timeline(events: list[dict]) -> dict[str, list[list[float]]]:
    """Chart series of the live metrics (eye contact without the frozen-camera ticks)."""
    pace, eye, conf = [], [], []
    for ev in events:
        t = num(ev.get("t"))
        if t is None:
            continue
        wpm = num(ev.get("wpm"))
        if wpm is not None and wpm > 0:
            pace.append([t, round(wpm, 1)])
        e = pct(ev.get("eye_contact")) if "eye_contact" in ev else None
        if e is not None and not ev.get("camera_frozen"):
            eye.append([t, round(100 * e, 1)])
        c = _confidence(ev.get("confidence")) if "confidence" in ev else None
        if c is not None:
            conf.append([t, round(c, 1)])
    return {"pace": _downsample(pace), "eye_contact": _downsample(eye),
            "confidence": _downsample(conf)}


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
        out.append(f"Fewer long pauses: {100 * pause:.0f}% of the time silent while answering")
    bad = {k: v for k, v in summary["posture"].items() if k != "ok"}
    if bad and sum(bad.values()) > POSTURE_BAD_MAX:
        worst = max(bad, key=lambda k: (bad[k], k))
        out.append(f"Sit upright: posture was {worst} {100 * bad[worst]:.0f}% of the time")
    if summary.get("camera_frozen"):
        out.append("Camera frozen (still frames): eye contact and posture were not used")
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


def _per_question(questions: list[dict], evals: list[dict]) -> list[dict[str, Any]]:
    out = []
    for i, (q, matched) in enumerate(zip(questions, _match(evals, questions), strict=True)):
        entry: dict[str, Any] = {
            "index": i, "question_id": q.get("id"), "question": q.get("text"),
            "skill": q.get("skill"), "type": q.get("type"), "difficulty": q.get("difficulty"),
            "answered": bool(matched), "score": None,
        }
        if matched:
            main = matched[0]
            entry["score"] = round(sum(float(e["score"]) for e in matched) / len(matched))
            entry["feedback"] = main.get("feedback", "")
            entry.update(content_fields(main))
            entry.setdefault("points_covered", [])
            entry.setdefault("points_missed", [])
        out.append(entry)
    return out


def build_report(
    *, evaluations: list[dict], metrics: list[dict], questions: list[dict]
) -> dict[str, Any]:
    """Aggregate one interview into its content and delivery results, feedback and chart
    series (see the module docstring).

    ``evaluations`` are evaluation dicts (`evaluation` event data), optionally with a
    ``question_id`` (without one they fill ``questions`` in order) and a ``delivery`` (the
    answer's :func:`analyzers.answer_metrics.answer_delivery`). Inputs are not modified.
    """
    evals = [e for e in evaluations or []
             if isinstance(e, dict) and num(e.get("score")) is not None]
    events = sorted(
        (m for m in metrics or [] if isinstance(m, dict)),
        key=lambda m: num(m.get("t")) if num(m.get("t")) is not None else -1.0,
    )
    questions = [q for q in questions or [] if isinstance(q, dict)]

    knowledge = _mean([max(0.0, min(100.0, float(e["score"]))) for e in evals])
    category_scores: dict[str, int | None] = {}
    for cat in CATEGORIES:
        vals = [max(0.0, min(1.0, x)) for e in evals if (x := num(e.get(cat))) is not None]
        category_scores[cat] = None if not vals else round(100 * sum(vals) / len(vals))

    speech = speech_from_answers([e.get("delivery") for e in evals]) or speech_from_metrics(events)
    seen = vision(events)
    summary = {**speech, **seen}
    delivery = delivery_result(speech, seen)
    final_score = round(CONTENT_WEIGHT * knowledge) if knowledge is not None else 0

    per_question = _per_question(questions, evals)
    feedback = _delivery_feedback(summary)
    legacy = [e for e in evals if not e.get("method")]  # the older rubric's evaluations
    for cat in CATEGORIES:
        vals = [max(0.0, min(1.0, x)) for e in legacy if (x := num(e.get(cat))) is not None]
        value = round(100 * sum(vals) / len(vals)) if vals else None
        if value is not None and value < CATEGORY_MIN:
            feedback.append(f"Improve answer {cat}: {value}/100 on average")
    answered = [p for p in per_question if p["answered"]]
    if answered:
        low = min(answered, key=lambda p: (p["score"], p["index"]))
        if low["score"] < QUESTION_MIN:
            feedback.append(f"Review {low['skill']}: scored {low['score']}/100 on "
                            f"question {low['index'] + 1}")
    if not feedback and (summary["wpm"] is not None or knowledge is not None):
        parts = [f"content {round(knowledge)}/100"] if knowledge is not None else []
        if summary["wpm"] is not None:
            parts.append(f"pace {summary['wpm']:.0f} wpm")
        feedback.append("Solid interview: " + ", ".join(parts))

    content = content_formula(evals, knowledge)
    return {
        "final_score": final_score,
        "performance_level": _level(final_score),
        "knowledge_score": content["score"],
        "content": content,
        "delivery_score": delivery["score"],
        "confidence_score": delivery["score"],
        "confidence_source": speech["source"] if delivery["score"] is not None else None,
        "delivery_components": delivery["components"],
        "delivery_not_observed": delivery["not_observed"],
        "weights": {"content": CONTENT_WEIGHT, "delivery": 0.0,
                    "delivery_components": delivery["weights"]},
        "formula": {"final": FINAL_FORMULA, "content": content["formula"],
                    "delivery": delivery["formula"], "level": LEVEL_FORMULA},
        "category_scores": category_scores,
        "questions_total": len(questions),
        "questions_answered": len(answered),
        "per_question": per_question,
        "strengths": _aggregate([list(e.get("strengths") or []) for e in evals], len(evals)),
        "improvements": _aggregate([list(e.get("improvements") or []) for e in evals], len(evals)),
        "feedback": feedback,
        "delivery": summary,
        "timeline": _timeline(events),
    }
