"""Interview question plans from the bundled bank (offline, deterministic for a seed).

The bank (``question_bank.json``) holds areas (backend, frontend, data science, devops, mobile,
product management, security, general software engineering, behavioral). Each area has aliases
used to match a role / skills / job description, a vocabulary used by the answer evaluator, and
questions per difficulty. When the bank runs short, questions are generated from templates.
Text matching (key terms, stemming, fuzzy matching) is `analyzers.terms`.
"""

from __future__ import annotations

import difflib
import functools
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analyzers.terms import key_terms, words

DIFFICULTIES = ("beginner", "intermediate", "advanced")
QUESTION_TYPES = ("technical", "behavioral", "mixed")
MAX_QUESTIONS = 10
BANK_PATH = Path(__file__).with_name("question_bank.json")
GENERAL_AREA = "general"
BEHAVIORAL_AREA = "behavioral"


#: where a question comes from (`source` of a `question` event): the plan, the interviewer (a
#: follow-up) or a recruiter watching the interview
SOURCE_PLAN, SOURCE_INTERVIEWER, SOURCE_RECRUITER = "plan", "interviewer", "recruiter"


@dataclass
class Question:
    """One interview question with the points a good answer should cover."""

    id: str
    text: str
    type: str
    skill: str
    expected_points: list[str] = field(default_factory=list)
    difficulty: str = "intermediate"
    #: plausible but wrong statements; stating one lowers the offline score
    wrong_claims: list[str] = field(default_factory=list)
    #: a follow-up's points to probe (a subset of ``expected_points``, the parent's points)
    focus_points: list[str] = field(default_factory=list)
    #: other wordings of a point (point text -> list of phrasings) for plain-words answers
    aliases: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Build from a dict; raises ValueError on missing or ill-typed fields."""
        try:
            points = data["expected_points"] if "expected_points" in data else data["key_points"]
            if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
                raise ValueError("expected_points must be a list of strings")
            aliases = data.get("aliases") or {}
            if not isinstance(aliases, dict):
                raise ValueError("aliases must be an object of point -> list of strings")
            return cls(
                id=str(data["id"]),
                text=str(data["text"]),
                type=str(data["type"]),
                skill=str(data["skill"]),
                expected_points=list(points),
                difficulty=str(data.get("difficulty", "intermediate")),
                wrong_claims=_strings(data.get("wrong_claims"), "wrong_claims"),
                focus_points=_strings(data.get("focus_points"), "focus_points"),
                aliases={str(k): _strings(v, "aliases") for k, v in aliases.items()},
            )
        except KeyError as exc:
            name = "expected_points" if exc.args[0] == "key_points" else exc.args[0]
            raise ValueError(f"question is missing field {name!r}") from None


def _strings(value: Any, name: str) -> list[str]:
    """A list of strings from an optional field (missing or null -> [])."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return list(value)


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", text.lower())


# --------------------------------------------------------------------------- bank access


@functools.lru_cache(maxsize=1)
def load_bank() -> dict[str, Any]:
    """The bundled bank as parsed JSON (cached; treat as read-only)."""
    with BANK_PATH.open(encoding="utf-8") as fh:
        bank = json.load(fh)
    if not isinstance(bank.get("areas"), dict) or GENERAL_AREA not in bank["areas"]:
        raise RuntimeError(f"malformed question bank: {BANK_PATH}")
    return bank


def bank_questions(area: str, difficulty: str) -> list[Question]:
    """Questions of one area and difficulty as ``Question`` objects."""
    items = load_bank()["areas"].get(area, {}).get("questions", {}).get(difficulty, [])
    return [Question.from_dict({**item, "difficulty": difficulty}) for item in items]


