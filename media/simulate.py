"""`simulate`: stream an audio file into an interview like a candidate would, print events and
a latency summary.

Latency of a final transcript = its arrival time minus the wall-clock moment the sample at its
`end` was sent. Partial lag = arrival minus the moment the partial's `end` sample was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import websockets

from media.audiofile import read_audio
from media.frames import audio_frame, video_frame
from media.video_source import jpeg_frames

CHUNK_S = 0.02


@dataclass
class StreamResult:
    interview_id: str
    events: list[dict] = field(default_factory=list)
    final_latencies: list[float] = field(default_factory=list)
    partial_lags: list[float] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def finals(self) -> list[dict]:
        return [e for e in self.events if e["type"] == "transcript.final"]

    @property
    def text(self) -> str:
        return " ".join(e["text"] for e in self.finals).strip()


async def create_interview(server: str, **fields) -> dict:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        r = await client.post("/api/interviews", json=fields)
        r.raise_for_status()
        return r.json()


def ws_url(server: str, interview_id: str, token: str) -> str:
    base = server.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
    return f"{base}/ws/interviews/{interview_id}/candidate?token={token}"


def spectate_url(server: str, interview_id: str, token: str, after: int = 0) -> str:
    base = server.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
    return f"{base}/ws/interviews/{interview_id}/spectate?token={token}&after={after}"


@dataclass
class FanOutResult:
    spectators: int = 0
    connected: int = 0
    events_per_spectator: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # receive time - server creation time


async def spectate_many(server: str, interview: dict, n: int, ready: asyncio.Event | None = None,
                        timeout: float = 600.0) -> FanOutResult:
    """Open `n` spectator sockets; each reads until the session's `stopped` state."""
    result = FanOutResult(spectators=n)
    url = spectate_url(server, interview["id"], interview["spectator_token"])

    async def one(opened: asyncio.Event) -> None:
        count = 0
        try:
            async with websockets.connect(url, max_size=None, open_timeout=60) as ws:
                result.connected += 1
                opened.set()
                async for raw in ws:
                    now = time.time()
                    event = json.loads(raw)
                    count += 1
                    if "ts" in event:
                        result.latencies.append(now - event["ts"])
                    if event.get("type") == "state" and event.get("state") == "stopped":
                        break
        finally:
            opened.set()
            result.events_per_spectator.append(count)

    tasks, opened = [], []
    for _ in range(n):  # connect in small waves: a burst of 1,000 handshakes is not the test
        ev = asyncio.Event()
        opened.append(ev)
        tasks.append(asyncio.create_task(one(ev)))
        if len(tasks) % 50 == 0:
            await asyncio.gather(*(e.wait() for e in opened[-50:]))
    await asyncio.gather(*(e.wait() for e in opened))
    if ready is not None:
        ready.set()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout)
    return result


