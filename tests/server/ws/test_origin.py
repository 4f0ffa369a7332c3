"""The sockets' `Origin` check (`server.ws.protocol.origin_allowed`, ALLOWED_ORIGINS): browsers
of other sites are refused with 4403 `origin`; the server's own pages, the allowed origins and
clients that are not browsers (no Origin) connect."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from starlette.requests import HTTPConnection

from tests.support.db import serve_backend

ALLOWED = "https://app.example.com"


def conn(origin: str | None, host: str = "interviews.example.com:8000",
         scheme: str = "ws") -> HTTPConnection:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return HTTPConnection({"type": "websocket", "scheme": scheme, "path": "/ws", "headers": headers,
                           "query_string": b"", "server": ("interviews.example.com", 8000)})


@pytest.mark.parametrize(("origin", "allowed", "ok"), [
    (None, [], True),  # not a browser
    ("http://interviews.example.com:8000", [], True),  # the server's own pages
    ("HTTP://Interviews.Example.com:8000/", [], True),
    ("https://interviews.example.com:8000", [], False),  # another scheme is another origin
    ("http://interviews.example.com", [], False),  # another port too
    ("https://evil.example.net", [], False),
    ("https://evil.example.net", [ALLOWED], False),
    (ALLOWED, [ALLOWED], True),
    (ALLOWED + "/", [ALLOWED + "/"], True),
    ("null", [ALLOWED], False),
    ("https://evil.example.net", ["*"], True),
])
def test_origin_allowed(origin, allowed, ok):
    from server.ws.protocol import origin_allowed

    assert origin_allowed(conn(origin), allowed) is ok


def test_origin_over_tls():
    from server.ws.protocol import origin_allowed

    assert origin_allowed(conn("https://interviews.example.com", "interviews.example.com",
                               scheme="wss"), [])


@pytest.fixture(scope="module")
def srv(tmp_path_factory, transcriber):
    with serve_backend("sqlite", tmp_path_factory.mktemp("origin"), transcriber,
                       allowed_origins=[ALLOWED]) as server:
        yield server


async def ping(url: str, origin: str | None):
    """('message', reply to a ping) or ('closed', code, reason) of a socket opened with
    `origin`."""
    async with websockets.connect(url, origin=origin) as ws:
        try:
            await ws.send(json.dumps({"type": "ping"}))
            return ("message", json.loads(await asyncio.wait_for(ws.recv(), 5)))
        except websockets.ConnectionClosed as closed:
            return ("closed", closed.rcvd.code, closed.rcvd.reason)


async def test_the_spectator_socket_checks_the_origin(srv, new_anonymous):
    interview = new_anonymous()
    url = (f"{srv.url.replace('http://', 'ws://')}/ws/interviews/{interview['id']}/spectate"
           f"?token={interview['spectator_token']}")
    closed = await ping(url, "https://evil.example.net")
    assert closed[:2] == ("closed", 4403) and closed[2].startswith("origin"), closed
    for origin in (None, ALLOWED, srv.url):
        assert await ping(url, origin) == ("message", {"type": "pong"}), origin


@pytest.fixture
def new_anonymous(srv):
    import httpx

    def make() -> dict:
        r = httpx.post(f"{srv.url}/api/interviews", json={}, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    return make
