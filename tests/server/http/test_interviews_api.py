"""Interviews API: creation with a question plan, the auth and ownership matrix (REST and both
WebSockets), listing with pagination and filters, statistics. Runs on both backends."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import websockets

from media.frames import KIND_AUDIO
from media.simulate import spectate_url, ws_url
from tests.support.db import JWT_SECRET, make_admin, register


def call(srv, method: str, path: str, who: dict | None = None, **kw) -> httpx.Response:
    headers = dict(who["headers"]) if who else {}
    headers.update(kw.pop("headers", {}))
    return httpx.request(method, f"{srv.url}{path}", headers=headers, timeout=30, **kw)


def create(srv, who: dict | None = None, **body) -> dict:
    r = call(srv, "POST", "/api/interviews", who, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] and err["message"]
    return err


@pytest.fixture(scope="module")
def people(api_server):
    return {
        "cand_a": register(api_server, "candidate"),
        "cand_b": register(api_server, "candidate"),
        "rec_owner": register(api_server, "recruiter"),
        "rec_invited": register(api_server, "recruiter"),
        "rec_other": register(api_server, "recruiter"),
        "admin": make_admin(api_server),
    }


@pytest.fixture(scope="module")
def recruiters_interview(api_server, people):
    """rec_owner's interview of cand_a, rec_invited invited."""
    return create(
        api_server, people["rec_owner"], title="Onsite", job_role="Backend Engineer",
        difficulty="advanced", question_type="technical", num_questions=3,
        candidate_id=people["cand_a"]["user"]["id"],
        recruiter_ids=[people["rec_invited"]["user"]["id"]],
    )


# --------------------------------------------------------------------------- creation


def test_anonymous_quick_interview_keeps_working(api_server, people):
    body = create(api_server)
    assert set(body) >= {"id", "candidate_token", "spectator_token", "room_url", "status"}
    assert body["status"] == "pending" and body["created_by"] is None
    assert body["num_questions"] == 0 and body["questions"] == [] and body["plan_source"] == ""
    assert body["room_url"].endswith(f"/room/{body['id']}?token={body['candidate_token']}")
    # reachable with its tokens, not by other users
    path = f"/api/interviews/{body['id']}"
    assert error_of(call(api_server, "GET", path), 401)["code"] == "unauthorized"
    got = call(api_server, "GET", path, params={"token": body["candidate_token"]})
    assert got.status_code == 200 and got.json()["candidate_token"] == body["candidate_token"]
    got = call(api_server, "GET", path, params={"token": body["spectator_token"]})
    assert got.status_code == 200 and "candidate_token" not in got.json()
    assert error_of(call(api_server, "GET", path, params={"token": "wrong"}), 404)
    assert error_of(call(api_server, "GET", path, people["cand_a"]), 404)
    assert error_of(call(api_server, "DELETE", path, people["rec_other"]), 404)
    assert call(api_server, "GET", path, people["admin"]).status_code == 200


def test_anonymous_interview_with_a_plan(api_server):
    body = create(api_server, job_role="Data Engineer", num_questions=2,
                  question_type="behavioral", difficulty="beginner")
    assert len(body["questions"]) == 2 and body["plan_source"] == "offline"
    assert all(q["type"] == "behavioral" for q in body["questions"])
    assert all(q["expected_points"] for q in body["questions"])


def test_candidate_creates_a_planned_interview_for_themselves(api_server, people):
    me = people["cand_a"]
    body = create(api_server, me, job_role="Frontend Developer", difficulty="intermediate",
                  question_type="mixed", num_questions=4, skills=["React", "CSS"])
    uid = me["user"]["id"]
    assert body["created_by"] == uid and body["candidate_id"] == uid
    assert body["difficulty"] == "intermediate" and body["question_type"] == "mixed"
    assert body["num_questions"] == 4 and len(body["questions"]) == 4
    assert body["plan_source"] in ("offline", "groq")
    assert {q["type"] for q in body["questions"]} == {"technical", "behavioral"}
    # the candidate does not see the answer key before the interview
    assert all("expected_points" not in q for q in body["questions"])
    assert body["candidate_token"] and body["room_url"]
    assert "spectator_token" not in body  # it would show the staff events
    stored = api_server.store.get_interview(body["id"])
    assert len(stored.questions) == 4 and all(q["expected_points"] for q in stored.questions)
    assert stored.settings.get("skills") == ["React", "CSS"]


