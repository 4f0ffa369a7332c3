"""Evaluation of one spoken interview answer: the offline meaning match, or an LLM's verdict.

Offline (no key, ``source`` "offline"): the answer is cut into sentence units
(`analyzers.answer_text`), and each expected point is matched to its best unit by sentence
embeddings with a polarity check and the question's authored misconceptions
(`analyzers.answer_match`). The score is content only (delivery does not count)::

    score = 100 x clamp(min(1, coverage / full) - 0.20 x contradicted points
                        - 0.15 x misconceptions stated) x length factor x relevance factor

full = 0.85 (0.70 for behavioral questions); coverage = mean credit of the points (1 covered,
0..1 partial, 0 contradicted; a follow-up: 75 % its focus points, 25 % all the parent's
points); length factor = sqrt(words in sentences / 30), at most 1; relevance factor = share
of words in on-topic sentences / 0.6, at most 1.
Gates cap the score: empty (0), too_short (< 8 words, 30), not_sentences (a buzzword list, 25),
off_topic (15). Strengths and improvements name the points and quote the candidate's sentence.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from analyzers.answer_match import RELEVANT, MatchResult, match_answer, prepare
from analyzers.answer_text import split_units
from analyzers.embeddings import MODEL_LABEL
from analyzers.questions import Question

SHORT_ANSWER_WORDS = 3
MIN_WORDS = 8
FULL_LENGTH_WORDS = 30
FULL_COVERAGE = 0.85
#: behavioral points are story beats (situation, action, outcome) a good story often merges
FULL_COVERAGE_BEHAVIORAL = 0.70
CONTRADICTION_PENALTY = 0.20
MISCONCEPTION_PENALTY = 0.15
PENALTY_CAP = 0.6
ON_TOPIC_SHARE = 0.6
FOCUS_WEIGHT = 0.75
GATE_CAPS = {"empty": 0, "too_short": 30, "not_sentences": 25, "off_topic": 15}
QUOTE_WORDS = 22

METHOD_OFFLINE = f"meaning match ({MODEL_LABEL}) + misconception check, offline estimate"
METHOD_OPEN = f"relevance to the question ({MODEL_LABEL}) + length, no answer key, offline " \
              "estimate"
METHOD_LLM = "LLM (Groq)"
FORMULA_OFFLINE = ("100 x (min(1, coverage / 0.85, or 0.70 for behavioral) - 0.20 per "
                   "contradicted point - 0.15 per misconception stated) x length factor "
                   "(sqrt(words / 30), max 1) x relevance factor (on-topic share / 0.6, max 1); "
                   "gates cap it: empty 0, too_short 30, not_sentences 25, off_topic 15")
FORMULA_OPEN = ("100 x relevance (mean similarity of the sentences to the question, 0.20 -> 0, "
                "0.50 -> 1) x length factor (sqrt(words / 30), max 1); gates as for key-point "
                "answers")
FORMULA_LLM = "score given by the LLM from 0 to 100 against the expected points (clamped)"


@dataclass
class Evaluation:
    """Scored evaluation of one answer; ``source`` is "offline" or "groq"."""

    score: int
    feedback: str
    source: str = "offline"
    method: str = METHOD_OFFLINE
    formula: str = FORMULA_OFFLINE
    strengths: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    points_covered: list[str] = field(default_factory=list)
    points_missed: list[str] = field(default_factory=list)
    points_contradicted: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    gates: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)
    coverage: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """Build from a stored dict, old (accuracy / clarity / depth / keywords_mentioned,
        ignored) or new; raises ValueError when ``score`` is missing or not a number."""
        if "score" not in data:
            raise ValueError("evaluation is missing field 'score'")
        try:
            score = int(data["score"])
        except (TypeError, ValueError):
            raise ValueError("evaluation score is not a number") from None
        legacy = "accuracy" in data and "method" not in data
        comps = data.get("components") or {}
        return cls(
            score=score,
            feedback=str(data.get("feedback", "")),
            source=str(data.get("source", "offline")),
            method=str(data.get("method") or ("keyword rubric (legacy)" if legacy else "")),
            formula=str(data.get("formula", "")),
            strengths=_strs(data.get("strengths")),
            improvements=_strs(data.get("improvements")),
            points_covered=_strs(data.get("points_covered")),
            points_missed=_strs(data.get("points_missed")),
            points_contradicted=_strs(data.get("points_contradicted")),
            misconceptions=_strs(data.get("misconceptions")),
            evidence=[dict(e) for e in data.get("evidence") or [] if isinstance(e, dict)],
            gates=_strs(data.get("gates")),
            components={str(k): float(v) for k, v in comps.items()
                        if isinstance(v, int | float) and not isinstance(v, bool)},
            coverage=float(data.get("coverage") or 0.0),
        )


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def quote(sentence: str) -> str:
    """The candidate's sentence, trimmed to QUOTE_WORDS words."""
    toks = sentence.split()
    text = " ".join(toks[:QUOTE_WORDS]) + (" ..." if len(toks) > QUOTE_WORDS else "")
    return f"\u201c{text.strip(' ,')}\u201d"


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def evaluate_answer_offline(
    question: Question, answer: str, delivery: dict | None = None
) -> Evaluation:
    """Score ``answer`` by meaning (module doc). ``delivery`` is accepted and not used: pace
    and fillers are reported by the delivery analyser, not mixed into the content score."""
    del delivery
    units = split_units(answer or "")
    n_words = sum(u.n_words for u in units)
    if n_words == 0:
        return _empty(question)
    match = match_answer(question.text, list(question.expected_points), question.aliases,
                         list(question.wrong_claims), units)
    sentence_words = sum(u.n_words for u in units if u.sentence_like)
    on_topic = sum(u.n_words for u, r in zip(units, _smoothed(match.relevance), strict=True)
                   if u.sentence_like and r >= RELEVANT)
    share = on_topic / n_words
    length = min(1.0, math.sqrt(sentence_words / FULL_LENGTH_WORDS))
    relevance = min(1.0, share / ON_TOPIC_SHARE)
    gates: list[str] = []
    if n_words < MIN_WORDS:
        gates.append("too_short")
    if sentence_words <= 0.5 * n_words:
        gates.append("not_sentences")
    if share < 0.35 or max(match.relevance, default=0.0) < RELEVANT:
        gates.append("off_topic")
    if not question.expected_points:
        return _open_evaluation(question, units, match, length, gates)

    by_point = {m.point: m for m in match.points}
    focus = [p for p in question.focus_points if p in by_point]
    mean_all = sum(m.credit for m in match.points) / len(match.points)
    coverage = mean_all
    if focus:
        mean_focus = sum(by_point[p].credit for p in focus) / len(focus)
        coverage = FOCUS_WEIGHT * mean_focus + (1 - FOCUS_WEIGHT) * mean_all
    contradicted = [m.point for m in match.points if m.status == "contradicted"]
    misconceptions = [claim for claim, _, _ in match.misconceptions]
    penalty = min(PENALTY_CAP, CONTRADICTION_PENALTY * len(contradicted)
                  + MISCONCEPTION_PENALTY * len(misconceptions))
    full = FULL_COVERAGE_BEHAVIORAL if question.type == "behavioral" else FULL_COVERAGE
    knowledge = min(1.0, coverage / full)
    raw = _clamp(knowledge - penalty) * length * relevance
    score = _capped(round(100 * raw), gates)
    missed_pool = focus or list(question.expected_points)
    evaluation = Evaluation(
        score=score, feedback="", coverage=round(coverage, 3), gates=gates,
        points_covered=[m.point for m in match.points if m.status == "covered"],
        points_missed=[p for p in missed_pool if by_point[p].status == "missed"],
        points_contradicted=contradicted, misconceptions=misconceptions,
        evidence=[{"point": m.point, "status": m.status, "sentence": m.sentence,
                   "similarity": m.similarity} for m in match.points],
        components={"coverage": round(coverage, 3), "knowledge": round(knowledge, 3),
                    "penalty": round(penalty, 3), "length": round(length, 3),
                    "relevance": round(relevance, 3), "on_topic_share": round(share, 3),
                    "words": float(n_words)},
    )
    _advice(evaluation, match, n_words)
    return evaluation


