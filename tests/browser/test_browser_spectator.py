"""The recruiter's spectator page in real Chromium: it joins a live session mid-way (catch-up,
then live), survives a dropped connection, and ends with every final line exactly once."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from pathlib import Path

import pytest

from media.simulate import stream_pcm
from tests.support.media import face_canvas, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOT = Path("/tmp/spectator.png")
LIVE_SCREENSHOT = Path("/tmp/spectator-live.png")
CONTROLS_SCREENSHOT = Path("/tmp/spectator-controls.png")


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


def spectate_page(server_url: str, interview: dict, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"token": interview["spectator_token"],
                                              **extra}.items())
    return f"{server_url}/spectate/{interview['id']}?{query}"


class Watched:
    """A page with its console and WebSocket traffic recorded (for assertions and failures)."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        self.sockets: list[str] = []
        self.sent: list[dict] = []
        self.received: list[dict] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        self.sockets.append(ws.url)
        ws.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        ws.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def context(self) -> str:
        return "\nbrowser console:\n" + "\n".join(self.console[-30:])


async def test_spectator_joins_mid_session_and_shows_everything_once(
    server, new_interview, jfk, browser
):
    interview = new_interview(job_role="backend engineer", num_questions=2)
    samples, rate = jfk
    camera = itertools.repeat(jpeg(face_canvas()))  # a real face: eye-contact gauge and chart
    streaming = asyncio.create_task(stream_pcm(
        server.url, samples, rate, interview=interview, video=camera, video_fps=5.0,
        settle_s=1.0,
    ))
    await asyncio.sleep(4.0)  # the session is live and has events by now
    assert not streaming.done(), "the session ended before the spectator joined"

    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    watched = Watched(page)
    try:
        await page.goto(spectate_page(server.url, interview))
        await page.wait_for_function("() => window.spectator && window.spectator.lastSeq > 0",
                                     timeout=15_000)
        assert not streaming.done(), "the page should see the session live"
        await page.wait_for_function(
            "() => document.querySelectorAll('#transcript li.line').length > 0",
            timeout=30_000,
        )
        await page.screenshot(path=str(LIVE_SCREENSHOT))
        # a network drop mid-session: the page must resume with after=lastSeq, no duplicates
        await page.evaluate("() => window.spectator.dropConnection()")
        result = await asyncio.wait_for(streaming, 120)
        last_seq = max(e["seq"] for e in result.events if "seq" in e)
        await page.wait_for_function(
            """(last) => window.spectator.lastSeq >= last && !window.spectator.queue.length
                && document.body.dataset.session === 'ended'""",
            arg=last_seq, timeout=60_000,
        )
        await page.wait_for_function(
            "() => Number(document.querySelector('#chart-pace').dataset.points) > 0",
            timeout=10_000,
        )
        await page.wait_for_timeout(1_200)  # the charts redraw at most once a second
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        transcript = await page.text_content("#transcript")
        wpm = await page.text_content("#gauge-wpm-value")
        lines = await page.eval_on_selector_all(
            "#transcript li.line", "(els) => els.map((el) => el.dataset.utterance)"
        )
        chart = await page.eval_on_selector(
            "#chart-pace", """(el) => ({
                points: Number(el.dataset.points),
                drawn: el.querySelectorAll('path.chart-line, polyline.chart-line').length,
            })""",
        )
        state = await page.evaluate("""() => ({
            connects: window.spectator.connects, lastSeq: window.spectator.lastSeq,
            finals: window.spectator.finals, session: document.body.dataset.session,
            status: document.querySelector('#status').dataset.state,
            question: document.querySelector('#question-text').textContent,
            evaluations: document.querySelectorAll('#transcript .tl-eval .score-badge').length,
            times: [...document.querySelectorAll('#transcript > li')]
                .map((li) => Number(li.dataset.t)),
            controlsHidden: document.querySelector('#controls').hidden,
        })""")
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    finals = [e for e in result.finals if e["text"].strip()]
    assert "fellow americans" in transcript.lower(), transcript
    assert re.fullmatch(r"\d+", wpm.strip()), wpm
    assert len(lines) == len(finals), (lines, [f["text"] for f in finals])
    assert len(set(lines)) == len(lines), f"duplicate final lines: {lines}"
    assert chart["points"] > 0 and chart["drawn"] == 1, chart
    assert state["connects"] >= 2 and state["lastSeq"] == last_seq, state
    assert state["status"] == "open", state
    # the first socket caught up from 0; the reconnect resumed after the last seq it had seen
    assert re.search(r"[?&]after=0(&|$)", watched.sockets[0]), watched.sockets
    resumed = [int(re.search(r"[?&]after=(\d+)", u).group(1)) for u in watched.sockets[1:]]
    assert resumed and all(after > 0 for after in resumed), watched.sockets
    # the interview's question and its evaluation card are on the page
    assert state["question"].strip(), state
    assert state["evaluations"] >= 1, state
    assert state["times"] == sorted(state["times"]), state  # in session-time order
    # not signed in: no controls, and the page only ever pinged
    assert state["controlsHidden"], state
    assert all(m == {"type": "ping"} for m in watched.sent), watched.sent


