"""Offline, rubric-based evaluation of one spoken interview answer.

Rubric (each component 0..1, ``score`` = round(100 * weighted sum)):

* accuracy 40 %  - distinct domain terms used (question skill vocabulary + expected points,
  5 hits = full marks) blended with coverage, minus a penalty for hedging ("I think", "maybe",
  "not sure", "I don't know").
* coverage 30 %  - share of expected points whose key terms (stemmed, >= half of them, typo
  tolerant) appear anywhere in the answer: word overlap, not exact substrings.
* clarity 20 %   - sentence length (6-25 words ideal), filler rate (<= 2 / min ideal, 0 at 12 / min;
  ``delivery['fillers_per_min']`` when given, else fillers counted in the text), structure words
  ("first", "because", "finally"...) and, with ``delivery['wpm']``, pace (110-165 wpm ideal).
* depth 10 %     - length (full at 120 words), examples ("for example", numbers, own projects) and
  trade-offs ("however", "downside", "depends").

Answers of 1-3 words get clarity and depth 0 and a quarter of accuracy / coverage.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from analyzers.questions import Question, skill_vocabulary
from analyzers.terms import key_terms, phrase_overlap, term_set

WEIGHTS = {"accuracy": 0.40, "coverage": 0.30, "clarity": 0.20, "depth": 0.10}
VOCAB_TARGET = 5
POINT_THRESHOLD = 0.5
SHORT_ANSWER_WORDS = 3
IDEAL_WPM = (110.0, 165.0)
FILLER_OK, FILLER_BAD = 2.0, 12.0

HEDGES = ("i think", "maybe", "probably", "i guess", "not sure", "kind of",
          "sort of", "perhaps", "i believe", "might be", "possibly")
STRONG_HEDGES = ("i don't know", "i do not know", "no idea", "not really sure", "can't remember",
                 "cannot remember", "don't remember")
FILLERS = ("um", "uh", "erm", "er", "ah", "uhm", "hmm", "mm", "you know", "i mean", "basically")
STRUCTURE = ("first", "firstly", "second", "secondly", "third", "then", "next", "finally",
             "because", "therefore", "so that", "as a result", "in summary", "overall",
             "in short", "to summarize", "the reason", "which means", "after that", "lastly")
EXAMPLES = ("for example", "for instance", "such as", "e.g", "in my last", "in my previous",
            "at my last", "in one project", "we had", "i once", "last year", "in practice",
            "a case where", "on my team", "in production")
TRADEOFFS = ("trade-off", "tradeoff", "trade off", "however", "on the other hand", "downside",
             "drawback", "versus", " vs ", "instead", "it depends", "depends on", "pros", "cons",
             "whereas", "although", "alternatively", "at the cost", "the risk", "but")

GENERIC_WORDS = frozenset({"first", "every", "each", "based", "after", "before", "only", "good",
                           "new", "small", "large", "per", "all", "same", "being", "two"})
_SENT_RE = re.compile(r"[.!?]+(?:\s|$)")
_NUM_RE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent|ms|x|k|m|gb|mb|seconds?|minutes?|hours?)?")


@dataclass
class Evaluation:
    """Scored evaluation of one answer; ``source`` is "offline" or "groq"."""

    score: int
    accuracy: float
    coverage: float
    clarity: float
    depth: float
    feedback: str
    strengths: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    keywords_mentioned: list[str] = field(default_factory=list)
    points_covered: list[str] = field(default_factory=list)
    points_missed: list[str] = field(default_factory=list)
    source: str = "offline"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """Build from a dict (extra keys ignored); raises ValueError on missing fields."""
        try:
            return cls(
                score=int(data["score"]),
                accuracy=float(data["accuracy"]),
                coverage=float(data["coverage"]),
                clarity=float(data["clarity"]),
                depth=float(data["depth"]),
                feedback=str(data.get("feedback", "")),
                strengths=[str(s) for s in data.get("strengths", [])],
                improvements=[str(s) for s in data.get("improvements", [])],
                keywords_mentioned=[str(s) for s in data.get("keywords_mentioned", [])],
                points_covered=[str(s) for s in data.get("points_covered", [])],
                points_missed=[str(s) for s in data.get("points_missed", [])],
                source=str(data.get("source", "offline")),
            )
        except KeyError as exc:
            raise ValueError(f"evaluation is missing field {exc.args[0]!r}") from None


def rubric_score(accuracy: float, coverage: float, clarity: float, depth: float) -> int:
    """Weighted rubric score 0..100 from components in 0..1."""
    total = (WEIGHTS["accuracy"] * accuracy + WEIGHTS["coverage"] * coverage
             + WEIGHTS["clarity"] * clarity + WEIGHTS["depth"] * depth)
    return max(0, min(100, round(100 * total)))


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _count_phrases(padded: str, phrases: tuple[str, ...]) -> list[str]:
    """Phrases found in `` text `` on word boundaries (text already lower-cased and padded)."""
    found = []
    for p in phrases:
        pattern = r"(?<![a-z0-9'])" + re.escape(p.strip()) + r"(?![a-z0-9'])"
        n = len(re.findall(pattern, padded))
        found += [p.strip()] * n
    return found


def _pace_score(wpm: float) -> float:
    lo, hi = IDEAL_WPM
    if wpm < lo:
        return _clamp(1 - (lo - wpm) / 60)
    if wpm > hi:
        return _clamp(1 - (wpm - hi) / 60)
    return 1.0


def _num(delivery: dict | None, key: str) -> float | None:
    value = (delivery or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def evaluate_answer_offline(
    question: Question, answer: str, delivery: dict | None = None
) -> Evaluation:
    """Score ``answer`` to ``question`` with the offline rubric (see module docstring)."""
    answer = (answer or "").strip()
    text = " " + re.sub(r"\s+", " ", answer.lower().replace("’", "'")) + " "
    tokens = re.findall(r"[a-z0-9']+", text)
    n_words = len(tokens)
    terms = term_set(answer)

    # coverage
    covered, missed = [], []
    for point in question.expected_points:
        (covered if phrase_overlap(point, terms) >= POINT_THRESHOLD else missed).append(point)
    coverage = len(covered) / len(question.expected_points) if question.expected_points else 0.0

    # accuracy: domain vocabulary hits + coverage - hedging
    vocab = [*skill_vocabulary(question.skill), question.skill]
    if len(vocab) < 10:  # skill unknown to the bank: judge by the expected points' own terms
        vocab += _point_keywords(question)
    vocab = list(dict.fromkeys(v.strip().lower() for v in vocab if v.strip()))
    mentioned = [v for v in vocab if phrase_overlap(v, terms) >= 1.0]
    hedges = _count_phrases(text, HEDGES)
    strong = _count_phrases(text, STRONG_HEDGES)
    hedge_penalty = min(0.5, 0.07 * len(hedges) + 0.25 * len(strong))
    kw_score = min(1.0, len(mentioned) / VOCAB_TARGET)
    accuracy = _clamp(0.6 * kw_score + 0.4 * coverage - hedge_penalty)

    # clarity
    sentences = [s for s in _SENT_RE.split(answer) if s.strip()]
    avg_len = n_words / max(1, len(sentences))
    if avg_len > 25:
        sentence_score = _clamp(1 - (avg_len - 25) / 25)
    elif avg_len < 6:
        sentence_score = avg_len / 6
    else:
        sentence_score = 1.0
    wpm = _num(delivery, "wpm")
    fpm = _num(delivery, "fillers_per_min")
    text_fillers = _count_phrases(text, FILLERS)
    if fpm is None:
        minutes = n_words / (wpm if wpm and wpm > 0 else 130.0)
        fpm = len(text_fillers) / minutes if minutes > 0 else 0.0
    filler_score = _clamp(1 - (fpm - FILLER_OK) / (FILLER_BAD - FILLER_OK))
    structure = sorted(set(_count_phrases(text, STRUCTURE)))
    structure_score = min(1.0, len(structure) / 3)
    if wpm and wpm > 0:
        clarity = (0.3 * sentence_score + 0.3 * filler_score + 0.25 * structure_score
                   + 0.15 * _pace_score(wpm))
    else:
        clarity = 0.35 * sentence_score + 0.35 * filler_score + 0.3 * structure_score

    # depth
    length_score = _clamp((n_words - 10) / 110)
    examples = _count_phrases(text, EXAMPLES) + _NUM_RE.findall(text)
    tradeoffs = _count_phrases(text, TRADEOFFS)
    depth = (0.5 * length_score + 0.25 * min(1.0, len(examples) / 2)
             + 0.25 * min(1.0, len(tradeoffs) / 2))

    short = n_words <= SHORT_ANSWER_WORDS
    if short:
        accuracy, coverage, clarity, depth = accuracy * 0.25, coverage * 0.25, 0.0, 0.0

    comps = {"accuracy": _clamp(accuracy), "coverage": _clamp(coverage),
             "clarity": _clamp(clarity), "depth": _clamp(depth)}
    score = rubric_score(**comps)

    strengths: list[str] = []
    improvements: list[str] = []
    if short:
        improvements.append(
            f"Answer was too short ({n_words} word{'s' if n_words != 1 else ''}): explain your "
            "reasoning in a few full sentences and cover the key points."
        )
    if covered and not short:
        strengths.append(f"Covered {len(covered)} of {len(question.expected_points)} key points: "
                         + "; ".join(covered[:3]))
    if missed:
        improvements.append("Also address: " + "; ".join(missed[:3]))
    if len(mentioned) >= VOCAB_TARGET and not short:
        strengths.append("Precise terminology: " + ", ".join(mentioned[:4]))
    if hedges or strong:
        uniq = sorted(set(hedges + strong))
        improvements.append(
            f"Sound more certain: hedged {len(hedges) + len(strong)} time(s) "
            f"({', '.join(repr(h) for h in uniq[:3])})"
        )
    if not short:
        if len(structure) >= 2:
            strengths.append("Clear structure (" + ", ".join(structure[:3]) + ")")
        elif n_words >= 40:
            improvements.append("Structure the answer: first ..., then ..., finally ...")
        if avg_len > 30:
            improvements.append(f"Use shorter sentences: about {avg_len:.0f} words each")
        if fpm > 4:
            improvements.append(f"Fewer filler words: {fpm:.1f} per minute")
        elif n_words >= 20 and score >= 50:
            strengths.append(f"Few filler words ({fpm:.1f} per minute)")
        if wpm and wpm > IDEAL_WPM[1]:
            improvements.append(f"Slow down: {wpm:.0f} wpm (aim for 120-160)")
        elif wpm and 0 < wpm < IDEAL_WPM[0]:
            improvements.append(f"Speak a little faster: {wpm:.0f} wpm (aim for 120-160)")
        if examples:
            strengths.append("Backed the answer with a concrete example")
        else:
            improvements.append("Add a concrete example or number from your experience")
        if question.type == "technical":
            if tradeoffs:
                strengths.append("Discussed trade-offs")
            else:
                improvements.append("Discuss trade-offs or when this approach does not fit")
        if n_words < 40:
            improvements.append(f"Go deeper: {n_words} words is brief for this question")

    feedback = _feedback_text(score, question, covered, missed, improvements, short, n_words)
    return Evaluation(
        score=score,
        accuracy=round(comps["accuracy"], 3),
        coverage=round(comps["coverage"], 3),
        clarity=round(comps["clarity"], 3),
        depth=round(comps["depth"], 3),
        feedback=feedback,
        strengths=strengths,
        improvements=improvements,
        keywords_mentioned=mentioned,
        points_covered=covered,
        points_missed=missed,
        source="offline",
    )


def _point_keywords(question: Question) -> list[str]:
    """Single key terms of the expected points (their original word form)."""
    out: list[str] = []
    for point in question.expected_points:
        for tok in re.findall(r"[A-Za-z0-9+#/\-]+", point):
            if len(tok) >= 4 and tok.lower() not in GENERIC_WORDS and key_terms(tok):
                out.append(tok.lower())
    return out


def _feedback_text(score: int, question: Question, covered: list[str], missed: list[str],
                   improvements: list[str], short: bool, n_words: int) -> str:
    total = len(question.expected_points)
    if short:
        return (f"Score {score}/100. The answer had only {n_words} word(s); "
                f"a complete answer to this {question.skill} question should cover: "
                + "; ".join(question.expected_points[:3]) + ".")
    parts = [f"Score {score}/100. Covered {len(covered)} of {total} key points."]
    if missed:
        parts.append("Missing: " + "; ".join(missed[:3]) + ".")
    extra = [i for i in improvements if not i.startswith("Also address")]
    if extra:
        parts.append("Next time: " + extra[0].rstrip(".") + ".")
    return " ".join(parts)
