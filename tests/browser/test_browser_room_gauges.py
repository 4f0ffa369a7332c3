"""The room's gauges and question caption in real Chromium, with real speech streamed to a real
server: every delivery gauge shows "—" (no colour) until the server's `metrics` have data (no
"0 fillers" or "100/100" of nothing said), then numbers; and the question's text is on the
page as its caption while it is read aloud."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser.axe_support import VIEWPORTS, assert_accessible
from tests.browser.room_support import RoomPage, reported

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

SHOTS = Path("/tmp/shots-rr")
#: the boxes of what must not cover one another in the live room
BOXES = """() => Object.fromEntries(['#question-text', '#question', '#preview-box',
    '#transcript-panel', '.gauges'].map((s) => {
      const r = document.querySelector(s).getBoundingClientRect();
      return [s, {x: r.x, y: r.y, width: r.width, height: r.height}];
    }))"""

#: the gauges' texts and colours (tones), read in the same task as the `metrics` they show
GAUGES = """() => {
    const text = (id) => document.querySelector(id).textContent.trim();
    const tone = (id) => document.querySelector(`${id} .gauge-svg`)?.dataset.tone ?? 'neutral';
    return {
      wpm: text('#gauge-wpm-value'), fillers: text('#gauge-fillers-value'),
      fillersRate: text('#gauge-fillers-rate'), pauses: text('#gauge-pauses-value'),
      confidence: text('#gauge-confidence-value'), eye: text('#gauge-eye-value'),
      posture: text('#gauge-posture-value'),
      tones: ['#gauge-wpm', '#gauge-fillers', '#gauge-pauses', '#gauge-confidence']
        .map((id) => tone(id)),
      postureTone: document.querySelector('#gauge-posture').dataset.tone ?? 'neutral',
      metrics: window.room.state.lastMetrics,
    };
}"""
#: the first `metrics` the server sent before the first word (truthy: what the page showed)
BEFORE_SPEECH = f"""() => {{
    const m = window.room.state.lastMetrics;
    if (!m || m.words > 0 || m.speaking_s > 0 || !('confidence' in m)) return false;
    return ({GAUGES})();
}}"""
#: a `metrics` event of measured speech, once its fillers count is drawn
AFTER_SPEECH = f"""() => {{
    const m = window.room.state.lastMetrics;
    if (!m || !(m.words > 0) || !(m.speaking_s > 0) || m.confidence?.score == null) return false;
    return ({GAUGES})();
}}"""
#: what the page showed at the moment each question was handed to speech synthesis
CAPTIONS = """
    window.__captions = [];
    if (window.speechSynthesis) {
      const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
      window.speechSynthesis.speak = (u) => {
        const box = document.querySelector('#question');
        const text = document.querySelector('#question-text');
        const r = text.getBoundingClientRect();
        window.__captions.push({
          spoken: u.text, caption: text.innerText, hidden: box.hidden,
          visible: r.width > 0 && r.height > 0 && getComputedStyle(text).visibility === 'visible',
        });
        speak(u);
      };
    }
"""


def test_the_gauges_show_a_dash_until_the_server_measured_speech(rtc_server, new_interview,
                                                                 room_browser):
    interview = new_interview()  # free practice: the candidate gets its confidence
    room = RoomPage(room_browser)
    with reported(room):
        room.page.goto(f"{interview['room_url']}&transport=websocket")
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        at_load = room.page.evaluate(GAUGES)
        room.page.click("#start-button")
        before = room.page.wait_for_function(BEFORE_SPEECH, timeout=30_000).json_value()
        after = room.page.wait_for_function(AFTER_SPEECH, timeout=90_000).json_value()
        SHOTS.mkdir(exist_ok=True)
        for size, viewport in VIEWPORTS.items():
            room.page.set_viewport_size(viewport)
            time.sleep(0.3)
            room.page.screenshot(path=str(SHOTS / f"room-gauges-{size}.png"), full_page=True)
        room.page.click("#stop-button")
        room.wait("() => document.body.dataset.phase === 'ended'", 40)
    for shown in (at_load, before):
        for key in ("wpm", "fillers", "fillersRate", "pauses", "confidence"):
            assert shown[key] == "—", (key, shown)
        assert set(shown["tones"]) == {"neutral"}, shown  # no coloured score either
    # the server's own metric of nothing said: 0 fillers and a score, which the room does not show
    assert before["metrics"]["filler_count"] == 0, before["metrics"]
    assert re.fullmatch(r"\d+", after["wpm"]), after
    assert re.fullmatch(r"\d+", after["fillers"]), after
    assert int(after["fillers"]) == after["metrics"]["filler_count"], after
    assert re.fullmatch(r"\d+\.\d", after["fillersRate"]), after
    assert re.fullmatch(r"\d+%", after["pauses"]), after
    assert re.fullmatch(r"\d+", after["confidence"]), after
    assert int(after["confidence"]) == round(after["metrics"]["confidence"]["score"]), after
    assert "neutral" not in after["tones"], after


def test_the_question_is_captioned_while_it_is_read_aloud(rtc_server, new_interview,
                                                          room_browser):
    interview = new_interview(job_role="backend engineer", num_questions=2)
    room = RoomPage(room_browser)
    room.page.add_init_script(CAPTIONS)
    with reported(room):
        room.page.goto(f"{interview['room_url']}&transport=websocket")
        room.wait("() => !document.querySelector('#start-button').disabled", 15)
        room.page.evaluate("() => { document.querySelector('#speak-toggle').checked = true; }")
        room.page.click("#start-button")
        room.wait("() => window.__captions.length > 0", 30)
        captions = room.page.evaluate("() => window.__captions")
        card = room.page.evaluate("""() => ({
            label: document.querySelector('#question-label').textContent,
            text: document.querySelector('#question-text').textContent,
            live: document.querySelector('#question').getAttribute('aria-live'),
        })""")
        layout = {}
        SHOTS.mkdir(exist_ok=True)
        for size, viewport in VIEWPORTS.items():
            room.page.set_viewport_size(viewport)
            time.sleep(0.3)
            assert_accessible(room.page, f"live room with its question at {size}")
            layout[size] = {
                "width": room.page.evaluate(
                    "() => [document.documentElement.scrollWidth, innerWidth]"),
                "boxes": room.page.evaluate(BOXES),
            }
            room.page.screenshot(path=str(SHOTS / f"room-{size}.png"))
        room.page.click("#stop-button")
        room.wait("() => document.body.dataset.phase === 'ended'", 40)
    first = captions[0]
    assert first["spoken"].strip(), captions
    assert first["caption"].strip() == first["spoken"].strip(), captions
    assert not first["hidden"] and first["visible"], captions
    assert card["label"] == "Question 1 of 2" and card["text"] == first["spoken"], card
    assert card["live"] == "polite", card  # screen readers hear the caption too
    for size, shown in layout.items():
        assert shown["width"][0] <= shown["width"][1], (size, shown)
        boxes = shown["boxes"]
        for other in ("#preview-box", "#transcript-panel", ".gauges"):
            assert not overlap(boxes["#question-text"], boxes[other]), (size, other, boxes)
        assert not overlap(boxes["#preview-box"], boxes["#transcript-panel"]), (size, boxes)


def overlap(a: dict, b: dict) -> bool:
    if not (a["width"] and a["height"] and b["width"] and b["height"]):
        return False  # not shown
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
