"""WebRTC capacity (issue 12): N concurrent candidates, each an aiortc peer sending 48 kHz speech
and a 640x480 15-fps moving face, against one running server.

    nice -n 10 .venv/bin/python bench/webrtc_load.py --sessions 8 --seconds 60 \
        --server http://127.0.0.1:8811 --server-pid PID [--profile]
    nice -n 10 .venv/bin/python bench/webrtc_load.py --ramp 20 --server ...   # admission

Audio: jfk.flac (11 s) at 48 kHz mono, copies joined with 1.5 s of silence, each session after
its own lead-in silence (0.5 s + 0.37 s x index) and started 0.6 s x index after the previous
one, so no two sessions decode the same samples at the same time.

Figures:
- final latency: for each jfk copy, the arrival (wall clock) of the first `transcript.final`
  covering the copy's last speech sample (session clock = audio samples sent, t=0 at the first
  one) minus the wall time the client's track handed the 20-ms frame holding that sample to the
  sender. A copy that no final covers counts as missing (no latency).
- words lost: per copy, the reference words not matched (longest common subsequence of
  normalised words) by the finals whose midpoint falls in the copy's span.
- vision gap: (a) `server gap` = the worst `metrics.video.max_update_gap_s` (the server's
  longest wall interval between two analysed frames of a session); (b) `face gap` = the longest
  wall interval the client saw between consecutive `metrics` events carrying face fields
  (`face_present` true) - what the room shows; (c) `update gap` = the longest interval between
  successive distinct `video.updated_t` values seen (sampled once a second, so up to ~1 s above
  the real gap).
- server CPU: utime+stime of the server process (and its children) from /proc over the run,
  in % of one core.

`--profile` also runs `py-spy record --format raw` on the server for the run and prints the
share of the server's sampled CPU per component (`classify`).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import difflib
import fractions
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import httpx
import numpy as np
import websockets
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from skimage import data as skdata

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from media.audiofile import read_audio  # noqa: E402

JFK = Path("/work/shared/testdata/jfk.flac")
JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
RATE = 48000
PTIME = 0.02
GAP_S = 1.5
FPS = 15


# -- media -------------------------------------------------------------------------------------
def speech_end_s(samples: np.ndarray, rate: int) -> float:
    """The last 10-ms block above 2 % of full scale: the end of the words."""
    block = rate // 100
    n = len(samples) // block
    rms = np.sqrt((samples[: n * block].astype(np.float32).reshape(n, block) ** 2).mean(1))
    loud = np.nonzero(rms > 0.02 * 32768)[0]
    return float((loud[-1] + 1) * block / rate)


@dataclass
class Program:
    samples: np.ndarray
    copies: list[tuple[float, float]]  # (start_s, speech_end_s) of each jfk copy


def program(index: int, seconds: float) -> Program:
    speech, _ = read_audio(JFK, rate=RATE)
    end = speech_end_s(speech, RATE)
    lead = 0.5 + 0.37 * (index % 8)
    parts = [np.zeros(int(lead * RATE), np.int16)]
    copies, t = [], lead
    while t + len(speech) / RATE <= seconds:
        parts += [speech, np.zeros(int(GAP_S * RATE), np.int16)]
        copies.append((t, t + end))
        t += len(speech) / RATE + GAP_S
    return Program(np.concatenate(parts), copies)


class SpeechTrack(MediaStreamTrack):
    """Mono int16 at 48 kHz in 20-ms frames in real time, then silence; stamps each frame."""

    kind = "audio"

    def __init__(self, samples: np.ndarray) -> None:
        super().__init__()
        self.samples = samples
        self.per = int(RATE * PTIME)
        self.sent_at: list[float] = []  # wall time frame i left recv()
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        n = len(self.sent_at)
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + n * PTIME - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        chunk = self.samples[n * self.per:(n + 1) * self.per]
        if len(chunk) < self.per:
            chunk = np.concatenate([chunk, np.zeros(self.per - len(chunk), np.int16)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = n * self.per
        frame.time_base = fractions.Fraction(1, RATE)
        self.sent_at.append(time.time())
        return frame


def face_cycle() -> list[np.ndarray]:
    """640x480 frames of a real face drifting a few pixels (a 2-s cycle at 15 fps)."""
    face = cv2.resize(skdata.astronaut(), (360, 360))
    frames = []
    for i in range(2 * FPS):
        dx = int(round(8 * np.sin(2 * np.pi * i / (2 * FPS))))
        dy = int(round(4 * np.cos(2 * np.pi * i / (2 * FPS))))
        canvas = np.full((480, 640, 3), 128, np.uint8)
        canvas[60 + dy:420 + dy, 140 + dx:500 + dx] = face
        frames.append(canvas)
    return frames


def encode_cycle(frames: list[np.ndarray]) -> list[bytes]:
    """The face cycle VP8-encoded once (libvpx, a keyframe first, ~900 kbit/s as a browser's
    640x480 camera): the client peers send these packets instead of encoding 15 frames a
    second each, so the clients' CPU (8 live VP8 encoders took more than the client process
    got) does not decide how much media reaches the server."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 640, 480, "yuv420p"
    codec.time_base = fractions.Fraction(1, FPS)
    codec.framerate = FPS
    codec.bit_rate = 900_000
    codec.gop_size = len(frames)
    codec.options = {"deadline": "good", "cpu-used": "4", "lag-in-frames": "0"}
    packets = []
    for i, rgb in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        packets += codec.encode(frame)
    packets += codec.encode(None)
    assert len(packets) == len(frames) and packets[0].is_keyframe
    return [bytes(p) for p in packets]


