"""Chaos benchmark: N candidates streaming real-time interview answers while the server is
abused, and what survives.

The N sessions (the 61.5-s espeak answer of `bench/interview_audio.py`, rotated so they are not
identical, starts staggered) stream with `media.resumable.ResumableCandidate`, which reconnects
with `after=` and resends what the server did not take. During the run the script injects:
drops (the sockets of some sessions closed without `stop`, reconnecting 1-3 s later), a flooder
(a session pushing audio at 20x real time), fuzz (a socket sending garbage: bad JSON, deep
nesting, huge numbers, wrong types, random binary frames) and a graceful restart of the server
(SIGTERM, then a new process on the same port and database). It prints:

- sessions completed (got `state: stopped` after `stop`) out of N;
- events lost / duplicated: for each session, the seqs it saw against the events stored for it
  (the events API with its candidate token), and duplicates or gaps on its sockets (all 0);
- resume time p50 / p95: from a socket's end to the first event on the next one;
- final latency of the clean sessions (never dropped by the script; the restart hits all) in
  the chaos run against the same sessions in a quiet run first, leaving out finals within 5 s
  after the restart: arrival minus the wall time the final's last sample was sent.

Usage: .venv/bin/python bench/chaos.py [--sessions 4] [--quiet-run/--no-quiet-run]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from interview_audio import interview_answer, rotated  # noqa: E402
from speech_latency import free_port, git_head, pct  # noqa: E402

from analyzers.text import wer  # noqa: E402
from media.frames import audio_frame  # noqa: E402
from media.resumable import ResumableCandidate  # noqa: E402
from media.simulate import ws_url  # noqa: E402


class RestartableServer:
    """`interview-server` in a subprocess on a fixed port and database; SIGTERM restarts."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tempfile.TemporaryDirectory(prefix="chaos-bench-")
        self.log_path = log_path
        self.env = dict(os.environ, DATABASE_URL=f"sqlite:///{self.tmp.name}/chaos.db",
                        RESUME_GRACE_S="60", RECORDINGS_DIR="", LIVE_SESSIONS_PER_IP="100",
                        ANON_INTERVIEWS_PER_IP="100000/minute")
        self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in close()

    def start(self) -> float:
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "interview-server"), "--port", str(self.port),
             "--log-level", "warning"], cwd=self.tmp.name, env=self.env,
            stdout=self.log, stderr=subprocess.STDOUT)
        while time.monotonic() - t0 < 120:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited, see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> float:
        t0 = time.monotonic()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(60)
        return time.monotonic() - t0

    def close(self) -> None:
        self.stop()
        self.log.close()
        self.tmp.cleanup()


def stored_seqs(server: str, interview: dict) -> list[int]:
    seqs, after = [], 0
    while True:
        page = httpx.get(f"{server}/api/interviews/{interview['id']}/events",
                         params={"token": interview["candidate_token"], "after": after},
                         timeout=30).json()
        seqs += [e["seq"] for e in page["events"]]
        if not page["more"]:
            return seqs
        after = page["next_after"]