def _smoothed(relevance: list[float]) -> list[float]:
    """A story's detail sentence next to a clearly on-topic one counts as on topic."""
    out = []
    for i, r in enumerate(relevance):
        near = max(relevance[max(0, i - 1) : i + 2])
        out.append(max(r, RELEVANT) if r >= 0.12 and near >= RELEVANT + 0.15 else r)
    return out


def prepare_questions(questions: list[Question]) -> None:
    """Load the model and embed the questions' points and misconceptions now (e.g. when the
    plan is made), so the first answer to each costs no more than the others."""
    for q in questions:
        prepare(q.text, list(q.expected_points), q.aliases, list(q.wrong_claims))


def _capped(score: int, gates: list[str]) -> int:
    for gate in gates:
        score = min(score, GATE_CAPS[gate])
    return max(0, min(100, score))


def _empty(question: Question) -> Evaluation:
    points = list(question.focus_points or question.expected_points)
    return Evaluation(
        score=0, gates=["empty"], points_missed=points,
        feedback="No answer was given (empty transcript), so there is nothing to score.",
        improvements=["Answer the question out loud in a few full sentences."],
        evidence=[{"point": p, "status": "missed", "sentence": None, "similarity": 0.0}
                  for p in question.expected_points],
        components={"coverage": 0.0, "length": 0.0, "relevance": 0.0, "words": 0.0},
        method=METHOD_OFFLINE if question.expected_points else METHOD_OPEN,
        formula=FORMULA_OFFLINE if question.expected_points else FORMULA_OPEN,
    )


