"""The resumable candidate client gives up on a connection that stopped taking data (the
server went away with audio still buffered, python-websockets/websockets#1563: `send` then
waits forever) and reconnects instead of hanging."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket

import numpy as np
import pytest
import websockets

from media import resumable
from media.resumable import ResumableCandidate

pytestmark = pytest.mark.timeout(60)

RATE = 500_000  # 20 ms chunks of 20 kB: a stalled peer's buffers fill within a second or two
ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def text_frame(event: dict) -> bytes:
    data = json.dumps(event).encode()
    assert len(data) < 126
    return bytes([0x81, len(data)]) + data


async def stalled_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Completes the WebSocket handshake, says `ready`, then never reads nor closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    (key,) = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")
              if line.lower().startswith(b"sec-websocket-key:")]
    accept = base64.b64encode(hashlib.sha1(key + ACCEPT_GUID).digest()).decode()
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept.encode() + b"\r\n\r\n")
    writer.write(text_frame({"type": "hello", "ready_seq": 1}))
    writer.write(text_frame({"type": "state", "seq": 1, "state": "ready", "audio_s": 0.0}))
    await writer.drain()
    writer.transport.pause_reading()
    await asyncio.Event().wait()


async def test_a_connection_that_stops_taking_audio_is_dropped_and_resumed(monkeypatch):
    monkeypatch.setattr(resumable, "SEND_TIMEOUT_S", 1.0, raising=False)
    received = 0

    async def healthy(ws) -> None:
        nonlocal received
        await ws.send(json.dumps({"type": "hello", "ready_seq": 2}))
        await ws.send(json.dumps({"type": "state", "seq": 2, "state": "ready",
                                  "audio_s": 0.0}))
        async for message in ws:
            received += len(message) if isinstance(message, bytes) else 0

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # accepted sockets inherit
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stalled = await asyncio.start_server(stalled_peer, sock=listener)
    async with stalled, websockets.serve(healthy, "127.0.0.1", 0) as server:
        urls = iter([f"ws://127.0.0.1:{listener.getsockname()[1]}/ws",
                     f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"])
        url = next(urls)

        def current() -> str:
            return url

        client = ResumableCandidate(current, np.zeros(RATE * 6, np.int16), RATE)
        await client.connect()
        url = next(urls)  # the next attempt reaches a server that reads
        try:
            await asyncio.wait_for(client.stream(), 45)
        finally:
            await client.close()
    assert len(client.stats.connections) == 2
    assert client.stats.connections[0].closed_at is not None
    assert received > 0  # the new connection took the audio the stalled one did not
    assert client.pos == len(client.samples)
