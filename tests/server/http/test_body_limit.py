"""Request bodies are capped while they are read (MAX_BODY_BYTES, default 1 MiB): 413
`too_large` when Content-Length says so up front and when a chunked body grows past the limit,
without the application (or anything) buffering more than the limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket

import httpx
import pytest

from server.config import Settings
from tests.support.db import PASSWORD, register, serve_backend

MIB = 1024 * 1024
TWO_MB = 2 * 1000 * 1000


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    with serve_backend("sqlite", tmp_path_factory.mktemp("body"), transcriber) as server:
        yield server


def test_the_default_limit_is_1_mib(monkeypatch):
    monkeypatch.delenv("MAX_BODY_BYTES", raising=False)
    assert Settings().max_body_bytes == MIB  # the server above runs with it


def big_login_body(size: int) -> bytes:
    body = json.dumps({"username": "someone", "password": "p" * size}).encode()
    assert len(body) >= size
    return body


def assert_too_large(r: httpx.Response) -> None:
    assert r.status_code == 413, r.text[:300]
    assert r.json()["error"]["code"] == "too_large" and r.json()["error"]["message"]


def test_a_2_mb_body_with_content_length_is_413(srv):
    r = httpx.post(f"{srv.url}/api/auth/login", content=big_login_body(TWO_MB), timeout=30,
                   headers={"Content-Type": "application/json"})
    assert "content-length" in r.request.headers
    assert_too_large(r)


def chunked_post(host: str, port: int, path: str, chunks: int, chunk: bytes) -> bytes:
    """POST a chunked body (no Content-Length) on a raw socket, chunk by chunk, stopping as
    soon as the server answers or closes; returns its whole answer."""
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                  "\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        for _ in range(chunks):
            if select.select([s], [], [], 0)[0]:
                break  # the server answered already
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # it closed the connection
                break
        else:
            with contextlib.suppress(OSError):
                s.sendall(b"0\r\n\r\n")  # the end of the body
        reply = b""
        while not _complete(reply):
            try:
                data = s.recv(65536)
            except OSError:
                break
            if not data:
                break
            reply += data
        return reply


def _complete(reply: bytes) -> bool:
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def test_a_chunked_2_mb_body_is_413_while_it_is_read(srv):
    reply = chunked_post("127.0.0.1", srv.port, "/api/auth/login", chunks=TWO_MB // 65536 + 1,
                         chunk=b" " * 65536)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(body)["error"]["code"] == "too_large"


def test_a_chunked_2_mb_body_with_httpx_is_413(srv):
    def body():
        for _ in range(TWO_MB // 65536 + 1):
            yield b" " * 65536

    try:
        r = httpx.post(f"{srv.url}/api/auth/register", content=body(), timeout=30,
                       headers={"Content-Type": "application/json"})
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pytest.fail("the server must answer 413 (not drop the connection) when it can")
    assert "content-length" not in r.request.headers
    assert_too_large(r)


def test_normal_bodies_still_work(srv):
    account = register(srv)
    name = account["user"]["username"]
    # JSON
    r = httpx.post(f"{srv.url}/api/auth/login", json={"username": name, "password": PASSWORD},
                   timeout=10)
    assert r.status_code == 200, r.text
    # a chunked body under the limit
    def chunks():
        yield json.dumps({"username": name, "password": PASSWORD}).encode()

    r = httpx.post(f"{srv.url}/api/auth/login", content=chunks(), timeout=10,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    # a form (the OAuth2 password flow) and a body just under the limit
    r = httpx.post(f"{srv.url}/api/auth/login", data={"username": name, "password": PASSWORD},
                   timeout=10)
    assert r.status_code == 200, r.text
    r = httpx.post(f"{srv.url}/api/interviews", json={"title": "x" * (MIB - 100)}, timeout=10)
    assert r.status_code != 413, r.text[:200]


# --------------------------------------------------------------------------- the middleware


async def test_the_middleware_never_reads_past_the_limit():
    """The app reads the whole body; the middleware stops the reading after at most the limit
    (plus the chunk that crossed it) and answers 413."""
    from server.http.body_limit import BodyLimit

    limit, chunk = 100_000, 10_000
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * chunk, "more_body": pulled < 10_000}

    async def app(scope, receive, send):  # reads everything, as request.body() does
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read %d" % len(body)})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
    await BodyLimit(app, max_bytes=limit)(scope, receive, send)
    assert pulled * chunk <= limit + chunk, f"read {pulled * chunk} bytes for a {limit} limit"
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "too_large"
    # and a declared length over the limit is refused before reading anything
    pulled = 0
    scope["headers"] = [(b"content-length", str(limit + 1).encode())]
    sent.clear()
    await BodyLimit(app, max_bytes=limit)(scope, receive, send)
    assert pulled == 0 and sent[0]["status"] == 413
    await asyncio.sleep(0)
