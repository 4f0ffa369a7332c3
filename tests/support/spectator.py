"""Spectator test helpers: the spectator socket's URL and a client that collects events."""

from __future__ import annotations

import asyncio
import json

import websockets


def spectate_url(server_url: str, interview_id: str, token: str, after: int = 0) -> str:
    base = server_url.replace("http://", "ws://")
    return f"{base}/ws/interviews/{interview_id}/spectate?token={token}&after={after}"


async def watch(url: str, until_stopped: bool = True, timeout: float = 60) -> list[dict]:
    events: list[dict] = []
    async with websockets.connect(url, max_size=None) as ws:
        async def loop():
            async for raw in ws:
                event = json.loads(raw)
                events.append(event)
                if until_stopped and event.get("type") == "state" and event["state"] == "stopped":
                    return
        await asyncio.wait_for(loop(), timeout)
    return events


def strip(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "_arrived"} for e in events]