def open_score(relevance: float, length: float, gates: list[str]) -> int:
    """Score of an answer to a question with no expected points (FORMULA_OPEN)."""
    return _capped(round(100 * _clamp(relevance) * _clamp(length)), gates)


def _open_evaluation(question: Question, units: list, match: MatchResult, length: float,
                     gates: list[str]) -> Evaluation:
    rel = [r for u, r in zip(units, match.relevance, strict=True) if u.sentence_like]
    mean_rel = sum(rel) / len(rel) if rel else 0.0
    relevance = _clamp((mean_rel - 0.20) / 0.30)
    score = open_score(relevance, length, gates)
    best = max(zip(match.relevance, units, strict=True), key=lambda x: x[0], default=None)
    strengths = ([f"On the question when you said {quote(best[1].text)}"]
                 if best is not None and best[0] >= 0.45 and "off_topic" not in gates else [])
    improvements = _gate_advice(gates, sum(u.n_words for u in units))
    if not improvements and relevance < 0.6:
        improvements.append("Answer the question more directly: say how it applies to you.")
    feedback = (f"Offline estimate {score}/100, judged without an answer key: how closely the "
                f"answer addresses the question and its length.")
    return Evaluation(score=score, feedback=feedback, method=METHOD_OPEN, formula=FORMULA_OPEN,
                      strengths=strengths, improvements=improvements, gates=gates,
                      components={"relevance": round(relevance, 3), "length": round(length, 3),
                                  "mean_similarity": round(mean_rel, 3)})


def _gate_advice(gates: list[str], n_words: int) -> list[str]:
    out = []
    if "too_short" in gates:
        out.append(f"Answer in a few full sentences: {n_words} words are too few to show what "
                   "you know.")
    if "not_sentences" in gates:
        out.append("Explain in full sentences: a list of terms does not show how they fit "
                   "together.")
    if "off_topic" in gates:
        out.append("Stay on the question: most of the answer was about something else.")
    return out


