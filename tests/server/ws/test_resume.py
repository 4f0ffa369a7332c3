"""A dropped candidate resumes: the socket closes mid-answer, the candidate comes back with
`after=`, and the whole answer is transcribed, every event seen exactly once, the interview
finishes normally. Also across a graceful restart (SIGTERM) of the server process, and with
two nodes on Redis after the owner is killed (SIGKILL)."""

from __future__ import annotations

import asyncio
import time

import httpx
import numpy as np
import pytest

from analyzers.text import wer
from media.resumable import ResumableCandidate
from media.simulate import ws_url
from tests.conftest import JFK_TEXT
from tests.support.nodes import Node
from tests.support.services import redis_url

pytestmark = pytest.mark.timeout(300)

LEAD_S = 1.5  # silence before the answer: the first question comes on the first metrics tick
TAIL_S = 6.0  # silence after it: the answer ends after ANSWER_PAUSE_S (4 s) without speech


def answer_audio(jfk) -> tuple[np.ndarray, int, int]:
    """jfk.flac between silences, and a quiet sample between two phrases (where to drop)."""
    samples, rate = jfk
    audio = np.concatenate([np.zeros(int(LEAD_S * rate), np.int16), samples,
                            np.zeros(int(TAIL_S * rate), np.int16)])
    frame = rate // 20  # 50 ms
    lo, hi = int((LEAD_S + 4.0) * rate), int((LEAD_S + 7.0) * rate)
    energy = [float(np.abs(audio[i : i + frame].astype(np.float32)).mean())
              for i in range(lo, hi, frame)]
    return audio, rate, lo + int(np.argmin(energy)) * frame


