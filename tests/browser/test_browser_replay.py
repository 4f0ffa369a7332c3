"""The replay page in real Chromium: it plays the recording, and the transcript follows the
playback and seeking (the recording's media time is the events' session clock)."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from media.simulate import create_interview, stream_pcm
from media.video_source import jpeg_frames
from tests.support.media import write_mp4

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOT_DIR = Path(os.environ.get("REPLAY_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def wait_session_closed(server, interview_id: str, timeout: float = 30.0) -> None:
    live = server.server.config.app.state.sessions.live
    deadline = time.monotonic() + timeout
    while interview_id in live:
        assert time.monotonic() < deadline, "the session was not closed"
        time.sleep(0.05)


def run(coro):
    """Run a coroutine to completion in a thread of its own (Playwright's sync API keeps an
    event loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def stream_interview(server, samples, rate, video=None) -> tuple[dict, list[dict]]:
    """Stream an interview (twice real time); its stored words once storage has them all."""
    interview = run(create_interview(server.url))
    result = run(stream_pcm(server.url, samples, rate, interview=interview, speed=2,
                            video=video))
    wait_session_closed(server, interview["id"])
    expected = sum(len(f["words"]) for f in result.finals)
    deadline = time.monotonic() + 10
    while len(words := stored_words(server, interview)) < expected:
        assert time.monotonic() < deadline, "the final transcripts were not stored"
        time.sleep(0.1)
    return interview, words


def stored_words(server, interview: dict) -> list[dict]:
    r = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                  params={"token": interview["spectator_token"], "limit": 1000}, timeout=10)
    assert r.status_code == 200, r.text
    return [w for e in r.json()["events"] if e["type"] == "transcript.final" for w in e["words"]]


def bare(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower())


def open_replay(browser, server, interview: dict, media: bool = True):
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    url = f"{server.url}/replay/{interview['id']}?token={interview['spectator_token']}"
    page.goto(url)
    try:
        page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=20_000)
        if not media:
            return page, console
        # the player has loaded the recording's metadata (duration known)
        page.wait_for_function(
            "() => { const p = document.querySelector('#player');"
            " return p.readyState >= 1 && Number.isFinite(p.duration) && p.duration > 0; }",
            timeout=20_000,
        )
    except Exception as exc:
        raise AssertionError(f"{exc}\nbrowser console:\n" + "\n".join(console[-30:])) from exc
    return page, console


SEEK = """async (t) => {
    const p = document.querySelector('#player');
    await new Promise((resolve) => {
        p.addEventListener('seeked', resolve, { once: true });
        p.currentTime = t;
    });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return p.currentTime;
}"""

ACTIVE = """() => {
    const el = document.querySelector('#transcript .word.active');
    return el && { text: el.textContent, start: +el.dataset.start, end: +el.dataset.end,
                   current: el.closest('.utterance').classList.contains('current') };
}"""


@pytest.fixture(scope="module")
def jfk_replay(server, jfk, tmp_path_factory) -> dict:
    samples, rate = jfk
    video = write_mp4(tmp_path_factory.mktemp("video") / "face.mp4")
    interview, words = stream_interview(server, samples, rate, jpeg_frames(video, 5.0))
    events = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                       params={"token": interview["spectator_token"], "limit": 1000},
                       timeout=10).json()["events"]
    finals = [e for e in events if e["type"] == "transcript.final"]
    return {"interview": interview, "words": words, "duration": len(samples) / rate,
            "finals": finals}