def final_latencies(c: ResumableCandidate, skip: list[tuple[float, float]]) -> list[float]:
    """Arrival minus the wall time the final's last sample was sent (audio clock = position,
    which holds while nothing had to be resent)."""
    chunk = int(c.rate * 0.02)
    out = []
    for f in c.of("transcript.final"):
        pos = int(round(f["end"] * c.rate)) - c._clock0
        sent = c.sent_at.get(max(0, pos - 1) // chunk * chunk)
        arrived = f["_arrived"]
        wall = time.time() - (time.monotonic() - arrived)
        if sent is None or any(a <= wall <= b for a, b in skip):
            continue
        out.append(wall - sent)
    return out


async def flood(server: str, samples: np.ndarray, rate: int, seconds: float) -> dict:
    interview = httpx.post(f"{server}/api/interviews", json={}).json()
    out = {"sent_s": 0.0, "too_fast": 0, "closed": None}
    try:
        async with websockets.connect(ws_url(server, interview["id"],
                                             interview["candidate_token"]), max_size=None) as ws:
            async def read() -> None:
                async for raw in ws:
                    if json.loads(raw).get("code") == "too_fast":
                        out["too_fast"] += 1

            reader = asyncio.create_task(read())
            await ws.send(json.dumps({"type": "start", "audio": {"sample_rate": rate}}))
            chunk, pos, end = rate // 10, 0, time.monotonic() + seconds
            while time.monotonic() < end:
                await ws.send(audio_frame(samples[pos : pos + chunk].tobytes()))
                pos = (pos + chunk) % (len(samples) - chunk)
                out["sent_s"] += 0.1
                await asyncio.sleep(0.005)
            reader.cancel()
    except websockets.ConnectionClosed as exc:
        out["closed"] = exc.rcvd.code if exc.rcvd else 1006
    return out


def garbage(rng: random.Random) -> str | bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return "[" * rng.randrange(1, 100_000)
    if kind == 1:
        return '{"type": "start", "audio": {"sample_rate": ' + "9" * 5000 + "}}"
    if kind == 2:
        return json.dumps({"type": rng.choice([[1, 2], {"a": 1}, 3, None, "x" * 10_000])})
    if kind == 3:
        return json.dumps({"type": rng.choice(["start", "stop", "next", "ping"]),
                           "audio": rng.choice([None, "x", {"sample_rate": "16000"}])})
    if kind == 4:
        return bytes([rng.randrange(256)]) + rng.randbytes(rng.randrange(0, 5000))
    if kind == 5:
        return b"\x02\xff\xd8" + rng.randbytes(rng.randrange(0, 3000))
    if kind == 6:
        return b"\x01" + rng.randbytes(rng.randrange(0, 4001) | 1)
    return rng.randbytes(rng.randrange(0, 200)).decode("latin-1")


async def fuzz(server: str, n: int, seed: int) -> dict:
    rng = random.Random(seed)
    interview = httpx.post(f"{server}/api/interviews", json={}).json()
    url = ws_url(server, interview["id"], interview["candidate_token"])
    out = {"sent": 0, "survived": False, "closed": None}
    try:
        async with websockets.connect(url, max_size=None) as ws:
            for _ in range(n):
                await ws.send(garbage(rng))
                out["sent"] += 1
            await ws.send(json.dumps({"type": "ping"}))
            async for raw in ws:
                if json.loads(raw).get("type") == "pong":
                    out["survived"] = True
                    break
            out["closed"] = ws.close_code
    except websockets.ConnectionClosed as exc:
        out["closed"] = exc.rcvd.code if exc.rcvd else 1006
    return out


async def run(server: RestartableServer, n: int, chaos: bool, seed: int) -> dict:
    audio = interview_answer()
    rng = random.Random(seed)
    clients, interviews = [], []
    for i in range(n):
        a = rotated(audio, round(i * len(audio.spans) / n))
        lead = np.zeros(int(rng.uniform(0.2, 2.0) * a.rate), np.int16)
        samples = np.concatenate([lead, a.samples, np.zeros(a.rate, np.int16)])
        interview = httpx.post(f"{server.url}/api/interviews", json={}).json()
        interviews.append((interview, a))
        clients.append(ResumableCandidate(
            ws_url(server.url, interview["id"], interview["candidate_token"]), samples, a.rate,
            connect_timeout_s=120))
    for c in clients:
        await c.connect()
    started = time.time()
    streams = [asyncio.create_task(c.stream()) for c in clients]
    dropped: set[int] = set()
    skip: list[tuple[float, float]] = []
    injected: dict = {}
    if chaos:
        async def drops() -> None:
            await asyncio.sleep(10)
            for i in range(0, n, 2):  # every other session: gone for 1-3 s, then back
                dropped.add(i)
                await clients[i].drop(hold_s=rng.uniform(1, 3))

        async def restart() -> None:
            await asyncio.sleep(30)
            t = time.time()
            injected["sigterm_s"] = await asyncio.to_thread(server.stop)
            injected["restart_s"] = await asyncio.to_thread(server.start)
            skip.append((t, time.time() + 5))

        tasks = [drops(), restart(), flood(server.url, audio.samples, audio.rate, 20.0),
                 fuzz(server.url, 2000, seed)]
        results = await asyncio.gather(*[asyncio.create_task(t) for t in tasks])
        injected["flood"], injected["fuzz"] = results[2], results[3]
    await asyncio.gather(*streams)
    completed = 0
    for c in clients:
        try:
            await c.stop(timeout=60)
            completed += 1
        except Exception as exc:  # noqa: BLE001 - counted as not completed
            print(f"  a session did not complete: {exc}")
    await asyncio.sleep(1.0)
    lost = dup = 0
    for c, (interview, _) in zip(clients, interviews, strict=True):
        seen = [e["seq"] for e in c.events]
        stored = await asyncio.to_thread(stored_seqs, server.url, interview)
        lost += len(set(stored) - set(seen))
        dup += c.stats.duplicates + c.stats.gaps
    resume = [t for c in clients for t in c.stats.resume_times]
    clean = [i for i in range(n) if i not in dropped]
    latency = [x for i in clean for x in final_latencies(clients[i], skip)]
    wers = [wer(a.text, " ".join(e["text"] for e in c.of("transcript.final")))
            for c, (_, a) in zip(clients, interviews, strict=True)]
    for c in clients:
        await c.close()
    return {"completed": completed, "n": n, "lost": lost, "dup_or_gap": dup, "resume": resume,
            "latency": latency, "wer": wers, "injected": injected,
            "wall_s": time.time() - started}


def show(name: str, r: dict) -> None:
    lat, res = r["latency"], r["resume"]
    print(f"== {name}: sessions completed {r['completed']}/{r['n']}, events lost {r['lost']}, "
          f"duplicated or out of order {r['dup_or_gap']}")
    print(f"  resumes {len(res)}: p50 {pct(res, 50) or 0:.2f} s, p95 {pct(res, 95) or 0:.2f} s "
          f"(each: {', '.join(f'{x:.2f}' for x in sorted(res))})")
    print(f"  clean sessions' final latency: p50 {pct(lat, 50) or 0:.3f} s, "
          f"p95 {pct(lat, 95) or 0:.3f} s over {len(lat)} finals; WER mean "
          f"{sum(r['wer']) / len(r['wer']):.1%}")
    if r["injected"]:
        print(f"  injected: {json.dumps(r['injected'])}")


async def main_async(args) -> None:
    print(f"commit {git_head()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, {args.sessions} sessions")
    server = RestartableServer(Path(tempfile.gettempdir()) / f"chaos-{os.getpid()}.log")
    server.start()
    try:
        if args.quiet_run:
            show("quiet run", await run(server, args.sessions, False, args.seed))
        show("chaos run", await run(server, args.sessions, True, args.seed))
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-run", action=argparse.BooleanOptionalAction, default=True)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
