"""The report page in real Chromium on reports built by `analyzers.session_report`: content
and delivery shown apart with their formulas, where each score came from, what the camera did
not observe. The page and its API answer are served by Playwright's routing (no server)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzers.answer_metrics import answer_delivery
from analyzers.session_report import make_report

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "static"
ORIGIN = "http://report.test"
QUESTIONS = [
    {"id": "q1", "text": "How do you index a table?", "type": "technical", "skill": "databases",
     "expected_points": ["a", "b"], "difficulty": "intermediate"},
    {"id": "q2", "text": "How do you cache?", "type": "technical", "skill": "caching",
     "expected_points": ["a", "b"], "difficulty": "intermediate"},
]


def finals(start: float) -> list[dict]:
    words = [{"word": f" w{i}", "start": start + 0.4 * i, "end": start + 0.4 * i + 0.35}
             for i in range(40)]
    return [{"text": "So, we add an index, you know, on the filtered columns " + "w " * 30,
             "start": start, "end": words[-1]["end"], "words": words}]


EVALUATIONS = [
    {"turn": 0, "index": 0, "question_id": "q1", "question": QUESTIONS[0]["text"], "score": 30,
     "source": "offline", "method": "meaning match", "formula": "100 × covered / expected",
     "points_covered": ["a"], "points_missed": ["b"], "points_contradicted": [],
     "evidence": [{"point": "a", "status": "covered", "sentence": "We add an index.",
                   "similarity": 0.82}], "feedback": "Half of it.", "strengths": [],
     "improvements": [], "delivery": answer_delivery(finals(12.0), asked_t=10.0),
     "vision": {"eye_contact": None, "posture": None, "samples": 3}},
    {"turn": 1, "index": 1, "question_id": "q2", "question": QUESTIONS[1]["text"], "score": 20,
     "source": "groq", "feedback": "Off topic.", "points_covered": [], "points_missed": ["a"],
     "delivery": answer_delivery(finals(40.0), asked_t=35.0)},
]
METRICS = [{"t": float(t), "wpm": 150.0, "fillers_per_min": 1.0, "pause_ratio": 0.1}
           for t in range(12, 60)]


def report_json(metrics: list[dict], **extra) -> dict:
    report = make_report(QUESTIONS, [dict(e) for e in EVALUATIONS], metrics)
    assert report is not None
    return {**report, "partial": False, **extra,
            "interview": {"id": "abc", "job_role": "backend engineer", "status": "completed",
                          "plan_source": "groq"}}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def open_report(browser, report: dict):
    """The report page of interview "abc" answering `report`; returns (page, errors)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    def handle(route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path.startswith("/api/interviews/abc/report"):
            route.fulfill(status=200, content_type="application/json", body=json.dumps(report))
        elif path.startswith("/report/"):
            route.fulfill(status=200, content_type="text/html",
                          body=(STATIC / "report.html").read_text())
        elif path.startswith("/static/") and (STATIC / path[8:]).is_file():
            file = STATIC / path[8:]
            kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file)[0]
            route.fulfill(status=200, content_type=kind or "text/plain", body=file.read_bytes())
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", handle)
    page.goto(f"{ORIGIN}/report/abc?token=t")
    page.wait_for_function("() => /\\d/.test(document.querySelector('#final-score').textContent)",
                           timeout=15_000)
    return page, errors


def test_content_and_delivery_apart_with_sources_and_formulas(browser):
    report = report_json(METRICS)
    page, errors = open_report(browser, report)
    try:
        assert page.text_content("#final-score") == "25" == str(report["knowledge_score"])
        assert page.text_content("#level") == "poor"  # good delivery does not lift it
        assert page.text_content("#confidence-score") == str(report["delivery_score"])
        assert "content score" in page.text_content("#final-sub")
        formulas = page.text_content("#formulas")
        assert "final score = content score" in formulas
        assert "mean of the 2 evaluated answers' scores" in formulas
        assert "delivery score = (" in formulas and "eye contact (no camera)" in formulas
        assert "not observed: eye contact, posture (no camera)" in page.text_content(
            "#delivery-sub")
        assert "No camera" in page.text_content("#delivery-note")
        assert "not observed" in page.text_content("#delivery")
        assert "to the first word" in page.text_content("#delivery")
        headers = page.text_content("#questions-panel thead")
        assert "Accuracy" not in headers and "Scored by" in headers
        rows = page.locator("#questions > tr")
        assert rows.count() == 2
        assert "meaning match, offline estimate" in rows.nth(0).text_content()
        assert "1 / 2" in rows.nth(0).text_content()
        assert "LLM (Groq)" in rows.nth(1).text_content()
        assert "similarity 0.82" in rows.nth(0).locator("details").text_content()
        assert "first word after 2.0 s" in rows.nth(0).locator("details").text_content()
        assert "generated by an LLM (Groq)" in page.text_content("#plan-source")
        assert not errors, errors
    finally:
        page.close()


