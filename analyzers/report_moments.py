"""The report's teaching part: flagged moments of the interview and 2-3 takeaways.

A *moment* is a second of the session clock worth replaying: a filler word (``filler``), a
pause of at least :data:`analyzers.delivery.LONG_PAUSE_S` between two words of an answer
(``pause``), a stretch of at least :data:`LOOK_AWAY_S` where a face was in view but not
looking at the camera (``look_away``), and the answer that missed a key point (``missed``).
A *takeaway* is a plain sentence with its evidence (the words said, or a number with its
norm) and the second to replay; they are ranked by how far the number is from its norm, and
a metric without data gives none. A *question start* is where each question asked begins on
the session clock (its `question` event's time), for the charts' markers (Q1, Q2, ...).
"""

from __future__ import annotations

from typing import Any

from analyzers.delivery import LONG_PAUSE_S
from analyzers.fillers import FILLER_SOUNDS, count_fillers
from analyzers.report_delivery import num

LOOK_AWAY_S = 3.0
LOOK_AWAY_MAX = 0.4  # windowed eye contact under this: looking away
FILLERS_TYPICAL = 2.0  # per minute
WPM_LOW, WPM_HIGH = 120.0, 160.0
EYE_TYPICAL = 0.6
MAX_MOMENTS = 40
MAX_TAKEAWAYS = 3


def _clean(word: Any) -> str:
    return str(word or "").strip().strip(",.;:!?…\"'").lower()


def _in_answers(t: float, spans: list[tuple[float, float]]) -> bool:
    return any(a - 0.01 <= t <= b + 0.01 for a, b in spans)


def filler_moments(finals: list[dict], spans: list[tuple[float, float]]) -> list[dict]:
    out = []
    for f in finals:
        counts = count_fillers(str(f.get("text") or ""))
        if not counts or not _in_answers(float(f["start"]), spans):
            continue
        words = [w for w in f.get("words") or [] if isinstance(w, dict)]
        timed = [w for w in words if _clean(w.get("word")) in FILLER_SOUNDS
                 and num(w.get("start")) is not None]
        for w in timed:
            out.append({"t": round(float(w["start"]), 2), "kind": "filler",
                        "label": f"Filler “{_clean(w['word'])}”"})
        rest = sum(counts.values()) - len(timed)
        if rest > 0:
            names = ", ".join(f"“{k}”" for k in counts if k not in FILLER_SOUNDS)
            out.append({"t": round(float(f["start"]), 2), "kind": "filler",
                        "label": f"Filler {names}"})
    return out


def pause_moments(finals: list[dict], spans: list[tuple[float, float]]) -> list[dict]:
    out = []
    for a, b in spans:
        words = sorted((float(w["start"]), float(w["end"])) for f in finals
                       for w in f.get("words") or []
                       if isinstance(w, dict) and num(w.get("start")) is not None
                       and num(w.get("end")) is not None and a - 0.01 <= num(w["start"]) <= b)
        for (_, end), (start, _) in zip(words, words[1:], strict=False):
            if start - end >= LONG_PAUSE_S:
                gap = round(start - end, 1)
                out.append({"t": round(end, 2), "kind": "pause",
                            "label": f"Pause of {gap:.1f} s", "seconds": gap})
    return out


def look_away_moments(metrics: list[dict]) -> list[dict]:
    out, since = [], None
    for m in sorted((m for m in metrics if num(m.get("t")) is not None), key=lambda m: m["t"]):
        eye = num(m.get("eye_contact"))
        away = m.get("face_present") is True and not m.get("camera_frozen") \
            and eye is not None and eye < LOOK_AWAY_MAX
        if away and since is None:
            since = float(m["t"])
        elif not away and since is not None:
            if float(m["t"]) - since >= LOOK_AWAY_S:
                out.append({"t": round(since, 2), "kind": "look_away",
                            "label": f"Looked away for {float(m['t']) - since:.0f} s"})
            since = None
    return out


def missed_moments(answers: list[dict]) -> list[dict]:
    out = []
    for a in answers:
        missed = [p for p in a.get("points_missed") or [] if isinstance(p, str) and p]
        if missed and num(a.get("start")) is not None:
            out.append({"t": round(float(a["start"]), 2), "kind": "missed",
                        "label": f"Missed key point: {missed[0]}",
                        "question": a.get("question") or ""})
    return out


def moments(answers: list[dict], finals: list[dict], metrics: list[dict]) -> list[dict]:
    """The flagged moments in time order (at most :data:`MAX_MOMENTS`)."""
    spans = [(float(a["start"]), float(a["end"])) for a in answers
             if num(a.get("start")) is not None and num(a.get("end")) is not None]
    found = (filler_moments(finals, spans) + pause_moments(finals, spans)
             + look_away_moments(metrics) + missed_moments(answers))
    found.sort(key=lambda m: m["t"])
    return found[:MAX_MOMENTS]


def question_starts(asked: list[dict]) -> list[dict]:
    """Each question asked, in time order: {t, turn, index, label, title, question,
    is_follow_up, source}. ``asked`` are `question` event data with their ``t``; a turn
    counts once (its first event). Labels: ``Q2`` (planned question 2), ``Q2+`` (its
    follow-up), ``R1`` (the recruiter's first own question)."""
    out, seen, recruiter = [], set(), 0
    for q in sorted((q for q in asked if num(q.get("t")) is not None), key=lambda q: q["t"]):
        if q.get("turn") in seen:
            continue
        seen.add(q.get("turn"))
        index = q.get("index") if isinstance(q.get("index"), int) else None
        follow_up = bool(q.get("is_follow_up"))
        if index is None:
            recruiter += 1
            label, title = f"R{recruiter}", f"Recruiter's question {recruiter}"
        elif follow_up:
            label, title = f"Q{index + 1}+", f"Follow-up to question {index + 1}"
        else:
            label, title = f"Q{index + 1}", f"Question {index + 1}"
        out.append({"t": round(float(q["t"]), 2), "turn": q.get("turn"), "index": index,
                    "label": label, "title": title, "question": str(q.get("text") or ""),
                    "is_follow_up": follow_up, "source": q.get("source") or ""})
    return out