def test_role_or_job_without_a_count_gets_the_default_plan(api_server, people):
    body = create(api_server, people["cand_a"], job_role="QA Engineer")
    assert body["num_questions"] == 5 and len(body["questions"]) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"difficulty": "expert"}, "difficulty"),
        ({"question_type": "trivia"}, "question_type"),
        ({"num_questions": 0}, "num_questions"),
        ({"num_questions": 11}, "num_questions"),
        ({"num_questions": "3"}, "num_questions"),
        ({"num_questions": True}, "num_questions"),
        ({"title": 5}, "title"),
        ({"job_role": "x" * 201}, "job_role"),
        ({"job_id": 987654}, "job_id"),
        ({"job_id": "abc"}, "job_id"),
        ({"skills": [1]}, "skills"),
    ],
)
def test_creation_validation_is_422(api_server, people, body, field):
    r = call(api_server, "POST", "/api/interviews", people["rec_owner"], json=body)
    err = error_of(r, 422)
    assert err["code"] == "validation" and field in err["fields"], err


def test_who_may_assign_people(api_server, people):
    cand_a, rec = people["cand_a"], people["rec_owner"]
    # anonymous callers cannot assign anybody
    r = call(api_server, "POST", "/api/interviews",
             json={"candidate_id": cand_a["user"]["id"]})
    assert error_of(r, 401)["code"] == "unauthorized"
    # a candidate cannot create for somebody else or invite recruiters
    for body in ({"candidate_id": people["cand_b"]["user"]["id"]},
                 {"recruiter_ids": [rec["user"]["id"]]}):
        r = call(api_server, "POST", "/api/interviews", cand_a, json=body)
        assert error_of(r, 403)["code"] == "forbidden"
    # a recruiter: the candidate must be a candidate account, invitees recruiters
    bad = [
        ({"candidate_id": people["rec_other"]["user"]["id"]}, "candidate_id"),
        ({"candidate_id": 10**8}, "candidate_id"),
        ({"candidate_email": "nobody@example.com"}, "candidate_email"),
        ({"recruiter_ids": [cand_a["user"]["id"]]}, "recruiter_ids"),
        ({"recruiter_ids": "1,2"}, "recruiter_ids"),
    ]
    for body, field in bad:
        err = error_of(call(api_server, "POST", "/api/interviews", rec, json=body), 422)
        assert field in err["fields"], (body, err)
    body = create(api_server, rec, candidate_email=cand_a["user"]["email"].upper(),
                  recruiter_ids=[people["rec_invited"]["user"]["id"], rec["user"]["id"]])
    assert body["candidate_id"] == cand_a["user"]["id"]
    assert body["created_by"] == rec["user"]["id"]
    assert body["recruiter_ids"] == [people["rec_invited"]["user"]["id"]]


def test_interview_from_a_saved_job(api_server, people):
    rec = people["rec_owner"]
    job = call(api_server, "POST", "/api/jobs", rec, json={
        "title": "Site Reliability Engineer", "description": "Kubernetes, incident response",
        "skills": ["Kubernetes", "Linux"], "experience": "4 years"}).json()
    body = create(api_server, rec, job_id=job["id"], num_questions=3,
                  question_type="technical")
    assert body["job_id"] == job["id"] and body["job_role"] == "Site Reliability Engineer"
    assert len(body["questions"]) == 3
    assert all(q["expected_points"] for q in body["questions"])  # the recruiter sees the key
    # anonymous callers cannot use saved jobs
    r = call(api_server, "POST", "/api/interviews", json={"job_id": job["id"]})
    assert error_of(r, 401)


# --------------------------------------------------------------------------- ownership matrix


