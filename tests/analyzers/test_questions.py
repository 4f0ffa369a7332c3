"""Question bank and offline question plans."""

from __future__ import annotations

import pytest

from analyzers.questions import (
    DIFFICULTIES,
    Question,
    area_for_skill,
    load_bank,
    offline_question_plan,
    skill_vocabulary,
)
from analyzers.terms import key_terms, phrase_overlap, stem, term_set


def plan(**kw) -> list[Question]:
    args = {"role": "Software Engineer", "difficulty": "intermediate", "question_type": "technical",
            "num_questions": 5, "seed": 7}
    args.update(kw)
    return offline_question_plan(**args)


def test_bank_is_complete_and_well_formed():
    areas = load_bank()["areas"]
    technical_areas = [k for k in areas if k != "behavioral"]
    assert len(technical_areas) >= 8
    for wanted in ("backend", "frontend", "data_science", "devops", "mobile",
                   "product_management", "general", "behavioral"):
        assert wanted in areas
    ids: set[str] = set()
    for key, area in areas.items():
        assert area["aliases"] and area["vocabulary"], key
        assert set(area["questions"]) == set(DIFFICULTIES), key
        for difficulty, items in area["questions"].items():
            assert len(items) >= 4, (key, difficulty)
            for item in items:
                assert item["id"] not in ids
                ids.add(item["id"])
                assert item["type"] in ("technical", "behavioral")
                assert item["text"].strip().endswith(("?", ".")), item["id"]
                assert item["skill"].strip()
                assert 3 <= len(item["expected_points"]) <= 5, item["id"]
                assert all(key_terms(p) for p in item["expected_points"]), item["id"]
    behavioral = areas["behavioral"]["questions"]
    assert all(q["type"] == "behavioral" for qs in behavioral.values() for q in qs)
    assert len(ids) >= 100


@pytest.mark.parametrize(
    ("role", "skills", "prefix"),
    [
        ("Senior Backend Engineer", [], "be-"),
        ("Front-end developer", [], "fe-"),
        ("Data Scientist", [], "ds-"),
        ("Site Reliability Engineer", [], "do-"),
        ("devop engineer", [], "do-"),  # typo still matches DevOps
        ("iOS developer", [], "mo-"),
        ("Product Manager", [], "pm-"),
        ("Engineer", ["Kubernetes", "Terraform"], "do-"),  # skills decide when the role is vague
    ],
)
def test_role_and_skills_select_the_matching_area(role, skills, prefix):
    questions = plan(role=role, skills=skills, num_questions=3)
    assert [q.id[: len(prefix)] for q in questions] == [prefix] * 3


def test_job_description_breaks_a_vague_role():
    jd = "You will build React and TypeScript user interfaces with great accessibility."
    questions = plan(role="Engineer", job_description=jd, num_questions=3)
    assert all(q.id.startswith("fe-") for q in questions)


def test_candidate_skill_questions_come_first():
    questions = plan(role="Backend developer", skills=["caching"], num_questions=2)
    assert questions[0].skill == "caching"


def test_unknown_role_falls_back_to_general():
    questions = plan(role="Astronaut", num_questions=4)
    assert all(q.id.startswith("ge-") for q in questions)


def test_plan_is_deterministic_for_a_seed_and_varies_across_seeds():
    a = plan(role="Backend engineer", question_type="mixed", num_questions=6, seed=3)
    b = plan(role="Backend engineer", question_type="mixed", num_questions=6, seed=3)
    assert [q.to_dict() for q in a] == [q.to_dict() for q in b]
    variants = {
        tuple(q.id for q in plan(role="Backend engineer", num_questions=3, seed=s))
        for s in range(10)
    }
    assert len(variants) > 1


def test_mixed_plan_alternates_types_technical_first():
    questions = plan(role="Frontend engineer", question_type="mixed", num_questions=5)
    assert [q.type for q in questions] == [
        "technical", "behavioral", "technical", "behavioral", "technical"
    ]


def test_behavioral_plan_has_only_behavioral_questions():
    questions = plan(role="Backend engineer", question_type="behavioral", num_questions=10)
    assert len(questions) == 10
    assert all(q.type == "behavioral" for q in questions)
    assert len({q.id for q in questions}) == 10


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_plans_carry_difficulty_and_have_no_duplicates(difficulty):
    questions = plan(role="Backend engineer", difficulty=difficulty, num_questions=10)
    assert len(questions) == 10
    assert len({q.id for q in questions}) == 10
    assert len({q.text.lower() for q in questions}) == 10
    assert all(q.difficulty == difficulty for q in questions)


def test_templates_fill_in_with_the_candidates_skill_when_the_bank_runs_short():
    questions = plan(role="Rust developer", skills=["Rust"], num_questions=10)
    templated = [q for q in questions if q.id.startswith("tpl-")]
    # only 4 general intermediate technical questions exist: the rest must be templates
    assert len(templated) == 6
    assert "Rust" in templated[0].text
    assert any("Rust" in p for p in templated[0].expected_points)
    assert 3 <= len(templated[0].expected_points) <= 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"difficulty": "expert"}, "difficulty must be one of beginner, intermediate, advanced"),
        ({"question_type": "oral"}, "question_type must be one of technical, behavioral, mixed"),
        ({"num_questions": 0}, "num_questions must be between 1 and 10"),
        ({"num_questions": 11}, "num_questions must be between 1 and 10"),
        ({"num_questions": "3"}, "num_questions must be an integer"),
        ({"num_questions": True}, "num_questions must be an integer"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan(**kwargs)


def test_question_round_trip_and_validation():
    q = plan(num_questions=1)[0]
    assert Question.from_dict(q.to_dict()) == q
    data = q.to_dict()
    del data["expected_points"]
    with pytest.raises(ValueError, match="expected_points"):
        Question.from_dict(data)


def test_stemming_and_fuzzy_term_matching():
    assert stem("caching") == stem("caches") == stem("cache")
    assert stem("indexes") == stem("indexing") == stem("index")
    assert stem("databases") == stem("database")
    assert stem("queries") == stem("query")
    # compounds in either spelling, and a transcription slip in a long word
    assert phrase_overlap("load balancer", term_set("we put a loadbalancer in front")) == 1.0
    assert phrase_overlap("B-tree index", term_set("a b tree indexing scheme")) == 1.0
    assert phrase_overlap("idempotency key", term_set("an idempotancy key header")) == 1.0
    assert phrase_overlap("connection pooling", term_set("we restarted the server")) == 0.0


def test_skill_vocabulary_lookup():
    assert area_for_skill("databases") == "backend"
    assert area_for_skill("kubernetes") == "devops"
    assert "index" in skill_vocabulary("databases")
    assert skill_vocabulary("underwater basket weaving") == []
