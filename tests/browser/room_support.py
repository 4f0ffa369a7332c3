"""What the room's browser tests share: Chromium's flags for a fake camera and microphone, the
speech the microphone plays (looped, with pauses), and a room page that records what it did."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
SPEECH = ("I would start by measuring the slow requests. "
          "Then I would add an index to the orders table.")
KEYWORDS = {"start", "measuring", "slow", "requests", "index", "orders", "table"}
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]

#: counts the page's getUserMedia calls and the questions it reads aloud
INSTRUMENT = """
    window.__media = 0;
    window.__spoken = [];
    if (navigator.mediaDevices) {
      const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => { window.__media++; return gum(c); };
    }
    if (window.speechSynthesis) {
      const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
      window.speechSynthesis.speak = (u) => { window.__spoken.push(u.text); speak(u); };
    }
"""

LINES = ("() => [...document.querySelectorAll('#transcript li.line')]"
         ".map((li) => li.dataset.utterance)")
STATE = """() => ({
    phase: document.body.dataset.phase, status: document.querySelector('#status').textContent,
    connection: window.room.state.connection, connects: window.room.state.connects,
    reconnects: window.room.state.reconnects, lastSeq: window.room.state.lastSeq,
    replayed: window.room.state.replayed, stats: {...window.room.stats},
    transport: document.querySelector('#transport').textContent,
    question: document.querySelector('#question-text').textContent,
    spoken: window.__spoken, media: window.__media,
})"""


class RoomPage:
    """A room page (in `owner`: a browser or a context) with its console, sockets, WebRTC
    offers and dialogs recorded, for assertions and failure messages."""

    def __init__(self, owner, viewport: dict | None = None) -> None:
        size = viewport or {"width": 1280, "height": 800}
        self.page = owner.new_page() if hasattr(owner, "set_offline") else \
            owner.new_page(viewport=size)  # a context has its own viewport
        self.console: list[str] = []
        self.sockets: list[str] = []
        self.offers = 0
        self.dialogs: list[str] = []
        page = self.page
        page.add_init_script(INSTRUMENT)
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.on("websocket", lambda ws: self.sockets.append(ws.url))
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _request(self, request) -> None:
        if request.method == "POST" and "/webrtc?" in request.url:
            self.offers += 1

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.type)
        dialog.accept()

    def lines(self) -> list[str]:
        return self.page.evaluate(LINES)

    def state(self) -> dict:
        return self.page.evaluate(STATE)

    def wait(self, script: str, timeout: float = 30.0, arg=None) -> None:
        self.page.wait_for_function(script, arg=arg, timeout=timeout * 1000)

    def wait_for_new_lines(self, than: list[str], timeout: float = 60.0) -> None:
        """Until a final line newer than every one of `than` is on the page."""
        top = max((int(u) for u in than), default=-1)
        self.wait(f"() => ({LINES})().some((u) => Number(u) > {top})", timeout)

    def report(self, exc: BaseException) -> AssertionError:
        try:
            state = self.state()
        except Exception as err:  # noqa: BLE001 - the page may be gone
            state = f"(no state: {err})"
        return AssertionError(f"{exc}\npage: {state}\nsockets: {self.sockets}\nbrowser console:\n"
                              + "\n".join(self.console[-40:]))

    def screenshot(self, path: Path, **size: int) -> None:
        if size:
            self.page.set_viewport_size(size)
            time.sleep(0.3)
        self.page.screenshot(path=str(path))

    def close(self) -> None:
        self.page.close()


@contextmanager
def reported(room: RoomPage, *closing) -> Iterator[RoomPage]:
    """A failure inside carries the page's state, sockets and console; `closing` (pages or
    contexts, by default the room's page) are closed afterwards."""
    try:
        yield room
    except Exception as exc:
        raise room.report(exc) from exc
    finally:
        for thing in closing or (room,):
            thing.close()
