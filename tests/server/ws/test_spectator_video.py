"""Spectators watch the candidate's camera through the server's relay, capped in number."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from tests.support.media import face_canvas
from tests.support.rtc import Candidate, StillTrack, connect, peers, poster, wait_until


def viewer_url(server, interview: dict, token: str) -> str:
    return f"{server.url}/api/interviews/{interview['id']}/spectate/webrtc?token={token}"


async def watch_video(server, interview: dict, token: str):
    """A receive-only spectator peer; returns (peer, received frames list, HTTP response)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    frames: list = []

    @pc.on("track")
    def on_track(track) -> None:
        async def read() -> None:
            while True:
                frames.append(await track.recv())

        asyncio.ensure_future(read())

    await pc.setLocalDescription(await pc.createOffer())
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.post(viewer_url(server, interview, token),
                            json={"sdp": pc.localDescription.sdp, "type": "offer"})
    if r.status_code == 200:
        await pc.setRemoteDescription(RTCSessionDescription(**r.json()))
    return pc, frames, r


@pytest.mark.timeout(90)
async def test_spectators_receive_the_relayed_camera_up_to_the_cap(server, new_interview):
    interview = new_interview()
    settings = server.server.config.app.state.settings
    limit = settings.spectator_video_max
    settings.spectator_video_max = 2
    viewers = []
    try:
        async with Candidate(server, interview) as _candidate:
            # no candidate video yet: nothing to relay
            pc, _, r = await watch_video(server, interview, interview["spectator_token"])
            await pc.close()
            assert r.status_code == 409 and r.json()["error"]["code"] == "no_video"
            sender = await connect(poster(server, interview), StillTrack(face_canvas()))
            await wait_until(lambda: peers(server).get(interview["id"]) is not None
                             and peers(server).get(interview["id"]).camera is not None, 15,
                             "camera")
            for _ in range(2):
                viewers.append(await watch_video(server, interview,
                                                 interview["spectator_token"]))
            assert all(v[2].status_code == 200 for v in viewers)
            await wait_until(lambda: all(len(v[1]) >= 10 for v in viewers), 30,
                             "frames at every spectator")
            frame = viewers[0][1][-1].to_ndarray(format="rgb24")
            assert frame.shape[:2] == (480, 640)
            # it is the candidate's picture (after VP8 and colour conversions)
            sent = face_canvas().astype(np.int16)
            assert float(np.mean(np.abs(frame.astype(np.int16) - sent))) < 20
            assert float(np.std(frame)) > 15
            # the cap: a third viewer is refused; wrong tokens too
            extra, _, r = await watch_video(server, interview, interview["spectator_token"])
            await extra.close()
            assert r.status_code == 503 and r.json()["error"]["code"] == "too_many_viewers"
            for token in ("wrong", interview["candidate_token"]):
                bad, _, r = await watch_video(server, interview, token)
                await bad.close()
                assert r.status_code == 403
            # the candidate's own pipeline still gets frames through the relay
            peer = peers(server).get(interview["id"])
            seen = peer.video_frames
            await wait_until(lambda: peer.video_frames >= seen + 10, 10, "pipeline frames")
            assert len(peer.viewers) == 2
            await sender.close()
    finally:
        settings.spectator_video_max = limit
        for pc, _, _ in viewers:
            await pc.close()
    # the candidate left: the viewers' peers went with the candidate's peer
    await wait_until(lambda: interview["id"] not in peers(server), 10, "the peer to close")