def test_ownership_matrix_rest(api_server, people, recruiters_interview):
    iid = recruiters_interview["id"]
    path = f"/api/interviews/{iid}"
    # creator: everything, with the answer key
    owner = call(api_server, "GET", path, people["rec_owner"]).json()
    assert owner["candidate_token"] == recruiters_interview["candidate_token"]
    assert owner["spectator_token"] == recruiters_interview["spectator_token"]
    assert all(q["expected_points"] for q in owner["questions"])
    # its candidate: its token (to join), not the spectator token, no answer key before the end
    cand = call(api_server, "GET", path, people["cand_a"])
    assert cand.status_code == 200
    assert cand.json()["candidate_token"] == recruiters_interview["candidate_token"]
    assert "spectator_token" not in cand.json()
    assert all("expected_points" not in q for q in cand.json()["questions"])
    # an invited recruiter: the spectator token only
    invited = call(api_server, "GET", path, people["rec_invited"])
    assert invited.status_code == 200
    assert "candidate_token" not in invited.json() and "room_url" not in invited.json()
    assert invited.json()["spectator_token"] == recruiters_interview["spectator_token"]
    assert all(q["expected_points"] for q in invited.json()["questions"])
    # an admin sees it, without the candidate's token
    admin = call(api_server, "GET", path, people["admin"]).json()
    assert "candidate_token" not in admin and admin["spectator_token"]
    # another candidate or recruiter: it does not exist for them
    for who in ("cand_b", "rec_other"):
        assert error_of(call(api_server, "GET", path, people[who]), 404)["code"] == "not_found"
        assert error_of(call(api_server, "DELETE", path, people[who]), 404)
        listing = call(api_server, "GET", "/api/interviews", people[who]).json()
        assert iid not in [i["id"] for i in listing["items"]]
        # nor can they read its events without a token
        events = call(api_server, "GET", f"{path}/events", people[who])
        assert error_of(events, 403)["code"] == "forbidden"
    # visible but not theirs to delete
    for who in ("cand_a", "rec_invited"):
        assert error_of(call(api_server, "DELETE", path, people[who]), 403)["code"] == "forbidden"
    # visible users read its events without a token
    assert call(api_server, "GET", f"{path}/events", people["rec_invited"]).status_code == 200
    # no login at all
    assert error_of(call(api_server, "DELETE", path), 401)
    assert error_of(call(api_server, "GET", "/api/interviews"), 401)


