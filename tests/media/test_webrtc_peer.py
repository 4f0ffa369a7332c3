"""The WebRTC peer on its own: an aiortc client streams tones and a face into a fake
`MediaSink`; the registry holds, replaces and closes peers."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from aiortc import MediaStreamTrack, RTCSessionDescription

import media.webrtc as webrtc
from media.camera_frame import to_rgb, video_payload
from tests.support.fakes import FakeMediaSink
from tests.support.media import face_canvas
from tests.support.rtc import PcmTrack, StillTrack, connect, dominant_hz, tone, wait_until


async def served_peer(sink: FakeMediaSink, *tracks: MediaStreamTrack, key: str = "unit"):
    registry = webrtc.PeerRegistry()
    peer, old = registry.create(key, sink, ice_servers=[])
    assert old is None

    async def offer_to(offer: RTCSessionDescription) -> RTCSessionDescription:
        return await peer.accept(offer.sdp, offer.type)

    client = await connect(offer_to, *tracks)
    return registry, peer, client


@pytest.mark.timeout(60)
async def test_peer_feeds_mono_pcm_and_frames_and_closes():
    sink = FakeMediaSink()
    registry, peer, client = await served_peer(sink, PcmTrack(tone(30, 440)),
                                               StillTrack(face_canvas()))
    try:
        await wait_until(lambda: len(sink.pcm) >= 100 and sink.frames, 15,
                         "audio and video at the peer")
        # started once, at the frame's own rate (Opus: 48 kHz)
        assert sink.starts == [48000] and sink.audio_rate == 48000
        pcm = b"".join(sink.pcm[-50:])  # mono int16: 1920 bytes per 20 ms
        assert len(pcm) == 50 * 960 * 2
        assert abs(dominant_hz(pcm, 48000) - 440) < 5
        # the decoded frame as it is; its planes convert to the picture that was sent
        rgb = to_rgb(video_payload(sink.frames[-1]))
        assert rgb.shape == (480, 640, 3) and rgb.dtype == np.uint8
        assert abs(float(rgb.mean()) - float(face_canvas().mean())) < 10
        # after `stop` audio is drained but no longer pushed
        sink.stopped = True
        await asyncio.sleep(0.1)
        n, frames = len(sink.pcm), peer.audio_frames
        await wait_until(lambda: peer.audio_frames > frames + 10, 5, "more audio frames")
        assert len(sink.pcm) == n
        # closing it through the registry ends everything
        assert await registry.close("unit") is True
        assert peer.closed and "unit" not in registry and not peer._tasks
        assert peer.pc.connectionState == "closed"
        assert await registry.close("unit") is False
        assert not sink.errors
    finally:
        await client.close()
        await peer.close()


@pytest.mark.timeout(60)
async def test_peer_resamples_to_a_rate_already_started():
    sink = FakeMediaSink(rate=16000)  # e.g. started by the WebSocket
    registry, peer, client = await served_peer(sink, PcmTrack(tone(30, 300)))
    try:
        await wait_until(lambda: len(sink.pcm) >= 60, 15, "audio at the peer")
        assert sink.starts == []  # not started here again
        pcm = b"".join(sink.pcm[-50:])
        assert abs(len(pcm) - 50 * 320 * 2) <= 64  # ~16 kHz mono int16
        assert abs(dominant_hz(pcm, 16000) - 300) < 5
    finally:
        await registry.close("unit")
        await client.close()


@pytest.mark.timeout(30)
async def test_peer_watchdog_closes_when_session_ends(monkeypatch):
    monkeypatch.setattr(webrtc, "WATCH_INTERVAL_S", 0.05)
    live = True
    registry = webrtc.PeerRegistry()
    peer, _ = registry.create("watch", FakeMediaSink(), lambda: live, ice_servers=[])
    await asyncio.sleep(0.2)
    assert not peer.closed
    live = False
    await wait_until(lambda: peer.closed, 2, "the watchdog")
    assert "watch" not in registry


async def test_peer_limit():
    registry = webrtc.PeerRegistry(max_peers=1)
    registry.create("one", FakeMediaSink(), ice_servers=[])
    with pytest.raises(webrtc.PeerLimitError):
        registry.check_capacity("two")
    with pytest.raises(webrtc.PeerLimitError):
        registry.create("two", FakeMediaSink(), ice_servers=[])
    registry.check_capacity("one")  # replacing a session's own peer is always allowed
    assert len(registry) == 1
    await registry.close_all()
    assert len(registry) == 0


