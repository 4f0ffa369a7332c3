"""Secrets never reach the logs: the real log of a real server (`python -m server`, its own
process, text and JSON formats) after requests and sockets carrying candidate and spectator
tokens, JWTs in `?access_token=` and Authorization headers, with a DATABASE_URL holding a
password; and the redaction itself."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
import websockets

from tests.support.db import JWT_SECRET, PASSWORD, postgres_schema
from tests.support.nodes import Node

DB_PASSWORD = "Db-Pa55word-never-logged"


def with_password(url: str) -> str:
    """The test database's URL with a password (its trust authentication ignores it)."""
    return re.sub(r"://([^:@/]+)(:[^@]*)?@", rf"://\1:{DB_PASSWORD}@", url, count=1)


@pytest.fixture(params=["text", "json"])
def node(request, tmp_path):
    with postgres_schema("logs") as (url, _):
        server = Node(f"logs-{request.param}", {
            "DATABASE_URL": with_password(url), "LOG_FORMAT": request.param,
            "JWT_SECRET": JWT_SECRET, "BCRYPT_ROUNDS": "4", "REDIS_URL": "",
            "RECORDINGS_DIR": "",
        }, tmp_path, log_level="info").start()
        server.format = request.param
        try:
            yield server
        finally:
            server.stop()


async def use_the_server(url: str) -> list[str]:
    """Requests and sockets as browsers make them; returns the secrets they carried."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        name = "logs_user"
        r = await client.post("/api/auth/register", json={
            "username": name, "email": f"{name}@example.com", "password": PASSWORD,
            "role": "recruiter"})
        assert r.status_code == 201, r.text
        jwt = r.json()["access_token"]
        r = await client.post("/api/interviews", json={},
                              headers={"Authorization": f"Bearer {jwt}"})
        interview = r.json()
        iid, cand, spec = interview["id"], interview["candidate_token"], \
            interview["spectator_token"]
        for path, params in ((f"/api/interviews/{iid}/events", {"token": cand, "after": 0}),
                             (f"/api/interviews/{iid}", {"token": spec}),
                             (f"/api/interviews/{iid}/report", {"token": "wrong-" + spec}),
                             ("/api/auth/me", {"access_token": jwt}),
                             (f"/room/{iid}", {"token": cand})):
            await client.get(path, params=params)
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {jwt}"})
        await client.post("/api/auth/login", data={"username": name, "password": PASSWORD})
    ws = url.replace("http://", "ws://")
    for query in (f"token={spec}&after=0", f"access_token={jwt}", f"token={cand}"):
        async with websockets.connect(f"{ws}/ws/interviews/{iid}/spectate?{query}") as sock:
            with pytest.raises((websockets.ConnectionClosed, TimeoutError)):
                await sock.send(json.dumps({"type": "ping"}))
                while True:
                    await asyncio.wait_for(sock.recv(), 0.5)
    return [jwt, cand, spec, PASSWORD, DB_PASSWORD]


async def test_no_secret_in_the_real_log(node):
    secrets = await use_the_server(node.url)
    node.stop()
    log = node.log_path.read_text()
    lines = [line for line in log.splitlines() if line.strip()]
    # the log has the lines the secrets were in, redacted
    assert any("/api/interviews/" in line and "/events" in line for line in lines), log[-3000:]
    assert any("WebSocket /ws/interviews/" in line for line in lines), log[-3000:]
    assert any("server ready" in line and ":***@" in line for line in lines), log[-3000:]
    assert any("token=***" in line for line in lines)
    for secret in secrets:
        assert secret not in log, f"{secret[:12]}... is in the log"
    assert "eyJ" not in log  # no JWT at all
    if node.format == "json":
        for line in lines:
            entry = json.loads(line)  # every line is one JSON object
            assert {"ts", "level", "logger", "msg"} <= set(entry)
        assert any(json.loads(line)["logger"] == "uvicorn.access" for line in lines)


@pytest.mark.parametrize(("line", "redacted"), [
    ('127.0.0.1:5 - "GET /api/interviews/x/events?token=abc123&after=0 HTTP/1.1" 200',
     '127.0.0.1:5 - "GET /api/interviews/x/events?token=***&after=0 HTTP/1.1" 200'),
    ("GET /ws/x/spectate?after=3&access_token=eyJa.eyJb.sig",
     "GET /ws/x/spectate?after=3&access_token=***"),
    ("db=postgresql+psycopg://user:s3cr%40t@db.example.com:5432/app",
     "db=postgresql+psycopg://user:***@db.example.com:5432/app"),
    ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer ***"),
    ("{'authorization': 'Basic dXNlcjpwdw=='}", "{'authorization': 'Basic ***'}"),
    ("login with password=hunter2&x=1", "login with password=***&x=1"),
    ("spectator_token=Zz9_-q", "spectator_token=***"),
    ("a JWT eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln alone", "a JWT *** alone"),
    ("http://127.0.0.1:8000/room/abc (no secret)", "http://127.0.0.1:8000/room/abc (no secret)"),
])
def test_redact(line, redacted):
    from server.ops.logs import redact

    assert redact(line) == redacted
