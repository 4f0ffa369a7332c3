"""The report API (`GET /api/interviews/{id}/report`), its access rules and JSON shape, and the
report / dashboard pages (served, and rendered in real Chromium)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.questions import Question, bank_questions
from server.events.model import Event
from tests.conftest import ServerThread
from tests.support.db import register

CHROMIUM = Path("/usr/bin/chromium")
ANSWER = ("First, use EXPLAIN to read the query plan. Then add an index on the filtered columns. "
          "For example, in my last project this cut the latency by 40 percent.")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory, transcriber):
    from server.app import create_app
    from server.config import Settings

    db = tmp_path_factory.mktemp("reportdb") / "report.db"
    settings = Settings(database_url=f"sqlite:///{db}", asr_workers=1, asr_threads=1,
                        groq_api_key="", redis_url="", bcrypt_rounds=4,
                        jwt_secret="report-tests-" + "x" * 40)
    app = create_app(settings, transcriber=transcriber)
    with ServerThread(app) as srv:
        srv.app = app
        srv.store = app.state.store
        yield srv


def questions() -> list[dict]:
    by_id = {q.id: q for q in bank_questions("backend", "intermediate")}
    return [by_id["be-i1"].to_dict(), by_id["be-i2"].to_dict()]


def create(srv, headers: dict | None = None, **fields) -> dict:
    r = httpx.post(f"{srv.url}/api/interviews", json=fields, headers=headers or {}, timeout=30)
    assert r.status_code == 201, r.text
    interview = r.json()
    srv.store.update_interview(interview["id"], questions=questions(), num_questions=2)
    return interview


METRICS = dict(wpm=190.0, filler_count=6, fillers_per_min=9.0, pause_ratio=0.2, speaking_s=40.0,
               words=120, eye_contact=0.4, eye_contact_total=0.41,
               posture={"label": "ok"})


def seed_events(srv, interview_id: str) -> dict:
    """Store the events of one answered question as a live session would have made them;
    returns the evaluation event's data."""
    q = Question.from_dict(questions()[0])
    ev = evaluate_answer_offline(q, ANSWER, {"wpm": 150.0, "fillers_per_min": 1.0})
    evaluation = {"index": 0, "turn": 0, "question_id": q.id, "question": q.text,
                  "is_follow_up": False, **ev.to_dict(),
                  "delivery": {"wpm": 150.0, "fillers_per_min": 1.0},
                  "vision": {"eye_contact": 0.4, "posture": "ok", "confidence": 60.0}}
    now = time.time()
    events = [Event(interview_id, 1, "question", 1.0,
                    {"index": 0, "turn": 0, "question_id": q.id, "text": q.text,
                     "is_follow_up": False, "total": 2}, now)]
    seq = 1
    for t in range(2, 12):
        seq += 1
        events.append(Event(interview_id, seq, "metrics", float(t),
                            {**METRICS, "confidence": {"score": 50 + t, "components": {}}}, now))
    events.append(Event(interview_id, seq + 1, "answer.completed", 12.0,
                        {"index": 0, "turn": 0, "question_id": q.id, "is_follow_up": False,
                         "text": ANSWER, "start": 1.5, "end": 11.0, "reason": "pause"}, now))
    events.append(Event(interview_id, seq + 2, "evaluation", 12.1, evaluation, now))
    srv.store.add_events(events)
    return evaluation


def get_report(srv, interview_id: str, token: str | None = None, headers: dict | None = None):
    params = {"token": token} if token is not None else {}
    return httpx.get(f"{srv.url}/api/interviews/{interview_id}/report", params=params,
                     headers=headers or {}, timeout=10)


def test_unknown_interview_is_404(api_server):
    assert get_report(api_server, "nope", "x").status_code == 404
    assert get_report(api_server, uuid.uuid4().hex).status_code == 404


