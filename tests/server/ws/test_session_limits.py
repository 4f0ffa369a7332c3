"""Live interviews are limited per client address and per node, with a clear close code."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest
import websockets

from media.simulate import ws_url
from tests.conftest import ServerThread


@pytest.fixture(scope="module")
def small_server(tmp_path_factory, transcriber):
    from server.app import create_app
    from server.config import Settings

    db = tmp_path_factory.mktemp("limits") / "limits.db"
    settings = Settings(database_url=f"sqlite:///{db}", live_sessions_per_ip=2,
                        max_live_sessions=3, recordings_dir="")
    with ServerThread(create_app(settings, transcriber=transcriber)) as srv:
        yield srv


async def open_session(srv, headers: dict | None = None):
    """A new interview's candidate socket and its first event, or the close that refused it."""
    interview = httpx.post(f"{srv.url}/api/interviews", json={}, headers=headers).json()
    ws = await websockets.connect(ws_url(srv.url, interview["id"], interview["candidate_token"]),
                                  additional_headers=headers)
    try:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello"
        return ws, json.loads(await ws.recv())
    except websockets.ConnectionClosed as exc:
        return ws, exc.rcvd


async def test_per_address_then_per_node(small_server):
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            ws, first = await open_session(small_server)
            stack.push_async_callback(ws.close)
            assert first["type"] == "state" and first["state"] == "ready"
        _, refused = await open_session(small_server)
        assert refused.code == 4429 and refused.reason.startswith("too_many")
        # another address (a trusted proxy's X-Forwarded-For) gets the node's last slot...
        other = {"x-forwarded-for": "203.0.113.7"}
        ws, first = await open_session(small_server, other)
        stack.push_async_callback(ws.close)
        assert first["state"] == "ready"
        # ...and then the node is full for everyone, with when to retry
        _, refused = await open_session(small_server, {"x-forwarded-for": "203.0.113.8"})
        assert refused.code == 4503 and refused.reason.startswith("busy retry=")
