"""Every page passes axe-core in real Chromium (no serious or critical violation) at a desktop
and a phone size, on real data from a real server: the candidate's room before and during a
session and at its end, the spectator view, the replay, the report, the dashboard signed in
and its login form. And each page works by keyboard: Tab reaches every visible control, and
Enter or Space runs the page's main action."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from media.simulate import stream_pcm
from tests.browser.axe_support import (
    VIEWPORTS,
    assert_accessible,
    assert_reachable_by_tab,
    tab_to,
)
from tests.browser.room_support import RoomPage, reported
from tests.support.db import register
from tests.support.media import face_canvas, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

LIVE = "() => document.body.dataset.phase === 'live'"
ENDED = "() => document.body.dataset.phase === 'ended'"
SIZES = pytest.mark.parametrize("size", list(VIEWPORTS))


def run(coro):
    """Run a coroutine in a thread of its own (Playwright's sync API has a loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# -- the data: a recruiter and an interview of theirs streamed to its end -----------------------
@pytest.fixture(scope="module")
def recruiter(server) -> dict:
    return register(server, "recruiter", full_name="Rita Recruiter")


def create(server, recruiter: dict) -> dict:
    r = httpx.post(f"{server.url}/api/interviews", headers=recruiter["headers"], timeout=30,
                   json={"job_role": "backend engineer", "num_questions": 2})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def finished(server, recruiter, jfk) -> dict:
    """The recruiter's interview, streamed to its end with a face on camera: a transcript,
    questions, an evaluation, a recording and a report."""
    interview = create(server, recruiter)
    samples, rate = jfk
    run(stream_pcm(server.url, samples, rate, interview=interview, speed=2.0,
                   video=itertools.repeat(jpeg(face_canvas())), video_fps=5.0))
    deadline = time.monotonic() + 30
    while True:
        r = httpx.get(f"{server.url}/api/interviews/{interview['id']}/report",
                      params={"token": interview["spectator_token"]}, timeout=10)
        if r.status_code == 200 and server_idle(server, interview["id"]):
            return interview
        assert time.monotonic() < deadline, f"no report: {r.status_code} {r.text[:300]}"
        time.sleep(0.2)


def server_idle(server, interview_id: str) -> bool:
    return interview_id not in server.server.config.app.state.sessions.live


@pytest.fixture
def context(room_browser, request) -> Iterator:
    """A browser context of the test's viewport (its own storage)."""
    callspec = getattr(request.node, "callspec", None)
    size = VIEWPORTS[callspec.params["size"] if callspec else "1280x800"]
    ctx = room_browser.new_context(viewport=size)
    yield ctx
    ctx.close()


def spectate_url(server, interview: dict, recruiter: dict) -> str:
    return (f"{server.url}/spectate/{interview['id']}?token={interview['spectator_token']}"
            f"&access_token={recruiter['access_token']}")


def signed_in(context, recruiter: dict) -> None:
    token, user = json.dumps(recruiter["access_token"]), json.dumps(json.dumps(recruiter["user"]))
    context.add_init_script(f"localStorage.setItem('access_token', {token});"
                            f"localStorage.setItem('access_user', {user});")


# -- the room ----------------------------------------------------------------------------------
@SIZES
def test_room_before_during_and_after_a_session(rtc_server, new_interview, context, size):
    # a practice interview: its end card links to the report
    interview = new_interview(job_role="backend engineer", num_questions=2)
    room = RoomPage(context)
    with reported(room):
        room.page.goto(interview["room_url"])
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        assert_accessible(room.page, f"room before start at {size}")
        room.page.click("#start-button")
        room.wait(LIVE, 30)
        room.wait("() => document.querySelector('#question-text').textContent.trim() !== ''", 30)
        assert_accessible(room.page, f"room live at {size}")
        room.page.click("#question-type")  # the written answer's form, and a toast
        room.page.evaluate("() => window.room.toast('Not sent', 'Try again.', 'error')")
        # and "Take your time" (the server waits after a thinking phrase: answer.waiting)
        room.page.evaluate("() => window.room.handleEvent({type: 'answer.waiting', index: 0, "
                           "turn: 0, question_id: 'q', reason: 'thinking', wait_s: 12, since: 1})")
        assert room.page.is_visible("#question-waiting")
        assert_accessible(room.page, f"room live with a written answer, a toast and a thinking "
                                     f"pause at {size}")
        # speech again: the line goes
        room.page.evaluate("() => window.room.handleEvent({type: 'transcript.partial', "
                           "utterance: 9999, text: 'and then', start: 1, end: 2})")
        assert not room.page.is_visible("#question-waiting")
        room.page.click("#stop-button")
        room.wait(ENDED, 40)
        assert_accessible(room.page, f"room ended at {size}")


def test_room_by_keyboard(rtc_server, recruiter, context):
    interview = create(rtc_server, recruiter)
    room = RoomPage(context)
    with reported(room):
        room.page.goto(interview["room_url"])
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        assert_reachable_by_tab(room.page, "room before start")
        tab_to(room.page, "#speak-toggle")
        room.page.keyboard.press("Space")  # the switch toggles by keyboard
        assert room.page.evaluate("() => !document.querySelector('#speak-toggle').checked")
        tab_to(room.page, "#start-button")
        room.page.keyboard.press("Enter")
        room.wait(LIVE, 30)
        assert_reachable_by_tab(room.page, "room live")
        tab_to(room.page, "#stop-button")
        room.page.keyboard.press("Space")
        room.wait(ENDED, 40)


# -- the spectator view ------------------------------------------------------------------------
@SIZES
def test_spectator_view(server, recruiter, finished, context, size):
    page = context.new_page()
    page.goto(spectate_url(server, finished, recruiter))
    page.wait_for_function("() => document.body.dataset.session === 'ended'"
                           " && document.querySelectorAll('#transcript li.line').length > 0",
                           timeout=20_000)
    page.wait_for_timeout(1_200)  # the charts redraw at most once a second
    assert_accessible(page, f"spectator view of an ended interview at {size}")
    waiting = create(server, recruiter)  # not started: the recruiter's controls are live
    page.goto(spectate_url(server, waiting, recruiter))
    page.wait_for_function("() => document.querySelector('#status').dataset.state === 'open'",
                           timeout=15_000)
    assert_accessible(page, f"spectator view of a waiting interview at {size}")


def test_spectator_by_keyboard(server, recruiter, context):
    interview = create(server, recruiter)
    page = context.new_page()
    sent: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda m: sent.append(json.loads(m))))
    page.goto(spectate_url(server, interview, recruiter))
    page.wait_for_function("() => document.querySelector('#status').dataset.state === 'open'",
                           timeout=15_000)
    assert_reachable_by_tab(page, "spectator view")
    tab_to(page, "#ask-text")
    page.keyboard.type("Tell me about a hard bug you fixed.")
    page.keyboard.press("Enter")
    # the interview has not started, so the server refuses the question: the page says so
    # under the box, and the question stays in it
    page.wait_for_function("() => document.querySelector('#ask-status').dataset.tone === 'error'",
                           timeout=5_000)
    assert "isn't live" in page.text_content("#ask-status")
    assert page.input_value("#ask-text") == "Tell me about a hard bug you fixed."
    assert {"type": "ask", "text": "Tell me about a hard bug you fixed."} in sent, sent


