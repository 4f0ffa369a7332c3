"""A busy server in real Chromium: the room says "The server is busy, retrying in N s" while the
node refuses new sessions by load (4503 busy retry=N), then connects by itself."""

from __future__ import annotations

import pytest

from tests.browser.room_support import RoomPage, reported

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_the_room_waits_for_a_busy_server(rtc_server, new_interview, room_browser):
    admission = rtc_server.server.config.app.state.admission
    interview = new_interview()
    room = RoomPage(room_browser)
    with reported(room):
        room.page.goto(interview["room_url"])
        # the node's event loop lagged half a second lately (the samples age out in ~5 s)
        admission.monitor.lags.extend([0.5] * admission.monitor.lags.maxlen)
        limits = admission.limits
        admission.limits = type(limits)(**{**limits.__dict__, "max_loop_lag_s": 0.15})
        try:
            room.page.click("#start-button")
            room.wait("() => /The server is busy, retrying in [0-9]+ s/"
                      ".test(document.querySelector('#status').textContent)", 15)
            assert "loop_lag" not in room.page.inner_text("body")  # plain words only
        finally:
            admission.limits = limits
        room.wait("() => window.room.state.connection === 'open'", 30)
        room.wait("() => document.querySelector('#status').textContent.includes('Listening')",
                  30)
    assert admission.refused["loop_lag"] >= 1
