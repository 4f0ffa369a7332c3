"""The recruiter's controls on the spectator page answer, in real Chromium against a real server
and model, a signed-in recruiter and a candidate answering by voice (espeak-ng, in real time):

* Ask: refused in plain words while the interview is not live (the text stays in the box);
  live, "Queued - will be asked after the current answer" once the server acknowledges it, and
  the status clears when the question is asked (it is then in the transcript);
* a follow-up waiting for approval counts down to its auto-skip ("Auto-skip in 9 s"), and its
  card goes when it is skipped, approved (by keyboard, edited) or left to expire;
* the transcript stays in session-time order.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.browser.test_browser_spectator import CHROMIUM, FLAGS, Watched, spectate_page
from tests.server.interview.test_recruiter_actions import (
    EDITED,
    RECRUITER_ANSWER,
    RECRUITER_QUESTION,
    create_interview,
    register,
)
from tests.support.interview import VAGUE, Candidate, is_, speech

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PAUSE_S = 1.5  # silence that ends an answer
APPROVAL_TIMEOUT_S = 10.0
QUEUED = "Queued - will be asked after the current answer"
SHOTS = Path("/tmp/shots-spect")
SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}

LEFT = """() => {
    const el = document.querySelector('.approval .approval-left');
    const m = el && /^Auto-skip in (\\d+) s$/.exec(el.textContent);
    return m ? Number(m[1]) : null;
}"""
IN_TIME_ORDER = """() => [...document.querySelectorAll('#transcript > li')]
    .map((li) => Number(li.dataset.t))"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    from server.app import create_app
    from server.config import Settings
    from tests.conftest import ServerThread

    db = tmp_path_factory.mktemp("spectator-controls") / "controls.db"
    settings = Settings(database_url=f"sqlite:///{db}", asr_workers=2, asr_threads=1,
                        answer_pause_s=PAUSE_S, groq_api_key="", redis_url="", bcrypt_rounds=4,
                        recordings_dir="", follow_up_approval_timeout_s=APPROVAL_TIMEOUT_S)
    app = create_app(settings, transcriber=transcriber)
    with ServerThread(app) as server:
        server.app = app
        yield server


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("spectator-controls-audio")
    return {
        "vague": speech(VAGUE, tmp, "vague"),
        "short": speech(["An index on the filtered columns."], tmp, "short"),
        "recruiter": speech(RECRUITER_ANSWER, tmp, "recruiter"),
    }


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


