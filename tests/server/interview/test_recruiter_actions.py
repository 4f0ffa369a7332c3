"""Recruiter actions on the spectator socket, end to end: a real server and model, a recruiter
account, a candidate answering by voice (espeak-ng, streamed in real time) and the recruiter's
spectator socket: follow-ups approved (with edited text), rejected or left to expire, the
recruiter's own questions, who may act, and a recruiter on another node than the session."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Callable

import httpx
import pytest
import websockets

from server.store.answers import answer_records
from server.store.store import Store
from tests.conftest import ServerThread
from tests.support.interview import VAGUE, Candidate, is_, planned_questions, speech
from tests.support.nodes import Node
from tests.support.services import redis_url

PAUSE_S = 1.5  # silence that ends an answer (the sentences of one answer are 0.6 s apart)
APPROVAL_TIMEOUT_S = 4.0
PASSWORD = "s3cret-passw0rd"

RECRUITER_QUESTION = "How would you find which query makes the database slow in production?"
RECRUITER_ANSWER = [
    "First, I would check the slow query log and the database metrics.",
    "Then, I would run explain on the worst query and add an index.",
    "For example, this cut the latency by 40 percent in my last project.",
]
EDITED = "Which columns would you index first, and why?"


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    from server.app import create_app
    from server.config import Settings

    db = tmp_path_factory.mktemp("recruiterdb") / "recruiter.db"
    settings = Settings(database_url=f"sqlite:///{db}", asr_workers=2, asr_threads=1,
                        answer_pause_s=PAUSE_S, groq_api_key="", redis_url="", bcrypt_rounds=4,
                        recordings_dir="", follow_up_approval_timeout_s=APPROVAL_TIMEOUT_S)
    app = create_app(settings, transcriber=transcriber)
    with ServerThread(app) as server:
        server.app = app
        yield server


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("recruiter-audio")
    return {
        "vague": speech(VAGUE, tmp, "vague"),
        "short": speech(["An index on the filtered columns."], tmp, "short"),
        "recruiter": speech(RECRUITER_ANSWER, tmp, "recruiter"),
    }


# --------------------------------------------------------------------------- helpers


def register(url: str, role: str = "recruiter") -> dict:
    """A new account: {"access_token", "user": {...}}."""
    name = f"{role[:4]}_{secrets.token_hex(4)}"
    r = httpx.post(f"{url}/api/auth/register", timeout=10, json={
        "username": name, "email": f"{name}@example.com", "password": PASSWORD, "role": role,
    })
    assert r.status_code == 201, r.text
    return r.json()


def bearer(account: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['access_token']}"}


def create_interview(url: str, account: dict | None, *, pin: Store | None = None,
                     **fields) -> dict:
    body = {"job_role": "backend engineer", "num_questions": 2, "difficulty": "intermediate",
            "question_type": "technical", "approve_follow_ups": True, **fields}
    r = httpx.post(f"{url}/api/interviews", json=body, timeout=30,
                   headers=bearer(account) if account else {})
    assert r.status_code == 201, r.text
    interview = r.json()
    if pin is not None:  # two known questions: a vague answer reliably gets a follow-up
        pin.update_interview(interview["id"], questions=planned_questions(), num_questions=2)
    return interview


def spectate_url(url: str, interview: dict, *, token: str | None = None,
                 access_token: str | None = None) -> str:
    base = url.replace("http://", "ws://")
    query = []
    if token is not None:
        query.append(f"token={token}")
    if access_token is not None:
        query.append(f"access_token={access_token}")
    return f"{base}/ws/interviews/{interview['id']}/spectate?{'&'.join(query)}"


class Spectator:
    """A spectator socket: the session's events (with `seq`) and the replies to what it sends
    (without), kept apart."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.events: list[dict] = []
        self.replies: asyncio.Queue[dict] = asyncio.Queue()
        self._arrived = asyncio.Event()

    async def __aenter__(self) -> Spectator:
        self.ws = await websockets.connect(self.url, max_size=None,
                                           additional_headers=self.headers)
        self._receiver = asyncio.create_task(self._receive())
        return self

    async def __aexit__(self, *exc) -> None:
        self._receiver.cancel()
        await asyncio.gather(self._receiver, return_exceptions=True)
        await self.ws.close()

    async def _receive(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            message["_arrived"] = time.monotonic()
            if "seq" in message:
                self.events.append(message)
                self._arrived.set()
            else:
                await self.replies.put(message)

    async def request(self, message: dict | str, timeout: float = 10.0) -> dict:
        """Send a message; the reply to it (an `ack`, an `error` or a `pong`)."""
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))
        reply = await asyncio.wait_for(self.replies.get(), timeout)
        reply.pop("_arrived", None)
        return reply

    async def wait_for(self, match: Callable[[dict], bool], timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if match(event):
                    return event
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; last events: "
                                     f"{[e['type'] for e in self.events[-20:]]}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def of(self, type_: str) -> list[dict]:
        return [e for e in self.events if e["type"] == type_]


def staff_events(events: list[dict]) -> list[dict]:
    return [e for e in events if e["type"].startswith("staff.")]


def stored_events(url: str, interview: dict) -> list[dict]:
    r = httpx.get(f"{url}/api/interviews/{interview['id']}/events", timeout=10,
                  params={"token": interview["spectator_token"], "limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["events"]


async def test_approve_an_edited_follow_up_then_ask_a_question_of_my_own(srv, audio):
    store = srv.app.state.store
    recruiter = register(srv.url)
    interview = create_interview(srv.url, recruiter, pin=store)
    assert store.get_interview(interview["id"]).settings["approve_follow_ups"] is True
    questions = planned_questions()
    url = spectate_url(srv.url, interview, access_token=recruiter["access_token"])

    async with Spectator(url) as spec, Candidate(srv, interview) as cand:
        q0 = await cand.wait_for(is_("question", turn=0), 15)
        assert (q0["index"], q0["source"], q0["is_follow_up"]) == (0, "plan", False)

        # -- a vague answer: the follow-up waits for the recruiter instead of going out
        await cand.say(audio["vague"])
        pending = await spec.wait_for(is_("staff.follow_up_pending"), 30)
        assert pending["index"] == 0 and pending["question_id"] == questions[0]["id"]
        assert pending["text"].endswith("?") and pending["id"]
        await asyncio.sleep(0.5)
        assert [q["turn"] for q in cand.of("question")] == [0], "asked before approval"

        # refused actions: an error to this socket only, the pending follow-up stays
        for message, code in [
            ({"type": "approve", "id": "fu-unknown"}, "unknown_follow_up"),
            ({"type": "approve", "id": pending["id"], "text": "   "}, "bad_text"),
            ({"type": "approve", "id": pending["id"], "text": "x" * 501}, "bad_text"),
            ({"type": "reject"}, "bad_id"),
            ({"type": "ask", "text": ""}, "bad_text"),
            ({"type": "dance"}, "unknown_type"),
            ("not json", "bad_json"),
        ]:
            reply = await spec.request(message)
            assert reply["type"] == "error" and reply["code"] == code, (message, reply)
            assert reply["message"] and "seq" not in reply

        # -- approved with edited text: the candidate gets the edited question
        ack = await spec.request({"type": "approve", "id": pending["id"], "text": EDITED})
        assert ack == {"type": "ack", "action": "approve", "id": pending["id"], "text": EDITED}
        approved = await spec.wait_for(is_("staff.follow_up_approved"), 5)
        assert approved["id"] == pending["id"] and approved["edited"] is True
        assert approved["by"]["username"] == recruiter["user"]["username"]
        follow = await cand.wait_for(is_("question", turn=1), 5)
        assert follow["text"] == EDITED and follow["is_follow_up"] is True
        assert (follow["index"], follow["question_id"]) == (0, questions[0]["id"])
        assert follow["seq"] > approved["seq"]
        again = await spec.request({"type": "approve", "id": pending["id"]})
        assert again["code"] == "not_pending", again

        await cand.say(audio["short"])
        q1 = await cand.wait_for(is_("question", turn=2), 30)
        assert (q1["index"], q1["source"], q1["is_follow_up"]) == (1, "plan", False)

        # -- the recruiter's own question, sent while the candidate answers: it comes next
        # (instead of the follow-up a vague answer would get)
        ack = await spec.request({"type": "ask", "text": RECRUITER_QUESTION})
        assert ack["action"] == "ask" and ack["id"] and ack["position"] == 1, ack
        queued = await spec.wait_for(is_("staff.question_queued"), 5)
        assert queued["id"] == ack["id"] and queued["text"] == RECRUITER_QUESTION
        await cand.say(audio["vague"])
        asked = await cand.wait_for(is_("question", turn=3), 30)
        assert asked["text"] == RECRUITER_QUESTION and asked["source"] == "recruiter"
        assert asked["is_follow_up"] is False and asked["index"] is None
        assert asked["question_id"] == ack["id"]

        await cand.say(audio["recruiter"])
        done = await cand.wait_for(is_("answer.completed", turn=3), 30)
        assert done["question_source"] == "recruiter" and "index" in done["text"].lower()
        ev = await spec.wait_for(is_("evaluation", turn=3), 10)  # staff only
        completed = await spec.wait_for(is_("interview.completed"), 15)
        seen_completed = await cand.wait_for(is_("interview.completed"), 15)
        await cand.stop()
        await spec.wait_for(is_("state", state="stopped"), 10)

    # the candidate never saw a staff event; the spectator saw them among the same events
    assert not staff_events(cand.events)
    assert [e["type"] for e in staff_events(spec.events)] == [
        "staff.follow_up_pending", "staff.follow_up_approved", "staff.question_queued"]
    last = cand.events[-1]["seq"]

    judged = ("evaluation", "metrics", "interview.completed")

    def strip(events: list[dict]) -> list[dict]:
        return [{k: v for k, v in e.items() if k != "_arrived"} for e in events
                if not e["type"].startswith("staff.") and e["type"] not in judged
                and e["seq"] <= last]

    assert strip(spec.events) == strip(cand.events)
    # a recruiter-run interview: the candidate sees no judgment
    assert not cand.of("evaluation") and spec.of("evaluation")
    assert all("confidence" not in m for m in cand.of("metrics"))
    assert seen_completed["final_score"] is None and seen_completed["report_url"] == ""
    assert seen_completed["questions_answered"] == completed["questions_answered"]
    asked_turns = [(q["turn"], q["index"], q["is_follow_up"], q["source"])
                   for q in cand.of("question")]
    assert asked_turns == [(0, 0, False, "plan"), (1, 0, True, "interviewer"),
                           (2, 1, False, "plan"), (3, None, False, "recruiter")]

    # the recruiter's question is evaluated like any other (no expected points to cover)
    assert ev["question"] == RECRUITER_QUESTION and ev["question_source"] == "recruiter"
    assert ev["points_missed"] == [] and ev["feedback"] and ev["delivery"]["words"] > 0
    assert "no answer key" in ev["method"] and ev["formula"], ev
    vague = next(e for e in spec.of("evaluation") if e["turn"] == 2)
    assert ev["score"] > vague["score"], (ev, vague)
    assert completed["complete"] is True and completed["questions_answered"] == 2
    scores = [e["score"] for e in spec.of("evaluation")]
    assert completed["knowledge_score"] == round(sum(scores) / len(scores))
    records = answer_records(store, interview["id"])
    assert [(r.index, r.question["source"]) for r in records][-1] == (3, "recruiter")

    # stored with the session (so a late spectator sees them); errors were not
    stored = stored_events(srv.url, interview)
    assert [e["type"] for e in staff_events(stored)] == [
        "staff.follow_up_pending", "staff.follow_up_approved", "staff.question_queued"]
    assert not [e for e in stored if e["type"] == "error"]
    # ... but the candidate's token does not read them from storage either
    as_candidate = httpx.get(f"{srv.url}/api/interviews/{interview['id']}/events", timeout=10,
                             params={"token": interview["candidate_token"], "limit": 1000})
    seen = as_candidate.json()["events"]
    assert seen and not staff_events(seen)
    assert not [e for e in seen if e["type"] == "evaluation"]
    assert len(seen) == len(stored) - len(staff_events(stored)) - len(
        [e for e in stored if e["type"] == "evaluation"])


async def test_reject_goes_to_the_next_question_and_an_undecided_follow_up_expires(srv, audio):
    store = srv.app.state.store
    recruiter = register(srv.url)
    interview = create_interview(srv.url, recruiter, pin=store)
    url = spectate_url(srv.url, interview, token=interview["spectator_token"],
                       access_token=recruiter["access_token"])
    async with Spectator(url) as spec, Candidate(srv, interview) as cand:
        await cand.wait_for(is_("question", turn=0), 15)
        await cand.say(audio["vague"])
        first = await spec.wait_for(is_("staff.follow_up_pending", index=0), 30)
        ack = await spec.request({"type": "reject", "id": first["id"]})
        assert ack == {"type": "ack", "action": "reject", "id": first["id"]}
        rejected = await spec.wait_for(is_("staff.follow_up_rejected"), 5)
        assert rejected["id"] == first["id"] and rejected["reason"] == "rejected"
        assert rejected["by"]["user_id"] == recruiter["user"]["id"]
        nxt = await cand.wait_for(is_("question", turn=1), 5)
        assert (nxt["index"], nxt["is_follow_up"], nxt["source"]) == (1, False, "plan")

        # -- nobody decides: skipped after the timeout, and the interview goes on (here: ends)
        await cand.say(audio["vague"])
        second = await spec.wait_for(is_("staff.follow_up_pending", index=1), 30)
        assert second["timeout_s"] == APPROVAL_TIMEOUT_S
        expired = await spec.wait_for(is_("staff.follow_up_expired"), APPROVAL_TIMEOUT_S + 5)
        assert expired["id"] == second["id"] and expired["reason"] == "timeout"
        waited = expired["_arrived"] - second["_arrived"]
        assert APPROVAL_TIMEOUT_S - 0.5 < waited < APPROVAL_TIMEOUT_S + 2, waited
        # the deadline pages count down to: `timeout_s` after the pending event's `ts`
        late_by = expired["ts"] - (second["ts"] + second["timeout_s"])
        assert -0.05 < late_by < 1.0, (second, expired)
        completed = await cand.wait_for(is_("interview.completed"), 10)
        late = await spec.request({"type": "approve", "id": second["id"]})
        assert late["type"] == "error" and late["code"] == "not_pending", late
        over = await spec.request({"type": "ask", "text": RECRUITER_QUESTION})
        assert over["code"] == "finished", over
        await cand.stop()

    assert completed["complete"] is True
    assert [(q["turn"], q["index"], q["is_follow_up"]) for q in cand.of("question")] == [
        (0, 0, False), (1, 1, False)]
    assert not staff_events(cand.events)
    assert expired["seq"] < completed["seq"]
    # after the session: nobody runs it
    deadline = time.monotonic() + 10
    while store.get_interview(interview["id"]).status == "live" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    async with Spectator(url) as spec:
        gone = await spec.request({"type": "ask", "text": RECRUITER_QUESTION})
    assert gone["code"] == "not_live", gone


# --------------------------------------------------------------------------- who may act


async def test_only_the_interviews_recruiters_may_act(srv):
    creator, invited, outsider = register(srv.url), register(srv.url), register(srv.url)
    candidate = register(srv.url, role="candidate")
    interview = create_interview(
        srv.url, creator, recruiter_ids=[invited["user"]["id"]],
        candidate_email=candidate["user"]["email"],
    )
    token = interview["spectator_token"]
    actions = [{"type": "ask", "text": "Why?"}, {"type": "approve", "id": "fu-1"},
               {"type": "reject", "id": "fu-1"}]

    async def replies(url: str, headers: dict | None = None) -> list[str]:
        async with Spectator(url, headers) as spec:
            assert (await spec.request({"type": "ping"})) == {"type": "pong"}
            return [(await spec.request(a))["code"] for a in actions]

    # spectator-token viewers, and a token that is not a valid access token: read-only
    assert await replies(spectate_url(srv.url, interview, token=token)) == ["read_only"] * 3
    assert await replies(spectate_url(srv.url, interview, token=token,
                                      access_token="not-a-jwt")) == ["read_only"] * 3
    # signed in but not one of the interview's recruiters: forbidden
    assert await replies(spectate_url(srv.url, interview,
                                      access_token=candidate["access_token"])) == [
        "forbidden"] * 3
    assert await replies(spectate_url(srv.url, interview, token=token,
                                      access_token=outsider["access_token"])) == [
        "forbidden"] * 3
    # the creator (by header) and an invited recruiter may act: here it is not live yet
    assert await replies(spectate_url(srv.url, interview), bearer(creator)) == ["not_live"] * 3
    assert await replies(spectate_url(srv.url, interview,
                                      access_token=invited["access_token"])) == ["not_live"] * 3
    # an outsider without the spectator token cannot even watch
    async with websockets.connect(spectate_url(srv.url, interview,
                                               access_token=outsider["access_token"])) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4403
    assert not [e for e in stored_events(srv.url, interview) if e["type"] == "error"]

    # a live interview without a question plan has no flow to act on
    practice = create_interview(srv.url, creator, num_questions=None, job_role="",
                                approve_follow_ups=False)
    async with websockets.connect(
        f"{srv.url.replace('http', 'ws')}/ws/interviews/{practice['id']}/candidate"
        f"?token={practice['candidate_token']}"
    ) as cand:
        await asyncio.wait_for(cand.recv(), 5)  # state: ready, the session is live
        async with Spectator(spectate_url(srv.url, practice),
                             bearer(creator)) as spec:
            reply = await spec.request({"type": "ask", "text": "Why?"})
    assert reply["code"] == "no_plan", reply


def test_approve_follow_ups_setting_is_validated(srv):
    recruiter, candidate = register(srv.url), register(srv.url, role="candidate")
    body = {"job_role": "backend engineer", "num_questions": 1}
    r = httpx.post(f"{srv.url}/api/interviews", headers=bearer(recruiter), timeout=30,
                   json={**body, "approve_follow_ups": "yes"})
    assert r.status_code == 422 and "approve_follow_ups" in r.json()["error"]["fields"]
    r = httpx.post(f"{srv.url}/api/interviews", timeout=30,
                   json={**body, "approve_follow_ups": True})
    assert r.status_code == 401, r.text
    r = httpx.post(f"{srv.url}/api/interviews", headers=bearer(candidate), timeout=30,
                   json={**body, "approve_follow_ups": True})
    assert r.status_code == 403, r.text
    store = srv.app.state.store
    for value, stored in ((True, True), (False, None)):
        r = httpx.post(f"{srv.url}/api/interviews", headers=bearer(recruiter), timeout=30,
                       json={**body, "approve_follow_ups": value})
        assert r.status_code == 201, r.text
        assert store.get_interview(r.json()["id"]).settings.get("approve_follow_ups") is stored


# --------------------------------------------------------------------------- two nodes


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    url = redis_url()
    tmp = tmp_path_factory.mktemp("recruiter-cluster")
    env = {"REDIS_URL": url, "DATABASE_URL": f"sqlite:///{tmp / 'shared.db'}",
           "OWNER_TTL_S": "2", "ASR_WORKERS": "1", "ASR_THREADS": "1", "RECORDINGS_DIR": "",
           "ANSWER_PAUSE_S": str(PAUSE_S), "FOLLOW_UP_APPROVAL_TIMEOUT_S": "10",
           "JWT_SECRET": secrets.token_urlsafe(48), "BCRYPT_ROUNDS": "4", "GROQ_API_KEY": ""}
    nodes = [Node(name, env, tmp) for name in ("rec-node-a", "rec-node-b")]
    for node in nodes:
        node.start()
    yield nodes
    for node in nodes:
        node.stop()


@pytest.mark.redis
async def test_a_recruiter_on_node_b_asks_the_candidate_on_node_a(cluster, audio):
    a, b = cluster
    recruiter = register(a.url)
    interview = create_interview(a.url, recruiter, num_questions=1)
    url = spectate_url(b.url, interview, access_token=recruiter["access_token"])
    async with Spectator(url) as spec:
        early = await spec.request({"type": "ask", "text": RECRUITER_QUESTION})
        assert early["code"] == "not_live", early  # no node runs it yet

        async with Candidate(a, interview) as cand:
            await cand.wait_for(is_("question", turn=0), 20)
            ack = await spec.request({"type": "ask", "text": RECRUITER_QUESTION})
            assert ack["action"] == "ask" and ack["id"], ack  # applied on node A
            refused = await spec.request({"type": "approve", "id": "fu-unknown"})
            assert refused["code"] == "unknown_follow_up", refused  # node A's answer
            await cand.say(audio["short"])
            asked = await cand.wait_for(is_("question", turn=1), 30)
            assert asked["text"] == RECRUITER_QUESTION and asked["source"] == "recruiter"
            assert asked["question_id"] == ack["id"]
            seen = await spec.wait_for(is_("question", turn=1), 10)
            assert seen["seq"] == asked["seq"]
            await cand.stop()
        queued = await spec.wait_for(is_("staff.question_queued"), 10)
        assert queued["id"] == ack["id"] and queued["by"]["user_id"] == recruiter["user"]["id"]
    assert not staff_events(cand.events)