def _advice(ev: Evaluation, match: MatchResult, n_words: int) -> None:
    """Strengths, improvements and feedback from the point statuses (quoting the answer)."""
    covered = [m for m in match.points if m.status == "covered"]
    covered.sort(key=lambda m: -m.similarity)
    ev.strengths = [f"Covered \u201c{m.point}\u201d: you said {quote(m.sentence or '')}"
                    for m in covered[:3]]
    improvements = _gate_advice(ev.gates, n_words)
    for m in match.points:
        if m.status == "contradicted":
            improvements.append(f"You said {quote(m.sentence or '')}, which contradicts a key "
                                f"point: {m.point}.")
    for claim, sentence, _ in match.misconceptions:
        improvements.append(f"You said {quote(sentence)}; that is a common misconception "
                            f"(\u201c{claim}\u201d is not right).")
    improvements += [f"Not covered: {p}." for p in ev.points_missed[:3]]
    ev.improvements = improvements
    total = len(match.points)
    parts = [f"Offline estimate {ev.score}/100: you covered {len(ev.points_covered)} of "
             f"{total} key points"]
    if ev.points_contradicted:
        parts.append(f", contradicted {len(ev.points_contradicted)}")
    if ev.misconceptions:
        n = len(ev.misconceptions)
        parts.append(f", and stated {n} misconception{'s' if n > 1 else ''}")
    text = "".join(parts) + "."
    if covered:
        text += f" Best: {quote(covered[0].sentence or '')} ({covered[0].point})."
    if ev.points_contradicted:
        text += f" Recheck: {ev.points_contradicted[0]}."
    elif ev.points_missed:
        text += f" Missing: {'; '.join(ev.points_missed[:2])}."
    if ev.gates:
        text += " " + _gate_advice(ev.gates, n_words)[0]
    ev.feedback = text


# --------------------------------------------------------------------------- LLM verdicts

LLM_EVAL_SCHEMA = """{"score": integer 0-100 (content only: correctness and coverage of the
  expected points; a wrong or contradicted point costs more than a missing one),
  "feedback": str (2-3 sentences to the candidate), "strengths": [str], "improvements": [str],
  "points_covered": [str], "points_missed": [str], "points_contradicted": [str]
  (expected points verbatim), "misconceptions": [str] (false claims the candidate made),
  "evidence": [{"point": str, "status": "covered" | "missed" | "contradicted",
  "sentence": str | null (the candidate's words)}]}"""


def _llm_list(data: dict[str, Any], key: str, max_items: int = 8, max_len: int = 300) -> list:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of strings")
    return [v.strip()[:max_len] for v in value if v.strip()][:max_items]


def evaluation_from_llm(question: Question, data: dict[str, Any]) -> Evaluation:
    """An Evaluation (source "groq") from an LLM's JSON (LLM_EVAL_SCHEMA); raises ValueError
    on a missing / non-numeric score or ill-typed lists. Points are kept only when they are
    the question's own expected points (case-insensitive)."""
    raw = data.get("score")
    if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
        raise ValueError("score must be a number")
    feedback = data.get("feedback")
    if not isinstance(feedback, str) or not feedback.strip():
        raise ValueError("feedback must be a non-empty string")
    canon = {p.strip().lower(): p for p in question.expected_points}

    def points(key: str) -> list[str]:
        found = [canon.get(p.lower()) for p in _llm_list(data, key, max_items=20)]
        return list(dict.fromkeys(p for p in found if p))

    covered, contradicted = points("points_covered"), points("points_contradicted")
    covered = [p for p in covered if p not in contradicted]
    missed = [p for p in points("points_missed") if p not in covered and p not in contradicted]
    missed += [p for p in question.expected_points
               if p not in covered and p not in contradicted and p not in missed]
    quotes: dict[str, str] = {}
    for item in data.get("evidence") or []:
        if isinstance(item, dict) and isinstance(item.get("sentence"), str):
            point = canon.get(str(item.get("point", "")).strip().lower())
            if point:
                quotes[point] = item["sentence"].strip()[:400]
    status = {**{p: "missed" for p in missed}, **{p: "covered" for p in covered},
              **{p: "contradicted" for p in contradicted}}
    total = len(question.expected_points)
    return Evaluation(
        score=max(0, min(100, round(raw))), feedback=feedback.strip()[:800], source="groq",
        method=METHOD_LLM, formula=FORMULA_LLM,
        strengths=_llm_list(data, "strengths", 5), improvements=_llm_list(data, "improvements", 5),
        points_covered=covered, points_missed=missed, points_contradicted=contradicted,
        misconceptions=_llm_list(data, "misconceptions", 5),
        evidence=[{"point": p, "status": status[p], "sentence": quotes.get(p),
                   "similarity": 0.0} for p in question.expected_points],
        coverage=round(len(covered) / total, 3) if total else 0.0,
        components={"llm_score": float(max(0, min(100, raw)))},
    )