def match_areas(text: str) -> dict[str, float]:
    """Score each bank area by how well ``text`` mentions its aliases (exact or fuzzy)."""
    toks = [_compact(t) for t in words(text.replace("/", " / "))]
    toks = [t for t in toks if t]
    singles = set(toks)
    grams: list[str] = list(toks)
    for n in (2, 3):
        grams += ["".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
    gram_set = set(grams)
    scores: dict[str, float] = {}
    for key, area in load_bank()["areas"].items():
        score = 0.0
        for alias in area.get("aliases", []):
            a = _compact(alias)
            if not a:
                continue
            if a in gram_set:
                score += 1.0
            elif " " not in alias.strip() and len(a) >= 6 and any(
                abs(len(g) - len(a)) <= 2 and difflib.SequenceMatcher(None, a, g).ratio() >= 0.85
                for g in singles
            ):  # typo tolerance for single words only ("kubernets", "devop")
                score += 0.8
        if score:
            scores[key] = score
    return scores


def area_for_skill(skill: str) -> str | None:
    """The bank area a skill belongs to: by a question's skill, else by alias match."""
    norm = skill.strip().lower()
    if not norm:
        return None
    for key, area in load_bank()["areas"].items():
        for items in area.get("questions", {}).values():
            if any(item.get("skill", "").lower() == norm for item in items):
                return key
    scores = match_areas(norm)
    if len(scores) > 1:
        scores.pop(GENERAL_AREA, None)
    return max(scores, key=lambda k: (scores[k], -len(k), k)) if scores else None


def skill_vocabulary(skill: str) -> list[str]:
    """Domain vocabulary used to judge answers about ``skill`` (empty when unknown)."""
    area = area_for_skill(skill)
    if area is None:
        return []
    return list(load_bank()["areas"][area].get("vocabulary", []))


# --------------------------------------------------------------------------- plan

TECH_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("How would you design a production-ready service that relies on {skill}? Walk me through "
     "the main components.",
     ("core {skill} concepts", "architecture and main components", "scalability and performance",
      "testing and monitoring", "trade-offs and alternatives")),
    ("What are the most common pitfalls when working with {skill}, and how do you avoid them?",
     ("common {skill} pitfalls", "prevention and best practices", "debugging approach",
      "concrete example")),
    ("How would you debug a performance problem in a system built with {skill}?",
     ("measure and profile first", "form a hypothesis about the bottleneck",
      "{skill} specific tuning", "verify the fix with metrics")),
    ("When would you choose {skill}, and when would you pick an alternative?",
     ("strengths of {skill}", "limitations of {skill}", "alternatives compared",
      "decision criteria for the use case")),
)
BEHAVIORAL_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tell me about a time you used {skill} to solve a difficult problem. What was the outcome?",
     ("situation and context", "your specific actions with {skill}", "measurable result",
      "lesson learned")),
    ("Tell me about a time you had to learn {skill} quickly. How did you approach it?",
     ("why {skill} was needed", "learning strategy", "applied it in practice", "result")),
    ("Describe a disagreement with a teammate about {skill} and how you resolved it.",
     ("the disagreement", "listened to the other view", "resolution based on data",
      "outcome for the team")),
    ("Tell me about a mistake you made while working with {skill} and what you changed "
     "afterwards.",
     ("what went wrong", "took responsibility", "how you fixed it",
      "process change to prevent it")),
)
_ADVANCED_SUFFIX = " Include how it behaves at scale and under failure."


