"""Speech latency benchmark: N concurrent real-time streams of a ~60 s interview answer.

For each N in `--sessions` (run one after the other on the same server) it streams N copies of
the espeak interview answer of `bench/interview_audio.py` in real time, each on its own
interview socket, and reports:

- final latency (ground truth): for every sentence, the arrival time of the first final
  transcript that covers the sentence's end (final `end` >= sentence end - 0.3 s and final
  `start` <= sentence end) minus the wall time at which the sentence's last sample was sent;
  p50 / p95 / max over all sentences of all sessions. A sentence no final covers is "missed".
- final latency (server end): what `simulate` reports, arrival minus the moment the sample at
  the final's own `end` was sent (for comparison; it trusts the server's VAD end).
- partial lag: arrival of a partial minus the moment the sample at its `end` was sent.
- WER of each session's concatenated finals vs the reference text (`analyzers.text.wer`), and
  the offline WER: the same model (`analyzers.asr.Transcriber()`, no streaming) on the whole
  file cut into chunks of at most 25 s at the middle of ground-truth pauses (also per sentence).
- server CPU (% of one core, from /proc/PID/stat, or psutil when installed), the whole
  machine's CPU use and load average over the run (other processes on the machine show there).

Session starts are staggered uniformly at random in [0, --stagger] s with a fixed --seed, so
the utterance ends of the N copies do not line up artificially. Still, with the default 2-s
stagger the N copies say the same sentence within 2 s of each other, so a sentence that is
expensive to decode is expensive for all N at once; `--rotate` makes session i of N start at
sentence round(i * 12 / N) instead (wrapping around), which spreads those costs out.

By default the script starts its own server (`.venv/bin/interview-server` on a free port, a
throw-away SQLite database, ASR_WORKERS / ASR_THREADS from --workers / --threads, else the
server's defaults) and stops it at the end; `--server URL` uses a running one instead
(`--server-pid` for its CPU). `--quiet-below PCT` waits before each N until other processes
leave the machine nearly idle (the "others" CPU column shows how well that held).

Usage: .venv/bin/python bench/speech_latency.py --sessions 1 2 4 8 [--workers 2 --threads 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from interview_audio import InterviewAudio, interview_answer, rotated  # noqa: E402

import media.simulate as simulate  # noqa: E402
from analyzers.text import wer  # noqa: E402

COVER_TOLERANCE_S = 0.3
OFFLINE_CHUNK_S = 25.0
TARGETS = "1 session p50 <= 0.6 s, p95 <= 1.2 s; 8 sessions p95 <= 2 s; WER <= offline + 1.5 pts"

# -- wall time at which each audio chunk was sent --------------------------------------------------
# `media.simulate.stream_pcm` stamps every chunk with time.time() just before it builds the frame
# with `audio_frame`; wrapping that function gives the same stamps to this script (one list per
# asyncio task, so concurrent streams do not mix).
_sent_log: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("sent", default=None)
_audio_frame = simulate.audio_frame


def _stamped_audio_frame(payload: bytes) -> bytes:
    log = _sent_log.get()
    if log is not None:
        log.append(time.time())
    return _audio_frame(payload)


simulate.audio_frame = _stamped_audio_frame


# -- CPU accounting --------------------------------------------------------------------------------
def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process (psutil when installed, else /proc)."""
    try:
        import psutil  # type: ignore[import-not-found]

        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - process gone
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest times, already counted in user
    return total - idle, total