# -- the replay --------------------------------------------------------------------------------
def open_replay(context, server, interview: dict):
    page = context.new_page()
    page.goto(f"{server.url}/replay/{interview['id']}?token={interview['spectator_token']}")
    page.wait_for_function(
        "() => document.body.dataset.ready === '1' && document.querySelector('#player')"
        ".readyState >= 1", timeout=20_000)
    return page


@SIZES
def test_replay(server, finished, context, size):
    page = open_replay(context, server, finished)
    assert_accessible(page, f"replay at {size}")


def test_replay_by_keyboard(server, finished, context):
    page = open_replay(context, server, finished)
    assert_reachable_by_tab(page, "replay")
    tab_to(page, "#timeline")
    page.keyboard.press("End")
    end = page.evaluate("() => window.replay.duration")
    page.wait_for_function("(end) => Math.abs(document.querySelector('#player').currentTime"
                           " - end) < 0.5", arg=end, timeout=5_000)
    tab_to(page, "#transcript .seek-time")
    start = float(page.evaluate("() => document.activeElement.dataset.seek"))
    page.keyboard.press("Enter")  # plays from the utterance's start
    page.wait_for_function("(t) => Math.abs(document.querySelector('#player').currentTime - t)"
                           " < 1.0", arg=start, timeout=5_000)


# -- the report --------------------------------------------------------------------------------
def open_report(context, server, interview: dict):
    page = context.new_page()
    page.goto(f"{server.url}/report/{interview['id']}?token={interview['spectator_token']}")
    page.wait_for_function("() => /\\d/.test(document.querySelector('#final-score')"
                           ".textContent)", timeout=15_000)
    return page


@SIZES
def test_report(server, finished, context, size):
    page = open_report(context, server, finished)
    assert_accessible(page, f"report at {size}")
    page.eval_on_selector_all("#questions details", "(ds) => ds.forEach((d) => { d.open = true; })")
    assert_accessible(page, f"report with its answers open at {size}")


def test_report_by_keyboard(server, finished, context):
    page = open_report(context, server, finished)
    assert_reachable_by_tab(page, "report")
    tab_to(page, "#questions summary")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open")


# -- the dashboard -----------------------------------------------------------------------------
@SIZES
def test_dashboard_signed_in(server, recruiter, finished, context, size):
    signed_in(context, recruiter)
    page = context.new_page()
    page.goto(f"{server.url}/dashboard")
    page.wait_for_function("() => document.querySelectorAll('#interviews tr').length > 0",
                           timeout=15_000)
    assert_accessible(page, f"dashboard signed in at {size}")


@SIZES
def test_dashboard_login_form(server, context, size):
    page = context.new_page()
    page.goto(f"{server.url}/dashboard")
    page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    assert_accessible(page, f"dashboard's login form at {size}")
    page.fill("#login-name", "nobody-here")
    page.fill("#login-password", "wrong-password-1")
    page.click("#login-button")
    page.wait_for_function("() => document.querySelector('#login-error').textContent !== ''",
                           timeout=10_000)
    assert_accessible(page, f"dashboard's login form with an error at {size}")


def test_dashboard_by_keyboard(server, recruiter, finished, context):
    page = context.new_page()
    page.goto(f"{server.url}/dashboard")
    page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    assert_reachable_by_tab(page, "login form")
    tab_to(page, "#login-name")
    page.keyboard.type(recruiter["user"]["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(recruiter["password"])
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#interviews tr').length > 0",
                           timeout=15_000)
    assert_reachable_by_tab(page, "dashboard signed in")
    tab_to(page, "#interviews a[href^='/report/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/report/**", timeout=10_000)
    page.wait_for_function("() => /\\d/.test(document.querySelector('#final-score')"
                           ".textContent)", timeout=15_000)
