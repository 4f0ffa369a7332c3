"""The Groq interviewer against a local fake OpenAI-compatible server, and its offline fallback."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analyzers.answer_eval import evaluate_answer_offline
from analyzers.followup import offline_follow_up
from analyzers.questions import offline_question_plan
from server.interview.llm import Interviewer, parse_json_object, validate_evaluation

PLAN_ARGS = {"role": "Backend engineer", "difficulty": "intermediate",
             "question_type": "technical", "num_questions": 3, "skills": ["PostgreSQL"], "seed": 5}
ANSWER = "I would add an index on the filtered columns and look at the query plan."


# --------------------------------------------------------------------------- fake server


@dataclass
class Reply:
    content: str | None = None
    status: int = 200
    delay_s: float = 0.0
    raw: str | None = None  # a non-JSON HTTP body


@dataclass
class FakeGroq:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    reply: Callable[[str], Reply] = lambda kind: Reply("{}")

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        system = body["messages"][0]["content"]
        kind = ("plan" if "Write interview questions" in system
                else "evaluate" if "You grade one interview answer" in system else "follow_up")
        reply = self.reply(kind)
        if reply.delay_s:
            try:
                await asyncio.sleep(reply.delay_s)
            except asyncio.CancelledError:  # server shutting down while a slow reply waits
                return Response(status_code=503)
        if reply.raw is not None:
            return Response(reply.raw, status_code=reply.status, media_type="text/plain")
        if reply.status != 200:
            return JSONResponse({"error": {"message": "boom", "type": "internal_server_error"}},
                                status_code=reply.status)
        return JSONResponse({
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply.content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        })


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeGroq]:
    fake = FakeGroq()
    app = Starlette(routes=[Route("/openai/v1/chat/completions", fake.completions,
                                  methods=["POST"])])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline and thread.is_alive(), "fake Groq server did not start"
        time.sleep(0.02)
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def fake(fake_server: FakeGroq, monkeypatch) -> FakeGroq:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    fake_server.requests.clear()
    fake_server.headers.clear()
    fake_server.reply = lambda kind: Reply("{}")
    return fake_server


@pytest.fixture
async def interviewer(fake: FakeGroq):
    llm = Interviewer(api_key="test-key", model="test-model", base_url=fake.url, timeout_s=3.0)
    yield llm
    await llm.aclose()


def valid_plan(n: int = 3) -> str:
    return json.dumps({"questions": [
        {"text": f"How would you tune PostgreSQL autovacuum for workload {i}?",
         "type": "technical", "skill": "PostgreSQL",
         "expected_points": ["dead tuples and bloat", "autovacuum thresholds",
                             "monitor pg_stat_user_tables"]}
        for i in range(n)
    ]})


def valid_eval(q, **extra) -> str:
    """An LLM verdict on `ANSWER` to question `q` (its own points), as Groq would send it."""
    return json.dumps({
        "score": 80, "feedback": "Good start: you named indexes and the query plan.",
        "strengths": ["Named indexing"], "improvements": ["Say how you would measure"],
        "points_covered": [q.expected_points[0]], "points_missed": [q.expected_points[1]],
        "points_contradicted": [], "misconceptions": [],
        "evidence": [{"point": q.expected_points[0], "status": "covered",
                      "sentence": "I would add an index."}],
        **extra,
    })


def offline_plan():
    return offline_question_plan(**PLAN_ARGS)


def question():
    return offline_plan()[0]


# --------------------------------------------------------------------------- happy paths


async def test_plan_uses_valid_groq_json(fake, interviewer):
    fake.reply = lambda kind: Reply(valid_plan(3))
    questions, source = await interviewer.plan(**PLAN_ARGS)
    assert source == "groq"
    assert [q.text for q in questions] == [
        f"How would you tune PostgreSQL autovacuum for workload {i}?" for i in range(3)
    ]
    assert all(q.difficulty == "intermediate" and q.type == "technical" for q in questions)
    assert len({q.id for q in questions}) == 3
    (body,) = fake.requests
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    payload = json.loads(body["messages"][1]["content"])
    assert payload["role"] == "Backend engineer" and payload["num_questions"] == 3
    assert fake.headers[0]["authorization"] == "Bearer test-key"


async def test_plan_keeps_only_the_requested_number(fake, interviewer):
    fake.reply = lambda kind: Reply(valid_plan(5))
    questions, source = await interviewer.plan(**PLAN_ARGS)
    assert source == "groq" and len(questions) == 3


async def test_evaluate_uses_groq_json_with_the_same_contract(fake, interviewer):
    q = question()
    fake.reply = lambda kind: Reply(valid_eval(q))
    e = await interviewer.evaluate(q, ANSWER, {"wpm": 150, "fillers_per_min": 2})
    assert (e.source, e.method, e.score) == ("groq", "LLM (Groq)", 80)
    assert e.points_covered == [q.expected_points[0]]
    assert set(e.points_missed) == set(q.expected_points[1:])  # the rest counts as missed
    assert e.evidence[0]["sentence"] == "I would add an index." and e.formula
    system = fake.requests[0]["messages"][0]["content"]
    assert "misconceptions" in system and "delivery does not count" in system
    payload = json.loads(fake.requests[0]["messages"][1]["content"])
    assert payload["answer_transcript"] == ANSWER
    assert payload["wrong_claims"] == q.wrong_claims and payload["wrong_claims"]
    assert "delivery" not in payload  # content only


async def test_one_reply_carries_the_follow_up_decision(fake, interviewer):
    q = question()
    fake.reply = lambda kind: Reply(valid_eval(q, follow_up="Which part would you measure "
                                                         "first, and how?"))
    judged = await interviewer.judge(q, ANSWER)
    assert judged.decided and judged.follow_up.startswith("Which part")
    assert judged.evaluation.source == "groq" and len(fake.requests) == 1
    fake.reply = lambda kind: Reply(valid_eval(q, follow_up=None))
    assert (await interviewer.judge(q, ANSWER)).follow_up is None  # "no follow-up" decided
    # a follow-up that hands over an expected point is not the LLM's to ask
    leaky = f"What about {q.expected_points[1]}?"
    fake.reply = lambda kind: Reply(valid_eval(q, follow_up=leaky))
    judged = await interviewer.judge(q, ANSWER)
    assert judged.evaluation.source == "groq" and not judged.decided


async def test_follow_up_uses_groq(fake, interviewer):
    fake.reply = lambda kind: Reply(json.dumps({"follow_up": "How would caching help here?"}))
    q = question()
    e = evaluate_answer_offline(q, ANSWER)
    assert await interviewer.follow_up(q, ANSWER, e) == "How would caching help here?"
    assert interviewer.last_follow_up_source == "groq"


async def test_strong_answer_gets_no_follow_up_and_no_call(fake, interviewer):
    q = question()
    strong = evaluate_answer_offline(q, ANSWER)
    strong.score, strong.coverage = 92, 1.0
    assert await interviewer.follow_up(q, ANSWER, strong) is None
    assert fake.requests == []


# --------------------------------------------------------------------------- fallbacks


async def assert_all_offline(llm: Interviewer) -> None:
    questions, source = await llm.plan(**PLAN_ARGS)
    assert source == "offline"
    assert [q.to_dict() for q in questions] == [q.to_dict() for q in offline_plan()]
    q = questions[0]
    e = await llm.evaluate(q, ANSWER)
    assert e == evaluate_answer_offline(q, ANSWER)
    assert e.source == "offline"
    follow = await llm.follow_up(q, ANSWER, e)
    assert follow == offline_follow_up(q, ANSWER, e) and follow is not None
    assert llm.last_follow_up_source == "offline"


async def test_http_500_falls_back_offline(fake, interviewer, caplog):
    fake.reply = lambda kind: Reply(status=500)
    with caplog.at_level("WARNING", logger="server.interview.llm"):
        await assert_all_offline(interviewer)
    assert len(fake.requests) == 3  # one attempt per call: no retries
    assert sum("using the offline path" in r.getMessage() for r in caplog.records) == 3


@pytest.mark.parametrize(
    "reply",
    [
        Reply("{not json at all"),
        Reply('{"questions": [{"text": "How would'),  # partial / truncated JSON
        Reply(""),
        Reply("[1, 2, 3]"),  # JSON, but not an object
        Reply(raw="<html>gateway error</html>"),  # 200 with a non-JSON body
    ],
    ids=["garbage", "partial", "empty", "array", "html-body"],
)
async def test_malformed_json_falls_back_offline(fake, interviewer, reply):
    fake.reply = lambda kind: reply
    await assert_all_offline(interviewer)
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("plan", {"questions": json.loads(valid_plan(2))["questions"]}),  # too few
        ("plan", {"items": []}),
        ("plan", {"questions": [{"text": "Tell me about a time you failed?",
                                 "type": "behavioral", "skill": "x",
                                 "expected_points": ["a b", "c d", "e f"]}] * 3}),  # wrong type
        ("plan", {"questions": [{"text": "How would you tune PostgreSQL?", "type": "technical",
                                 "skill": "PostgreSQL", "expected_points": "vacuum"}] * 3}),
        ("evaluate", {**json.loads(valid_eval(question())), "score": "high"}),
        ("evaluate", {k: v for k, v in json.loads(valid_eval(question())).items()
                      if k != "score"}),
        ("evaluate", {k: v for k, v in json.loads(valid_eval(question())).items()
                      if k != "feedback"}),
        ("evaluate", {**json.loads(valid_eval(question())), "strengths": "all good"}),
        ("follow_up", {"question": "What about caching?"}),
        ("follow_up", {"follow_up": 42}),
        ("follow_up", {"follow_up": "ok"}),
    ],
)
async def test_wrong_schema_falls_back_offline(fake, interviewer, kind, content):
    fake.reply = lambda k: Reply(json.dumps(content) if k == kind else "{}")
    q = question()
    e_off = evaluate_answer_offline(q, ANSWER)
    if kind == "plan":
        questions, source = await interviewer.plan(**PLAN_ARGS)
        assert source == "offline"
        assert [x.id for x in questions] == [x.id for x in offline_plan()]
    elif kind == "evaluate":
        assert await interviewer.evaluate(q, ANSWER) == e_off
    else:
        assert await interviewer.follow_up(q, ANSWER, e_off) == offline_follow_up(q, ANSWER, e_off)
        assert interviewer.last_follow_up_source == "offline"
    assert len(fake.requests) == 1


async def test_slow_response_times_out_to_offline(fake):
    fake.reply = lambda kind: Reply(valid_plan(3), delay_s=3.0)
    async with Interviewer(api_key="k", base_url=fake.url, timeout_s=0.5) as llm:
        started = time.monotonic()
        questions, source = await llm.plan(**PLAN_ARGS)
        elapsed = time.monotonic() - started
    assert source == "offline"
    assert [q.id for q in questions] == [q.id for q in offline_plan()]
    assert 0.4 <= elapsed < 1.5
    assert len(fake.requests) == 1


async def test_follow_up_comes_back_within_two_seconds(fake):
    fake.reply = lambda kind: Reply(json.dumps({"follow_up": "Too late?"}), delay_s=4.0)
    async with Interviewer(api_key="k", base_url=fake.url, timeout_s=10.0) as llm:
        q = question()
        e = evaluate_answer_offline(q, ANSWER)
        started = time.monotonic()
        follow = await llm.follow_up(q, ANSWER, e)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert follow == offline_follow_up(q, ANSWER, e)


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_no_key_means_offline_without_any_network_call(fake, monkeypatch, key):
    monkeypatch.setenv("GROQ_API_KEY", "from-env-must-be-ignored")
    monkeypatch.setenv("GROQ_BASE_URL", fake.url)
    fake.reply = lambda kind: Reply(valid_plan(3))
    async with Interviewer(api_key=key, base_url=fake.url) as llm:
        assert not llm.enabled
        await assert_all_offline(llm)
    assert fake.requests == []


async def test_invalid_plan_arguments_raise_before_any_call(fake, interviewer):
    with pytest.raises(ValueError, match="num_questions"):
        await interviewer.plan(**{**PLAN_ARGS, "num_questions": 0})
    assert fake.requests == []


# --------------------------------------------------------------------------- parsing units


def test_parse_json_object_accepts_a_code_fence_only():
    assert parse_json_object('```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(ValueError):
        parse_json_object('Sure! {"a": 1}')


def test_validate_evaluation_clamps_and_rejects_what_is_not_a_score():
    q = question()
    good = json.loads(valid_eval(q))
    assert validate_evaluation(q, {**good, "score": 120}).score == 100
    assert validate_evaluation(q, {**good, "score": -3}).score == 0
    assert validate_evaluation(q, {**good, "points_covered": ["not a point of this question"]}
                               ).points_covered == []
    for bad in ("90", True, None, float("nan")):
        with pytest.raises(ValueError):
            validate_evaluation(q, {**good, "score": bad})
