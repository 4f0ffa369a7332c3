"""The room says what is wrong in plain words, in the error colour, before it asks for the
camera or the microphone when the link is bad (issue 14): a wrong token, an unknown
interview, an ended one (with its report link when this link may see it), a busy server, a
blocked microphone, no face in view; the gauges show "—" until there is data; and at a phone's
size the page does not scroll sideways and the camera preview does not cover the transcript."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.browser.axe_support import VIEWPORTS, assert_accessible
from tests.browser.room_support import CHROMIUM, FLAGS, RoomPage, reported
from tests.support.media import write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/shots-room")
LIVE = "() => document.body.dataset.phase === 'live'"
CLOSED_CARD = "() => document.querySelector('#start-button').hidden"
#: what the page must never show: close codes, "closed", exception names and messages
RAW = re.compile(r"\b(1\d{3}|4\d{3}|5\d\d)\b|closed \d|Error\b|Exception|Failed to|undefined|null",
                 re.IGNORECASE)
ERROR_RGB = "rgb(180, 35, 24)"  # --bad
TEXT = """() => ({
    title: document.querySelector('#start-title').textContent,
    text: document.querySelector('#start-text').textContent,
    status: document.querySelector('#status').textContent,
    statusState: document.querySelector('#status').dataset.state,
    titleColour: getComputedStyle(document.querySelector('#start-title')).color,
    report: document.querySelector('#report-link')?.getAttribute('href') ?? null,
    media: window.__media, body: document.body.innerText,
})"""


def shots(room: RoomPage, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for size, viewport in VIEWPORTS.items():
        room.page.set_viewport_size(viewport)
        time.sleep(0.3)
        room.page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))


def accessible_at_both_sizes(room: RoomPage, where: str) -> None:
    for size, viewport in VIEWPORTS.items():
        room.page.set_viewport_size(viewport)
        time.sleep(0.2)
        assert_accessible(room.page, f"{where} at {size}")
        width = room.page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], (where, size, width)


def store(server):
    return server.server.config.app.state.store


def closed_card(room: RoomPage, url: str, name: str) -> dict:
    room.page.goto(url)
    room.wait(CLOSED_CARD, 15)
    time.sleep(0.5)
    shown = room.page.evaluate(TEXT)
    accessible_at_both_sizes(room, name)
    shots(room, name)
    return shown


# -- bad links: said before any camera or microphone ----------------------------------------------
@pytest.mark.parametrize("case", ["wrong_token", "unknown"])
def test_a_bad_link_is_said_before_the_camera_is_asked(rtc_server, new_interview, room_browser,
                                                       case):
    interview = new_interview()
    url = interview["room_url"]
    if case == "wrong_token":
        url = url.replace(interview["candidate_token"], "not-the-token")
        title = "This interview link is not valid"
    else:
        url = url.replace(interview["id"], uuid.uuid4().hex)
        title = "We cannot find this interview"
    room = RoomPage(room_browser)
    with reported(room):
        shown = closed_card(room, url, f"bad-link-{case}")
        room.page.click("body")  # nothing to start
        time.sleep(0.5)
        media = room.page.evaluate("() => window.__media")
    assert shown["title"] == title, shown
    assert shown["media"] == 0 and media == 0, shown  # no camera or microphone asked for
    assert room.sockets == [], room.sockets
    assert shown["statusState"] == "closed" and shown["titleColour"] == ERROR_RGB, shown
    assert shown["report"] is None, shown
    assert not RAW.search(shown["body"]), shown["body"]


def test_an_ended_practice_interview_links_its_report(rtc_server, new_interview, room_browser):
    interview = new_interview()
    store(rtc_server).update_interview(interview["id"], status="abandoned")
    room = RoomPage(room_browser)
    with reported(room):
        shown = closed_card(room, interview["room_url"], "ended-practice")
    assert shown["title"] == "This interview has ended", shown
    assert "It ended when the connection stayed down" in shown["text"], shown
    assert shown["report"] == f"/report/{interview['id']}?token={interview['candidate_token']}"
    assert shown["media"] == 0 and room.sockets == [], shown
    assert not RAW.search(shown["body"]), shown["body"]


def test_an_ended_recruiter_run_interview_offers_no_report(rtc_server, room_browser):
    from tests.support.db import register

    recruiter = register(rtc_server, "recruiter")
    interview = httpx.post(f"{rtc_server.url}/api/interviews", headers=recruiter["headers"],
                           json={"job_role": "backend engineer", "num_questions": 1},
                           timeout=10).json()
    store(rtc_server).update_interview(interview["id"], status="completed")
    room = RoomPage(room_browser)
    with reported(room):
        shown = closed_card(room, interview["room_url"], "ended-recruiter-run")
    assert shown["title"] == "This interview has ended", shown
    assert "recruiters, who will be in touch" in shown["text"], shown
    assert shown["report"] is None and shown["media"] == 0, shown


def test_a_busy_server_is_said_and_checked_again(rtc_server, new_interview, room_browser):
    interview = new_interview()
    room = RoomPage(room_browser)
    calls = []

    def busy_once(route):
        calls.append(time.monotonic())
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "2"}, content_type="application/json",
                          body='{"error": {"code": "rate_limited", "message": "retry in 2 s"}}')
        else:
            route.continue_()

    room.page.route(re.compile(r".*/api/interviews/[^/?]+/check\?token=.*"), busy_once)
    with reported(room):
        room.page.goto(interview["room_url"])
        room.wait("() => document.querySelector('#start-title').textContent"
                  " === 'The server is busy'", 10)
        busy = room.page.evaluate(TEXT)
        busy["disabled"] = room.page.is_disabled("#start-button")
        shots(room, "busy")
        room.wait("() => !document.querySelector('#start-button').disabled", 10)
        ready = room.page.evaluate(TEXT)
    assert "try again in 2 s" in busy["text"] and busy["disabled"], busy
    assert busy["media"] == 0 and not RAW.search(busy["body"]), busy
    assert len(calls) == 2 and calls[1] - calls[0] >= 1.9, calls
    assert ready["title"] == "Ready when you are", ready


# -- a blocked microphone --------------------------------------------------------------------------
def launch(room_browser, args: list[str]):
    """Another Chromium of the module's Playwright (one sync Playwright per thread)."""
    return room_browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                            args=args)