class FaceTrack(MediaStreamTrack):
    """The pre-encoded cycle at FPS, from its keyframe, looped (aiortc packs packets as is)."""

    kind = "video"

    def __init__(self, packets: list[bytes]) -> None:
        super().__init__()
        self.packets = packets
        self._start: float | None = None
        self._n = 0

    async def recv(self) -> av.Packet:
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + self._n / FPS - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        packet = av.Packet(self.packets[self._n % len(self.packets)])
        packet.pts = self._n * (90000 // FPS)
        packet.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return packet


# -- one session -------------------------------------------------------------------------------
def ws_url(server: str, iid: str, token: str) -> str:
    base = server.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
    return f"{base}/ws/interviews/{iid}/candidate?token={token}"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@dataclass
class SessionResult:
    index: int
    admitted: bool = False
    refusal: str = ""
    refusal_ms: float | None = None
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    words_ref: int = 0
    words_lost: int = 0
    lost: list[str] = field(default_factory=list)  # what was heard where words were lost
    server_gap: float | None = None
    face_gap: float | None = None
    update_gap: float | None = None
    frames_in: int = 0
    frames_analysed: int = 0
    errors: list[str] = field(default_factory=list)
    quality: list[int] = field(default_factory=list)


async def one_session(server: str, index: int, seconds: float, packets, start_delay: float,
                      http: httpx.AsyncClient) -> SessionResult:
    res = SessionResult(index)
    prog = program(index, seconds)
    await asyncio.sleep(start_delay)
    r = await http.post("/api/interviews", json={})
    if r.status_code != 201:
        res.refusal = f"POST /api/interviews {r.status_code} {r.text[:120]}"
        return res
    iv = r.json()
    events: list[dict] = []
    t0 = time.perf_counter()
    ws = await websockets.connect(ws_url(server, iv["id"], iv["candidate_token"]), max_size=None)
    ready = asyncio.Event()

    async def read() -> None:
        try:
            async for raw in ws:
                e = json.loads(raw)
                e["_at"] = time.time()
                events.append(e)
                if e.get("type") == "state" and e.get("state") == "ready":
                    ready.set()
        except websockets.ConnectionClosed:
            pass
        ready.set()

    reader = asyncio.create_task(read())
    await ready.wait()
    if ws.close_code is not None or not any(e.get("state") == "ready" for e in events):
        await reader
        res.refusal = f"close {ws.close_code} {ws.close_reason!r}"
        res.refusal_ms = (time.perf_counter() - t0) * 1000
        return res
    res.admitted = True
    audio = SpeechTrack(prog.samples)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver(audio, direction="sendonly")
    pc.addTransceiver(FaceTrack(packets), direction="sendonly")
    try:
        await pc.setLocalDescription(await pc.createOffer())
        r = await http.post(f"/api/interviews/{iv['id']}/webrtc",
                            params={"token": iv["candidate_token"]},
                            json={"sdp": pc.localDescription.sdp, "type": "offer"}, timeout=60)
        r.raise_for_status()
        await pc.setRemoteDescription(RTCSessionDescription(**r.json()))
        total = len(prog.samples) / RATE
        send_deadline = time.monotonic() + total + 20  # a peer that never connects ends too
        while len(audio.sent_at) * PTIME < total and time.monotonic() < send_deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        await ws.send(json.dumps({"type": "stop"}))
        deadline = time.monotonic() + 60
        while not any(e.get("state") == "stopped" for e in events):
            if time.monotonic() > deadline or reader.done():
                break
            await asyncio.sleep(0.1)
    finally:
        for closing in (pc.close(), ws.close()):
            try:
                await asyncio.wait_for(closing, 5)
            except Exception as exc:  # noqa: BLE001 - a stuck close must not hang the bench
                res.errors.append(f"close: {exc!r}"[:80])
        reader.cancel()
    if not audio.sent_at:
        res.errors.append("no audio frame was sent (peer never connected)")
        return res
    analyse(res, prog, audio.sent_at, events)
    return res


def analyse(res: SessionResult, prog: Program, sent_at: list[float], events: list[dict]) -> None:
    finals = sorted((e for e in events if e["type"] == "transcript.final"), key=lambda e: e["_at"])
    ref = words(JFK_TEXT)
    per = int(RATE * PTIME)
    for start, end in prog.copies:
        cover = next((f for f in finals if f["end"] >= end - 0.3 and f["start"] <= end), None)
        if cover is None:
            res.missing += 1
        else:
            frame = min((int(end * RATE) - 1) // per, len(sent_at) - 1)
            res.latencies.append(cover["_at"] - sent_at[frame])
        said = " ".join(f["text"] for f in finals
                        if start - 0.5 <= (f["start"] + f["end"]) / 2 <= end + 1.0)
        m = difflib.SequenceMatcher(a=ref, b=words(said), autojunk=False)
        res.words_ref += len(ref)
        lost = len(ref) - sum(b.size for b in m.get_matching_blocks())
        res.words_lost += lost
        if lost:
            res.lost.append(f"{start:.1f}-{end:.1f} s: {said!r}")
    metrics = [e for e in events if e["type"] == "metrics"]
    face = [e["_at"] for e in metrics if e.get("face_present")]
    if len(face) > 1:
        res.face_gap = max(b - a for a, b in zip(face, face[1:], strict=False))
    upd = sorted({e["video"]["updated_t"] for e in metrics
                  if isinstance(e.get("video"), dict) and e["video"].get("updated_t")})
    if len(upd) > 1:
        res.update_gap = max(b - a for a, b in zip(upd, upd[1:], strict=False))
    last = next((e["video"] for e in reversed(metrics) if isinstance(e.get("video"), dict)), {})
    res.server_gap = last.get("max_update_gap_s")
    res.frames_in = last.get("frames_in", 0)
    res.frames_analysed = last.get("frames_analysed", 0)
    res.errors = [f"{e.get('code')}: {e.get('message', '')[:80]}"
                  for e in events if e["type"] == "error"]
    res.quality = [f"{e.get('level')}:{e.get('reason')}" for e in events
                   if e["type"] == "quality"]


# -- server measurements -----------------------------------------------------------------------
def proc_cpu_s(pid: int) -> float:
    """utime+stime (+ waited-for children) of `pid` and its live children (the vision worker
    processes; started by any of its threads), in seconds."""
    return sum(proc_cpu_parts(pid).values())


def proc_cpu_parts(pid: int) -> dict[str, float]:
    """CPU seconds of the server process itself and of its live children."""
    tick = os.sysconf("SC_CLK_TCK")
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids += [int(k) for k in (task / "children").read_text().split()]
    parts = {"server": 0.0, "children": 0.0}
    for p in [pid, *kids]:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parts["server" if p == pid else "children"] += sum(int(x) for x in f[11:15]) / tick
    return parts


def find_server_pid(port: int) -> int | None:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True)
    m = re.search(r"pid=(\d+)", out.stdout)
    return int(m.group(1)) if m else None


#: py-spy of this interpreter's environment (the test extras), else the one on PATH
PY_SPY = str(Path(sys.executable).with_name("py-spy")) \
    if Path(sys.executable).with_name("py-spy").exists() else "py-spy"

#: (label, pattern on one py-spy frame "func (file:line)"); a sample goes to the first label
#: whose pattern matches any frame of its stack, in this order (owners before their tools:
#: resampling inside the recorder is recording; colour conversion anywhere but the recorder is
#: colour conversion).
CATEGORIES: list[tuple[str, re.Pattern]] = [(k, re.compile(v)) for k, v in [
    # a thread whose innermost frame waits (py-spy counts it as running when the CPU is
    # contended): left out of the shares
    ("idle (waiting)", r"^(Condition\.wait|Queue\.get|Queue\.put|Condition\.notify\w*|"
                       r"Event\.wait|_worker \(concurrent/futures/thread\.py:81\)|"
                       r"Runner\.run|SessionRecorder\._run \(media/recorder\.py:203\))"),
    ("camera-freeze thumbnail", r"analyzers/camera_freeze"),
    ("recording", r"media/recorder\.py|\bmux\b|codec_context.*encode"),
    ("ASR final", r"_transcribe_final|_run_final"),
    ("ASR partial", r"_transcribe_partial|_run_partial"),
    ("ASR other", r"faster_whisper|ctranslate2"),
    ("colour conversion", r"i420_planes|to_rgb \(media|reformat|to_ndarray \(av/video|cvtColor|"
                          r"\(av/video/frame|DecodeOnce"),
    ("face (mediapipe face mesh)", r"analyzers/face\.py|face_mesh"),
    ("pose", r"analyzers/pose\.py|solutions/pose"),
    ("vision other", r"vision_scheduler\.py|mediapipe|analyzers/camera_freeze"),
    ("VP8 decode", r"codecs/vpx\.py"),
    ("Opus decode", r"codecs/opus\.py"),
    ("other RTP/ICE/DTLS (aiortc)", r"aiortc/|aioice/|pylibsrtp|OpenSSL|crypto"),
    ("resampling (soxr / av)", r"soxr|media/pcm\.py|AudioResampler|_to_mono_s16|resampler"),
    ("VAD (webrtcvad)", r"webrtcvad|analyzers/vad\.py"),
    ("event fan-out (json, websockets)", r"json/|websockets/|server/events/|starlette/websockets|"
                                         r"send_text|send_json"),
]]


def classify(raw_lines: list[str]) -> tuple[collections.Counter, int]:
    counts: collections.Counter = collections.Counter()
    total = 0
    for line in raw_lines:
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n_ = int(n)
        frames = stack.split(";")
        total += n_
        label = next((k for k, pat in CATEGORIES
                      if any(pat.search(f) for f in (frames[-1:] if k.startswith("idle")
                                                      else frames))), "other")
        counts[label] += n_
    return counts, total


def top_other(raw_lines: list[str], k: int = 8) -> list[tuple[str, int]]:
    leaves: collections.Counter = collections.Counter()
    for line in raw_lines:
        stack, _, n = line.rstrip().rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = stack.split(";")
        if any(pat.search(f) for k, pat in CATEGORIES
               for f in (frames[-1:] if k.startswith("idle") else frames)):
            continue
        leaves[frames[-1]] += int(n)
    return leaves.most_common(k)


# -- run ---------------------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float | None:
    return float(np.percentile(xs, q)) if xs else None


def f(x, spec=".2f") -> str:
    return "-" if x is None else format(x, spec)


async def run(args) -> None:
    packets = encode_cycle(face_cycle())
    pid = args.server_pid or find_server_pid(int(args.server.rsplit(":", 1)[1].split("/")[0]))
    spy = None
    raw = Path(tempfile.mkdtemp(prefix="rtcbench-")) / "profile.txt"
    n = args.ramp or args.sessions
    async with httpx.AsyncClient(base_url=args.server, timeout=30,
                                 limits=httpx.Limits(max_connections=200)) as http:
        health0 = (await http.get("/api/health")).json()
        parts0 = proc_cpu_parts(pid) if pid else {}
        cpu0, wall0 = (proc_cpu_s(pid) if pid else 0.0), time.monotonic()
        own0 = time.process_time()
        if args.profile and pid:
            dur = int(args.seconds + 0.6 * n + 10)
            spy = subprocess.Popen([PY_SPY, "record", "--pid", str(pid), "--duration", str(dur),
                                    "--rate", "50", "--format", "raw", "--subprocesses",
                                    "--nonblocking", "--output", str(raw)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stagger = args.ramp_every if args.ramp else 0.6
        results = await asyncio.gather(*(
            one_session(args.server, i, args.seconds, packets, i * stagger, http)
            for i in range(n)), return_exceptions=True)
        cpu1, wall1 = (proc_cpu_s(pid) if pid else 0.0), time.monotonic()
        parts1 = proc_cpu_parts(pid) if pid else {}
        own1 = time.process_time()
        health1 = (await http.get("/api/health")).json()
    if spy:
        _, err = spy.communicate(timeout=120)
        if spy.returncode:
            print("py-spy:", err.decode()[-400:], file=sys.stderr)
    ok = [r for r in results if isinstance(r, SessionResult)]
    for r in results:
        if not isinstance(r, SessionResult):
            print("session failed:", repr(r)[:300], file=sys.stderr)
    adm = [r for r in ok if r.admitted]
    lat = [x for r in adm for x in r.latencies]
    cpu = 100 * (cpu1 - cpu0) / (wall1 - wall0) if pid else None
    clients_cpu = 100 * (own1 - own0) / (wall1 - wall0)

    def worst(attr):
        vals = [getattr(r, attr) for r in adm if getattr(r, attr) is not None]
        return max(vals) if vals else None

    print(f"server {args.server} pid {pid} sessions {n} seconds {args.seconds}")
    print("| sessions | admitted | finals p50 | p95 | max | copies missing | words lost |"
          " server gap | face gap | update gap | frames analysed / in | server CPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {n} | {len(adm)} | {f(pct(lat, 50))} s | {f(pct(lat, 95))} s | "
          f"{f(max(lat) if lat else None)} s | {sum(r.missing for r in adm)} | "
          f"{sum(r.words_lost for r in adm)} / {sum(r.words_ref for r in adm)} | "
          f"{f(worst('server_gap'))} s | {f(worst('face_gap'))} s | {f(worst('update_gap'))} s | "
          f"{sum(r.frames_analysed for r in adm)} / {sum(r.frames_in for r in adm)} | "
          f"{f(cpu, '.0f')}% |")
    for r in ok:
        if not r.admitted:
            print(f"session {r.index} refused after {f(r.refusal_ms, '.1f')} ms: {r.refusal}")
        elif r.errors or r.quality or r.lost:
            print(f"session {r.index}: errors {r.errors[:3]} quality levels {r.quality}")
            for heard in r.lost:
                print(f"  words lost at {heard}")
    print(f"clients' CPU (this process): {clients_cpu:.0f}% of one core; server "
          + ", ".join(f"{k} {100 * (parts1[k] - parts0.get(k, 0)) / (wall1 - wall0):.0f}%"
                      for k in parts1))
    print("load before:", json.dumps(health0.get("load", {}))[:300])
    print("load after:", json.dumps(health1.get("load", {}))[:400])
    if spy and raw.exists():
        print_profile(raw.read_text().splitlines(), str(raw))


def print_profile(lines: list[str], where: str) -> None:
    counts, total = classify(lines)
    idle = counts.pop("idle (waiting)", 0)
    print(f"\nprofile: {total} samples (py-spy, 50 Hz per active thread), {idle} idle waits left"
          f" out, raw {where}")
    total -= idle
    print("| component | share of sampled server CPU |\n|---|---:|")
    for k, _ in CATEGORIES + [("other", None)]:
        if counts[k]:
            print(f"| {k} | {100 * counts[k] / total:.1f}% |")
    print("top 'other' leaves:")
    for leaf, c in top_other(lines):
        print(f"  {100 * c / total:5.1f}%  {leaf}")


def main() -> None:
    global FPS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--fps", type=int, default=FPS, help="camera frame rate (the room's)")
    ap.add_argument("--server", default="http://127.0.0.1:8811")
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--profile", action="store_true", help="py-spy the server during the run")
    ap.add_argument("--ramp", type=int, default=0,
                    help="admission test: add this many sessions, one every --ramp-every s")
    ap.add_argument("--ramp-every", type=float, default=2.0)
    ap.add_argument("--classify", metavar="RAW", help="only post-process a py-spy raw file")
    args = ap.parse_args()
    FPS = args.fps
    if args.classify:
        print_profile(Path(args.classify).read_text().splitlines(), args.classify)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