def test_tokens(api_server):
    interview = create(api_server)
    r = get_report(api_server, interview["id"])
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = get_report(api_server, interview["id"], "wrong-token")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # valid tokens, but nothing was answered yet
    for token in (interview["candidate_token"], interview["spectator_token"]):
        r = get_report(api_server, interview["id"], token)
        assert r.status_code == 409 and r.json()["error"]["code"] == "no_answers"
    r = get_report(api_server, interview["id"], headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 401


def test_partial_report_from_stored_events(api_server):
    interview = create(api_server, job_role="backend engineer")
    evaluation = seed_events(api_server, interview["id"])
    r = get_report(api_server, interview["id"], interview["spectator_token"])
    assert r.status_code == 200, r.text
    report = r.json()
    assert set(report) >= {
        "final_score", "knowledge_score", "confidence_score", "performance_level",
        "category_scores", "per_question", "answers", "strengths", "improvements", "feedback",
        "delivery", "timeline", "questions_total", "questions_answered", "partial", "interview"}
    assert report["partial"] is True and report["through_seq"] == 13  # the last seeded event
    assert report["interview"]["id"] == interview["id"]
    assert report["interview"]["job_role"] == "backend engineer"
    assert report["knowledge_score"] == evaluation["score"]
    # content and delivery apart: the final score is the content score
    assert report["final_score"] == report["knowledge_score"]
    assert report["content"]["score"] == evaluation["score"] and report["formula"]["final"]
    assert report["confidence_score"] == report["delivery_score"]
    assert 0 <= report["delivery_score"] <= 100 and report["delivery_components"]
    assert report["performance_level"] in ("excellent", "good", "average", "poor")
    # the meaning evaluator has coverage, not the old rubric's categories: none is made up
    assert report["category_scores"] == {"accuracy": None, "clarity": None, "depth": None,
                                         "coverage": round(100 * evaluation["coverage"])}
    assert "offline estimate" in report["answers"][0]["source_label"]
    assert [p["answered"] for p in report["per_question"]] == [True, False]
    assert report["per_question"][0]["score"] == evaluation["score"]
    assert (report["questions_answered"], report["questions_total"]) == (1, 2)
    (answer,) = report["answers"]
    assert answer["answer"] == ANSWER and answer["score"] == evaluation["score"]
    assert answer["vision"]["eye_contact"] == 0.4
    # concrete delivery feedback from the metrics
    assert "Speak slower: 190 wpm (aim for 120-160)" in report["feedback"]
    assert "Maintain eye contact: 41% of the time (aim for 60%+)" in report["feedback"]
    assert "Fewer fillers: 9 per minute (aim for under 4)" in report["feedback"]
    assert [len(report["timeline"][k]) for k in ("pace", "eye_contact", "confidence")] == [
        10, 10, 10]
    assert report["timeline"]["pace"][0] == [2.0, 190.0]


def test_stored_report_is_returned(api_server):
    interview = create(api_server)
    seed_events(api_server, interview["id"])
    stored = {"final_score": 77, "knowledge_score": 80, "confidence_score": 72,
              "performance_level": "good", "per_question": [], "answers": [], "feedback": []}
    api_server.store.update_interview(interview["id"], report=stored, status="completed")
    r = get_report(api_server, interview["id"], interview["candidate_token"])
    assert r.status_code == 200
    report = r.json()
    assert report["partial"] is False and report["final_score"] == 77
    assert report["interview"]["status"] == "completed"


def test_bearer_access(api_server):
    owner, other = register(api_server), register(api_server)
    interview = create(api_server, headers=owner["headers"], job_role="backend engineer")
    assert get_report(api_server, interview["id"], headers=owner["headers"]).status_code == 409
    seed_events(api_server, interview["id"])
    r = get_report(api_server, interview["id"], headers=owner["headers"])
    assert r.status_code == 200 and r.json()["partial"] is True
    r = get_report(api_server, interview["id"], headers=other["headers"])
    assert r.status_code == 403
    # a wrong ?token= does not hide a valid bearer token
    r = get_report(api_server, interview["id"], "wrong", headers=owner["headers"])
    assert r.status_code == 200


def test_pages_are_served(api_server):
    interview = create(api_server)
    page = httpx.get(f"{api_server.url}/report/{interview['id']}",
                     params={"token": interview["candidate_token"]})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for marker in ('id="final-score"', 'id="chart-pace"', 'id="questions"', "/static/report.js"):
        assert marker in page.text
    dash = httpx.get(f"{api_server.url}/dashboard")
    assert dash.status_code == 200 and 'id="login"' in dash.text
    assert "/static/dashboard.js" in dash.text
    for name in ("report.js", "dashboard.js", "shared/charts.js"):
        r = httpx.get(f"{api_server.url}/static/{name}")
        assert r.status_code == 200 and "javascript" in r.headers["content-type"], name


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def _open(browser, url: str, init: str | None = None):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    if init:
        page.add_init_script(init)
    page.goto(url)
    return page, errors


@pytest.mark.browser
def test_report_page_renders(api_server, browser):
    interview = create(api_server, job_role="backend engineer")
    evaluation = seed_events(api_server, interview["id"])
    page, errors = _open(browser, f"{api_server.url}/report/{interview['id']}"
                                  f"?token={interview['candidate_token']}")
    try:
        page.wait_for_function("() => /\\d/.test(document.querySelector('#final-score')"
                               ".textContent)", timeout=15_000)
        report = get_report(api_server, interview["id"], interview["candidate_token"]).json()
        assert page.text_content("#final-score") == str(report["final_score"])
        assert page.text_content("#knowledge-score") == str(evaluation["score"])
        assert page.text_content("#level") == report["performance_level"]
        feedback = page.text_content("#feedback")
        assert "Speak slower: 190 wpm" in feedback and "Fewer fillers" in feedback
        assert page.locator("#questions tr").count() == 2
        for chart in ("#chart-pace", "#chart-eye", "#chart-confidence"):
            assert page.locator(f"{chart} svg path.chart-line").count() == 1, chart
        assert page.locator("#categories .bar-row").count() == 4
        assert "Partial report" in page.text_content("#notice")
        assert not errors, errors
    finally:
        page.close()
    # a wrong token shows a message instead of a report
    page, _ = _open(browser, f"{api_server.url}/report/{interview['id']}?token=wrong")
    try:
        page.wait_for_selector("#notice:not([hidden])", timeout=10_000)
        assert "invalid token" in page.text_content("#notice")
        assert page.locator("#report").is_hidden()
    finally:
        page.close()


@pytest.mark.browser
def test_dashboard_logs_in_and_lists_interviews(api_server, browser):
    user = register(api_server)
    uid = user["user"]["id"]
    ids = []
    for score in (55.0, 72.0):
        interview = create(api_server, headers=user["headers"], job_role="backend engineer")
        api_server.store.update_interview(
            interview["id"], candidate_id=uid, status="completed", final_score=score,
            knowledge_score=score, confidence_score=60.0, performance_level="good")
        ids.append(interview["id"])
    page, errors = _open(browser, f"{api_server.url}/dashboard")
    try:
        page.wait_for_selector("#login:not([hidden])", timeout=10_000)
        page.fill("#login-name", user["user"]["username"])
        page.fill("#login-password", user["password"])
        page.click("#login-button")
        page.wait_for_selector("#content:not([hidden])", timeout=10_000)
        page.wait_for_function("() => document.querySelectorAll('#interviews tr').length >= 2",
                               timeout=10_000)
        rows = page.locator("#interviews tr")
        assert rows.count() == 2
        assert "72" in rows.nth(0).text_content() or "72" in rows.nth(1).text_content()
        hrefs = page.eval_on_selector_all("#interviews a", "els => els.map((a) => a.pathname)")
        assert sorted(hrefs) == sorted(f"/report/{i}" for i in ids)
        # the only candidate is picked: their two scores are drawn
        page.wait_for_function("() => document.querySelectorAll('#progress-score circle')"
                               ".length >= 2", timeout=10_000)
        assert page.evaluate("() => localStorage.getItem('access_token')")
        assert "2" in page.text_content("#stats")
        assert not errors, errors
        # the report page opens with the stored bearer token (no ?token=)
        api_server.store.update_interview(ids[0], report={
            "final_score": 55, "knowledge_score": 55, "confidence_score": 60,
            "performance_level": "average", "per_question": [], "answers": [], "feedback": [],
            "timeline": {}})
        page.goto(f"{api_server.url}/report/{ids[0]}")
        page.wait_for_function("() => document.querySelector('#final-score').textContent === "
                               "'55'", timeout=10_000)
        # log out: back to the form
        page.goto(f"{api_server.url}/dashboard")
        page.wait_for_selector("#logout:not([hidden])", timeout=10_000)
        page.click("#logout")
        page.wait_for_selector("#login:not([hidden])", timeout=5_000)
        assert page.evaluate("() => localStorage.getItem('access_token')") is None
    finally:
        page.close()
