"""Fixtures of the room's browser tests: the shared server with its WebRTC offer route, and one
Chromium per test module with a fake camera (a real face) and microphone (real speech)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.room_support import CHROMIUM, FLAGS, SPEECH
from tests.support.media import speech_wav, write_y4m
from tests.support.rtc import ensure_webrtc_route


@pytest.fixture(scope="module")
def rtc_server(server):
    return ensure_webrtc_route(server)


@pytest.fixture(scope="module")
def fake_media(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fake-media")
    return write_y4m(folder / "face.y4m"), speech_wav(folder / "speech.wav", SPEECH)


@pytest.fixture(scope="module")
def room_browser(fake_media) -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    from playwright.sync_api import sync_playwright

    face, speech = fake_media
    args = [*FLAGS, f"--use-file-for-fake-video-capture={face}",
            f"--use-file-for-fake-audio-capture={speech}"]
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield chromium
        chromium.close()
