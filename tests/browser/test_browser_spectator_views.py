"""The spectator page in real Chromium against the real server: the transcript in session-time
order whatever order its items arrive in, the camera panel's failures in plain words (never an
exception's text), and the page with its controls in use passing axe-core at a desktop and a
phone size without horizontal scrolling."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.axe_support import RUN_AXE, SERIOUS, axe_script, describe
from tests.browser.test_browser_spectator import CHROMIUM, FLAGS, Watched, spectate_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/shots-spect")
SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}
ERROR_COLOUR = "rgb(180, 35, 24)"  # theme.css --bad


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=FLAGS)
        yield chromium
        await chromium.close()


async def open_page(browser, server, interview: dict, size: str = "1280x800", **extra: str):
    page = await browser.new_page(viewport=SIZES[size])
    watched = Watched(page)
    await page.goto(spectate_page(server.url, interview, **extra))
    await page.wait_for_function(
        "() => document.querySelector('#status').dataset.state === 'open'", timeout=15_000)
    return page, watched


async def feed(page, *events: dict) -> None:
    """Events into the page's one path (as if from the socket), rendered before returning."""
    await page.evaluate("(events) => events.forEach((e) => window.spectator.handle(e))",
                        list(events))
    await page.wait_for_function("() => !window.spectator.queue.length"
                                 " && !window.spectator.flushPending", timeout=5_000)


def question(seq: int, t: float, index: int, text: str) -> dict:
    return {"type": "question", "seq": seq, "t": t, "index": index, "turn": index,
            "question_id": f"q{index}", "text": text, "is_follow_up": False, "total": 2,
            "source": "plan"}


def final(seq: int, utterance: int, start: float, end: float, text: str) -> dict:
    return {"type": "transcript.final", "seq": seq, "t": end + 1.5, "utterance": utterance,
            "start": start, "end": end, "text": text}


TIMELINE = """() => [...document.querySelectorAll('#transcript > li')].map((li) => ({
    kind: li.className.split(' ')[0], t: Number(li.dataset.t),
    shown: li.querySelector('time').textContent,
    text: (li.querySelector('.line-text, .tl-question-text, .eval-title') || li).textContent,
}))"""


async def test_the_transcript_is_in_session_time_order(server, new_interview, browser):
    interview = new_interview()
    page, watched = await open_page(browser, server, interview)
    try:
        # one batch, out of order: the final of words spoken 0:25-0:29 comes after the
        # question asked at 0:30 (the ASR ran in between)
        await feed(page,
                   question(1, 0.5, 0, "Tell me about caching."),
                   final(2, 0, 2.0, 6.0, "I would cache reads."),
                   question(3, 30.0, 1, "How do you find a slow query?"),
                   final(4, 1, 25.0, 29.0, "And invalidate on writes."),
                   {"type": "answer.completed", "seq": 5, "t": 31.5, "index": 0, "turn": 0,
                    "question_id": "q0", "is_follow_up": False, "text": "...", "start": 2.0,
                    "end": 29.0, "reason": "pause"})
        # later batches, each into the page as it is: a late final goes above newer items
        await feed(page, final(6, 2, 31.0, 33.0, "I look at the slow query log."))
        await feed(page, final(7, 3, 29.5, 29.9, "Right."))
        await feed(page, {"type": "evaluation", "seq": 8, "t": 40.0, "index": 0, "turn": 0,
                          "question_id": "q0", "question": "Tell me about caching.",
                          "is_follow_up": False, "score": 64, "feedback": "Fine."})
        items = await page.evaluate(TIMELINE)
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert [(i["kind"], i["shown"]) for i in items] == [
        ("tl-question", "0:00"), ("line", "0:02"), ("line", "0:25"), ("tl-card", "0:29"),
        ("line", "0:29"), ("tl-question", "0:30"), ("line", "0:31"),
    ], items
    assert [i["t"] for i in items] == sorted(i["t"] for i in items), items
    assert "evaluation" in items[3]["text"], items  # the card filled in where it was


CAMERA = """() => {
    const el = document.querySelector('#camera-status');
    return {text: el.textContent, tone: el.dataset.tone, kind: el.dataset.kind, hidden: el.hidden,
            colour: getComputedStyle(el).color,
            button: document.querySelector('#video-button').textContent,
            buttonShown: !document.querySelector('#video-button').hidden};
}"""
RAW = ("409", "503", "Error", "error", "WebRTC", "sdp", "SDP", "refused", "fetch", "undefined",
       "null", "{", "no_video", "too_many")


async def watch_camera(page) -> dict:
    await page.focus("#video-button")
    await page.keyboard.press("Enter")  # by keyboard
    await page.wait_for_function(
        "() => document.querySelector('#camera-status').dataset.tone === 'error'",
        timeout=20_000)
    return await page.evaluate(CAMERA)