def summarize_fan_out(r: FanOutResult) -> str:
    lat, counts = r.latencies, r.events_per_spectator
    return (
        f"spectators={r.connected}/{r.spectators} events each "
        f"min={min(counts, default=0)} max={max(counts, default=0)} delivery latency "
        f"p50={percentile(lat, 50) * 1000:.1f}ms p99={percentile(lat, 99) * 1000:.1f}ms "
        f"max={max(lat, default=float('nan')) * 1000:.1f}ms"
    )


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def stream_pcm(
    server: str,
    samples: np.ndarray,
    rate: int,
    *,
    interview: dict | None = None,
    speed: float = 1.0,
    on_event=None,
    settle_s: float = 0.0,
    video: Iterator[bytes] | None = None,
    video_fps: float = 5.0,
) -> StreamResult:
    """Stream int16 mono `samples` at `rate` to a candidate socket in (`speed` x) real time,
    with JPEG frames from `video` at `video_fps`, then `stop`; return every event received and
    the latency figures."""
    interview = interview or await create_interview(server)
    result = StreamResult(interview["id"], duration_s=len(samples) / rate)
    chunk = int(rate * CHUNK_S)
    sent_at: list[float] = []  # wall time at which chunk i was sent

    def sent_time(t: float) -> float | None:
        i = min(int(t / CHUNK_S), len(sent_at) - 1)
        return sent_at[i] if i >= 0 and sent_at else None

    async with websockets.connect(ws_url(server, interview["id"], interview["candidate_token"]),
                                  max_size=None) as ws:
        done = asyncio.Event()

        async def receive() -> None:
            async for raw in ws:
                event = json.loads(raw)
                if "seq" not in event:
                    continue  # this socket's own replies (hello, pong), not session events
                now = time.time()
                event["_arrived"] = now
                result.events.append(event)
                if event["type"] in ("transcript.final", "transcript.partial"):
                    sent = sent_time(event["end"])
                    if sent is not None and event["end"] <= len(sent_at) * CHUNK_S + 1e-6:
                        lag = now - sent
                        target = (result.final_latencies if event["type"] == "transcript.final"
                                  else result.partial_lags)
                        target.append(lag)
                if on_event:
                    on_event(event)
                if event["type"] == "state" and event.get("state") == "stopped":
                    done.set()
                    return

        receiver = asyncio.create_task(receive())
        await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": rate}}))
        t0 = time.perf_counter()
        next_frame_t = 0.0
        for i, pos in enumerate(range(0, len(samples), chunk)):
            target = t0 + i * CHUNK_S / speed
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent_at.append(time.time())
            await ws.send(audio_frame(samples[pos : pos + chunk].astype("<i2").tobytes()))
            if video is not None and i * CHUNK_S >= next_frame_t:
                next_frame_t += 1.0 / video_fps
                frame = next(video, None)
                if frame is not None:
                    await ws.send(video_frame(frame))
        if settle_s:
            await asyncio.sleep(settle_s)
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(done.wait(), timeout=120)
        receiver.cancel()
    return result


def summarize(result: StreamResult) -> str:
    fl, pl = result.final_latencies, result.partial_lags
    return (
        f"finals={len(result.finals)} final latency p50={percentile(fl, 50):.3f}s "
        f"p95={percentile(fl, 95):.3f}s max={max(fl, default=float('nan')):.3f}s | "
        f"partials={len(pl)} partial lag p50={percentile(pl, 50):.3f}s "
        f"p95={percentile(pl, 95):.3f}s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("audio", type=Path, help="any audio file PyAV reads (wav, flac, mp3...)")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--interview", help="id of an existing interview (needs --token)")
    parser.add_argument("--token", help="candidate token of --interview")
    parser.add_argument("--speed", type=float, default=1.0, help="2 = twice real time")
    parser.add_argument("--video", type=Path,
                        help="a video file (any format PyAV reads) or a folder of images")
    parser.add_argument("--fps", type=float, default=5.0, help="video frames per second")
    parser.add_argument("--spectators", type=int, default=0,
                        help="also open N spectator sockets and report delivery latency")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    samples, rate = read_audio(args.audio)
    interview = None
    if args.interview:
        if not args.token:
            parser.error("--interview needs --token")
        interview = {"id": args.interview, "candidate_token": args.token}

    def show(event: dict) -> None:
        if not args.quiet:
            shown = {k: v for k, v in event.items() if k != "_arrived" and k != "words"}
            print(json.dumps(shown), flush=True)

    async def run() -> tuple[StreamResult, FanOutResult | None]:
        target = interview or await create_interview(args.server)
        fan_out = None
        if args.spectators:
            if "spectator_token" not in target:
                parser.error("--spectators needs an interview created here (no --interview)")
            ready = asyncio.Event()
            fan_out = asyncio.create_task(
                spectate_many(args.server, target, args.spectators, ready)
            )
            await ready.wait()
        streamed = await stream_pcm(
            args.server, samples, rate, interview=target, speed=args.speed, on_event=show,
            video=jpeg_frames(args.video, args.fps) if args.video else None,
            video_fps=args.fps,
        )
        return streamed, (await fan_out if fan_out else None)

    result, fan_out = asyncio.run(run())
    print(f"interview {result.interview_id}: {summarize(result)}")
    if fan_out is not None:
        print(f"fan-out: {summarize_fan_out(fan_out)}")
    print(f"text: {result.text}")
    vision = [e for e in result.events if e["type"] == "metrics" and "face_present" in e]
    if vision:
        last = vision[-1]
        print(f"vision: eye_contact={last['eye_contact']} framing={last['framing']} "
              f"posture={last['posture'].get('label')} confidence={last['confidence']['score']}")
    sys.exit(0)


if __name__ == "__main__":
    main()