async def test_recruiter_controls_send_on_the_spectator_socket(server, new_interview, browser):
    interview = new_interview()
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    watched = Watched(page)
    try:
        await page.goto(spectate_page(server.url, interview, access_token="recruiter-token"))
        await page.wait_for_function(
            "() => document.querySelector('#status').dataset.state === 'open'", timeout=15_000
        )
        assert "access_token=recruiter-token" in watched.sockets[0], watched.sockets
        assert await page.is_visible("#ask-form")

        await page.fill("#ask-text", "Tell me about a hard bug you fixed.")
        await page.click("#ask-button")

        for fid, text in (("fu-1", "Why that index?"), ("fu-2", "Any alternatives?")):
            await page.evaluate(
                "(e) => window.spectator.handle(e)",
                {"type": "staff.follow_up_pending", "id": fid, "index": 0, "text": text},
            )
        await page.fill('.approval[data-id="fu-1"] textarea', "Why did you pick that index?")
        await page.screenshot(path=str(CONTROLS_SCREENSHOT))
        await page.click('.approval[data-id="fu-1"] button:text("Approve")')
        await page.click('.approval[data-id="fu-2"] button:text("Skip")')
        # an access token the server does not accept: every action is refused (read_only),
        # and the page says so where it was done; the cards can be decided again
        await page.wait_for_function(
            """() => [...document.querySelectorAll('.approval .approval-note')]
                .filter((n) => n.dataset.tone === 'error').length === 2
                && document.querySelector('#ask-status').dataset.tone === 'error'""",
            timeout=5_000,
        )
        replies = [m for m in watched.received if m.get("type") == "error" and "seq" not in m]
        shown = await page.evaluate("""() => ({
            ask: document.querySelector('#ask-status').textContent,
            value: document.querySelector('#ask-text').value,
            notes: [...document.querySelectorAll('.approval-note')].map((n) => n.textContent),
            enabled: [...document.querySelectorAll('.approval button')].every((b) => !b.disabled),
        })""")
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    sent = [m for m in watched.sent if m.get("type") != "ping"]
    assert sent == [
        {"type": "ask", "text": "Tell me about a hard bug you fixed."},
        {"type": "approve", "id": "fu-1", "text": "Why did you pick that index?"},
        {"type": "reject", "id": "fu-2"},
    ], sent
    assert [r["code"] for r in replies] == ["read_only"] * 3, replies
    assert "can only watch" in shown["ask"], shown
    assert shown["value"] == "Tell me about a hard bug you fixed.", shown  # kept to retry
    assert all("can only watch" in n for n in shown["notes"]) and shown["enabled"], shown


async def test_spectator_resumes_after_a_1013_close(server, new_interview, jfk, browser):
    """The server closes a slow spectator with 1013: the page reconnects with after=lastSeq
    and shows every event once (the 1013 comes from a Playwright route over the real socket)."""
    interview = new_interview()
    samples, rate = jfk
    result = await stream_pcm(server.url, samples, rate, interview=interview, speed=3.0)
    await asyncio.sleep(0.5)  # storage writes in batches
    cut_after = 20
    urls: list[str] = []

    async def route(ws) -> None:
        urls.append(ws.url)
        upstream = ws.connect_to_server()
        if len(urls) > 1:
            return  # later sockets pass through untouched
        forwarded = 0

        async def from_server(message) -> None:
            nonlocal forwarded
            if forwarded >= cut_after:
                return
            ws.send(message)
            forwarded += 1
            if forwarded == cut_after:
                await ws.close(code=1013, reason="spectator too slow; reconnect with ?after=")
                await upstream.close()

        upstream.on_message(from_server)

    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    watched = Watched(page)
    last_seq = max(e["seq"] for e in result.events if "seq" in e)
    try:
        await page.route_web_socket(re.compile(r".*/spectate\?.*"), route)
        await page.goto(spectate_page(server.url, interview))
        await page.wait_for_function(
            "(last) => window.spectator.lastSeq >= last && !window.spectator.queue.length",
            arg=last_seq, timeout=30_000,
        )
        state = await page.evaluate("""() => ({
            connects: window.spectator.connects, closes: window.spectator.closes,
            duplicates: window.spectator.stats.duplicates,
            lines: document.querySelectorAll('#transcript li.line').length,
            session: document.body.dataset.session,
        })""")
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert state["closes"][:1] == [1013] and state["connects"] >= 2, (urls, state)
    assert re.search(rf"[?&]after={cut_after}(&|$)", urls[1]), urls
    assert state["duplicates"] == 0, state
    assert state["lines"] == len([e for e in result.finals if e["text"].strip()]), state
    assert state["session"] == "ended", state


async def test_the_candidates_drop_and_return_are_shown(server, new_interview, browser):
    interview = new_interview()
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    try:
        await page.goto(spectate_page(server.url, interview))
        await page.wait_for_function(
            "() => document.querySelector('#status').dataset.state === 'open'", timeout=15_000)
        state = "() => [document.querySelector('#session-state').dataset.state, " \
                "document.querySelector('#session-state').textContent]"
        await page.evaluate("(e) => window.spectator.handle(e)",
                            {"type": "state", "seq": 1000, "t": 1.0, "state": "listening"})
        await page.evaluate("(e) => window.spectator.handle(e)",
                            {"type": "candidate.disconnected", "seq": 1001, "t": 2.0,
                             "reason": "closed", "grace_s": 60})
        await page.wait_for_function(f"() => ({state})()[0] === 'away'", timeout=5_000)
        away = await page.evaluate(state)
        await page.evaluate("(e) => window.spectator.handle(e)",
                            {"type": "candidate.reconnected", "seq": 1002, "t": 2.0,
                             "offline_s": 3.2})
        await page.wait_for_function(f"() => ({state})()[0] === 'live'", timeout=5_000)
    finally:
        await page.close()
    assert away[1] == "Candidate disconnected (connection lost); waiting up to 60 s", away