def validate_plan_args(difficulty: str, question_type: str, num_questions: int) -> None:
    """Raise ValueError with a clear message for unsupported plan arguments."""
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}; got {difficulty!r}")
    if question_type not in QUESTION_TYPES:
        raise ValueError(
            f"question_type must be one of {', '.join(QUESTION_TYPES)}; got {question_type!r}"
        )
    if isinstance(num_questions, bool) or not isinstance(num_questions, int):
        raise ValueError(f"num_questions must be an integer; got {num_questions!r}")
    if not 1 <= num_questions <= MAX_QUESTIONS:
        raise ValueError(
            f"num_questions must be between 1 and {MAX_QUESTIONS}; got {num_questions}"
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


def _ranked_areas(role: str, skills: list[str], job_description: str) -> list[str]:
    """Specific areas that match, best first (general / behavioral are handled separately)."""
    total: dict[str, float] = {}
    for text, weight in ((role, 2.0), (" , ".join(skills), 1.5), (job_description, 0.5)):
        for key, score in match_areas(text).items():
            total[key] = total.get(key, 0.0) + weight * score
    specific = {
        k: v for k, v in total.items() if v > 0 and k not in (GENERAL_AREA, BEHAVIORAL_AREA)
    }
    return sorted(specific, key=lambda k: (-specific[k], k))


def _skill_affinity(question: Question, skill_terms: set[str]) -> int:
    if not skill_terms:
        return 0
    own = set(key_terms(" ".join([question.skill, question.text, *question.expected_points])))
    return len(own & skill_terms)


def _order(pool: list[Question], skill_terms: set[str], rng: random.Random) -> list[Question]:
    """Shuffle deterministically, then stable-sort by affinity to the candidate's skills."""
    pool = list(pool)
    rng.shuffle(pool)
    return sorted(pool, key=lambda q: -_skill_affinity(q, skill_terms))


def _templates(kind: str, difficulty: str, topics: list[str]) -> list[Question]:
    table = TECH_TEMPLATES if kind == "technical" else BEHAVIORAL_TEMPLATES
    out: list[Question] = []
    for t_index, (text, points) in enumerate(table):
        for topic in topics:
            q_text = text.format(skill=topic)
            if kind == "technical" and difficulty == "advanced" and t_index in (0, 2):
                q_text += _ADVANCED_SUFFIX
            out.append(Question(
                id=f"tpl-{kind[0]}{t_index + 1}-{_slug(topic)}",
                text=q_text,
                type=kind,
                skill=topic,
                expected_points=[p.format(skill=topic) for p in points],
                difficulty=difficulty,
            ))
    # interleave topics first so consecutive template questions cover different skills
    return sorted(out, key=lambda q: topics.index(q.skill))


def offline_question_plan(
    *,
    role: str,
    difficulty: str,
    question_type: str,
    num_questions: int,
    job_description: str = "",
    skills: list[str] | None = None,
    seed: int | None = None,
) -> list[Question]:
    """Pick ``num_questions`` distinct questions for a role from the bundled bank.

    Areas are ranked by fuzzy matches of role (strongest), skills and job description against
    bank aliases; questions matching the candidate's skills come first. Falls back to the general
    area, then to templates built from the skills. ``mixed`` interleaves technical and behavioral
    questions (technical first, ceil(n/2) of them). Deterministic for a given ``seed``.
    """
    validate_plan_args(difficulty, question_type, num_questions)
    skills = [s.strip() for s in (skills or []) if isinstance(s, str) and s.strip()]
    rng = random.Random(seed)
    areas = _ranked_areas(role or "", skills, job_description or "")
    skill_terms = set(key_terms(" ".join(skills)))

    tech_pool: list[Question] = []
    for area in [*areas, GENERAL_AREA]:
        tech_pool += _order(
            [q for q in bank_questions(area, difficulty) if q.type == "technical"],
            skill_terms, rng,
        )
    beh_pool: list[Question] = []
    for area in areas:  # role-specific behavioral questions (e.g. product management) first
        beh_pool += _order(
            [q for q in bank_questions(area, difficulty) if q.type == "behavioral"],
            skill_terms, rng,
        )
    beh_pool += _order(bank_questions(BEHAVIORAL_AREA, difficulty), skill_terms, rng)

    bank = load_bank()["areas"]
    area_names = [bank[a]["name"].lower() for a in areas]
    general_skills = sorted(
        {q["skill"] for items in bank[GENERAL_AREA]["questions"].values() for q in items}
    )
    topics = list(dict.fromkeys(
        [*skills, *area_names, *general_skills]
    ))
    tech_pool += _templates("technical", difficulty, topics)
    beh_pool += _templates("behavioral", difficulty, topics)

    if question_type == "technical":
        wanted = ["technical"] * num_questions
    elif question_type == "behavioral":
        wanted = ["behavioral"] * num_questions
    else:
        wanted = ["technical" if i % 2 == 0 else "behavioral" for i in range(num_questions)]

    chosen: list[Question] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    pools = {"technical": iter(tech_pool), "behavioral": iter(beh_pool)}
    for kind in wanted:
        for q in pools[kind]:
            norm_text = _compact(q.text)
            if q.id in seen_ids or norm_text in seen_texts:
                continue
            seen_ids.add(q.id)
            seen_texts.add(norm_text)
            chosen.append(q)
            break
        else:  # pragma: no cover - templates x topics always exceed MAX_QUESTIONS
            raise RuntimeError(f"question bank exhausted for {kind} questions")
    return chosen