async def shoot(page, name: str) -> None:
    """Screenshots of the page as it is now at both sizes, the controls in view (then back to
    the desktop)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        await page.set_viewport_size(viewport)
        await page.eval_on_selector("#controls", "(el) => el.scrollIntoView({block: 'end'})")
        await page.wait_for_timeout(150)
        await page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
    await page.set_viewport_size(SIZES["1280x800"])


async def open_as_recruiter(browser, srv, interview: dict, recruiter: dict):
    page = await browser.new_page(viewport=SIZES["1280x800"])
    watched = Watched(page)
    await page.goto(spectate_page(srv.url, interview, access_token=recruiter["access_token"]))
    await page.wait_for_function(
        "() => document.querySelector('#status').dataset.state === 'open'", timeout=15_000)
    assert await page.is_visible("#ask-form")
    return page, watched


async def ask_status(page) -> dict:
    return await page.eval_on_selector("#ask-status", """(el) => ({
        text: el.textContent, tone: el.dataset.tone, hidden: el.hidden,
        color: getComputedStyle(el).color, live: el.getAttribute('aria-live'),
    })""")


async def wait_card_gone(page, timeout_ms: int) -> None:
    await page.wait_for_function("() => !document.querySelector('.approval')",
                                 timeout=timeout_ms)


def assert_time_order(times: list[float]) -> None:
    assert times and times == sorted(times), times


async def test_ask_is_refused_then_queued_then_asked_and_a_follow_up_counts_down(
    srv, audio, browser
):
    store = srv.app.state.store
    recruiter = register(srv.url)
    interview = create_interview(srv.url, recruiter, pin=store)
    page, watched = await open_as_recruiter(browser, srv, interview, recruiter)
    try:
        # -- not started yet: the server refuses, the page says why, the text stays
        await page.fill("#ask-text", RECRUITER_QUESTION)
        await page.press("#ask-text", "Enter")
        await page.wait_for_function(
            "() => document.querySelector('#ask-status').dataset.tone === 'error'",
            timeout=8_000)
        refused = await ask_status(page)
        assert "isn't live" in refused["text"] and "not_live" not in refused["text"], refused
        assert refused["color"] == "rgb(180, 35, 24)" and refused["live"] == "polite", refused
        assert await page.input_value("#ask-text") == RECRUITER_QUESTION
        await page.fill("#ask-text", "")

        async with Candidate(srv, interview) as cand:
            await cand.wait_for(is_("question", turn=0), 15)
            await cand.say(audio["vague"])

            # -- the follow-up waits for approval, and counts down to its auto-skip
            await page.wait_for_function(f"() => ({LEFT})() !== null", timeout=30_000)
            pending = await page.evaluate("() => window.spectator.approvals.size")
            first = await page.evaluate(LEFT)
            assert pending == 1 and APPROVAL_TIMEOUT_S - 3 <= first <= APPROVAL_TIMEOUT_S, first
            await page.wait_for_timeout(2_100)
            later = await page.evaluate(LEFT)
            assert first - 4 <= later <= first - 2, (first, later)  # slack for a busy CI
            await shoot(page, "pending-follow-up")
            await page.click('.approval button:text("Skip")')
            await wait_card_gone(page, 5_000)
            nxt = await cand.wait_for(is_("question", turn=1), 10)
            assert (nxt["index"], nxt["is_follow_up"]) == (1, False)

            # -- the recruiter's own question: queued once the server acknowledges it
            await page.fill("#ask-text", RECRUITER_QUESTION)
            await page.click("#ask-button")
            await page.wait_for_function(
                f"() => document.querySelector('#ask-status').textContent === {json.dumps(QUEUED)}",
                timeout=8_000)
            queued = await ask_status(page)
            assert queued["tone"] == "info" and not queued["hidden"], queued
            assert await page.input_value("#ask-text") == ""
            await shoot(page, "ask-queued")

            # ... and asked after the current answer: the status clears, it is in the transcript
            await cand.say(audio["vague"])
            asked = await cand.wait_for(is_("question", turn=2), 30)
            assert asked["source"] == "recruiter" and asked["text"] == RECRUITER_QUESTION
            await page.wait_for_function(
                """(text) => document.querySelector('#ask-status').hidden
                    && [...document.querySelectorAll('#transcript .tl-question')].some((li) =>
                        li.querySelector('.tl-question-text').textContent === text
                        && li.querySelector('.tl-kicker').textContent
                            === "Recruiter's question")""",
                arg=RECRUITER_QUESTION, timeout=10_000)
            await cand.say(audio["recruiter"])
            await cand.wait_for(is_("interview.completed"), 40)
            await cand.stop()
        await page.wait_for_function("() => document.body.dataset.session === 'ended'",
                                     timeout=15_000)
        times = await page.evaluate(IN_TIME_ORDER)
        sent = [m for m in watched.sent if m.get("type") != "ping"]
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert_time_order(times)
    assert [m["type"] for m in sent] == ["ask", "reject", "ask"], sent
    assert not [c for c in watched.console if c.startswith(("pageerror", "error"))], watched.console


async def test_an_approved_follow_up_and_an_expired_one_leave_the_page(srv, audio, browser):
    store = srv.app.state.store
    recruiter = register(srv.url)
    interview = create_interview(srv.url, recruiter, pin=store)
    page, watched = await open_as_recruiter(browser, srv, interview, recruiter)
    try:
        async with Candidate(srv, interview) as cand:
            await cand.wait_for(is_("question", turn=0), 15)
            await cand.say(audio["vague"])

            # -- approved by keyboard, with an edited text: the card goes, the follow-up is asked
            await page.wait_for_function(f"() => ({LEFT})() !== null", timeout=30_000)
            await page.focus(".approval textarea")
            await page.keyboard.press("Control+A")
            await page.keyboard.type(EDITED)
            await page.keyboard.press("Control+Enter")
            await wait_card_gone(page, 5_000)
            follow = await cand.wait_for(is_("question", turn=1), 10)
            assert follow["text"] == EDITED and follow["is_follow_up"] is True
            await page.wait_for_function(
                """(text) => [...document.querySelectorAll('#transcript .tl-question-text')]
                    .some((el) => el.textContent === text)""", arg=EDITED, timeout=5_000)
            focused = await page.evaluate("() => document.activeElement.id")
            assert focused == "ask-text", focused  # the focus is not lost with the card

            await cand.say(audio["short"])
            await cand.wait_for(is_("question", turn=2), 30)
            await cand.say(audio["vague"])

            # -- nobody decides: it counts down and goes when the server skips it
            await page.wait_for_function(f"() => ({LEFT})() !== null", timeout=30_000)
            shown_at = time.monotonic()
            seen = set()
            while await page.query_selector(".approval"):
                left = await page.evaluate(LEFT)
                if left is not None:
                    seen.add(left)
                assert time.monotonic() - shown_at < APPROVAL_TIMEOUT_S + 6, seen
                await page.wait_for_timeout(200)
            gone_after = time.monotonic() - shown_at
            completed = await cand.wait_for(is_("interview.completed"), 15)
            await cand.stop()
        times = await page.evaluate(IN_TIME_ORDER)
        sent = [m for m in watched.sent if m.get("type") != "ping"]
    except Exception as exc:
        raise AssertionError(f"{exc}{watched.context()}") from exc
    finally:
        await page.close()

    assert completed["complete"] is True
    assert APPROVAL_TIMEOUT_S - 2 < gone_after < APPROVAL_TIMEOUT_S + 6, gone_after
    # it counted down second by second (a few readings may fall between two seconds)
    assert len(seen) >= APPROVAL_TIMEOUT_S - 4 and min(seen) <= 2, sorted(seen)
    assert sent == [{"type": "approve", "id": sent[0]["id"], "text": EDITED}], sent
    assert re.fullmatch(r"fu-\w+", sent[0]["id"]), sent
    assert_time_order(times)