def git_head() -> str:
    """The checked-out commit (read from .git, without running git)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:7]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:7]
    except OSError:
        pass
    return "unknown"


# -- the server ------------------------------------------------------------------------------------
def asr_config(workers: int | None, threads: int | None) -> tuple[int, int]:
    """ASR workers and threads of the own server: as given, else the server's defaults (or
    ASR_WORKERS / ASR_THREADS if set)."""
    from server.config import Settings

    defaults = Settings()
    return workers or defaults.asr_workers, threads or defaults.asr_threads


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    """`interview-server` in a subprocess with its own database; stopped on exit."""

    def __init__(self, workers: int, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.log_path = log_path
        self.tmp = tempfile.TemporaryDirectory(prefix="speech-bench-")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> OwnServer:
        env = dict(os.environ, ASR_WORKERS=str(self.workers), ASR_THREADS=str(self.threads),
                   DATABASE_URL=f"sqlite:///{self.tmp.name}/bench.db")
        env.pop("REDIS_URL", None)
        exe = ROOT / ".venv" / "bin" / "interview-server"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [str(exe), "--port", str(self.port), "--log-level", "warning"],
            cwd=self.tmp.name, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}, see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("server did not answer /api/health within 120 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.tmp.cleanup()


# -- one stream ------------------------------------------------------------------------------------
@dataclass
class SessionResult:
    offset_s: float
    gt_latencies: list[float]  # per covered sentence
    per_sentence: list[float | None]  # latency of each sentence, None when missed
    missed_sentences: list[int]
    server_end_latencies: list[float]
    partial_lags: list[float]
    finals: int
    partials: int
    errors: list[dict]
    text: str
    wer: float
    seq_gaps: bool


def ground_truth_latencies(
    finals: list[dict], spans, sent_at: list[float], chunk_samples: int, rate: int
) -> list[float | None]:
    """Latency of each sentence end (see the module docstring); None: no final covers it."""
    by_arrival = sorted(finals, key=lambda e: e["_arrived"])
    latencies: list[float | None] = []
    for _, end_s in spans:
        last_sample = max(int(round(end_s * rate)) - 1, 0)
        sent = sent_at[min(last_sample // chunk_samples, len(sent_at) - 1)]
        cover = next((f for f in by_arrival
                      if f["end"] >= end_s - COVER_TOLERANCE_S and f["start"] <= end_s), None)
        latencies.append(None if cover is None else round(cover["_arrived"] - sent, 3))
    return latencies


async def one_session(server: str, audio: InterviewAudio, offset_s: float) -> SessionResult:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        r = await client.post("/api/interviews", json={})
        r.raise_for_status()
        interview = r.json()
    await asyncio.sleep(offset_s)
    sent_at: list[float] = []
    _sent_log.set(sent_at)
    result = await simulate.stream_pcm(server, audio.samples, audio.rate, interview=interview)
    chunk = int(audio.rate * simulate.CHUNK_S)
    expected = -(-len(audio.samples) // chunk)
    if len(sent_at) != expected:
        raise RuntimeError(f"send stamps: {len(sent_at)} for {expected} chunks "
                           "(did media.simulate stop using audio_frame?)")
    finals = result.finals
    per_sentence = ground_truth_latencies(finals, audio.spans, sent_at, chunk, audio.rate)
    seqs = [e["seq"] for e in result.events]
    return SessionResult(
        offset_s=offset_s,
        gt_latencies=[x for x in per_sentence if x is not None],
        per_sentence=per_sentence,
        missed_sentences=[i for i, x in enumerate(per_sentence) if x is None],
        server_end_latencies=result.final_latencies,
        partial_lags=result.partial_lags,
        finals=len(finals),
        partials=sum(e["type"] == "transcript.partial" for e in result.events),
        errors=[{k: v for k, v in e.items() if k != "_arrived"}
                for e in result.events if e["type"] == "error"],
        text=result.text,
        wer=wer(audio.text, result.text),
        seq_gaps=seqs != list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True,
    )


# -- one N -----------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


@dataclass
class RunResult:
    sessions: int
    offsets_s: list[float]
    final_p50: float | None
    final_p95: float | None
    final_max: float | None
    server_end_p50: float | None
    server_end_p95: float | None
    partial_p50: float | None
    partial_p95: float | None
    sentences: int
    missed: int
    finals: int
    partials: int
    wer_mean: float
    wer_max: float
    errors: list[dict]
    seq_gaps: int
    wall_s: float
    server_cpu_pct: float | None  # % of one core
    bench_cpu_pct: float
    machine_cpu_pct: float  # % of all cores
    other_cpu_pct: float | None  # machine minus server minus this script, % of all cores
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    per_session: list[dict] = field(default_factory=list)


async def run_n(server: str, audio: InterviewAudio, n: int, stagger: float, seed: int,
                server_pid: int | None, rotate: bool = False) -> RunResult:
    rng = random.Random(seed * 1000 + n)
    offsets = sorted(round(rng.uniform(0, stagger), 3) for _ in range(n))
    n_sent = len(audio.spans)
    audios = [rotated(audio, round(i * n_sent / n)) if rotate else audio for i in range(n)]
    load_before = os.getloadavg()
    cpu0 = proc_cpu_s(server_pid) if server_pid else None
    self0 = time.process_time()
    m0 = machine_cpu()
    wall0 = time.perf_counter()
    results = await asyncio.gather(*(one_session(server, a, o)
                                     for a, o in zip(audios, offsets, strict=True)))
    wall = time.perf_counter() - wall0
    m1 = machine_cpu()
    self_cpu = time.process_time() - self0
    cpu1 = proc_cpu_s(server_pid) if server_pid else None
    ncpu = os.cpu_count() or 1
    machine_pct = 100 * (m1[0] - m0[0]) / max(m1[1] - m0[1], 1)
    server_pct = 100 * (cpu1 - cpu0) / wall if cpu0 is not None and cpu1 is not None else None
    bench_pct = 100 * self_cpu / wall
    other = (machine_pct - (server_pct + bench_pct) / ncpu) if server_pct is not None else None
    gt = [x for r in results for x in r.gt_latencies]
    se = [x for r in results for x in r.server_end_latencies]
    pl = [x for r in results for x in r.partial_lags]
    return RunResult(
        sessions=n,
        offsets_s=offsets,
        final_p50=pct(gt, 50), final_p95=pct(gt, 95),
        final_max=round(max(gt), 3) if gt else None,
        server_end_p50=pct(se, 50), server_end_p95=pct(se, 95),
        partial_p50=pct(pl, 50), partial_p95=pct(pl, 95),
        sentences=n * len(audio.spans),
        missed=sum(len(r.missed_sentences) for r in results),
        finals=sum(r.finals for r in results),
        partials=sum(r.partials for r in results),
        wer_mean=round(float(np.mean([r.wer for r in results])), 4),
        wer_max=round(max(r.wer for r in results), 4),
        errors=[e for r in results for e in r.errors],
        seq_gaps=sum(r.seq_gaps for r in results),
        wall_s=round(wall, 1),
        server_cpu_pct=round(server_pct, 1) if server_pct is not None else None,
        bench_cpu_pct=round(bench_pct, 1),
        machine_cpu_pct=round(machine_pct, 1),
        other_cpu_pct=round(max(other, 0.0), 1) if other is not None else None,
        load_before=tuple(round(x, 2) for x in load_before),
        load_after=tuple(round(x, 2) for x in os.getloadavg()),
        per_session=[
            {"offset_s": r.offset_s, "final_p50": pct(r.gt_latencies, 50),
             "final_max": round(max(r.gt_latencies), 3) if r.gt_latencies else None,
             "missed_sentences": r.missed_sentences, "finals": r.finals, "wer": round(r.wer, 4),
             "sentence_latencies": r.per_sentence, "errors": r.errors,
             "text": r.text}
            for r in results
        ],
    )


async def wait_idle(server: str, timeout: float = 60.0) -> None:
    """Until the server has no live session and no transcription backlog."""
    deadline = time.time() + timeout
    async with httpx.AsyncClient(base_url=server, timeout=5) as client:
        while time.time() < deadline:
            body = (await client.get("/api/health")).json()
            if body.get("sessions", 0) == 0 and not body.get("asr_backlog_s"):
                return
            await asyncio.sleep(0.5)


async def wait_quiet_machine(max_busy_pct: float, timeout_s: float) -> None:
    """Until the machine's CPU use over 5 s is at most `max_busy_pct` (other processes'
    load; this script and an idle server use ~1%), or `timeout_s` passed."""
    start = time.time()
    said = -60.0
    while True:
        b0, t0 = machine_cpu()
        await asyncio.sleep(5)
        b1, t1 = machine_cpu()
        busy = 100 * (b1 - b0) / max(t1 - t0, 1)
        waited = time.time() - start
        if busy <= max_busy_pct:
            if waited > 6:
                print(f"  (machine {busy:.0f}% busy after waiting {waited:.0f} s)", flush=True)
            return
        if waited > timeout_s:
            print(f"  (machine still {busy:.0f}% busy after {waited:.0f} s: running anyway)",
                  flush=True)
            return
        if waited - said >= 60:
            said = waited
            print(f"  (machine {busy:.0f}% busy: waiting for <= {max_busy_pct:.0f}%)", flush=True)


async def warm_up(server: str, audio: InterviewAudio) -> None:
    """Stream the first sentence once (not measured): first-call costs stay out of the run."""
    end = int((audio.spans[0][1] + 0.8) * audio.rate)
    await simulate.stream_pcm(server, audio.samples[:end], audio.rate)


# -- offline reference -----------------------------------------------------------------------------
def offline_chunks(audio: InterviewAudio, max_s: float = OFFLINE_CHUNK_S) -> list[tuple[int, int]]:
    """Sample ranges of at most `max_s`, cut in the middle of the pauses between sentences."""
    spans = audio.spans
    cuts = [0.0] + [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
    cuts.append(audio.duration_s)
    chunks, start = [], 0.0
    for i in range(1, len(cuts)):
        if cuts[i] - start > max_s and cuts[i - 1] > start:
            chunks.append((start, cuts[i - 1]))
            start = cuts[i - 1]
    chunks.append((start, cuts[-1]))
    return [(int(a * audio.rate), int(b * audio.rate)) for a, b in chunks]


def offline_wer(audio: InterviewAudio) -> dict:
    from analyzers.asr import Transcriber

    t0 = time.perf_counter()
    transcriber = Transcriber()  # the same bundled tiny.en, defaults like the server's
    load_s = time.perf_counter() - t0
    pcm = audio.samples  # int16 at audio.rate (16 kHz)
    chunks = offline_chunks(audio)
    t0 = time.perf_counter()
    chunk_text = " ".join(transcriber.transcribe(pcm[a:b]).text for a, b in chunks).strip()
    chunk_s = time.perf_counter() - t0
    rate = audio.rate
    pad = rate // 4  # 0.25 s of the surrounding pauses
    sentence_text = " ".join(
        transcriber.transcribe(pcm[max(int(s * rate) - pad, 0) : int(e * rate) + pad]).text
        for s, e in audio.spans
    ).strip()
    return {
        "wer": round(wer(audio.text, chunk_text), 4),
        "text": chunk_text,
        "chunks_s": [round((b - a) / rate, 2) for a, b in chunks],
        "transcribe_s": round(chunk_s, 2),
        "model_load_s": round(load_s, 2),
        "wer_per_sentence": round(wer(audio.text, sentence_text), 4),
        "text_per_sentence": sentence_text,
    }


# -- output ----------------------------------------------------------------------------------------
def fmt(x: float | None, spec: str = ".2f") -> str:
    return "n/a" if x is None else format(x, spec)


TABLE_HEAD = (
    "| sessions | final p50 | final p95 | final max | server-end p50 / p95 | partial lag p50 / p95 "
    "| finals (missed sentences) | WER stream (worst) | WER offline 25-s chunks / sentences "
    "| server CPU | machine CPU "
    "(others) | load 1m before -> after |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def table_row(r: RunResult, offline: dict) -> str:
    return (
        f"| {r.sessions} | {fmt(r.final_p50)} s | {fmt(r.final_p95)} s | {fmt(r.final_max)} s "
        f"| {fmt(r.server_end_p50)} / {fmt(r.server_end_p95)} s "
        f"| {fmt(r.partial_p50)} / {fmt(r.partial_p95)} s | {r.finals} ({r.missed}) "
        f"| {100 * r.wer_mean:.1f}% ({100 * r.wer_max:.1f}%) "
        f"| {100 * offline['wer']:.1f}% / {100 * offline['wer_per_sentence']:.1f}% "
        f"| {fmt(r.server_cpu_pct, '.0f')}% | {r.machine_cpu_pct:.0f}% "
        f"({fmt(r.other_cpu_pct, '.0f')}%) | {r.load_before[0]:.2f} -> {r.load_after[0]:.2f} |"
    )


def human(r: RunResult, offline: dict) -> str:
    lines = [
        f"== {r.sessions} session(s), starts staggered at {r.offsets_s} s, wall {r.wall_s} s",
        f"  final latency (sentence end, ground truth): p50 {fmt(r.final_p50, '.3f')} s  "
        f"p95 {fmt(r.final_p95, '.3f')} s  max {fmt(r.final_max, '.3f')} s  "
        f"({r.sentences - r.missed}/{r.sentences} sentences covered)",
        f"  final latency (server-reported end, as simulate): p50 {fmt(r.server_end_p50, '.3f')} s"
        f"  p95 {fmt(r.server_end_p95, '.3f')} s",
        f"  partial lag: p50 {fmt(r.partial_p50, '.3f')} s  p95 {fmt(r.partial_p95, '.3f')} s  "
        f"({r.partials} partials)",
        f"  finals {r.finals} ({r.finals / r.sessions:.1f}/session), errors {len(r.errors)}, "
        f"sessions with seq gaps {r.seq_gaps}",
        f"  WER stream mean {100 * r.wer_mean:.1f}% worst {100 * r.wer_max:.1f}% "
        f"vs offline {100 * offline['wer']:.1f}% in 25-s chunks "
        f"({100 * (r.wer_mean - offline['wer']):+.1f} pts), "
        f"{100 * offline['wer_per_sentence']:.1f}% sentence by sentence "
        f"({100 * (r.wer_mean - offline['wer_per_sentence']):+.1f} pts)",
        f"  CPU: server {fmt(r.server_cpu_pct, '.0f')}% of one core, this script "
        f"{r.bench_cpu_pct:.0f}%, machine {r.machine_cpu_pct:.0f}% of {os.cpu_count()} cores "
        f"(others {fmt(r.other_cpu_pct, '.0f')}%), load {r.load_before} -> {r.load_after}",
    ]
    for e in r.errors[:5]:
        lines.append(f"  ERROR event: {e}")
    return "\n".join(lines)


def verdicts(runs: list[RunResult], offline: dict) -> list[str]:
    out = []
    by_n = {r.sessions: r for r in runs}
    if 1 in by_n:
        r = by_n[1]
        ok = r.final_p50 is not None and r.final_p50 <= 0.6 and r.final_p95 <= 1.2
        out.append(f"1 session: p50 {fmt(r.final_p50)} s (<= 0.6), p95 {fmt(r.final_p95)} s "
                   f"(<= 1.2): {'PASS' if ok else 'FAIL'}")
    if 8 in by_n:
        r = by_n[8]
        ok = r.final_p95 is not None and r.final_p95 <= 2.0
        out.append(f"8 sessions: p95 {fmt(r.final_p95)} s (<= 2.0): {'PASS' if ok else 'FAIL'}")
    for r in runs:
        for name, key in (("25-s chunks", "wer"), ("sentence by sentence", "wer_per_sentence")):
            diff = 100 * (r.wer_mean - offline[key])
            out.append(f"{r.sessions} session(s): WER {100 * r.wer_mean:.1f}% vs offline "
                       f"{name} {100 * offline[key]:.1f}% ({diff:+.1f} pts, <= +1.5): "
                       f"{'PASS' if diff <= 1.5 and not r.missed else 'FAIL'}")
    return out


async def bench(
    args, server: str, server_pid: int | None, audio: InterviewAudio
) -> list[RunResult]:
    if not args.no_warmup:
        await warm_up(server, audio)
    runs = []
    for n in args.sessions:
        await wait_idle(server)
        if args.quiet_below is not None:
            await wait_quiet_machine(args.quiet_below, args.quiet_timeout)
        runs.append(await run_n(server, audio, n, args.stagger, args.seed, server_pid,
                                args.rotate))
        print(human(runs[-1], args._offline), flush=True)
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 8],
                        help="concurrent stream counts, run one after the other (default 1 8)")
    parser.add_argument("--server", help="URL of a running server (default: start one)")
    parser.add_argument("--server-pid", type=int, help="pid of --server, for its CPU use")
    parser.add_argument("--workers", type=int,
                        help="ASR_WORKERS of the own server (default: the server's default)")
    parser.add_argument("--threads", type=int,
                        help="ASR_THREADS of the own server (default: the server's default)")
    parser.add_argument("--stagger", type=float, default=2.0,
                        help="session starts spread uniformly in [0, STAGGER] s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rotate", action="store_true",
                        help="session i of N starts the answer at sentence round(i*12/N) and "
                        "wraps around, so the N copies do not say the same sentence together")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the unmeasured warm-up stream of the first sentence")
    parser.add_argument("--quiet-below", type=float, metavar="PCT",
                        help="before each N, wait until the machine's CPU use is <= PCT%% "
                        "(other processes), at most --quiet-timeout s")
    parser.add_argument("--quiet-timeout", type=float, default=300.0)
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="also write every figure as JSON to PATH (- or no value: stdout)")
    args = parser.parse_args(argv)

    audio = interview_answer()
    print(f"audio: {audio.duration_s:.1f} s espeak interview answer, {len(audio.spans)} "
          f"sentences, {len(audio.text.split())} words", flush=True)
    args._offline = offline = offline_wer(audio)  # before the server: no CPU contention
    print(f"offline WER (same tiny.en, no streaming, {len(offline['chunks_s'])} chunks of "
          f"{offline['chunks_s']} s cut at pauses): {100 * offline['wer']:.1f}%; sentence by "
          f"sentence: {100 * offline['wer_per_sentence']:.1f}%", flush=True)
    print(f"commit {git_head()}, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
          flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load {tuple(round(x, 2) for x in os.getloadavg())}; "
          f"session starts staggered uniformly in [0, {args.stagger}] s (seed {args.seed})"
          + ("; session i of N starts at sentence round(i*12/N) (--rotate)" if args.rotate else ""),
          flush=True)

    if args.server:
        config = {"server": args.server, "workers": None, "threads": None}
        runs = asyncio.run(bench(args, args.server, args.server_pid, audio))
        problems: list[str] = []
    else:
        log_path = Path(tempfile.gettempdir()) / f"speech-bench-server-{os.getpid()}.log"
        args.workers, args.threads = asr_config(args.workers, args.threads)
        config = {"server": "own", "workers": args.workers, "threads": args.threads}
        print(f"starting interview-server (ASR_WORKERS={args.workers} "
              f"ASR_THREADS={args.threads}), log {log_path}", flush=True)
        with OwnServer(args.workers, args.threads, log_path) as srv:
            runs = asyncio.run(bench(args, srv.url, srv.proc.pid, audio))
        problems = [line for line in log_path.read_text().splitlines()
                    if "ERROR" in line or "Traceback" in line or "exception" in line.lower()]
        print(f"server log: {len(problems)} error line(s)" +
              "".join(f"\n  {line}" for line in problems[:10]))
        if not problems:
            log_path.unlink()

    off = offline
    print(f"\nworkers={config['workers']} threads={config['threads']}; session starts "
          f"staggered in [0, {args.stagger}] s (seed {args.seed})"
          f"{', rotated' if args.rotate else ''}; latencies in seconds; "
          "CPU: server in % of one core, machine in % of all cores")
    print(TABLE_HEAD)
    for r in runs:
        print(table_row(r, off))
    print(f"\ntargets: {TARGETS}")
    for line in verdicts(runs, off):
        print(f"  {line}")
    if args.json:
        doc = {"config": config, "stagger_s": args.stagger, "seed": args.seed,
               "rotate": args.rotate, "argv": sys.argv, "server_log_errors": problems,
               "commit": git_head(), "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                   time.gmtime()),
               "audio": {"duration_s": audio.duration_s, "sentences": len(audio.spans),
                         "spans": audio.spans, "reference": audio.text},
               "offline": offline, "cpus": os.cpu_count(),
               "runs": [asdict(r) for r in runs], "verdicts": verdicts(runs, off)}
        text = json.dumps(doc, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
