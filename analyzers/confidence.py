"""Delivery score (0-100; "confidence" in the live protocol) from speech and vision metrics.

Only observed components count: a component whose input is missing is left out (not 0, not
100) and the others reweighted. It measures delivery, not knowledge: the report shows it next
to the content score and never mixes the two (`analyzers.report`).
"""

from __future__ import annotations

#: Component weights (renormalised over the components that have data).
WEIGHTS = {"eye_contact": 30, "posture": 20, "pace": 20, "fillers": 15, "pauses": 15}
#: Eye-contact share that earns full marks (constant eye contact reads as staring).
EYE_CONTACT_FULL = 0.7
#: Posture label scores; "unknown" (or None) leaves the component out.
POSTURE_SCORES = {"ok": 100.0, "tilted": 60.0, "slouching": 40.0}
#: Words per minute: full marks inside IDEAL, falling linearly to 0 at the ZERO bounds.
PACE_IDEAL = (120.0, 160.0)
PACE_ZERO = (40.0, 240.0)
#: Fillers per minute: full marks up to FREE, 0 at ZERO.
FILLERS_FREE = 2.0
FILLERS_ZERO = 12.0
#: Share of speaking time spent in pauses: full marks up to OK, 0 at ZERO.
PAUSES_OK = 0.25
PAUSES_ZERO = 0.7


def _falloff(value: float, ok: float, zero: float) -> float:
    """100 at or below ``ok``, linearly down to 0 at ``zero``."""
    if value <= ok:
        return 100.0
    return max(0.0, 100.0 * (zero - value) / (zero - ok))


def _pace(wpm: float) -> float:
    low, high = PACE_IDEAL
    if wpm < low:
        return max(0.0, 100.0 * (wpm - PACE_ZERO[0]) / (low - PACE_ZERO[0]))
    return _falloff(wpm, high, PACE_ZERO[1])


def confidence_score(
    *,
    eye_contact: float | None,
    posture: str | None,
    wpm: float | None,
    fillers_per_min: float | None,
    pause_ratio: float | None,
) -> dict[str, object]:
    """Weighted score and per-component scores (ints, 0..100).

    Components whose input is ``None`` (or posture "unknown") are left out and the weights of
    the rest renormalised; with no input at all the score is ``None``.
    """
    comps: dict[str, float] = {}
    if eye_contact is not None:
        comps["eye_contact"] = 100.0 * min(1.0, max(0.0, eye_contact) / EYE_CONTACT_FULL)
    if posture in POSTURE_SCORES:
        comps["posture"] = POSTURE_SCORES[posture]
    if wpm is not None:
        comps["pace"] = _pace(wpm)
    if fillers_per_min is not None:
        comps["fillers"] = _falloff(fillers_per_min, FILLERS_FREE, FILLERS_ZERO)
    if pause_ratio is not None:
        comps["pauses"] = _falloff(pause_ratio, PAUSES_OK, PAUSES_ZERO)
    total_w = sum(WEIGHTS[k] for k in comps)
    score = round(sum(WEIGHTS[k] * v for k, v in comps.items()) / total_w) if total_w else None
    return {"score": score, "components": {k: round(v) for k, v in comps.items()}}