def test_frozen_camera_is_said_and_not_scored(browser):
    frozen = [{**m, "face_present": True, "eye_contact": 1.0, "eye_contact_total": 1.0,
               "camera_frozen": m["t"] > 15, "frozen_s": 20.0} for m in METRICS]
    page, errors = open_report(browser, report_json(frozen))
    try:
        assert "Camera frozen" in page.text_content("#delivery-note")
        assert "camera frozen" in page.text_content("#delivery-sub")
        assert "not observed" in page.text_content("#delivery")
        assert not errors, errors
    finally:
        page.close()


def test_an_older_stored_report_is_labelled(browser):
    old = {"final_score": 77, "knowledge_score": 80, "confidence_score": 72,
           "performance_level": "good", "weights": {"knowledge": 0.6, "confidence": 0.4},
           "per_question": [], "answers": [], "feedback": [], "timeline": {},
           "interview": {"id": "abc"}}
    page, errors = open_report(browser, old)
    try:
        assert page.text_content("#final-score") == "77"
        assert "older report: 60% knowledge + 40% confidence" in page.text_content("#final-sub")
        assert page.text_content("#confidence-score") == "72"
        assert "source not recorded" in page.text_content("#plan-source")
        assert not errors, errors
    finally:
        page.close()


def teaching_report() -> dict:
    from analyzers.session_report import add_teaching

    evaluations = [dict(e) for e in EVALUATIONS] + [
        {"turn": 2, "index": None, "question_id": "recruiter-1", "score": 17,
         "question": "Why did the last deploy fail?", "question_source": "recruiter",
         "source": "offline", "method": "meaning match", "points_covered": [],
         "points_missed": ["the migration locked a table"], "feedback": "Vague.",
         "delivery": answer_delivery(finals(70.0), asked_t=68.0)}]
    answers = {0: {"text": "a", "start": 12.0, "end": 28.0}, 1: {"text": "b", "start": 40.0,
               "end": 56.0}, 2: {"text": "c", "start": 70.0, "end": 86.0}}
    report = make_report(QUESTIONS, evaluations, METRICS, answers)
    add_teaching(report, finals(12.0) + finals(40.0) + finals(70.0), METRICS)
    return {**report, "partial": False,
            "interview": {"id": "abc", "job_role": "backend engineer", "status": "completed"}}


def test_takeaways_moment_links_every_answer_and_one_score_scale(browser):
    report = teaching_report()
    page, errors = open_report(browser, report)
    try:
        takeaways = page.locator("#takeaways > li")
        assert 2 <= takeaways.count() <= 3
        assert "scored 17/100" in page.text_content("#takeaways")
        link = page.locator("#takeaways a.moment-link").first
        href = link.get_attribute("href")
        assert href.startswith("/replay/abc?token=t&t="), href
        assert page.locator("#moments a.moment-link").count() == len(report["moments"]) > 0
        assert page.get_attribute("#replay-link", "href") == "/replay/abc?token=t"
        rows = page.locator("#questions > tr")
        assert rows.count() == 3  # two planned questions and the recruiter's question
        recruiter = rows.nth(2)
        assert "Why did the last deploy fail?" in recruiter.text_content()
        assert "Recruiter" in recruiter.text_content()
        score = recruiter.locator("b.score")
        assert score.get_attribute("data-band") == "poor" and "poor" in score.text_content()
        assert "score-poor" in score.get_attribute("class")
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)])
def test_report_fits_the_width(browser, size):
    page, errors = open_report(browser, teaching_report())
    try:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.wait_for_timeout(200)
        Path("/tmp/shots-report").mkdir(exist_ok=True)
        page.screenshot(path=f"/tmp/shots-report/report-{size[0]}.png", full_page=True)
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], width
        assert not errors, errors
    finally:
        page.close()
