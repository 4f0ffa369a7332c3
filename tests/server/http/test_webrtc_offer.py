"""WebRTC media in: an aiortc client peer streams real speech and a real face to the server,
events come back over the candidate WebSocket."""

from __future__ import annotations

import asyncio
import json

import httpx
import numpy as np
import pytest

from analyzers.text import wer
from media.audiofile import read_audio
from tests.conftest import JFK, JFK_TEXT
from tests.support.media import face_canvas
from tests.support.rtc import (
    Candidate,
    PcmTrack,
    StillTrack,
    connect,
    ensure_webrtc_route,
    offer_url,
    peers,
    poster,
    wait_until,
)


@pytest.fixture(scope="module")
def rtc_server(server):
    return ensure_webrtc_route(server)


# -- end to end --------------------------------------------------------------------------------
@pytest.mark.timeout(150)
async def test_jfk_and_face_over_webrtc(rtc_server, new_interview):
    speech, rate = read_audio(JFK, rate=48000)
    lead = np.zeros(int(0.5 * rate), np.int16)
    audio = PcmTrack(np.concatenate([lead, speech]), rate)
    interview = new_interview()
    async with Candidate(rtc_server, interview) as candidate:
        pc = await connect(poster(rtc_server, interview), audio, StillTrack(face_canvas()))
        try:
            listening = await candidate.wait(
                lambda e: e["type"] == "state" and e["state"] == "listening", 20, "listening")
            await wait_until(audio.finished.is_set, 40, "the speech to be sent", lambda: (
                pc.connectionState, peers(rtc_server).get(interview["id"]), candidate.events[-3:]))
            await asyncio.sleep(1.5)  # trailing silence ends the last utterance
            await candidate.ws.send(json.dumps({"type": "stop"}))
            stopped = await candidate.wait(
                lambda e: e["type"] == "state" and e["state"] == "stopped", 60, "stopped")
            peer = peers(rtc_server).get(interview["id"])
            assert peer is not None and peer.audio_frames > 400 and peer.video_frames > 100
        finally:
            await pc.close()
    finals = candidate.of("transcript.final")
    text = " ".join(f["text"] for f in finals)
    assert finals and wer(JFK_TEXT, text) <= 0.15, text
    assert listening["seq"] < finals[0]["seq"] and finals[-1]["seq"] < stopped["seq"]
    # the session clock is the WebRTC audio: 48 kHz samples counted at their own rate
    assert 11.0 < stopped["t"] < 16.0, stopped
    assert finals[0]["start"] > 0.3 and finals[-1]["end"] < 12.5
    metrics = candidate.of("metrics")
    faced = [m for m in metrics if m.get("face_present") is True]
    assert len(metrics) >= 10 and faced, metrics[-1]
    assert faced[-1]["eye_contact"] > 0.5, faced[-1]
    assert faced[-1]["video"]["frames_in"] > 100
    assert not candidate.of("error"), candidate.of("error")
    # the socket closed: the peer goes with the session
    await wait_until(lambda: interview["id"] not in peers(rtc_server), 5, "the peer to close")


@pytest.mark.timeout(60)
async def test_new_offer_replaces_peer_and_socket_close_ends_it(rtc_server, new_interview):
    interview = new_interview()
    key = interview["id"]
    post = poster(rtc_server, interview)
    async with Candidate(rtc_server, interview) as candidate:
        first = await connect(post, StillTrack(face_canvas()))
        await wait_until(lambda: first.connectionState == "connected", 15, "first peer")
        old = peers(rtc_server).get(key)
        second = await connect(post, StillTrack(face_canvas()))
        await wait_until(lambda: second.connectionState == "connected", 15, "second peer")
        new = peers(rtc_server).get(key)
        assert new is not None and new is not old and old.closed and not new.closed
        await wait_until(lambda: new.video_frames > 10, 10, "video on the new peer")
        assert not candidate.of("error"), candidate.of("error")
    await wait_until(lambda: new.closed and key not in peers(rtc_server), 5,
                     "the peer to close")
    for pc in (first, second):
        await pc.close()


# -- HTTP errors ---------------------------------------------------------------------------------
def test_offer_unknown_interview(rtc_server):
    r = httpx.post(f"{rtc_server.url}/api/interviews/nope/webrtc?token=x",
                   json={"sdp": "v=0", "type": "offer"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_offer_wrong_token(rtc_server, new_interview):
    interview = new_interview()
    for token in ("", "wrong", interview["spectator_token"]):
        r = httpx.post(offer_url(rtc_server, interview, token),
                       json={"sdp": "v=0", "type": "offer"})
        assert r.status_code == 403, (token, r.text)
        assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[1, 2]", b'{"type": "offer"}', b'{"sdp": 5, "type": "offer"}',
    b'{"sdp": "v=0", "type": "answer"}', b'{"sdp": "v=0"}', b'{"sdp": "  ", "type": "offer"}',
])
def test_offer_bad_body(rtc_server, new_interview, body):
    interview = new_interview()
    r = httpx.post(offer_url(rtc_server, interview), content=body,
                   headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_offer", r.text


def test_offer_without_socket(rtc_server, new_interview):
    interview = new_interview()
    r = httpx.post(offer_url(rtc_server, interview), json={"sdp": "v=0", "type": "offer"})
    assert r.status_code == 409, r.text
    assert "WebSocket" in r.json()["error"]["message"]


async def test_offer_bad_sdp_and_full_server(rtc_server, new_interview, monkeypatch):
    interview = new_interview()
    async with Candidate(rtc_server, interview), httpx.AsyncClient(timeout=10) as http:
        r = await http.post(offer_url(rtc_server, interview),
                            json={"sdp": "this is not sdp", "type": "offer"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_sdp", r.text
        assert interview["id"] not in peers(rtc_server)
        monkeypatch.setattr(peers(rtc_server), "max_peers", 0)
        r = await http.post(offer_url(rtc_server, interview),
                            json={"sdp": "v=0", "type": "offer"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "too_many_peers", r.text