def planned(server_url: str) -> dict:
    r = httpx.post(f"{server_url}/api/interviews",
                   json={"job_role": "backend engineer", "num_questions": 1}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def stored(server_url: str, interview: dict, at_least: int) -> list[dict]:
    """The interview's stored events as the candidate may read them, once `at_least` of them
    are stored (events are written in batches)."""
    deadline = time.monotonic() + 10
    while True:
        events, after = [], 0
        while True:
            page = httpx.get(f"{server_url}/api/interviews/{interview['id']}/events",
                             params={"token": interview["candidate_token"], "after": after},
                             timeout=30).json()
            events += page["events"]
            if not page["more"]:
                break
            after = page["next_after"]
        if len(events) >= at_least or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


async def finish(client: ResumableCandidate) -> None:
    """Stream the rest, let the answer end on the pause, stop."""
    await client.stream()
    await client.wait_for(lambda e: e["type"] == "answer.completed", 60)
    await client.wait_for(lambda e: e["type"] == "evaluation", 60)
    await client.stop()
    await client.wait_for(lambda e: e["type"] == "interview.completed", 60)


def check_complete(client: ResumableCandidate, events_stored: list[dict],
                   said_goodbye: bool = True) -> None:
    """Nothing lost, nothing twice, the whole answer in one answer; `said_goodbye`: the old
    server lived to say `candidate.disconnected`."""
    assert client.stats.duplicates == 0 and client.stats.gaps == 0
    seqs = [e["seq"] for e in client.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e["seq"] for e in events_stored] == seqs  # the candidate saw every event of theirs
    text = " ".join(e["text"] for e in client.of("transcript.final"))
    assert wer(JFK_TEXT, text) <= 0.10, text
    (answer,) = [e for e in client.of("answer.completed") if e["turn"] == 0]
    assert wer(JFK_TEXT, answer["text"]) <= 0.10, answer["text"]
    assert bool(client.of("candidate.disconnected")) == said_goodbye
    assert client.of("candidate.reconnected")
    (done,) = client.of("interview.completed")
    assert done["questions_answered"] >= 1
    clock = [e["t"] for e in client.events if e["type"] == "transcript.final"]
    assert clock == sorted(clock)  # the audio clock went on across the drop


async def test_a_dropped_candidate_resumes_mid_answer(server, jfk):
    audio, rate, split = answer_audio(jfk)
    interview = planned(server.url)
    client = ResumableCandidate(ws_url(server.url, interview["id"], interview["candidate_token"]),
                                audio, rate)
    await client.connect()
    await client.stream(until=split)
    await client.drop()  # a reload: no stop
    await asyncio.sleep(3.0)
    status = httpx.get(f"{server.url}/api/interviews/{interview['id']}",
                       params={"token": interview["candidate_token"]}).json()["status"]
    assert status == "live"  # waiting for the candidate, not ended
    await finish(client)
    assert len(client.stats.connections) == 2
    assert client.stats.resends_s == 0  # the server had taken every sample sent
    (away,) = client.of("candidate.disconnected")
    assert away["reason"] == "closed" and away["grace_s"] > 3
    (back,) = client.of("candidate.reconnected")
    assert 2.9 < back["offline_s"] < 10
    check_complete(client, stored(server.url, interview, len(client.events)))
    for _ in range(50):
        row = httpx.get(f"{server.url}/api/interviews/{interview['id']}",
                        params={"token": interview["candidate_token"]}).json()
        if row["status"] != "live":
            break
        await asyncio.sleep(0.1)
    assert row["status"] == "completed"


async def test_a_graceful_restart_hands_the_interview_to_the_restarted_server(tmp_path, jfk):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'solo.db'}", "RESUME_GRACE_S": "60",
           "ASR_WORKERS": "1", "ASR_THREADS": "1", "RECORDINGS_DIR": str(tmp_path / "rec")}
    node = Node("solo", env, tmp_path).start()
    try:
        audio, rate, split = answer_audio(jfk)
        interview = planned(node.url)
        client = ResumableCandidate(
            ws_url(node.url, interview["id"], interview["candidate_token"]), audio, rate)
        await client.connect()
        await client.stream(until=split)
        streaming = asyncio.create_task(client.stream())  # the candidate goes on talking
        await asyncio.sleep(0.5)
        await asyncio.to_thread(node.stop)  # SIGTERM; waits for the process to end
        first = client.stats.connections[0]
        assert first.close_code == 1012, (first.close_code, first.close_reason)
        before = list(client.events)  # what the first connection delivered
        (away,) = [e for e in before if e["type"] == "candidate.disconnected"]
        assert away["reason"] == "server_restart"
        # the server finished what it had before closing: every utterance before the
        # hand-over has its final, delivered on that connection
        finals = [e for e in before if e["type"] == "transcript.final"]
        assert finals and finals[-1]["seq"] < away["seq"]
        assert away["t"] - finals[-1]["end"] < 1.0, (away["t"], finals[-1]["end"])
        await asyncio.to_thread(node.start)  # the same port, the same database
        await streaming  # it reconnected, retrying until the new process listened
        await finish(client)
        check_complete(client, stored(node.url, interview, len(client.events)))
        report = httpx.get(f"{node.url}/api/interviews/{interview['id']}/report",
                           params={"token": interview["candidate_token"]}).json()
        assert report["partial"] is False and len(report["answers"]) >= 1
    finally:
        node.stop()


async def test_the_owner_node_dies_and_another_node_resumes(tmp_path, jfk):
    url = redis_url()
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {"REDIS_URL": url, "DATABASE_URL": db, "OWNER_TTL_S": "2", "RESUME_GRACE_S": "60",
           "ASR_WORKERS": "1", "ASR_THREADS": "1", "RECORDINGS_DIR": str(tmp_path / "rec")}
    a = Node("resume-a", env, tmp_path).start()
    b = Node("resume-b", env, tmp_path).start()
    try:
        audio, rate, split = answer_audio(jfk)
        interview = planned(a.url)
        target = {"node": a}
        client = ResumableCandidate(
            lambda: ws_url(target["node"].url, interview["id"], interview["candidate_token"]),
            audio, rate)
        await client.connect()
        await client.stream(until=split)
        seen = client.last_seq
        killed = time.monotonic()
        await asyncio.to_thread(a.kill)  # SIGKILL: nothing is handed over
        target["node"] = b  # the candidate's next attempt reaches the other node
        await finish(client)  # 4409 `elsewhere` until A's ownership expires, then B resumes
        assert len(client.stats.connections) >= 2 and client.events[-1]["seq"] > seen
        resumed = client.stats.connections[-1].first_event - killed
        assert resumed < 30, resumed
        check_complete(client, stored(b.url, interview, len(client.events)), said_goodbye=False)
        print(f"resumed on node B {resumed:.1f} s after the kill; "
              f"{client.stats.resends_s:.1f} s of audio sent again")
    finally:
        a.stop()
        b.stop()
