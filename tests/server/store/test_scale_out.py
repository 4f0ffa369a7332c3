"""Two server processes sharing Redis and a database: spectate anywhere, ownership, restart."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import numpy as np
import pytest
import websockets

from analyzers.text import wer
from media.audiofile import read_audio
from media.simulate import stream_pcm, ws_url
from server.store.store import Store
from tests.conftest import JFK, JFK_TEXT
from tests.support.media import face_canvas
from tests.support.nodes import Node
from tests.support.services import redis_url
from tests.support.spectator import spectate_url, strip, watch

OWNER_TTL_S = 2.0
RESUME_GRACE_S = 3.0




@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    url = redis_url()
    tmp = tmp_path_factory.mktemp("cluster")
    db = f"sqlite:///{tmp / 'shared.db'}"
    env = {"REDIS_URL": url, "DATABASE_URL": db, "OWNER_TTL_S": str(OWNER_TTL_S),
           "RESUME_GRACE_S": str(RESUME_GRACE_S),
           "ASR_WORKERS": "1", "ASR_THREADS": "1", "RECORDINGS_DIR": str(tmp / "rec")}
    nodes = {name: Node(name, env, tmp) for name in ("node-a", "node-b")}
    for node in nodes.values():
        node.start()
    yield nodes, db
    for node in nodes.values():
        node.stop()


def create(node: Node) -> dict:
    r = httpx.post(f"{node.url}/api/interviews", json={}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


async def test_spectator_on_node_b_sees_a_session_streaming_into_node_a(cluster, jfk):
    nodes, _ = cluster
    a, b = nodes["node-a"], nodes["node-b"]
    interview = create(a)
    samples, rate = jfk

    async def spectator_on_b():
        await asyncio.sleep(3.0)  # mid-session: catch-up from Redis, then live
        return await watch(spectate_url(b.url, interview["id"], interview["spectator_token"]))

    candidate, seen = await asyncio.gather(
        stream_pcm(a.url, samples, rate, interview=interview), spectator_on_b()
    )
    assert [e["seq"] for e in seen] == list(range(1, len(seen) + 1))
    assert strip(seen) == strip(candidate.events)
    finals = [e["text"] for e in seen if e["type"] == "transcript.final"]
    assert "fellow americans" in " ".join(finals).lower()


@pytest.mark.timeout(120)
async def test_a_webrtc_offer_to_node_b_is_answered_by_node_a_running_the_session(cluster):
    from tests.support.rtc import Candidate, PcmTrack, StillTrack, connect, poster, wait_until

    nodes, _ = cluster
    a, b = nodes["node-a"], nodes["node-b"]
    interview = create(a)
    speech, rate = read_audio(JFK, rate=48000)
    audio = PcmTrack(np.concatenate([np.zeros(rate // 2, np.int16), speech]), rate)
    async with Candidate(a, interview) as candidate:  # the session runs on node A
        pc = await connect(poster(b, interview), audio, StillTrack(face_canvas()))  # offer to B
        try:
            await wait_until(audio.finished.is_set, 40, "the speech to be sent")
            await asyncio.sleep(1.5)
            await candidate.ws.send(json.dumps({"type": "stop"}))
            await candidate.wait(lambda e: e.get("state") == "stopped", 60, "stopped")
        finally:
            await pc.close()
    text = " ".join(e["text"] for e in candidate.of("transcript.final"))
    assert wer(JFK_TEXT, text) <= 0.15, text
    assert any(m.get("face_present") for m in candidate.of("metrics"))
    # B has no session of its own to attach a peer to (it would answer 409 no_session): the 200
    # answer came from A, and the media reached A's session


async def test_a_live_session_cannot_be_taken_by_another_node(cluster):
    nodes, _ = cluster
    a, b = nodes["node-a"], nodes["node-b"]
    interview = create(a)
    async with websockets.connect(ws_url(a.url, interview["id"], interview["candidate_token"])):
        await asyncio.sleep(0.3)
        async with websockets.connect(
            ws_url(b.url, interview["id"], interview["candidate_token"])
        ) as second:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(second.recv(), 5)
    assert closed.value.rcvd.code == 4409 and "node-a" in closed.value.rcvd.reason


async def test_dead_node_sessions_are_interrupted_and_events_survive_restart(cluster, jfk):
    nodes, db = cluster
    a, b = nodes["node-a"], nodes["node-b"]
    interview = create(a)
    samples, rate = jfk
    url = ws_url(a.url, interview["id"], interview["candidate_token"])
    ws = await websockets.connect(url)
    await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": rate}}))
    chunk = rate // 50
    for i in range(0, rate * 4, chunk):
        await ws.send(b"\x01" + samples[i : i + chunk].tobytes())
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.0)  # let node A store what it made
    a.kill()
    await ws.close()
    store = Store(db)
    # orphaned: no owner once A's key expires; interrupted once the grace period has passed
    deadline = time.time() + OWNER_TTL_S * 3 + RESUME_GRACE_S * 3
    while time.time() < deadline and store.get_interview(interview["id"]).status != "interrupted":
        await asyncio.sleep(0.3)
    assert store.get_interview(interview["id"]).status == "interrupted"
    # events persisted before the crash are served by the other node and after a restart
    def stored_on(node: Node) -> list[dict]:
        return httpx.get(f"{node.url}/api/interviews/{interview['id']}/events",
                         params={"token": interview["spectator_token"]}).json()["events"]

    on_b = stored_on(b)
    assert on_b and [e["seq"] for e in on_b] == list(range(1, len(on_b) + 1))
    assert any(e["type"] == "transcript.partial" for e in on_b)
    a.start()
    assert stored_on(a) == on_b
