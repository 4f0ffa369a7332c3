"""A busy server in real Chromium: the room says "The server is busy, retrying in N s" while the
node refuses new sessions by load (4503 busy retry=N), then connects by itself.

The node is made "busy" by a loop-lag limit below any lag it can measure, for as long as the
test needs it, not by fake lag samples: those aged out in ~5 s whatever the page's start took,
and they drove the degradation ladder too (pressure 3.3: level 3, then 10 s per level back
down), so with any other session live (a previous test's, still closing or in its resume
grace) the node refused "degraded" instead of "loop_lag" for up to 30 s after the test had
lifted the load, and the room did not connect in time. A limit <= 0 does not count as
pressure (`server.live.quality.pressure`): the ladder, and the sessions of other tests, are
left alone."""

from __future__ import annotations

import pytest

from tests.browser.room_support import RoomPage, reported

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_the_room_waits_for_a_busy_server(rtc_server, new_interview, room_browser):
    app = rtc_server.server.config.app
    admission = app.state.admission
    refused_before = admission.refused["loop_lag"]
    interview = new_interview()
    room = RoomPage(room_browser)
    with reported(room):
        room.page.goto(interview["room_url"])
        limits = admission.limits
        # every reading of the loop lag (>= 0) is over this limit: refused by `loop_lag`
        admission.limits = type(limits)(**{**limits.__dict__, "max_loop_lag_s": -1.0})
        try:
            room.page.click("#start-button")
            room.wait("() => /The server is busy, retrying in [0-9]+ s/"
                      ".test(document.querySelector('#status').textContent)", 15)
            assert "loop_lag" not in room.page.inner_text("body")  # plain words only
            refused = admission.refused["loop_lag"] - refused_before
            shedding = admission.shedding
        finally:
            admission.limits = limits
        room.wait("() => window.room.state.connection === 'open'", 30)
        room.wait("() => document.querySelector('#status').textContent.includes('Listening')",
                  30)
        # and the session ends here: none is left in its resume grace for the next test
        room.page.click("#stop-button")
        room.wait("() => document.body.dataset.phase === 'ended'", 30)
    assert refused >= 1, dict(admission.refused)
    assert shedding == 0, shedding  # the ladder did not take the test's limit for load
