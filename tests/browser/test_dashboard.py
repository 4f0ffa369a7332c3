"""The dashboard in real Chromium on a real server: its summary counts the rows it shows, each
row's status is what became of the interview (stopped after 1 of 2 questions: Incomplete, not
Completed), its actions fit its status (the candidate's link to copy, never the room to open),
delete asks first, a candidate's progress is drawn, and the page passes axe-core, fits a phone
without sideways scrolling and works by keyboard."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from media.simulate import stream_pcm
from server.events.model import Event
from tests.browser.axe_support import VIEWPORTS, assert_accessible, assert_reachable_by_tab, tab_to
from tests.support.db import register

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/shots-dash")
SIZES = pytest.mark.parametrize("size", list(VIEWPORTS))
ROWS = "() => document.querySelectorAll('#interviews tr').length"


def create(server, who: dict, **body) -> dict:
    r = httpx.post(f"{server.url}/api/interviews", headers=who["headers"], timeout=30,
                   json={"job_role": "backend engineer", "num_questions": 2, **body})
    assert r.status_code == 201, r.text
    return r.json()


def store_of(server):
    return server.server.config.app.state.store


@pytest.fixture(scope="module")
def people(server, jfk) -> dict:
    """A recruiter with interviews of two candidates: one streamed for real and stopped
    after its first question, then completed (2 of 2), stopped (1 of 2), left (abandoned),
    running (live) and not started (pending) ones."""
    rec = register(server, "recruiter", full_name="Rita Recruiter")
    ana = register(server, "candidate", full_name="Ana Lima")
    ben = register(server, "candidate", full_name="Ben Okafor")
    store = store_of(server)
    made: dict[str, dict] = {}
    # for real: the clip answers the first question, then the stream stops
    real = create(server, rec, candidate_id=ana["user"]["id"])
    samples, rate = jfk
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, stream_pcm(server.url, samples, rate, interview=real,
                                            speed=2.0)).result()
    deadline = time.monotonic() + 40
    while real["id"] in server.server.config.app.state.sessions.live \
            or store.get_interview(real["id"]).report is None:
        assert time.monotonic() < deadline, "the streamed interview did not end"
        time.sleep(0.2)
    made["streamed"] = real
    base = datetime.now(UTC) - timedelta(days=10)
    for name, who, day, fields in [
        ("completed", ana, 1, {"status": "completed", "final_score": 55.0,
                               "confidence_score": 61.0,
                               "report": {"questions_answered": 2, "questions_total": 2}}),
        ("completed2", ana, 3, {"status": "completed", "final_score": 82.0,
                                "confidence_score": 74.0,
                                "report": {"questions_answered": 2, "questions_total": 2}}),
        ("incomplete", ben, 2, {"status": "completed", "final_score": 40.0,
                                "report": {"questions_answered": 1, "questions_total": 2}}),
        ("abandoned", ben, 4, {"status": "abandoned"}),
        ("live", ben, 5, {"status": "live"}),
        ("pending", ana, 6, {}),
    ]:
        body = create(server, rec, candidate_id=who["user"]["id"], job_role=f"{name} role")
        when = base + timedelta(days=day)
        if fields:
            fields.update(started_at=when, ended_at=when + timedelta(minutes=20))
        store.update_interview(body["id"], created_at=when, **fields)
        made[name] = body
    # "live": stored live, with an event just now (its candidate may resume it)
    store.add_events([Event(made["live"]["id"], 1, "state", 0.0, {"state": "live"},
                            time.time() + 3600)])
    return {"rec": rec, "ana": ana, "ben": ben, "made": made}


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    SHOTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    from tests.browser.room_support import CHROMIUM
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server, people, request):
    callspec = getattr(request.node, "callspec", None)
    size = VIEWPORTS[callspec.params["size"] if callspec and "size" in callspec.params
                     else "1280x800"]
    ctx = chromium.new_context(viewport=size)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    rec = people["rec"]
    token, user = json.dumps(rec["access_token"]), json.dumps(json.dumps(rec["user"]))
    ctx.add_init_script(f"localStorage.setItem('access_token', {token});"
                        f"localStorage.setItem('access_user', {user});")
    p = ctx.new_page()
    p.goto(f"{server.url}/dashboard")
    p.wait_for_function(f"() => ({ROWS})() >= 7", timeout=15_000)
    yield p
    ctx.close()


def row(page, interview: dict):
    return page.locator(f"#interviews tr[data-id='{interview['id']}']")


def stat(page, key: str) -> int:
    return int(page.inner_text(f"#stats [data-stat='{key}'] b"))


def test_summary_matches_the_rows_and_statuses_are_right(page, people):
    made = people["made"]
    outcomes = page.eval_on_selector_all("#interviews tr", "rs => rs.map(r => r.dataset.outcome)")
    assert stat(page, "total") == len(outcomes) == 7
    for key in ("completed", "incomplete", "abandoned", "live", "pending"):
        assert stat(page, key) == outcomes.count(key), key
    expected = {"completed": "Completed", "completed2": "Completed", "incomplete": "Incomplete",
                "abandoned": "Abandoned", "live": "Live", "pending": "Pending"}
    for name, text in expected.items():
        assert row(page, made[name]).locator(".badge").inner_text() == text, name
    # streamed for real: the clip answered 1 of the 2 questions, then the candidate stopped
    streamed = row(page, made["streamed"])
    assert streamed.locator(".badge").inner_text() == "Incomplete"
    assert streamed.locator("td.who").inner_text() == f"Ana Lima ({people['ana']['user']['email']})"
    assert row(page, made["pending"]).locator("td[data-label='Score']").inner_text() == "-"
    assert row(page, made["completed2"]).locator("td[data-label='Score']").inner_text() == "82"
    assert page.inner_text("#stats [data-stat='average'] b") != "-"
    # the header links to the pages of making interviews and jobs
    assert page.get_attribute("#new-interview", "href") == "/interviews/new"
    assert page.get_attribute("#jobs-link", "href") == "/jobs"


def actions(page, interview: dict) -> list[str]:
    return [t.strip() for t in row(page, interview).locator(".row-actions > *").all_inner_texts()]


def test_row_actions_fit_the_status(page, people):
    made = people["made"]
    assert actions(page, made["pending"]) == ["Copy link", "Watch", "Delete"]
    assert actions(page, made["live"]) == ["Copy link", "Watch live"]  # no delete while live
    assert actions(page, made["completed"]) == ["Replay", "Report", "Delete"]
    assert actions(page, made["abandoned"]) == ["Replay", "Delete"]
    hrefs = page.eval_on_selector_all("#interviews a", "as => as.map(a => a.href)")
    assert not [h for h in hrefs if "/room/" in h]  # the recruiter never opens the room
    watch = row(page, made["live"]).locator("a", has_text="Watch live").get_attribute("href")
    assert watch == (f"/spectate/{made['live']['id']}?token={made['live']['spectator_token']}")


def test_copy_link_puts_the_room_url_on_the_clipboard(page, people):
    pending = people["made"]["pending"]
    row(page, pending).locator("button", has_text="Copy link").click()
    page.wait_for_function("() => document.querySelector('#announce').textContent.includes("
                           "'copied')", timeout=5_000)
    assert page.evaluate("() => navigator.clipboard.readText()") == pending["room_url"]


def test_delete_asks_first_then_removes_the_row(page, server, people):
    doomed = create(server, people["rec"], candidate_id=people["ben"]["user"]["id"],
                    job_role="doomed role")
    page.reload()
    page.wait_for_function(f"() => ({ROWS})() >= 8", timeout=15_000)
    total = stat(page, "total")
    row(page, doomed).locator("button", has_text="Delete").click()
    assert page.is_visible("#confirm-delete")
    page.click("#confirm-cancel")  # kept
    assert not page.is_visible("#confirm-delete") and row(page, doomed).count() == 1
    row(page, doomed).locator("button", has_text="Delete").click()
    page.click("#confirm-yes")
    page.wait_for_function(f"() => !document.querySelector(\"tr[data-id='{doomed['id']}']\")",
                           timeout=10_000)
    assert stat(page, "total") == total - 1
    r = httpx.get(f"{server.url}/api/interviews/{doomed['id']}",
                  headers=people["rec"]["headers"], timeout=10)
    assert r.status_code == 404


def test_a_candidates_progress(page, people):
    page.select_option("#candidate-pick", str(people["ana"]["user"]["id"]))
    page.wait_for_function("() => document.querySelectorAll('#progress-score circle').length"
                           " === 3", timeout=10_000)  # two completed and the streamed one
    assert page.locator("#progress-delivery circle").count() >= 2
    assert "4 interviews" in page.inner_text("#progress-note")


@SIZES
def test_accessible_and_fits_the_screen(page, people, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.select_option("#candidate-pick", str(people["ana"]["user"]["id"]))
    page.wait_for_selector("#progress-score svg", timeout=10_000)
    assert_accessible(page, f"dashboard at {size}")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), \
        page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    page.screenshot(path=str(SHOTS / f"dashboard-{size}.png"), full_page=True)
    row(page, people["made"]["pending"]).locator("button", has_text="Delete").click()
    assert_accessible(page, f"dashboard's delete confirmation at {size}")
    page.screenshot(path=str(SHOTS / f"dashboard-confirm-{size}.png"))
    page.click("#confirm-cancel")


def test_by_keyboard(page, people):
    assert_reachable_by_tab(page, "dashboard signed in")
    pending = people["made"]["pending"]
    tab_to(page, f"tr[data-id='{pending['id']}'] button.btn-danger")
    page.keyboard.press("Enter")
    assert page.is_visible("#confirm-delete")
    assert page.evaluate("() => document.activeElement.id") == "confirm-cancel"
    page.keyboard.press("Escape")
    assert not page.is_visible("#confirm-delete") and row(page, pending).count() == 1


def test_signed_out_login_links_to_signup(chromium, server):
    ctx = chromium.new_context(viewport=VIEWPORTS["390x844"])
    p = ctx.new_page()
    p.goto(f"{server.url}/dashboard")
    p.wait_for_selector("#login:not([hidden])", timeout=10_000)
    assert p.get_attribute("#login a", "href") == "/signup"
    assert not p.is_visible("#new-interview")
    assert_accessible(p, "dashboard's login form at 390x844")
    assert p.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    p.screenshot(path=str(SHOTS / "dashboard-login-390x844.png"))
    ctx.close()