def _jwt(user_id: int, secret: str = JWT_SECRET, exp_offset: int = 600) -> dict:
    now = int(time.time())
    token = jwt.encode({"sub": str(user_id), "iat": now - 1000, "exp": now + exp_offset,
                        "iss": "interview-stream"}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def test_expired_or_forged_jwt_is_401_everywhere(api_server, people, recruiters_interview):
    uid = people["rec_owner"]["user"]["id"]
    path = f"/api/interviews/{recruiters_interview['id']}"
    bad_headers = [_jwt(uid, exp_offset=-30), _jwt(uid, secret="x" * 40),
                   {"Authorization": "Bearer " + "a.b.c"}]
    for headers in bad_headers:
        for method, url in (("GET", path), ("DELETE", path), ("GET", "/api/interviews"),
                            ("POST", "/api/interviews"), ("GET", "/api/users/me/stats"),
                            ("GET", "/api/jobs")):
            r = call(api_server, method, url, headers=headers, json={} if method == "POST"
                     else None)
            err = error_of(r, 401)
            assert err["code"] in ("token_expired", "invalid_token"), (method, url, err)
    assert call(api_server, "GET", path, headers=_jwt(uid)).status_code == 200


async def test_ownership_matrix_websockets(api_server, people, recruiters_interview):
    iid = recruiters_interview["id"]
    spectator_token = recruiters_interview["spectator_token"]
    # a spectator token cannot send media: the candidate socket refuses it
    async with websockets.connect(ws_url(api_server.url, iid, spectator_token)) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403
    # another candidate cannot get the candidate token (404 above), and a guess is refused
    async with websockets.connect(ws_url(api_server.url, iid, "guessed-token")) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403
    # the spectator socket is read-only: media sent on it is refused
    async with websockets.connect(spectate_url(api_server.url, iid, spectator_token)) as ws:
        await ws.send(bytes([KIND_AUDIO]) + b"\x00\x00" * 160)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert reply["type"] == "error" and reply["code"] == "read_only"
    # watching with an account: the invited recruiter may, another candidate may not
    base = spectate_url(api_server.url, iid, "")
    invited = people["rec_invited"]["access_token"]
    async with websockets.connect(f"{base}&access_token={invited}") as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "pong"
    other = people["cand_b"]["access_token"]
    async with websockets.connect(f"{base}&access_token={other}") as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403


async def test_delete_rules_and_live_interviews(api_server, people):
    owner = people["rec_owner"]
    body = create(api_server, owner, candidate_id=people["cand_a"]["user"]["id"])
    path = f"/api/interviews/{body['id']}"
    async with websockets.connect(ws_url(api_server.url, body["id"], body["candidate_token"])) \
            as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert hello["type"] == "hello" and hello["ready_seq"] == ready["seq"]
        assert ready["type"] == "state" and ready["state"] == "ready"
        r = await asyncio.to_thread(call, api_server, "DELETE", path, owner)
        assert error_of(r, 409)["code"] == "live"
    # the socket closed without `stop`: the candidate may come back within RESUME_GRACE_S
    await asyncio.sleep(0.2)
    assert api_server.store.get_interview(body["id"]).status == "live"
    assert error_of(await asyncio.to_thread(call, api_server, "DELETE", path, owner),
                    409)["code"] == "live"
    for _ in range(100):  # then the session ends
        if api_server.store.get_interview(body["id"]).status != "live":
            break
        await asyncio.sleep(0.05)
    assert api_server.store.get_interview(body["id"]).status == "abandoned"
    r = await asyncio.to_thread(call, api_server, "DELETE", path, owner)
    assert r.status_code == 204
    assert api_server.store.get_interview(body["id"]) is None
    assert api_server.store.events(body["id"]) == []
    r = await asyncio.to_thread(call, api_server, "GET", path, owner)
    assert error_of(r, 404)
    # an admin deletes anybody's; a candidate deletes their own
    other = create(api_server, people["rec_other"])
    r = await asyncio.to_thread(call, api_server, "DELETE", f"/api/interviews/{other['id']}",
                                people["admin"])
    assert r.status_code == 204
    mine = create(api_server, people["cand_b"])
    r = await asyncio.to_thread(call, api_server, "DELETE", f"/api/interviews/{mine['id']}",
                                people["cand_b"])
    assert r.status_code == 204


# --------------------------------------------------------------------------- listing


@pytest.fixture(scope="module")
def history(api_server, people):
    """A recruiter with 6 interviews of a fresh candidate: roles, statuses, scores, dates."""
    rec = register(api_server, "recruiter")
    cand = register(api_server, "candidate")
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    rows = [  # job_role, status, final_score, days after base
        ("Backend Engineer", "completed", 55.0, 0),
        ("Backend Engineer", "completed", 72.5, 1),
        ("Frontend Developer", "completed", 90.0, 2),
        ("frontend developer", "abandoned", None, 3),
        ("Data Scientist", "pending", None, 4),
        ("Data Scientist", "completed", 81.0, 5),
    ]
    ids = []
    for role, status, score, day in rows:
        body = create(api_server, rec, job_role=role, candidate_id=cand["user"]["id"],
                      num_questions=1, practice=day != 5)  # the last one is recruiter-run
        fields = {"status": status, "created_at": base + timedelta(days=day)}
        if status in ("completed", "abandoned"):
            fields["ended_at"] = base + timedelta(days=day, minutes=30)
        if score is not None:
            fields.update(final_score=score, knowledge_score=score - 5,
                          confidence_score=score + 5, performance_level="good")
        api_server.store.update_interview(body["id"], **fields)
        ids.append(body["id"])
    return {"rec": rec, "cand": cand, "ids": ids}


def listing(srv, who, **params) -> dict:
    r = call(srv, "GET", "/api/interviews", who, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_list_is_mine_newest_first_and_paginated(api_server, history):
    ids = history["ids"]
    for who in (history["rec"], history["cand"]):
        page = listing(api_server, who)
        assert [i["id"] for i in page["items"]] == ids[::-1]
        assert page["total"] == 6 and page["page"] == 1 and page["page_size"] == 20
        assert "questions" not in page["items"][0]  # summaries
    page2 = listing(api_server, history["rec"], page=2, page_size=4)
    assert [i["id"] for i in page2["items"]] == ids[::-1][4:] and page2["total"] == 6
    assert listing(api_server, history["rec"], page=9)["items"] == []
    items = listing(api_server, history["rec"])["items"]
    assert all(i["candidate_token"] for i in items)  # the creator's own interviews


def test_list_filters(api_server, history):
    rec, ids = history["rec"], history["ids"]

    def found(**params) -> list[str]:
        return [i["id"] for i in listing(api_server, rec, **params)["items"]][::-1]

    assert found(status="completed") == [ids[0], ids[1], ids[2], ids[5]]
    assert found(status="abandoned,pending") == [ids[3], ids[4]]
    assert found(role="FRONTEND") == [ids[2], ids[3]]
    assert found(role="backend eng") == [ids[0], ids[1]]
    assert found(created_from="2025-03-02", created_to="2025-03-03") == [ids[1], ids[2]]
    assert found(created_from="2025-03-04T12:00:00Z") == [ids[3], ids[4], ids[5]]
    assert found(created_to="2025-03-01T12:00:00+00:00") == []  # exclusive end
    assert found(min_score=70) == [ids[1], ids[2], ids[5]]
    assert found(min_score=60, max_score=85) == [ids[1], ids[5]]
    assert found(max_score=55) == [ids[0]]
    assert found(status="completed", role="data", min_score=80) == [ids[5]]
    assert listing(api_server, rec, status="completed", page_size=1)["total"] == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "status"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"created_to": "2025-13-01"}, "created_to"),
        ({"min_score": "high"}, "min_score"),
        ({"max_score": "101"}, "max_score"),
        ({"min_score": "80", "max_score": "20"}, "min_score"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "-1"}, "page"),
    ],
)
def test_list_filter_validation(api_server, people, params, field):
    r = call(api_server, "GET", "/api/interviews", people["cand_a"], params=params)
    err = error_of(r, 422)
    assert err["code"] == "validation" and field in err["fields"]


