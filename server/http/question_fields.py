"""Validation of recruiter-authored questions (`questions` of a new interview or of a job).

A question is `{"text", "key_points": [...], "wrong_claims": [...], "question_type", "skill"}`:
`text` 1-1,000 characters; up to 10 key points and 10 wrong claims of 1-300 characters each;
`question_type` "technical" (default) or "behavioral". An interview or job holds 1-10 of them.
Errors name the field, e.g. `questions[2].key_points[0]`.
"""

from __future__ import annotations

from typing import Any

from analyzers.questions import MAX_QUESTIONS
from analyzers.story_beats import beat_of

AUTHORED_TYPES = ("technical", "behavioral")
MAX_QUESTION_TEXT = 1000
MAX_ITEMS = 10
MAX_ITEM = 300
MAX_SKILL = 60
KNOWN = frozenset({"text", "key_points", "wrong_claims", "question_type", "skill"})


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _items(value: Any, name: str, fields: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        fields[name] = "must be a list of strings"
        return []
    if len(value) > MAX_ITEMS:
        fields[name] = f"at most {MAX_ITEMS} items"
        return []
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            fields[f"{name}[{i}]"] = "must be a non-empty string"
        elif len(_one_line(item)) > MAX_ITEM:
            fields[f"{name}[{i}]"] = f"at most {MAX_ITEM} characters"
        else:
            out.append(_one_line(item))
    return out


def _question(item: Any, i: int, difficulty: str, fields: dict[str, str]) -> dict[str, Any]:
    name = f"questions[{i}]"
    if not isinstance(item, dict):
        fields[name] = "must be an object with text and key_points"
        return {}
    for key in sorted(set(item) - KNOWN):
        fields[f"{name}.{key}"] = "unknown field"
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        fields[f"{name}.text"] = "required: the question, 1 to 1000 characters"
        text = ""
    elif len(_one_line(text)) > MAX_QUESTION_TEXT:
        fields[f"{name}.text"] = f"at most {MAX_QUESTION_TEXT} characters"
    qtype = item.get("question_type", "technical")
    if qtype not in AUTHORED_TYPES:
        fields[f"{name}.question_type"] = f"must be one of {', '.join(AUTHORED_TYPES)}"
    skill = item.get("skill", "")
    if not isinstance(skill, str) or len(skill) > MAX_SKILL:
        fields[f"{name}.skill"] = f"a string of at most {MAX_SKILL} characters"
        skill = ""
    points = _items(item.get("key_points"), f"{name}.key_points", fields)
    claims = _items(item.get("wrong_claims"), f"{name}.wrong_claims", fields)
    return {"id": f"r{i + 1}", "text": _one_line(text) if isinstance(text, str) else "",
            "type": qtype if qtype in AUTHORED_TYPES else "technical",
            "skill": _one_line(skill), "expected_points": points, "wrong_claims": claims,
            "difficulty": difficulty}


def clean_questions(value: Any, fields: dict[str, str],
                    difficulty: str = "intermediate") -> list[dict[str, Any]]:
    """The authored questions as stored question dicts (`analyzers.questions.Question`
    fields); problems are added to `fields` (the caller answers 422)."""
    if not isinstance(value, list):
        fields["questions"] = "must be a list of questions"
        return []
    if not 1 <= len(value) <= MAX_QUESTIONS:
        fields["questions"] = f"from 1 to {MAX_QUESTIONS} questions"
        return []
    return [_question(item, i, difficulty, fields) for i, item in enumerate(value)]


def authored_view(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored questions in the API's authored shape (as a recruiter wrote them)."""
    return [{"text": q.get("text", ""), "key_points": list(q.get("expected_points") or []),
             "wrong_claims": list(q.get("wrong_claims") or []),
             "question_type": q.get("type", "technical"), "skill": q.get("skill", "")}
            for q in questions]


def question_warnings(questions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What the offline evaluator cannot judge in authored questions: key points that only
    name a story beat ("the situation", "what you learned"), and questions without any."""
    out: list[dict[str, str]] = []
    for i, q in enumerate(questions):
        points = list(q.get("expected_points") or [])
        if not points:
            out.append({"field": f"questions[{i}].key_points", "message": (
                "no key points: answers to this question are scored only on relevance and "
                "length (an offline estimate)")})
        for j, point in enumerate(points):
            if beat_of(point):
                out.append({"field": f"questions[{i}].key_points[{j}]", "message": (
                    f"{point!r} names a part of a story, not what a good answer says; the "
                    "offline evaluator matches meaning and cannot check it. Write the content "
                    "you expect, e.g. 'asked the teammate for their reasons'")})
    return out
