"""Roles kept apart: the candidate (by its candidate token or signed in as the interview's
candidate) never gets the spectator token nor a `staff.*` event by any route (interview
detail and list, events API, report, spectator socket), while recruiters and spectator-token
holders still get them all."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.questions import Question, bank_questions
from server.events.model import Event
from tests.support.db import make_admin, register, serve_backend

SECRET_FOLLOW_UP = "SECRET follow-up waiting for approval"
SECRET_QUESTION = "SECRET recruiter question still queued"
ANSWER = "First, use EXPLAIN to read the query plan, then add an index on the filtered columns."


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    with serve_backend("sqlite", tmp_path_factory.mktemp("roles"), transcriber) as server:
        yield server


@pytest.fixture(scope="module")
def people(srv):
    return {"candidate": register(srv, "candidate"), "recruiter": register(srv, "recruiter"),
            "invited": register(srv, "recruiter"), "admin": make_admin(srv)}


def seed(srv, interview_id: str) -> None:
    """One answered question, with staff events around it, as a live session stores them."""
    q = Question.from_dict(bank_questions("backend", "intermediate")[0].to_dict())
    ev = evaluate_answer_offline(q, ANSWER, {"wpm": 150.0, "fillers_per_min": 1.0})
    now = time.time()
    base = {"index": 0, "turn": 0, "question_id": q.id, "is_follow_up": False}
    srv.store.add_events([
        Event(interview_id, 1, "question", 1.0, {**base, "text": q.text, "total": 1}, now),
        Event(interview_id, 2, "staff.question_queued", 2.0,
              {"id": "recruiter-1", "text": SECRET_QUESTION, "by": {}, "position": 1}, now),
        Event(interview_id, 3, "answer.completed", 9.0,
              {**base, "text": ANSWER, "start": 1.5, "end": 9.0, "reason": "pause"}, now),
        Event(interview_id, 4, "evaluation", 9.1,
              {**base, "question": q.text, **ev.to_dict(), "delivery": {}, "vision": {}}, now),
        Event(interview_id, 5, "staff.follow_up_pending", 9.2,
              {"id": "fu-1", "index": 0, "question_id": q.id, "text": SECRET_FOLLOW_UP,
               "turn": 1, "timeout_s": 20}, now),
        Event(interview_id, 6, "staff.follow_up_expired", 30.0,
              {"id": "fu-1", "index": 0, "question_id": q.id, "reason": "timeout"}, now),
    ])


STAFF_SEQS = {2, 5, 6}
ALL_SEQS = {1, 2, 3, 4, 5, 6}


@pytest.fixture(scope="module")
def interview(srv, people):
    r = httpx.post(f"{srv.url}/api/interviews", headers=people["recruiter"]["headers"],
                   timeout=30, json={"job_role": "Backend Engineer", "num_questions": 1,
                                     "candidate_id": people["candidate"]["user"]["id"],
                                     "recruiter_ids": [people["invited"]["user"]["id"]]})
    assert r.status_code == 201, r.text
    body = r.json()
    seed(srv, body["id"])
    return body


def bearer(person: dict) -> dict:
    return person["headers"]


def detail(srv, iid: str, **kw) -> dict:
    r = httpx.get(f"{srv.url}/api/interviews/{iid}", timeout=10, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_candidate_never_gets_the_spectator_token(srv, people, interview):
    iid, candidate = interview["id"], people["candidate"]
    assert "spectator_token" not in detail(srv, iid, headers=bearer(candidate))
    by_token = detail(srv, iid, params={"token": interview["candidate_token"]})
    assert "spectator_token" not in by_token and by_token["candidate_token"]
    listing = httpx.get(f"{srv.url}/api/interviews", headers=bearer(candidate), timeout=10)
    assert all("spectator_token" not in item for item in listing.json()["items"])
    # nor when it creates its own interview
    own = httpx.post(f"{srv.url}/api/interviews", headers=bearer(candidate), timeout=30,
                     json={"job_role": "QA Engineer", "num_questions": 1})
    assert own.status_code == 201 and "spectator_token" not in own.json()
    assert own.json()["candidate_token"] and own.json()["room_url"]
    # staff still get it
    for who in ("recruiter", "invited", "admin"):
        got = detail(srv, iid, headers=bearer(people[who]))
        assert got["spectator_token"] == interview["spectator_token"], who


def events_api(srv, iid: str, **kw) -> set[int]:
    r = httpx.get(f"{srv.url}/api/interviews/{iid}/events", timeout=10, **kw)
    assert r.status_code == 200, r.text
    return {e["seq"] for e in r.json()["events"]}


def test_the_events_api_leaves_staff_events_out_for_the_candidate(srv, people, interview):
    iid = interview["id"]
    # a recruiter-run interview: its candidate gets no evaluation either (seq 4)
    assert events_api(srv, iid, params={"token": interview["candidate_token"]}) == \
        ALL_SEQS - STAFF_SEQS - {4}
    assert events_api(srv, iid, headers=bearer(people["candidate"])) == \
        ALL_SEQS - STAFF_SEQS - {4}
    assert events_api(srv, iid, params={"token": interview["spectator_token"]}) == ALL_SEQS
    for who in ("recruiter", "invited", "admin"):
        assert events_api(srv, iid, headers=bearer(people[who])) == ALL_SEQS, who


def test_the_report_has_no_staff_data(srv, people, interview):
    iid = interview["id"]
    for kw in ({"params": {"token": interview["spectator_token"]}},
               {"headers": bearer(people["recruiter"])}):
        r = httpx.get(f"{srv.url}/api/interviews/{iid}/report", timeout=10, **kw)
        assert r.status_code == 200, r.text
        assert r.json()["answers"] and ANSWER in r.text
        assert "SECRET" not in r.text and "staff." not in r.text
        assert "spectator_token" not in r.text
    # the candidate of a recruiter-run interview gets no report at all
    for kw in ({"params": {"token": interview["candidate_token"]}},
               {"headers": bearer(people["candidate"])}):
        r = httpx.get(f"{srv.url}/api/interviews/{iid}/report", timeout=10, **kw)
        assert r.status_code == 403 and r.json()["error"]["code"] == "recruiters_only", r.text
        assert ANSWER not in r.text


async def spectate(srv, iid: str, query: str) -> list[dict] | int:
    """The events a spectator socket sends (until 1.5 s of silence), or its close code."""
    url = f"{srv.url.replace('http://', 'ws://')}/ws/interviews/{iid}/spectate?{query}"
    events = []
    async with websockets.connect(url) as ws:
        try:
            while True:
                events.append(json.loads(await asyncio.wait_for(ws.recv(), 1.5)))
        except TimeoutError:
            return events
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006


async def test_the_spectator_socket_filters_staff_events_for_the_candidate(srv, people,
                                                                          interview):
    iid = interview["id"]
    candidate = await spectate(srv, iid, f"access_token={people['candidate']['access_token']}")
    assert {e["seq"] for e in candidate} == ALL_SEQS - STAFF_SEQS, candidate
    assert not any(e["type"].startswith("staff.") for e in candidate)
    # its candidate token is no spectator token
    assert await spectate(srv, iid, f"token={interview['candidate_token']}") == 4403
    # staff see everything
    assert {e["seq"] for e in await spectate(srv, iid, f"token={interview['spectator_token']}")} \
        == ALL_SEQS
    for who in ("recruiter", "invited", "admin"):
        events = await spectate(srv, iid, f"access_token={people[who]['access_token']}")
        assert {e["seq"] for e in events} == ALL_SEQS, who


def test_tokens_match_in_constant_time_and_never_on_empty_tokens():
    from server.accounts.access import tokens_match

    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd") and not tokens_match("ab", "abc")
    assert not tokens_match("", "") and not tokens_match(None, "abc")
    assert not tokens_match("abc", None) and not tokens_match("é", "e")


def test_no_token_is_compared_with_a_plain_equality():
    """Every candidate / spectator token check goes through `tokens_match`
    (hmac.compare_digest); server/ws/candidate.py is the candidate socket's own."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "server"
    plain = re.compile(r"(==|!=|\bin\b)\s*\(?\s*interview\.(candidate|spectator)_token")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in [*root.glob("http/*.py"), *root.glob("accounts/*.py"),
                     root / "ws" / "spectator.py"]
        for n, line in enumerate(path.read_text().splitlines(), 1) if plain.search(line)
    ]
    assert not offenders
