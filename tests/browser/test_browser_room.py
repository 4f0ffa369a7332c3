"""The room page in real Chromium: fake camera (a real face) and microphone (real speech), media
over WebRTC by default, over the WebSocket when WebRTC fails."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.room_support import KEYWORDS
from tests.support.rtc import peers

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def run_room(browser, url: str, prepare=None, while_live=None) -> dict:
    """Open the room, start, wait for keywords in the transcript and an eye-contact value,
    stop; return what the page showed (and its console, for failure messages)."""
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    try:
        if prepare:
            prepare(page)
        page.goto(url)
        page.click("#start-button")
        page.wait_for_function(
            """(words) => {
                const text = document.querySelector('#transcript').textContent.toLowerCase();
                return words.filter((w) => text.includes(w)).length >= 3;
            }""",
            arg=sorted(KEYWORDS), timeout=60_000,
        )
        page.wait_for_function(
            "() => /\\d/.test(document.querySelector('#gauge-eye-value').textContent)",
            timeout=30_000,
        )
        shown = {
            "transport": page.text_content("#transport"),
            "transcript": page.text_content("#transcript"),
            "eye": page.text_content("#gauge-eye-value"),
            "stats": page.evaluate("() => ({...window.room.stats})"),
        }
        if while_live:
            shown["while_live"] = while_live()
        page.click("#stop-button")
        page.wait_for_function("() => document.body.dataset.phase === 'ended'", timeout=30_000)
        shown["status"] = page.text_content("#status")
        return shown
    except Exception as exc:
        state = page.evaluate(
            "() => JSON.stringify({stats: window.room.stats, phase: window.room.state.phase,"
            " metrics: window.room.state.lastMetrics})")
        raise AssertionError(f"{exc}\npage: {state}\nbrowser console:\n"
                             + "\n".join(console[-30:])) from exc
    finally:
        page.close()


def wait_closed(server, interview_id: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while interview_id in peers(server):
        assert time.monotonic() < deadline, "the server kept the WebRTC peer"
        time.sleep(0.05)


def test_room_over_webrtc(rtc_server, new_interview, room_browser):
    interview = new_interview()
    base = interview["room_url"].split("/room/")[0]

    def spectator_watches_camera() -> dict:
        """A recruiter's spectator page receives the candidate's camera, relayed."""
        page = room_browser.new_page()
        try:
            page.goto(f"{base}/spectate/{interview['id']}?token={interview['spectator_token']}")
            page.click("#video-button")
            page.wait_for_function(
                "() => document.querySelector('#live-video').videoWidth > 0", timeout=30_000)
            return page.evaluate("() => { const v = document.querySelector('#live-video');"
                                 " return {w: v.videoWidth, h: v.videoHeight}; }")
        finally:
            page.close()

    shown = run_room(room_browser, interview["room_url"], while_live=spectator_watches_camera)
    assert shown["while_live"] == {"w": 640, "h": 480}, shown["while_live"]
    assert shown["transport"] == "WebRTC", shown
    words = set(re.findall(r"[a-z]+", shown["transcript"].lower()))
    assert len(words & KEYWORDS) >= 3, shown["transcript"]
    assert re.fullmatch(r"\d+%", shown["eye"]) and int(shown["eye"][:-1]) > 50, shown["eye"]
    # no PCM or JPEG went over the WebSocket
    assert shown["stats"]["audioChunks"] == 0 and shown["stats"]["videoFrames"] == 0, shown
    assert shown["status"] == "Interview ended", shown
    wait_closed(rtc_server, interview["id"])


def test_room_falls_back_to_websocket(rtc_server, new_interview, room_browser):
    interview = new_interview()

    def refuse_webrtc(page) -> None:
        page.route(re.compile(r".*/webrtc\?.*"), lambda route: route.fulfill(
            status=503, content_type="application/json",
            body='{"error": {"code": "too_many_peers", "message": "full"}}'))

    shown = run_room(room_browser, interview["room_url"], refuse_webrtc)
    assert shown["transport"] == "WebSocket", shown
    words = set(re.findall(r"[a-z]+", shown["transcript"].lower()))
    assert len(words & KEYWORDS) >= 3, shown["transcript"]
    assert re.fullmatch(r"\d+%", shown["eye"]), shown["eye"]
    assert shown["stats"]["audioChunks"] > 0 and shown["stats"]["videoFrames"] > 0, shown
    assert interview["id"] not in peers(rtc_server)
