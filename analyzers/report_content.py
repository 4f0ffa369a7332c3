"""The content half of the report: where each answer's score came from, and the fields of an
evaluation the report passes on (new evaluator fields and older rubric fields alike; a field
an evaluation does not have is left out, never invented). Pure."""

from __future__ import annotations

from collections import Counter
from typing import Any

#: Evaluation fields passed on to the report when present (new evaluator, then older rubric).
CONTENT_FIELDS = ("method", "formula", "coverage", "points_covered", "points_missed",
                  "points_contradicted", "misconceptions", "evidence", "gates",
                  "keywords_mentioned", "accuracy", "clarity", "depth")
#: The older rubric's categories (0..1 in an evaluation, 0..100 in the report).
CATEGORIES = ("accuracy", "coverage", "clarity", "depth")
LLM_LABELS = {"groq": "LLM (Groq)"}
#: Offline evaluations without a `method` come from the older rubric, a vocabulary count.
OLD_OFFLINE_LABEL = "keyword matching, offline estimate"


def source_label(evaluation: dict) -> str:
    """A human label for where a score came from: "LLM (Groq)", "<method>, offline estimate",
    "keyword matching, offline estimate" (older offline evaluations)."""
    source = str(evaluation.get("source") or "")
    method = evaluation.get("method")
    method = method.strip() if isinstance(method, str) else ""
    if source in LLM_LABELS:
        return LLM_LABELS[source] + (f": {method}" if method and "llm" not in method.lower()
                                     else "")
    if source == "offline":
        if not method:
            return OLD_OFFLINE_LABEL
        return method if "offline" in method.lower() else f"{method}, offline estimate"
    return method or source or "unknown"


def content_fields(evaluation: dict) -> dict[str, Any]:
    """The evaluation's content fields that it has, the older 0..1 categories as 0..100."""
    out: dict[str, Any] = {}
    for key in CONTENT_FIELDS:
        if key not in evaluation or evaluation[key] is None:
            continue
        value = evaluation[key]
        if key in CATEGORIES and isinstance(value, int | float) and not isinstance(value, bool):
            value = round(100 * max(0.0, min(1.0, float(value))))
        elif isinstance(value, list):
            value = list(value)
        out[key] = value
    out["source"] = evaluation.get("source")
    out["source_label"] = source_label(evaluation)
    return out


def content_formula(evaluations: list[dict], score: float | None) -> dict[str, Any]:
    """The report-level content result: score, how it is made, and its sources."""
    labels = Counter(source_label(e) for e in evaluations)
    sources = Counter(str(e.get("source") or "unknown") for e in evaluations)
    n = len(evaluations)
    made_of = ", ".join(f"{k} ×{v}" for k, v in labels.most_common())
    formula = (f"content score = mean of the {n} evaluated answers' scores"
               f" ({made_of})" if n else "content score: no answer was evaluated")
    methods = sorted({e["formula"] for e in evaluations if isinstance(e.get("formula"), str)})
    return {"score": None if score is None else round(score), "answers": n,
            "sources": dict(sources), "labels": dict(labels), "formula": formula,
            "answer_formulas": methods}
