"""Spectators: catch-up then live with no gaps or duplicates, read-only, authorisation."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from media.simulate import stream_pcm
from tests.support.spectator import spectate_url, strip, watch


async def test_spectator_joining_mid_session_gets_every_event_once_in_order(
    server, jfk, new_interview
):
    interview = new_interview()
    samples, rate = jfk

    async def late_spectator():
        await asyncio.sleep(4.0)  # the session is live and has events by now
        return await watch(spectate_url(server.url, interview["id"],
                                        interview["spectator_token"]))

    candidate, spectated = await asyncio.gather(
        stream_pcm(server.url, samples, rate, interview=interview), late_spectator()
    )
    seqs = [e["seq"] for e in spectated]
    assert seqs == list(range(1, len(seqs) + 1)), "gap or duplicate across the seam"
    assert strip(spectated) == strip(candidate.events)
    # it really joined late: some events had been made before it connected
    assert any(e["type"] == "transcript.partial" for e in spectated[:5]) or seqs[-1] > 10


async def test_spectator_after_the_end_gets_the_stored_session(server, jfk, new_interview):
    interview = new_interview()
    samples, rate = jfk
    result = await stream_pcm(server.url, samples, rate, interview=interview, speed=3.0)
    await asyncio.sleep(0.5)  # storage writes in batches
    events = await watch(spectate_url(server.url, interview["id"], interview["spectator_token"]))
    assert strip(events) == strip(result.events)


async def test_spectator_resumes_after_a_given_seq(server, jfk, new_interview):
    interview = new_interview()
    samples, rate = jfk
    result = await stream_pcm(server.url, samples[: rate * 4], rate, interview=interview,
                              speed=4.0)
    await asyncio.sleep(0.5)
    events = await watch(spectate_url(server.url, interview["id"], interview["spectator_token"],
                                      after=5))
    assert [e["seq"] for e in events] == [e["seq"] for e in result.events if e["seq"] > 5]


async def test_spectator_socket_is_read_only(server, new_interview):
    interview = new_interview()
    url = spectate_url(server.url, interview["id"], interview["spectator_token"])
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"
        for message in (json.dumps({"type": "start", "audio": {"sample_rate": 16000}}),
                        b"\x01\x00\x00", "garbage"):
            await ws.send(message)
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert reply["type"] == "error" and reply["code"] == "read_only"
    # nothing it sent reached the session
    events = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                       params={"token": interview["spectator_token"]}).json()["events"]
    assert not any(e["type"] == "state" and e.get("state") == "listening" for e in events)


@pytest.mark.parametrize(
    ("which", "code"),
    [("unknown", 4404), ("wrong", 4403), ("candidate_token", 4403), ("none", 4403)],
)
async def test_spectator_authorisation(server, new_interview, which, code):
    interview = new_interview()
    iid, token = interview["id"], interview["spectator_token"]
    if which == "unknown":
        iid = "0" * 32
    elif which == "wrong":
        token = "x" * 20
    elif which == "candidate_token":
        token = interview["candidate_token"]
    else:
        token = ""
    async with websockets.connect(spectate_url(server.url, iid, token)) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == code and closed.value.rcvd.reason


async def test_metrics_endpoint(server, jfk, new_interview):
    interview = new_interview()
    samples, rate = jfk
    await stream_pcm(server.url, samples[: rate * 3], rate, interview=interview, speed=3.0)
    text = httpx.get(f"{server.url}/metrics").text
    for name in ("interview_live_sessions", "interview_spectators",
                 "interview_asr_queue_depth", "interview_event_delivery_seconds_bucket",
                 "interview_final_transcript_lag_seconds_count", "interview_video_frames_dropped",
                 'interview_events_total{type="transcript.final"}'):
        assert name in text, name