async def test_camera_failures_are_said_in_plain_words(server, new_interview, browser):
    interview = new_interview()  # not started: the server has no video for it
    page, watched = await open_page(browser, server, interview)
    shown = {}
    try:
        shown["no_video"] = await watch_camera(page)  # the real server's 409
        offer = "**/spectate/webrtc*"
        await page.route(offer, lambda route: route.fulfill(
            status=503, content_type="application/json",
            body=json.dumps({"error": {"code": "too_many_viewers", "message": "4 viewers"}})))
        shown["busy"] = await watch_camera(page)
        await page.unroute(offer)
        await page.route(offer, lambda route: route.abort("connectionrefused"))
        shown["network"] = await watch_camera(page)
        await page.unroute(offer)
        await page.route(offer, lambda route: route.fulfill(
            status=200, content_type="application/json",
            body=json.dumps({"type": "answer", "sdp": "v=0\r\nnot an answer\r\n"})))
        shown["connect"] = await watch_camera(page)
        await page.unroute(offer)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "camera-error-1280x800.png"))
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert shown["no_video"]["text"].startswith("The candidate's camera isn't available right now")
    assert "Too many people are watching" in shown["busy"]["text"]
    assert "Couldn't reach the server" in shown["network"]["text"]
    assert "video connection couldn't be set up" in shown["connect"]["text"]
    for kind, state in shown.items():
        assert state["kind"] == kind and not state["hidden"], state
        assert state["colour"] == ERROR_COLOUR, state
        assert state["button"] == "Try again" and state["buttonShown"], state
        assert not [w for w in RAW if w in state["text"]], state
    # the details are in the console, for whoever debugs it
    details = "\n".join(watched.console)
    assert "409" in details and "503" in details and "answer not applied" in details, details
    assert not [c for c in watched.console if c.startswith("pageerror")], details


async def axe_violations(page) -> list[dict]:
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.add_script_tag(path=str(axe_script()))
    return [v for v in await page.evaluate(RUN_AXE) if v["impact"] in SERIOUS]


@pytest.mark.parametrize("size", list(SIZES))
async def test_the_controls_in_use_pass_axe_without_horizontal_scroll(
    server, new_interview, browser, size
):
    interview = new_interview()
    # an access token the server does not accept: the controls show, and every action is
    # refused (read_only) - the refused state is on the page too
    page, watched = await open_page(browser, server, interview, size,
                                    access_token="not-a-valid-token")
    now = time.time()
    try:
        await feed(page,
                   {"type": "state", "seq": 1, "t": 0.2, "ts": now - 40, "state": "listening"},
                   question(2, 0.5, 0, "Tell me about a time you had to make a system faster."),
                   final(3, 0, 2.0, 9.0, "We had a slow checkout page, so I profiled it and "
                                         "found an N+1 query in the order history."),
                   {"type": "staff.question_queued", "seq": 4, "t": 9.5, "ts": now - 2,
                    "id": "recruiter-1", "text": "What did you measure?", "position": 1,
                    "by": {"user_id": 1, "username": "rec", "role": "recruiter"}},
                   {"type": "staff.follow_up_pending", "seq": 5, "t": 10.0, "ts": now,
                    "id": "fu-abc", "index": 0, "question_id": "q0", "turn": 1,
                    "text": "How did you confirm the N+1 query was the cause?",
                    "timeout_s": 20})
        queued = await page.text_content("#ask-status")
        left = await page.text_content(".approval-left")
        found = {"queued": await axe_violations(page)}
        await page.fill("#ask-text", "What would you do differently next time?")
        await page.press("#ask-text", "Enter")
        await page.wait_for_function(
            "() => document.querySelector('#ask-status').dataset.tone === 'error'",
            timeout=8_000)
        await page.click("#video-button")
        await page.wait_for_function(
            "() => document.querySelector('#camera-status').dataset.tone === 'error'",
            timeout=20_000)
        await page.wait_for_timeout(300)
        refused = await page.evaluate("""() => ({
            text: document.querySelector('#ask-status').textContent,
            colour: getComputedStyle(document.querySelector('#ask-status')).color,
            value: document.querySelector('#ask-text').value})""")
        found["refused"] = await axe_violations(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"controls-{size}.png"))
        await page.screenshot(path=str(SHOTS / f"controls-full-{size}.png"), full_page=True)
        widths = await page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]")
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert queued == "Queued - will be asked after the current answer", queued
    assert left in ("Auto-skip in 20 s", "Auto-skip in 19 s"), left
    assert "can only watch" in refused["text"] and refused["colour"] == ERROR_COLOUR, refused
    assert refused["value"] == "What would you do differently next time?", refused
    for state, violations in found.items():
        assert not violations, f"{state} at {size}:\n{describe(violations)}"
    assert widths[0] <= widths[1], f"horizontal scroll at {size}: {widths}"


GAUGE_TEXT = """() => Object.fromEntries(['wpm', 'fillers', 'pauses', 'confidence'].map((k) =>
    [k, document.querySelector(`#gauge-${k}-value`).textContent.trim()]))"""


async def test_the_gauges_show_a_dash_of_nothing_said(server, new_interview, browser):
    """The server's metrics before the first word carry 0 fillers and a confidence score of
    nothing said; the spectator (as the room) shows "—" until there are words."""
    interview = new_interview()
    page, watched = await open_page(browser, server, interview)
    silent = {"type": "metrics", "seq": 1, "t": 1.0, "words": 0, "speaking_s": 0.0,
              "wpm": 0.0, "filler_count": 0, "fillers_per_min": 0.0, "pause_ratio": 0.0,
              "confidence": {"score": 100}}
    spoken = {**silent, "seq": 2, "t": 9.0, "words": 20, "speaking_s": 8.0, "wpm": 150.0,
              "filler_count": 2, "fillers_per_min": 15.0, "pause_ratio": 0.1,
              "confidence": {"score": 71}}
    try:
        await feed(page, silent)
        before = await page.evaluate(GAUGE_TEXT)
        await feed(page, spoken)
        after = await page.evaluate(GAUGE_TEXT)
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()
    assert before == {"wpm": "—", "fillers": "—", "pauses": "—", "confidence": "—"}, before
    assert after == {"wpm": "150", "fillers": "2", "pauses": "10%", "confidence": "71"}, after