def test_replay_plays_and_follows_seeking(server, browser, jfk_replay):
    interview, words = jfk_replay["interview"], jfk_replay["words"]
    country = next((w for w in words if bare(w["word"]) == "country"), None)
    assert country, f"no 'country' in {[w['word'] for w in words]}"
    page, console = open_replay(browser, server, interview)
    try:
        shown = page.evaluate("""() => ({
            duration: document.querySelector('#player').duration,
            words: document.querySelectorAll('#transcript .word').length,
            audioOnly: document.querySelector('#player-card').classList.contains('audio-only'),
            marks: document.querySelectorAll('#timeline .mark-utterance').length,
            charts: document.querySelectorAll('#charts svg').length,
        })""")
        assert abs(shown["duration"] - jfk_replay["duration"]) < 0.6, shown
        assert shown["words"] == len(words) and shown["marks"] >= 1, shown
        assert not shown["audioOnly"] and shown["charts"] >= 2, shown

        # seek into "country": that word is highlighted, in the current utterance
        mid = (country["start"] + country["end"]) / 2
        at = page.evaluate(SEEK, mid)
        assert abs(at - mid) < 0.05
        active = page.evaluate(ACTIVE)
        assert active and bare(active["text"]) == "country" and active["current"], active
        assert page.evaluate(
            "() => document.querySelectorAll('#transcript .word.active').length") == 1
        # the pace chart: no value before the first final transcript, words per minute after
        pace = "#charts .chart[data-metric='wpm'] .chart-value"
        first_final_t = min(e["t"] for e in jfk_replay["finals"])
        page.evaluate(SEEK, max(0.0, first_final_t - 0.3))
        assert page.text_content(pace) == "—"
        page.evaluate(SEEK, jfk_replay["duration"] - 0.2)
        assert re.fullmatch(r"\d+ wpm", page.text_content(pace)), page.text_content(pace)

        # play from just before the first word; playback advances and the highlight follows
        first = words[0]
        page.evaluate(SEEK, max(0.0, first["start"] - 0.3))
        page.evaluate("() => document.querySelector('#player').play()")
        page.wait_for_function(
            "(t) => document.querySelector('#player').currentTime > t", arg=first["start"] + 1.2,
            timeout=10_000,
        )
        page.evaluate("() => document.querySelector('#player').pause()")
        page.wait_for_timeout(100)
        now = page.evaluate("() => document.querySelector('#player').currentTime")
        assert now > first["start"] + 1.2
        expected = [w for w in words if w["start"] <= now < w["end"]]
        active = page.evaluate(ACTIVE)
        if expected:  # paused inside a word: exactly that word is active
            assert active and abs(active["start"] - expected[0]["start"]) < 1e-3, (now, active)
        if active:  # never a word after the playback position
            assert active["start"] <= now + 1e-3, (now, active)

        # clicking the timeline seeks there, and the playhead follows
        box = page.locator("#timeline").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
        page.wait_for_timeout(200)
        at = page.evaluate("() => document.querySelector('#player').currentTime")
        assert abs(at - 0.75 * page.evaluate("() => window.replay.duration")) < 0.3, at

        # clicking a word seeks to its start (and plays)
        page.locator("#transcript .word", has_text=re.compile("^country", re.I)).first.click()
        page.wait_for_function(
            "(t) => Math.abs(document.querySelector('#player').currentTime - t) < 0.6",
            arg=country["start"], timeout=5_000,
        )
        page.evaluate("() => document.querySelector('#player').pause()")
        page.evaluate(SEEK, mid)
        path = SCREENSHOT_DIR / "replay.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    except Exception as exc:
        raise AssertionError(f"{exc}\nbrowser console:\n" + "\n".join(console[-30:])) from exc
    finally:
        page.close()
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console


def test_replay_of_an_audio_only_recording(server, browser, jfk):
    samples, rate = jfk
    interview, _ = stream_interview(server, samples[: rate * 4], rate)  # no camera
    page, console = open_replay(browser, server, interview)
    try:
        assert page.evaluate(
            "() => document.querySelector('#player-card').classList.contains('audio-only')")
        start = page.evaluate(SEEK, 0.5)
        page.evaluate("() => document.querySelector('#player').play()")
        page.wait_for_function(
            "(t) => document.querySelector('#player').currentTime > t + 0.8", arg=start,
            timeout=10_000,
        )
    except Exception as exc:
        raise AssertionError(f"{exc}\nbrowser console:\n" + "\n".join(console[-30:])) from exc
    finally:
        page.close()


def test_replay_without_a_recording(server, browser, jfk):
    """No audio was streamed: the page says so and still shows the session's events."""
    interview = run(create_interview(server.url))
    run(stream_pcm(server.url, jfk[0][:0], jfk[1], interview=interview))
    wait_session_closed(server, interview["id"])
    page, console = open_replay(browser, server, interview, media=False)
    try:
        assert page.is_visible("#no-recording") and not page.is_visible("#player")
        assert page.text_content("#transcript").strip() == "Nothing was said."
        box = page.locator("#timeline").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.evaluate("() => window.replay.t") > 0
    finally:
        page.close()
    assert not [line for line in console if line.startswith("pageerror")], console


def test_replay_opens_at_the_linked_second_links_the_report_and_fits(server, browser,
                                                                     jfk_replay):
    interview = jfk_replay["interview"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{server.url}/replay/{interview['id']}?token="
                  f"{interview['spectator_token']}&t=4.5")
        page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=20_000)
        page.wait_for_function(
            "() => Math.abs(document.querySelector('#player').currentTime - 4.5) <= 0.5",
            timeout=20_000)
        href = page.get_attribute("#report-link", "href")
        assert href == f"/report/{interview['id']}?token={interview['spectator_token']}"
        page.wait_for_timeout(300)
        Path("/tmp/shots-report").mkdir(exist_ok=True)
        page.screenshot(path="/tmp/shots-report/replay-390.png", full_page=True)
        width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], width
    finally:
        page.close()
