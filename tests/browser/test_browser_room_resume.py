"""The room survives its connection, in real Chromium: a reload mid-interview resumes it (the
transcript and the question drawn again, once, nothing read aloud again), a network drop
reconnects by itself (the audio said meanwhile is sent after it), and a close it cannot come
back from (ended, a wrong link, another tab) says so in plain words and does not retry."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from media.simulate import ws_url
from tests.browser.room_support import RoomPage, reported

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/room-shots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LIVE = "() => document.body.dataset.phase === 'live'"
ENDED = "() => document.body.dataset.phase === 'ended'"
RECONNECTING = ("() => document.querySelector('#status').textContent === 'Reconnecting…'"
                " && !document.querySelector('#connection-banner').hidden")
RESUME_CARD = ("() => { const b = document.querySelector('#start-button');"
               " return b.textContent === 'Resume interview' && !b.disabled; }")
RAW_CODE = re.compile(r"\b(1\d{3}|4\d{3})\b")
WARNS_ON_LEAVE = """() => {
    const e = new Event('beforeunload', {cancelable: true});
    window.dispatchEvent(e);
    return e.defaultPrevented;
}"""


def stored(server, interview) -> list[dict]:
    """The interview's events as the server stored them (read with the spectator token)."""
    r = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                  params={"token": interview["spectator_token"], "limit": 1000}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["events"]


def kinds(server, interview) -> list[str]:
    return [e["type"] for e in stored(server, interview)]


def complete(server, interview: dict) -> None:
    """End the interview from a plain candidate socket (start nothing, `stop`)."""
    with connect(ws_url(server.url, interview["id"], interview["candidate_token"])) as ws:
        ws.send(json.dumps({"type": "stop"}))
        while json.loads(ws.recv(timeout=20)).get("state") != "stopped":
            pass
    deadline = time.monotonic() + 10
    while True:
        r = httpx.get(f"{server.url}/api/interviews/{interview['id']}",
                      params={"token": interview["candidate_token"]}, timeout=10)
        if r.json()["status"] == "completed":
            return
        assert time.monotonic() < deadline, r.json()["status"]
        time.sleep(0.1)


def start_live(room: RoomPage, url: str, finals: int = 1) -> None:
    room.page.goto(url)
    room.page.click("#start-button")
    room.wait(LIVE, 30)
    room.wait(f"() => document.querySelectorAll('#transcript li.line').length >= {finals}", 60)


def stop(room: RoomPage) -> None:
    room.page.click("#stop-button")
    room.wait(ENDED, 40)
    assert room.page.text_content("#status") == "Interview ended"


def after_of(socket_url: str) -> int:
    return int(re.search(r"[?&]after=(\d+)", socket_url).group(1))