@pytest.fixture(scope="module")
def blocking_browser(fake_media, room_browser) -> Iterator:
    """Chromium whose permission prompts are not answered "yes" (no fake UI): Playwright
    denies them, as a candidate who blocks the microphone does."""
    face, speech = fake_media
    args = [f for f in FLAGS if f != "--use-fake-ui-for-media-stream"]
    args += [f"--use-file-for-fake-video-capture={face}",
             f"--use-file-for-fake-audio-capture={speech}"]
    chromium = launch(room_browser, args)
    yield chromium
    chromium.close()


def test_a_blocked_microphone_is_said_in_plain_words(rtc_server, new_interview, blocking_browser):
    interview = new_interview()
    context = blocking_browser.new_context(viewport=VIEWPORTS["1280x800"])
    room = RoomPage(context)
    with reported(room, room, context):
        room.page.goto(interview["room_url"])
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        room.page.click("#start-button")
        room.wait("() => document.querySelector('#start-hint').classList.contains('is-error')", 15)
        hint = room.page.text_content("#start-hint")
        colour = room.page.evaluate(
            "() => getComputedStyle(document.querySelector('#start-hint')).color")
        body = room.page.evaluate("() => document.body.innerText")
        toasts = room.page.evaluate("() => [...document.querySelectorAll('.toast-code')]"
                                    ".map((t) => t.textContent)")
        media = room.page.evaluate("() => window.__media")
        accessible_at_both_sizes(room, "room with a blocked microphone")
        shots(room, "mic-blocked")
    assert "Microphone access was blocked" in hint, hint
    assert colour == ERROR_RGB, colour
    assert media >= 1 and room.sockets == [], (media, room.sockets)
    assert toasts == ["Microphone"], toasts
    assert not RAW.search(body), body


# -- live: no face in view, gauges, a phone's width ------------------------------------------
@pytest.fixture(scope="module")
def faceless_browser(fake_media, room_browser, tmp_path_factory) -> Iterator:
    """Chromium whose fake camera films an empty wall (no face)."""
    wall = np.full((480, 640, 3), (200, 190, 170), np.uint8)
    wall[:, 320:] = (120, 130, 150)  # some texture: not a blank frame
    video = write_y4m(tmp_path_factory.mktemp("wall") / "wall.y4m", wall)
    _, speech = fake_media
    args = [*FLAGS, f"--use-file-for-fake-video-capture={video}",
            f"--use-file-for-fake-audio-capture={speech}"]
    chromium = launch(room_browser, args)
    yield chromium
    chromium.close()


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_no_face_in_view_and_a_phone_sized_live_room(rtc_server, new_interview, faceless_browser):
    interview = new_interview(job_role="backend engineer", num_questions=2)
    context = faceless_browser.new_context(viewport=VIEWPORTS["390x844"])
    room = RoomPage(context)
    with reported(room, room, context):
        room.page.goto(f"{interview['room_url']}&transport=websocket")
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        # a metrics event before any speech: confidence is not 100 of nothing said
        room.page.evaluate("() => window.room.handleEvent({type: 'metrics', words: 0, "
                           "speaking_s: 0, confidence: {score: 100}})")
        before = room.page.text_content("#gauge-confidence-value")
        room.page.click("#start-button")
        room.wait(LIVE, 30)
        room.wait("() => !document.querySelector('#face-hint').hidden", 30)
        hint = room.page.text_content("#face-hint")
        hint_colour = room.page.evaluate(
            "() => getComputedStyle(document.querySelector('#face-hint')).color")
        eye = room.page.text_content("#gauge-eye-value")
        preview = room.page.locator("#preview-box").bounding_box()
        transcript = room.page.locator("#transcript-panel").bounding_box()
        toast_box = None
        room.page.evaluate("() => window.room.toast('Not sent', 'Try again.', 'error')")
        toast_box = room.page.locator(".toast").bounding_box()
        transcript_after = room.page.locator("#transcript-panel").bounding_box()
        accessible_at_both_sizes(room, "live room with no face in view")
        shots(room, "live-no-face")
        desktop = {k: room.page.locator(k).bounding_box()
                   for k in ("#preview-box", "#transcript-panel", ".toast")}
        body = room.page.evaluate("() => document.body.innerText")
        room.page.click("#stop-button")
        room.wait("() => document.body.dataset.phase === 'ended'", 40)
    assert before == "—", before
    assert "can’t see your face" in hint and "check your camera" in hint, hint
    assert hint_colour == ERROR_RGB, hint_colour
    assert eye == "—", eye
    assert preview and transcript and not boxes_overlap(preview, transcript), (preview, transcript)
    assert preview["width"] <= 200, preview  # small, in the flow
    assert not boxes_overlap(toast_box, transcript_after), (toast_box, transcript_after)
    assert not boxes_overlap(desktop["#preview-box"], desktop["#transcript-panel"]), desktop
    assert not boxes_overlap(desktop[".toast"], desktop["#transcript-panel"]), desktop
    assert not RAW.search(body), body
