"""Audio + video capacity: N concurrent sessions, each streaming the ~60 s interview answer in
real time with 5 fps 640x480 camera frames (a real face), on one server.

Prints per N: final-transcript latency against the ground-truth sentence ends (as
`speech_latency.py` measures it) p50/p95, how often each session's eye-contact metric was
refreshed, frames analysed / sent, the mean analysis time per frame and the server's CPU.

Vision refresh, three ways: "worst update gap" is the server's own `video.max_update_gap_s`
(the longest wall-clock interval between two analysed frames of a session; it is what
"updating at least once per second" asks); "worst staleness" is the largest `t - updated_t`
over the `metrics` events a candidate received (how old the eye contact shown was);
"worst seen gap" is the largest difference between successive distinct `updated_t` values in
those events - sampled once a second, it runs up to one sampling interval above the real gap.

    .venv/bin/python bench/av_sessions.py --sessions 1 8
Target (issue): 8 sessions on 2 cores, p95 final latency <= 2.5 s, every session's eye-contact
metric updating at least once per second.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
from skimage import data as skdata

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_latency as sl  # noqa: E402  (also stamps audio chunks as they are sent)
from interview_audio import InterviewAudio, interview_answer, rotated  # noqa: E402

simulate = sl.simulate
FPS = 5.0


def face_frames() -> list[bytes]:
    """A few 640x480 JPEGs of a real face, slightly moving, as a webcam would send."""
    face = cv2.resize(skdata.astronaut(), (360, 360))
    frames = []
    for dx in (0, 6, 12, 6):
        canvas = np.full((480, 640, 3), 128, np.uint8)
        canvas[60:420, 140 + dx : 500 + dx] = face
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, 75])
        frames.append(buf.tobytes())
    return frames


async def one_session(server: str, audio: InterviewAudio, offset_s: float, frames) -> dict:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        interview = (await client.post("/api/interviews", json={})).json()
    await asyncio.sleep(offset_s)
    sent_at: list[float] = []
    sl._sent_log.set(sent_at)
    result = await simulate.stream_pcm(server, audio.samples, audio.rate, interview=interview,
                                       video=itertools.cycle(frames), video_fps=FPS)
    chunk = int(audio.rate * simulate.CHUNK_S)
    gt = sl.ground_truth_latencies(result.finals, audio.spans, sent_at, chunk, audio.rate)
    vision = [e for e in result.events if e["type"] == "metrics" and "video" in e]
    updates = sorted({e["video"]["updated_t"] for e in vision if e["video"]["updated_t"]})
    gaps = [b - a for a, b in zip(updates, updates[1:], strict=False)]
    stale = [e["t"] - e["video"]["updated_t"] for e in vision[1:] if e["video"]["updated_t"]]
    last = vision[-1] if vision else {}
    return {
        "latencies": [x for x in gt if x is not None],
        "missed": sum(x is None for x in gt),
        "max_update_gap_s": last.get("video", {}).get("max_update_gap_s", float("inf")),
        "max_seen_gap_s": max(gaps) if gaps else float("inf"),
        "max_stale_s": max(stale) if stale else float("inf"),
        "first_update_t": updates[0] if updates else None,
        "frames_in": last.get("video", {}).get("frames_in", 0),
        "frames_analysed": last.get("video", {}).get("frames_analysed", 0),
        "analysis_ms": [e["video"]["analysis_ms"] for e in vision],
        "eye_contact": last.get("eye_contact"),
        "wer": sl.wer(audio.text, result.text),
    }


async def run_n(server: str, pid: int | None, audio: InterviewAudio, n: int) -> str:
    rng = random.Random(1)
    frames = face_frames()
    cpu0, wall0 = (sl.proc_cpu_s(pid) if pid else None), time.time()
    results = await asyncio.gather(*(
        one_session(server, rotated(audio, i % len(audio.sentences)), rng.uniform(0, 2), frames)
        for i in range(n)
    ))
    cpu = ((sl.proc_cpu_s(pid) - cpu0) / (time.time() - wall0) * 100) if pid else float("nan")
    lat = [x for r in results for x in r["latencies"]]
    missed = sum(r["missed"] for r in results)
    worst_gap = max(r["max_update_gap_s"] for r in results)
    worst_stale = max(r["max_stale_s"] for r in results)
    worst_seen = max(r["max_seen_gap_s"] for r in results)
    analysed = sum(r["frames_analysed"] for r in results)
    sent = sum(r["frames_in"] for r in results)
    ms = [x for r in results for x in r["analysis_ms"]]
    wer = statistics.mean(r["wer"] for r in results)
    line = (f"| {n} | {np.percentile(lat, 50):.2f} s | {np.percentile(lat, 95):.2f} s | "
            f"{max(lat):.2f} s | {missed} | {worst_gap:.2f} s | {worst_stale:.2f} s | "
            f"{worst_seen:.2f} s | {analysed}/{sent} | "
            f"{statistics.mean(ms):.0f} ms | {wer * 100:.1f}% | {cpu:.0f}% |")
    print(f"N={n}: final latency p50={np.percentile(lat, 50):.2f}s "
          f"p95={np.percentile(lat, 95):.2f}s max={max(lat):.2f}s missed sentences={missed}; "
          f"vision: worst update gap={worst_gap:.2f}s, worst staleness={worst_stale:.2f}s, worst "
          f"seen gap={worst_seen:.2f}s (any session); frames analysed "
          f"{analysed}/{sent}; analysis {statistics.mean(ms):.0f} ms/frame; mean WER "
          f"{wer * 100:.1f}%; server CPU {cpu:.0f}%", flush=True)
    return line


async def main_async(args) -> None:
    audio = interview_answer()
    rows = []
    if args.server:
        for n in args.sessions:
            rows.append(await run_n(args.server, None, audio, n))
    else:
        workers, threads = sl.asr_config(args.workers, args.threads)
        print(f"commit {sl.git_head()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
              f"interview-server ASR_WORKERS={workers} ASR_THREADS={threads}", flush=True)
        with sl.OwnServer(workers, threads, Path("/tmp/av-bench-server.log")) as srv:
            await sl.warm_up(srv.url, audio)
            for n in args.sessions:
                rows.append(await run_n(srv.url, srv.proc.pid, audio, n))
                await sl.wait_idle(srv.url)
    print("\n| sessions | final p50 | final p95 | max | missed | worst update gap | worst "
          "staleness | worst seen gap | frames analysed/sent | analysis | WER | server CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--server")
    parser.add_argument("--workers", type=int, help="ASR_WORKERS (default: the server's)")
    parser.add_argument("--threads", type=int, help="ASR_THREADS (default: the server's)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