def _minutes(seconds: float) -> str:
    m = seconds / 60.0
    if m < 1.5:
        return f"{seconds:.0f} seconds"
    return f"{m:.0f} minutes"


def _first(found: list[dict], kind: str) -> float | None:
    return next((m["t"] for m in found if m["kind"] == kind), None)


def takeaways(report: dict[str, Any], found: list[dict]) -> list[dict]:
    """2-3 takeaways, most important first: {title, text, t, kind}; a metric without data
    gives none (``t`` may be None when no moment holds the evidence)."""
    d = report.get("delivery") or {}
    answers = report.get("answers") or []
    ranked: list[tuple[float, dict]] = []
    spoken = sum(num((a.get("delivery") or {}).get("speaking_s")) or 0.0 for a in answers)
    fillers = {k: v for k, v in (d.get("fillers") or {}).items() if v}
    count = int(d.get("filler_count") or sum(fillers.values()))
    fpm = num(d.get("fillers_per_min"))
    if fpm is not None and count and fpm >= FILLERS_TYPICAL and spoken > 0:
        top = max(fillers, key=lambda k: fillers[k]) if fillers else None
        said = f"“{top}” {fillers[top]} times" if top else f"filler words {count} times"
        if top and count > fillers[top]:
            said += f" ({count} fillers in all)"
        ranked.append((fpm / FILLERS_TYPICAL, {
            "kind": "filler", "title": "Cut the filler words",
            "text": f"You said {said} in {_minutes(spoken)} of answers - about {fpm:.0f} a "
                    f"minute; under {FILLERS_TYPICAL:.0f} is typical.",
            "t": _first(found, "filler")}))
    graded = [a for a in answers if num(a.get("score")) is not None]
    if graded:
        low = min(graded, key=lambda a: (a["score"], a.get("turn") or 0))
        missed = [p for p in low.get("points_missed") or [] if isinstance(p, str) and p]
        if low["score"] < 70:
            gap = f": it did not cover “{missed[0]}”" if missed else ""
            ranked.append(((70 - low["score"]) / 20 + 1, {
                "kind": "missed", "title": "Cover the key points",
                "text": f"Your answer to “{low.get('question') or 'a question'}” scored "
                        f"{round(low['score'])}/100{gap}. 70 or more is a good answer.",
                "t": num(low.get("start"))}))
    pauses = [m for m in found if m["kind"] == "pause"]
    if len(pauses) >= 2:
        longest = max(m["seconds"] for m in pauses)
        ranked.append((len(pauses) / 2, {
            "kind": "pause", "title": "Keep long pauses short",
            "text": f"You stopped for {LONG_PAUSE_S:.0f} seconds or more {len(pauses)} times "
                    f"in your answers (longest {longest:.1f} s); one or two is typical.",
            "t": pauses[0]["t"]}))
    wpm = num(d.get("wpm"))
    if wpm is not None and not WPM_LOW <= wpm <= WPM_HIGH:
        slow = wpm < WPM_LOW
        off = (WPM_LOW - wpm) / 20 if slow else (wpm - WPM_HIGH) / 20
        ranked.append((1 + off, {
            "kind": "pace", "title": "Speak a little faster" if slow else "Slow down a little",
            "text": f"You spoke at about {wpm:.0f} words a minute; {WPM_LOW:.0f}-"
                    f"{WPM_HIGH:.0f} is easy to follow.",
            "t": num(answers[0].get("start")) if answers else None}))
    eye = num(d.get("eye_contact"))
    if eye is not None and eye < EYE_TYPICAL:
        ranked.append((1 + (EYE_TYPICAL - eye) * 4, {
            "kind": "look_away", "title": "Look at the camera more",
            "text": f"You looked at the camera {100 * eye:.0f}% of the time; "
                    f"{100 * EYE_TYPICAL:.0f}% or more is typical.",
            "t": _first(found, "look_away")}))
    ranked.sort(key=lambda r: -r[0])
    out = [r[1] for r in ranked[:MAX_TAKEAWAYS]]
    if len(out) < 2 and graded:
        best = max(graded, key=lambda a: (a["score"], -(a.get("turn") or 0)))
        covered = [p for p in best.get("points_covered") or [] if isinstance(p, str) and p]
        what = f": you covered “{covered[0]}”" if covered else ""
        out.append({"kind": "strength", "title": "Keep doing this",
                    "text": f"Your best answer, to “{best.get('question') or 'a question'}”, "
                            f"scored {round(best['score'])}/100{what}.",
                    "t": num(best.get("start"))})
    if len(out) < 2 and wpm is not None and WPM_LOW <= wpm <= WPM_HIGH:
        out.append({"kind": "pace", "title": "Your pace was easy to follow",
                    "text": f"You spoke at about {wpm:.0f} words a minute; {WPM_LOW:.0f}-"
                            f"{WPM_HIGH:.0f} is typical.",
                    "t": num(answers[0].get("start")) if answers else None})
    return out
