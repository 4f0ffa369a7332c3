"""The list's `outcome` of each interview (completed, incomplete, abandoned, live, pending), its
`candidate`, the `candidate_id` filter, and the `summary` that counts the same rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from server.events.model import Event
from tests.support.db import RESUME_GRACE_S, register


def call(srv, who: dict, **params) -> httpx.Response:
    return httpx.get(f"{srv.url}/api/interviews", headers=who["headers"], params=params,
                     timeout=30)


def create(srv, who: dict, **body) -> dict:
    r = httpx.post(f"{srv.url}/api/interviews", headers=who["headers"], json=body, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def report(answered: int, total: int) -> dict:
    return {"questions_answered": answered, "questions_total": total, "final_score": 60.0}


@pytest.fixture(scope="module")
def outcomes(api_server):
    """A recruiter's interviews of two candidates, one of each outcome (and an orphan)."""
    rec = register(api_server, "recruiter")
    ana = register(api_server, "candidate", full_name="Ana Lima")
    ben = register(api_server, "candidate", full_name="")
    store = api_server.store
    made: dict[str, str] = {}

    def make(name: str, candidate: dict, **fields) -> None:
        body = create(api_server, rec, job_role=f"role {name}", num_questions=2,
                      candidate_id=candidate["user"]["id"])
        if fields:
            store.update_interview(body["id"], **fields)
        made[name] = body["id"]

    now = datetime.now(UTC)
    make("pending", ana)
    make("completed", ana, status="completed", started_at=now, ended_at=now,
         final_score=80.0, report=report(2, 2))
    # stopped after 18 s with 1 of 2 questions answered: stored "completed"
    make("incomplete", ana, status="completed", started_at=now, ended_at=now,
         final_score=40.0, report=report(1, 2))
    make("stopped_empty", ben, status="completed", started_at=now, ended_at=now)
    make("abandoned", ben, status="abandoned", started_at=now, ended_at=now)
    make("interrupted", ben, status="interrupted", started_at=now, ended_at=now)
    # stored live, run by no node: its last event is older than the resume grace ...
    make("orphan_old", ben, status="live", started_at=now)
    store.add_events([Event(made["orphan_old"], 1, "state", 0.0, {"state": "live"},
                            time.time() - RESUME_GRACE_S - 30)])
    # ... or fresh: the candidate may still resume it
    make("orphan_fresh", ben, status="live", started_at=now)
    store.add_events([Event(made["orphan_fresh"], 1, "state", 0.0, {"state": "live"},
                            time.time() + 600)])
    return {"rec": rec, "ana": ana, "ben": ben, "ids": made}


EXPECTED = {"pending": "pending", "completed": "completed", "incomplete": "incomplete",
            "stopped_empty": "incomplete", "abandoned": "abandoned", "interrupted": "abandoned",
            "orphan_old": "abandoned", "orphan_fresh": "live"}


def test_each_interview_has_its_outcome(api_server, outcomes):
    r = call(api_server, outcomes["rec"], page_size=100)
    assert r.status_code == 200, r.text
    by_id = {i["id"]: i for i in r.json()["items"]}
    got = {name: by_id[i]["outcome"] for name, i in outcomes["ids"].items()}
    assert got == EXPECTED
    incomplete = by_id[outcomes["ids"]["incomplete"]]
    assert incomplete["status"] == "completed"  # stored as the session ended
    assert (incomplete["questions_answered"], incomplete["questions_planned"]) == (1, 2)


def test_candidate_of_each_row(api_server, outcomes):
    items = call(api_server, outcomes["rec"], page_size=100).json()["items"]
    by_id = {i["id"]: i for i in items}
    ana = by_id[outcomes["ids"]["completed"]]["candidate"]
    assert ana == {"id": outcomes["ana"]["user"]["id"], "email": outcomes["ana"]["user"]["email"],
                   "name": "Ana Lima"}
    ben = by_id[outcomes["ids"]["abandoned"]]["candidate"]
    assert ben["name"] == outcomes["ben"]["user"]["username"]  # no full name: the username
    assert create(api_server, outcomes["rec"], job_role="x", num_questions=1)  # no candidate
    unnamed = call(api_server, outcomes["rec"], page_size=1).json()["items"][0]
    assert unnamed["candidate"] is None


def test_summary_counts_the_listed_rows(api_server, outcomes):
    rec = register(api_server, "recruiter")
    assert call(api_server, rec).json()["summary"] == {
        "total": 0, "completed": 0, "incomplete": 0, "abandoned": 0, "live": 0, "pending": 0,
        "average_score": None, "best_score": None, "candidates": []}
    ana_id = outcomes["ana"]["user"]["id"]
    page = call(api_server, outcomes["rec"], candidate_id=ana_id, page_size=2).json()
    summary = page["summary"]
    assert page["total"] == summary["total"] == 3 and len(page["items"]) == 2  # paged rows
    assert (summary["completed"], summary["incomplete"], summary["pending"]) == (1, 1, 1)
    assert summary["abandoned"] == summary["live"] == 0
    assert summary["average_score"] == 60.0 and summary["best_score"] == 80.0
    assert [c["id"] for c in summary["candidates"]] == [ana_id]
    assert summary["candidates"][0]["interviews"] == 3
    everything = call(api_server, outcomes["rec"], page_size=100).json()
    counts = {k: everything["summary"][k] for k in
              ("completed", "incomplete", "abandoned", "live", "pending")}
    listed = {k: sum(i["outcome"] == k for i in everything["items"]) for k in counts}
    assert counts == listed and sum(counts.values()) == everything["total"]


def test_candidate_filter_validation(api_server, outcomes):
    r = call(api_server, outcomes["rec"], candidate_id="ana")
    assert r.status_code == 422 and "candidate_id" in r.json()["error"]["fields"]