def shots(room: RoomPage, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    room.screenshot(SHOTS / f"{name}-390.png", **PHONE)
    room.screenshot(SHOTS / f"{name}-1280.png", **DESKTOP)


def in_own_context(browser) -> tuple:
    """A room page in a context of its own (whose network a test can cut)."""
    context = browser.new_context(viewport=DESKTOP)
    return context, RoomPage(context)


def cut_network(context, room: RoomPage) -> None:
    context.set_offline(True)
    room.wait(RECONNECTING, 10)


def assert_once(lines: list[str]) -> None:
    assert len(set(lines)) == len(lines), f"duplicate transcript lines: {lines}"


# -- the room's pieces, in the page ------------------------------------------------------------
RING = """async () => {
    const { createPcmRing } = await import('/static/room/audio-buffer.js');
    const chunk = (from, n) => Int16Array.from({ length: n }, (_, i) => from + i).buffer;
    const ring = createPcmRing(1000, 1); // 1000 Hz, keeps 1 s
    let out = [];
    const send = (buf) => { out.push(...new Int16Array(buf)); return true; };
    ring.rewind(2.0); // the page's first `ready`: the session had 2 s
    for (let i = 0; i < 5; i++) ring.push(chunk(i * 100, 100));
    ring.pump(send); // samples 0..499 sent
    for (let i = 5; i < 8; i++) ring.push(chunk(i * 100, 100)); // offline: 500..799 kept
    const first = ring.rewind(2.3); // the server took 300 of ours
    out = [];
    ring.pump(send);
    const resent = [out[0], out[out.length - 1], out.length];
    for (let i = 8; i < 23; i++) ring.push(chunk(i * 100, 100)); // a long outage: 800..2299
    const second = ring.rewind(2.6); // the server has 600: 600..1299 are gone from the ring
    out = [];
    ring.pump(send);
    return { first, resent, second, then: [out[0], out.length], lost: ring.lostSamples };
}"""
OUTCOMES = """async () => {
    const { closeOutcome } = await import('/static/room/connection.js');
    const cases = [[1000, ''], [1001, ''], [1006, ''], [1011, ''], [1012, 'restart'],
      [1013, 'slow'], [4409, 'elsewhere the interview is live on node b'],
      [4503, 'busy retry=7 too many'], [4403, 'invalid token'], [4404, 'unknown interview'],
      [4409, 'replaced by a newer connection'], [4410, 'ended'], [4429, 'too_many'], [1009, '']];
    return cases.map(([code, reason]) => [code, closeOutcome(code, reason)]);
}"""


def test_the_pcm_ring_and_the_close_codes(rtc_server, room_browser):
    page = room_browser.new_page()
    try:
        page.goto(f"{rtc_server.url}/api/health")
        ring = page.evaluate(RING)
        outcomes = {f"{code}:{o.get('why', o.get('waitMs'))}"
                    for code, o in page.evaluate(OUTCOMES)}
    finally:
        page.close()
    assert ring["first"] == {"resend": 200, "lost": 0, "pending": 500}, ring
    assert ring["resent"] == [300, 799, 500], ring  # from what the server had, once each
    assert ring["second"] == {"resend": 0, "lost": 200, "pending": 1000}, ring
    assert ring["then"] == [1300, 1000] and ring["lost"] == 700, ring
    assert outcomes == {"1000:0", "1001:0", "1006:0", "1011:0", "1012:0", "1013:0", "4409:0",
                        "4503:7000", "4403:invalid", "4404:invalid", "4409:replaced",
                        "4410:ended", "4429:too_many", "1009:closed"}, outcomes


# -- a reload ------------------------------------------------------------------------------------
@pytest.mark.parametrize("transport", ["websocket", "webrtc"])
def test_a_reload_resumes_the_interview(rtc_server, new_interview, room_browser, transport):
    interview = new_interview(job_role="backend engineer", num_questions=2)
    room = RoomPage(room_browser)
    with reported(room):
        start_live(room, f"{interview['room_url']}&transport={transport}")
        room.wait("() => document.querySelector('#question-text').textContent.trim() !== ''")
        time.sleep(0.5)  # the server stores events every 0.2 s: the reload finds them there
        question = room.state()["question"]
        before = room.lines()
        room.page.reload()
        room.wait(RESUME_CARD, 20)
        card = room.state()
        redrawn = room.lines()
        card["title"] = room.page.text_content("#start-title")
        if transport == "websocket":
            shots(room, "resume-card")
        room.page.click("#start-button")
        room.wait(LIVE, 30)
        room.wait_for_new_lines(redrawn)
        resumed = room.state()
        after = room.lines()
        stop(room)

    assert room.dialogs == ["beforeunload"], room.dialogs  # leaving a live interview warns
    # the reloaded page drew the interview so far again, once, without reading it aloud
    assert card["title"] == "Your interview is in progress", card
    assert card["phase"] == "idle" and card["media"] == 0 and card["replayed"] > 0, card
    assert card["question"] == question and card["spoken"] == [], card
    assert redrawn[: len(before)] == before, (before, redrawn)
    assert_once(redrawn)
    # then it went on: new finals after the old ones, the same question, nothing twice
    assert after[: len(redrawn)] == redrawn, (redrawn, after)
    assert_once(after)
    assert resumed["question"] == question and resumed["spoken"] == [], resumed
    # the first socket read the session from the start; the new page's after what it drew
    assert after_of(room.sockets[0]) == 0 and after_of(room.sockets[-1]) >= card["lastSeq"] > 0
    seen = kinds(rtc_server, interview)
    assert "candidate.reconnected" in seen, seen
    assert seen.index("candidate.disconnected") < seen.index("candidate.reconnected"), seen
    if transport == "webrtc":  # the old peer is gone: the new page offered again
        assert room.offers == 2 and resumed["transport"] == "WebRTC", (room.offers, resumed)
        assert resumed["stats"]["audioChunks"] == 0, resumed
    else:
        assert resumed["transport"] == "WebSocket" and resumed["stats"]["audioChunks"] > 0


# -- a network drop ------------------------------------------------------------------------------
def test_a_network_drop_reconnects_by_itself(rtc_server, new_interview, room_browser):
    interview = new_interview(job_role="backend engineer", num_questions=2)
    context, room = in_own_context(room_browser)
    with reported(room, context):
        start_live(room, f"{interview['room_url']}&transport=websocket")
        cut_network(context, room)
        warns = room.page.evaluate(WARNS_ON_LEAVE)
        shots(room, "reconnecting")
        time.sleep(2)  # the candidate goes on speaking meanwhile
        away = room.state()
        before = room.lines()
        context.set_offline(False)
        room.wait(LIVE, 30)
        room.wait_for_new_lines(before)
        back = room.state()
        after = room.lines()
        page_text = room.page.text_content("body")
        stop(room)

    assert warns, "leaving while reconnecting must warn"
    assert away["phase"] == "reconnecting" and away["connection"] == "reconnecting", away
    assert back["reconnects"] == 1 and back["connects"] >= 2, back
    assert back["status"] == "Listening", back
    # what was said while offline was kept and sent after the reconnect
    assert back["stats"]["audioResentBytes"] > 0, back
    assert after[: len(before)] == before, (before, after)
    assert_once(after)
    assert after_of(room.sockets[-1]) >= away["lastSeq"] > 0, room.sockets
    assert not RAW_CODE.search(page_text), page_text
    seen = kinds(rtc_server, interview)
    assert seen.index("candidate.disconnected") < seen.index("candidate.reconnected"), seen


def test_stop_while_reconnecting_ends_once_back(rtc_server, new_interview, room_browser):
    interview = new_interview()
    context, room = in_own_context(room_browser)
    with reported(room, context):
        start_live(room, f"{interview['room_url']}&transport=websocket")
        cut_network(context, room)
        room.page.click("#stop-button")
        time.sleep(1)
        stopping = room.state()
        context.set_offline(False)
        room.wait(ENDED, 30)
        ended = room.state()
        title = room.page.text_content("#ended-title")
    assert stopping["phase"] == "stopping", stopping  # Stop waits for the connection
    assert ended["status"] == "Interview ended" and title == "Interview ended", (ended, title)
    assert not room.dialogs
    events = stored(rtc_server, interview)
    seen = [e["type"] for e in events]
    assert seen.index("candidate.disconnected") < seen.index("candidate.reconnected"), seen
    # the reconnected socket sent `stop` (and no `start`): the session ended normally
    states = [e["state"] for e in events if e["type"] == "state"]
    assert states[-2:] == ["ready", "stopped"], states


def test_a_dropped_webrtc_connection_offers_again(rtc_server, new_interview, room_browser):
    interview = new_interview()
    room = RoomPage(room_browser)
    with reported(room):
        start_live(room, f"{interview['room_url']}&transport=webrtc")
        before = room.lines()
        room.page.evaluate("() => window.room.dropConnection()")
        room.wait(RECONNECTING, 5)
        room.wait("() => window.room.state.connects >= 2 && document.body.dataset.phase === 'live'",
                  30)
        room.wait_for_new_lines(before)
        back = room.state()
        after = room.lines()
        stop(room)
    assert room.offers == 2 and back["transport"] == "WebRTC", (room.offers, back)
    assert back["reconnects"] == 1 and back["stats"]["audioChunks"] == 0, back
    assert after[: len(before)] == before, (before, after)
    assert_once(after)


def test_the_room_gives_up_after_the_grace_period(rtc_server, new_interview, room_browser):
    interview = new_interview()
    context, room = in_own_context(room_browser)
    with reported(room, context):
        start_live(room, f"{interview['room_url']}&transport=websocket", finals=0)
        room.page.evaluate("() => { window.room.state.graceMs = 3000; }")  # the server's: 60 s
        context.set_offline(True)
        room.wait(ENDED, 20)
        attempts = len(room.sockets)
        time.sleep(2)
        shown = {k: room.page.text_content(f"#{k}")
                 for k in ("ended-title", "ended-text", "status")}
        shown["reload"] = room.page.is_visible("#reload-button")
        shots(room, "gave-up")
        context.set_offline(False)
        time.sleep(1)
    assert shown["ended-title"] == "We could not reconnect" and shown["reload"], shown
    assert shown["status"] == "Disconnected" and not RAW_CODE.search(str(shown)), shown
    assert len(room.sockets) == attempts, room.sockets  # no more attempts once it gave up


# -- closes the room cannot come back from -----------------------------------------------------
def test_an_ended_interview_shows_its_report_link(rtc_server, new_interview, room_browser):
    interview = new_interview()
    complete(rtc_server, interview)
    room = RoomPage(room_browser)
    wrong = RoomPage(room_browser)
    with reported(room, room, wrong):
        room.page.goto(interview["room_url"])
        room.wait("() => document.querySelector('#report-link') !== null", 10)
        shots(room, "ended-card")
        wrong.page.goto(interview["room_url"].replace(interview["candidate_token"], "not-it"))
        wrong.wait("() => document.querySelector('#start-button').hidden", 10)
        time.sleep(1)
        ended = {k: room.page.text_content(f"#{k}") for k in ("start-title", "status")}
        ended["href"] = room.page.get_attribute("#report-link", "href")
        ended["button"] = room.page.is_visible("#start-button")
        ended["media"] = room.state()["media"]
        invalid = wrong.page.text_content("#start-title")
    assert ended["start-title"] == "This interview has ended", ended
    assert ended["href"] == (f"/report/{interview['id']}?token={interview['candidate_token']}")
    assert not ended["button"] and ended["media"] == 0, ended  # no camera or microphone
    assert ended["status"] == "Interview ended", ended
    assert invalid == "This interview link is not valid", invalid
    assert room.sockets == [] and wrong.sockets == [], (room.sockets, wrong.sockets)


@pytest.mark.parametrize("case", ["ended", "wrong_token"])
def test_a_fatal_close_is_said_in_plain_words(rtc_server, new_interview, room_browser, case):
    interview = new_interview()
    url = f"{interview['room_url']}&transport=websocket"
    if case == "ended":
        complete(rtc_server, interview)
        title = "This interview has ended"
    else:
        url = url.replace(interview["candidate_token"], "not-the-token")
        title = "This interview link is not valid"
    room = RoomPage(room_browser)
    # the page is told the interview has not started: only its socket can refuse it
    check = re.compile(r".*/api/interviews/[^/?]+/check\?token=.*")
    room.page.route(check, lambda route: route.fulfill(
        status=200, content_type="application/json", body='{"state": "pending"}'))
    with reported(room):
        room.page.goto(url)
        room.page.click("#start-button")
        room.wait(ENDED, 20)
        time.sleep(3)  # long enough for a few reconnects, were there any
        shown = room.state()
        shown["title"] = room.page.text_content("#ended-title")
        shown["report"] = room.page.is_visible("#report-link")
        page_text = room.page.text_content("body")
    assert shown["title"] == title, shown
    assert shown["report"] == (case == "ended"), shown
    assert len(room.sockets) == 1 and shown["connection"] == "closed", (room.sockets, shown)
    assert not RAW_CODE.search(page_text), page_text


def test_another_tab_takes_the_interview_over(rtc_server, new_interview, room_browser):
    interview = new_interview()
    url = f"{interview['room_url']}&transport=websocket"
    first, second = RoomPage(room_browser), RoomPage(room_browser)
    with reported(first, first, second):
        start_live(first, url, finals=0)
        second.page.goto(url)
        second.wait(RESUME_CARD, 20)
        second.page.click("#start-button")
        second.wait(LIVE, 30)
        first.wait(ENDED, 10)
        time.sleep(2)
        shown = {k: first.page.text_content(f"#{k}") for k in ("ended-title", "status")}
        shots(first, "replaced")
        stop(second)
    assert shown["ended-title"] == "This interview was opened in another tab or window", shown
    assert len(first.sockets) == 1, first.sockets  # and it did not try to take it back
