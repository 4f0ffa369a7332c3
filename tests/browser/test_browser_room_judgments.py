"""Who sees what in the room, in real Chromium: a recruiter-run interview shows the candidate no
score, level or missed point, only "Answer received"; a practice interview coaches. Both are
answered in writing with "Type your answer" (`answer.text`)."""

from __future__ import annotations

import json

import pytest

from tests.browser.room_support import RoomPage, reported

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

KEY_POINT = "the server stores the first response under the idempotency key"
WRONG_CLAIM = "retrying a POST request is always safe"
QUESTION = {"text": "How would you make a payment API safe to retry?",
            "key_points": [KEY_POINT, "keys expire after a retention window"],
            "wrong_claims": [WRONG_CLAIM]}
ANSWER = ("The client sends an idempotency key with each payment request. The server stores "
          "the response of the first attempt under that key and returns the same response "
          "when a retry arrives, so the card is charged only once. Old keys expire after a day.")


def answer_in_writing(room: RoomPage) -> list[dict]:
    """Start, wait for the question, type the answer and send it; wait for the end card.
    Returns the events the room's socket received."""
    received: list[dict] = []

    def on_socket(ws) -> None:
        if "/ws/interviews/" in ws.url:
            ws.on("framereceived", lambda payload: received.append(_json(payload)))

    room.page.on("websocket", on_socket)
    page = room.page
    page.click("#start-button")
    room.wait("() => document.querySelector('#question-text').textContent.includes('retry')",
              60)
    page.click("#question-type")
    page.fill("#typed-answer-text", ANSWER)
    page.keyboard.press("Tab")  # the send button is reachable by keyboard
    page.keyboard.press("Enter")
    room.wait("() => document.querySelector('#question-label').textContent"
              " === 'Answer received' || document.body.dataset.phase === 'ended'", 30)
    room.wait("() => document.querySelector('#report-summary') !== null", 60)
    return received


def _json(payload) -> dict:
    try:
        value = json.loads(payload)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def test_recruiter_run_room_shows_no_judgment(rtc_server, new_interview, room_browser):
    interview = new_interview(questions=[QUESTION], practice=False)
    room = RoomPage(room_browser)
    with reported(room):
        room.page.goto(interview["room_url"])
        received = answer_in_writing(room)
        text = room.page.inner_text("body")
        toasts = room.page.inner_text("#toasts")
        assert "received" in room.page.inner_text("#report-summary")
        assert room.page.query_selector("#coaching") is None
        for shown in (text, toasts):
            assert "/100" not in shown and "score" not in shown.lower(), shown
            assert KEY_POINT not in shown and WRONG_CLAIM not in shown
            assert "retention window" not in shown
        assert room.page.query_selector("#report-link") is None
        kinds = {e.get("type") for e in received}
        assert "answer.completed" in kinds and "interview.completed" in kinds, kinds
        assert "evaluation" not in kinds
        done = next(e for e in received if e.get("type") == "interview.completed")
        assert done["final_score"] is None and done["report_url"] == ""
        typed = next(e for e in received if e.get("type") == "answer.completed")
        assert typed["typed"] is True and "idempotency key" in typed["text"]
        raw = json.dumps(received)
        assert KEY_POINT not in raw and WRONG_CLAIM not in raw and "points_missed" not in raw


def test_practice_room_coaches(rtc_server, new_interview, room_browser):
    interview = new_interview(questions=[QUESTION])
    assert interview["practice"] is True
    room = RoomPage(room_browser)
    with reported(room):
        room.page.goto(interview["room_url"])
        received = answer_in_writing(room)
        evaluations = [e for e in received if e.get("type") == "evaluation"]
        assert len(evaluations) == 1
        coaching = evaluations[0]
        assert coaching["source"] == "offline" and coaching["method"]
        assert not {"points_missed", "points_covered", "evidence",
                    "points_contradicted"} & coaching.keys()
        raw = json.dumps(evaluations)
        assert KEY_POINT not in raw and WRONG_CLAIM not in raw
        shown = room.page.inner_text("#coaching")
        assert "/100" in shown and coaching["method"] in shown, shown
        assert all(tip in shown for tip in coaching["coaching"])
        assert KEY_POINT not in shown and WRONG_CLAIM not in shown
        assert "Practice result" in room.page.inner_text("#report-summary")
        assert room.page.query_selector("#report-link") is not None