def test_admin_lists_everything_and_recruiters_see_invitations(api_server, people,
                                                             recruiters_interview, history):
    anonymous = create(api_server)
    everything = listing(api_server, people["admin"], page_size=100)
    ids = {i["id"] for i in everything["items"]}
    assert {anonymous["id"], recruiters_interview["id"], *history["ids"]} <= ids
    invited = listing(api_server, people["rec_invited"], page_size=100)
    invited_ids = [i["id"] for i in invited["items"]]
    assert recruiters_interview["id"] in invited_ids
    assert not set(history["ids"]) & set(invited_ids)
    item = next(i for i in invited["items"] if i["id"] == recruiters_interview["id"])
    assert "candidate_token" not in item and item["spectator_token"]


# --------------------------------------------------------------------------- stats


def test_my_stats(api_server, history, people):
    r = call(api_server, "GET", "/api/users/me/stats", history["cand"])
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["total"] == 6 and stats["completed"] == 4
    # the recruiter-run interview's judgments are the recruiters': not in the candidate's stats
    assert stats["average_score"] == round((55 + 72.5 + 90) / 3, 1)
    assert stats["best_score"] == 90.0
    assert stats["average_knowledge"] == round((50 + 67.5 + 85) / 3, 1)
    assert stats["average_confidence"] == round((60 + 77.5 + 95) / 3, 1)
    trend = stats["trend"]
    assert [t["final_score"] for t in trend] == [55.0, 72.5, 90.0]  # oldest first
    assert [t["id"] for t in trend] == [history["ids"][i] for i in (0, 1, 2)]
    assert trend[0]["date"].startswith("2025-03-01T12:30")
    # a user without interviews
    fresh = register(api_server, "candidate")
    empty = call(api_server, "GET", "/api/users/me/stats", fresh).json()
    assert empty == {"total": 0, "completed": 0, "average_score": None, "best_score": None,
                     "average_confidence": None, "average_knowledge": None, "trend": []}
    assert error_of(call(api_server, "GET", "/api/users/me/stats"), 401)


def test_unknown_interview_is_404(api_server, people):
    path = f"/api/interviews/{uuid.uuid4().hex}"
    for method in ("GET", "DELETE"):
        assert error_of(call(api_server, method, path, people["admin"]), 404)
