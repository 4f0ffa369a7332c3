"""Fan-out benchmark: N spectator sockets on one node watching a live session.

Starts its own server (or uses --server), opens N spectator sockets on one interview from
--clients processes (one Python process reading 1,000 sockets would measure itself), streams
real speech into it in real time as the candidate, and prints the delivery latency of events to
spectators (receive time minus the server's creation time `ts`), p50/p99/max, plus how many
events each spectator got (all must get all) and the server's CPU use.

    .venv/bin/python bench/fanout.py --spectators 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media.audiofile import read_audio  # noqa: E402
from media.simulate import (  # noqa: E402
    FanOutResult,
    create_interview,
    percentile,
    spectate_many,
    stream_pcm,
    summarize_fan_out,
)

JFK = ROOT.parent / "shared" / "testdata" / "jfk.flac"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'fanout.db'}",
           "RECORDINGS_DIR": str(tmp / "rec")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


async def client_worker(server: str, interview: dict, n: int) -> None:
    """One client process: n spectators; prints READY, then the results as JSON."""
    ready = asyncio.Event()
    task = asyncio.create_task(spectate_many(server, interview, n, ready))
    await ready.wait()
    print("READY", flush=True)
    result = await task
    print(json.dumps({"connected": result.connected, "counts": result.events_per_spectator,
                      "latencies": result.latencies}), flush=True)


async def run(server: str, n: int, clients: int, audio: Path, repeat: int,
              pid: int | None) -> None:
    samples, rate = read_audio(audio)
    samples = np.concatenate([samples] * repeat)
    interview = await create_interview(server)
    t0 = time.time()
    procs = []
    for i in range(clients):
        share = n // clients + (1 if i < n % clients else 0)
        procs.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client-worker", json.dumps(interview),
            "--server", server, "--spectators", str(share), stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,
        ))
    for proc in procs:
        assert (await proc.stdout.readline()).strip() == b"READY"
    print(f"{n} spectators connected from {clients} processes in {time.time() - t0:.1f}s",
          flush=True)
    cpu0, w0 = (cpu_seconds(pid), time.time()) if pid else (0.0, 0.0)
    streamed = await stream_pcm(server, samples, rate, interview=interview)
    result = FanOutResult(spectators=n)
    for proc in procs:
        part = json.loads(await proc.stdout.readline())
        await proc.wait()
        result.connected += part["connected"]
        result.events_per_spectator += part["counts"]
        result.latencies += part["latencies"]
    cpu = (cpu_seconds(pid) - cpu0) / (time.time() - w0) * 100 if pid else float("nan")
    expected = len(streamed.events)
    complete = sum(1 for c in result.events_per_spectator if c == expected)
    print(summarize_fan_out(result))
    print(f"events in session: {expected}; spectators with every event: {complete}/{n}; "
          f"server CPU during streaming: {cpu:.0f}% of one core")
    print(f"| {n} | {len(samples) / rate:.0f} s | {expected} | {complete}/{n} | "
          f"{percentile(result.latencies, 50) * 1000:.1f} ms | "
          f"{percentile(result.latencies, 99) * 1000:.1f} ms | "
          f"{max(result.latencies) * 1000:.1f} ms | {cpu:.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spectators", type=int, default=1000)
    parser.add_argument("--server", help="use a running server instead of starting one")
    parser.add_argument("--audio", type=Path, default=JFK)
    parser.add_argument("--repeat", type=int, default=3, help="play the audio this many times")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--client-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client_worker:
        asyncio.run(client_worker(args.server, json.loads(args.client_worker), args.spectators))
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        server = args.server
        if server is None:
            proc, server = start_server(Path(tmp))
        try:
            asyncio.run(run(server, args.spectators, args.clients, args.audio, args.repeat,
                            proc.pid if proc else None))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    main()
