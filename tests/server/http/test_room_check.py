"""The room's link check (`GET /api/interviews/{id}/check?token=`): each state, a wrong token
learns nothing but "not valid", and the per-address limit."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from websockets.sync.client import connect

from media.simulate import ws_url
from server.accounts.throttle import Rule
from tests.support.db import register


def check(server, interview_id: str, token: str | None) -> httpx.Response:
    params = {"token": token} if token is not None else {}
    return httpx.get(f"{server.url}/api/interviews/{interview_id}/check", params=params,
                     timeout=10)


def store(server):
    return server.server.config.app.state.store


def test_a_new_interview_is_pending(server, new_interview):
    interview = new_interview()
    r = check(server, interview["id"], interview["candidate_token"])
    assert r.status_code == 200 and r.json() == {"state": "pending"}, r.text
    assert r.headers["cache-control"] == "no-store"


def test_an_unknown_interview(server):
    r = check(server, uuid.uuid4().hex, "whatever")
    assert r.status_code == 404 and r.json() == {"state": "unknown"}, r.text


@pytest.mark.parametrize("status", ["pending", "live", "completed"])
def test_a_wrong_token_learns_nothing_else(server, new_interview, status):
    interview = new_interview()
    if status != "pending":
        store(server).update_interview(interview["id"], status=status)
    for token in ("not-the-token", "", None, interview["spectator_token"],
                  interview["candidate_token"][:-1]):
        r = check(server, interview["id"], token)
        assert r.status_code == 403 and r.json() == {"state": "invalid"}, (token, r.text)


@pytest.mark.parametrize("status", ["completed", "abandoned", "interrupted"])
def test_an_ended_practice_interview_links_its_report(server, new_interview, status):
    interview = new_interview()
    store(server).update_interview(interview["id"], status=status)
    r = check(server, interview["id"], interview["candidate_token"])
    assert r.status_code == 200, r.text
    assert r.json() == {"state": "ended", "status": status,
                        "report_url": f"/report/{interview['id']}"}
    # and that link opens the report for this token (no 403: 200, or 409 without answers)
    report = httpx.get(f"{server.url}/api/interviews/{interview['id']}/report",
                       params={"token": interview["candidate_token"]}, timeout=10)
    assert report.status_code in (200, 409), report.text


def test_an_ended_recruiter_run_interview_has_no_report_link(server):
    recruiter = register(server, "recruiter")
    r = httpx.post(f"{server.url}/api/interviews", headers=recruiter["headers"], timeout=10,
                   json={"job_role": "backend engineer", "num_questions": 1})
    interview = r.json()
    store(server).update_interview(interview["id"], status="completed")
    r = check(server, interview["id"], interview["candidate_token"])
    assert r.json() == {"state": "ended", "status": "completed"}, r.text
    report = httpx.get(f"{server.url}/api/interviews/{interview['id']}/report",
                       params={"token": interview["candidate_token"]}, timeout=10)
    assert report.status_code == 403  # the candidate may not see it: no link offered


def test_a_live_interview_says_whether_it_is_open_elsewhere(server, new_interview):
    interview = new_interview()
    url = ws_url(server.url, interview["id"], interview["candidate_token"])
    with connect(url) as ws:
        while json.loads(ws.recv(timeout=20)).get("state") != "ready":
            pass
        r = check(server, interview["id"], interview["candidate_token"])
        assert r.json() == {"state": "live", "open_elsewhere": True}, r.text
    deadline = time.monotonic() + 10
    while (body := check(server, interview["id"], interview["candidate_token"]).json()) != {
            "state": "live", "open_elsewhere": False}:
        assert time.monotonic() < deadline, body  # the session waits for its candidate
        time.sleep(0.1)


def test_checks_are_rate_limited(server, new_interview, monkeypatch):
    from server.http import check as module

    interview = new_interview()
    monkeypatch.setattr(module, "CHECK_RULE", Rule.parse(
        f"room-check-test-{uuid.uuid4().hex}", "3/minute", "too many link checks"))
    codes = [check(server, interview["id"], interview["candidate_token"]).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429], codes
    r = check(server, interview["id"], interview["candidate_token"])
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["error"]["code"] == "rate_limited"
