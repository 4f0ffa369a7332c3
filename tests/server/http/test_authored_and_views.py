"""Recruiter-authored questions (interviews and jobs) and who sees what of them: the answer key
and the judgments stay with the recruiters of a recruiter-run interview; practice is the
candidate's own. Runs on both backends."""

from __future__ import annotations

import pytest

from tests.server.http.test_interviews_api import call, create, error_of
from tests.support.db import register

AUTHORED = [
    {"text": "How would you make a payment API safe to retry?", "question_type": "technical",
     "skill": "api design",
     "key_points": ["an idempotency key sent by the client", "the server stores the result of "
                    "the first request and replays it", "keys expire after a retention window"],
     "wrong_claims": ["retrying a POST is always safe", "a GET request changes state"]},
    {"text": "Tell me about a time you disagreed with a product manager.",
     "question_type": "behavioral",
     "key_points": ["the situation and what was at stake", "how you listened to their view",
                    "the outcome and what you learned"]},
]


@pytest.fixture(scope="module")
def people(api_server):
    return {"rec": register(api_server, "recruiter"), "cand": register(api_server, "candidate")}


def test_an_interview_with_authored_questions(api_server, people):
    body = create(api_server, people["rec"], job_role="Backend Engineer", questions=AUTHORED,
                  candidate_id=people["cand"]["user"]["id"])
    assert body["plan_source"] == "recruiter" and body["num_questions"] == 2
    assert body["practice"] is False  # a recruiter's interview is recruiter-run
    q = body["questions"]
    assert [x["id"] for x in q] == ["r1", "r2"]
    assert q[0]["expected_points"] == AUTHORED[0]["key_points"]
    assert q[0]["wrong_claims"] == AUTHORED[0]["wrong_claims"]
    assert q[1]["type"] == "behavioral" and q[1]["wrong_claims"] == []
    # a key point that only names a story beat cannot be judged offline: the recruiter is told
    assert [w["field"] for w in body["warnings"]] == ["questions[1].key_points[2]"]
    assert "names a part of a story" in body["warnings"][0]["message"]
    # the candidate sees the questions, never their answer key, nor any judgment
    mine = call(api_server, "GET", f"/api/interviews/{body['id']}", people["cand"]).json()
    assert [x["text"] for x in mine["questions"]] == [a["text"] for a in AUTHORED]
    assert all("expected_points" not in x and "wrong_claims" not in x
               for x in mine["questions"])
    assert "idempotency" not in str(mine)
    assert mine["final_score"] is None and "report" not in mine and mine["practice"] is False
    # by its candidate token alike; the recruiter sees everything
    by_token = call(api_server, "GET", f"/api/interviews/{body['id']}",
                    params={"token": body["candidate_token"]}).json()
    assert "idempotency" not in str(by_token)
    own = call(api_server, "GET", f"/api/interviews/{body['id']}", people["rec"]).json()
    assert own["questions"][0]["expected_points"] == AUTHORED[0]["key_points"]


@pytest.mark.parametrize("questions, field", [
    ([], "questions"),
    ([{"text": f"Question {i}?", "key_points": ["a"]} for i in range(11)], "questions"),
    ("What is a cache?", "questions"),
    ([{"key_points": ["a"]}], "questions[0].text"),
    ([{"text": "   "}], "questions[0].text"),
    ([{"text": "x" * 1001}], "questions[0].text"),
    ([{"text": "Fine?", "key_points": "not a list"}], "questions[0].key_points"),
    ([{"text": "Fine?"}, {"text": "Fine?", "key_points": ["ok", ""]}],
     "questions[1].key_points[1]"),
    ([{"text": "Fine?", "wrong_claims": ["y" * 301]}], "questions[0].wrong_claims[0]"),
    ([{"text": "Fine?", "key_points": ["p"] * 11}], "questions[0].key_points"),
    ([{"text": "Fine?", "question_type": "mixed"}], "questions[0].question_type"),
    ([{"text": "Fine?", "answer": "42"}], "questions[0].answer"),
    (["just text"], "questions[0]"),
])
def test_bad_authored_questions_are_422_with_the_field(api_server, people, questions, field):
    r = call(api_server, "POST", "/api/interviews", people["rec"],
             json={"job_role": "Backend Engineer", "questions": questions})
    err = error_of(r, 422)
    assert field in err["fields"], err


def test_num_questions_must_agree_with_the_questions(api_server, people):
    r = call(api_server, "POST", "/api/interviews", people["rec"],
             json={"questions": AUTHORED, "num_questions": 5})
    assert "num_questions" in error_of(r, 422)["fields"]
    assert create(api_server, people["rec"], questions=AUTHORED,
                  num_questions=2)["num_questions"] == 2


def test_jobs_keep_authored_questions_and_plan_interviews_with_them(api_server, people):
    r = call(api_server, "POST", "/api/jobs", people["rec"],
             json={"title": "Payments engineer", "questions": AUTHORED[:1]})
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["questions"] == [{**AUTHORED[0], "skill": "api design"}]
    got = call(api_server, "GET", f"/api/jobs/{job['id']}", people["rec"]).json()
    assert got["questions"][0]["key_points"] == AUTHORED[0]["key_points"]
    bad = call(api_server, "PATCH", f"/api/jobs/{job['id']}", people["rec"],
               json={"questions": [{"text": ""}]})
    assert "questions[0].text" in error_of(bad, 422)["fields"]
    interview = create(api_server, people["rec"], job_id=job["id"], difficulty="advanced")
    assert interview["plan_source"] == "recruiter"
    assert [q["text"] for q in interview["questions"]] == [AUTHORED[0]["text"]]
    assert interview["questions"][0]["difficulty"] == "advanced"
    # a job without questions still gets a generated plan
    plain = call(api_server, "POST", "/api/jobs", people["rec"], json={"title": "Data Scientist"})
    planned = create(api_server, people["rec"], job_id=plain.json()["id"], num_questions=2)
    assert planned["plan_source"] == "offline" and len(planned["questions"]) == 2


def test_who_practises(api_server, people):
    cand = people["cand"]
    own = create(api_server, cand, job_role="Backend Engineer", num_questions=1)
    assert own["practice"] is True
    refused = call(api_server, "POST", "/api/interviews", cand,
                   json={"job_role": "Backend Engineer", "practice": False})
    assert "practice" in error_of(refused, 422)["fields"]
    assert create(api_server, None, job_role="Backend Engineer",
                  num_questions=1)["practice"] is True
    assert create(api_server, None, num_questions=1, job_role="QA",
                  practice=False)["practice"] is False
    trial = create(api_server, people["rec"], job_role="QA", num_questions=1, practice=True,
                   candidate_id=cand["user"]["id"])
    assert trial["practice"] is True
    bad = call(api_server, "POST", "/api/interviews", people["rec"],
               json={"job_role": "QA", "practice": "yes"})
    assert "practice" in error_of(bad, 422)["fields"]
