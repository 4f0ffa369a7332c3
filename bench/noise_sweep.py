"""Speech in noise (issue 13): live WER against whole-utterance decoding, per noise kind and level.

For each (kind, level) the espeak interview answer of `interview_audio.py`, rotated so that no
two runs start with the same sentence, is mixed with noise (`noisy_speech.py`) and
- decoded live: by the server's own `SpeechPipeline` in this process (webrtcvad, speculative
  finals, previous-final prompts, the shared model; each final out before the next utterance
  starts, as live), or with `--server URL` streamed to a running server over the candidate
  WebSocket in real time, all runs at once (non-identical concurrent sessions);
- decoded whole: each sentence on its own (its ground-truth span +-0.25 s) by the server's
  window: what the same decoder does with perfect segmentation.
Prints live WER, whole-utterance WER and their difference per row, and the means.

    .venv/bin/python bench/noise_sweep.py [--kinds white babble] [--levels 0 0.01 ...]
        [--sentences N] [--server http://127.0.0.1:8000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from interview_audio import InterviewAudio, interview_answer, rotated  # noqa: E402
from noisy_speech import KINDS, LEVELS, mixed  # noqa: E402
from speech_latency import git_head  # noqa: E402
from wer_spread import live_text  # noqa: E402

from analyzers.asr import Transcriber  # noqa: E402
from analyzers.text import wer  # noqa: E402
from server.live.asr_scheduler import AsrScheduler  # noqa: E402

PAD_S = 0.25


@dataclass
class Row:
    kind: str
    level: float
    live_wer: float
    whole_wer: float
    live_text: str
    finals: int
    latency_p95: float | None = None

    @property
    def diff(self) -> float:
        return self.live_wer - self.whole_wer


def shortened(audio: InterviewAudio, n: int) -> InterviewAudio:
    """The first `n` sentences (cut in the middle of the pause after the last)."""
    if n >= len(audio.spans):
        return audio
    cut_s = (audio.spans[n - 1][1] + audio.spans[n][0]) / 2
    return InterviewAudio(audio.samples[: int(cut_s * audio.rate)], audio.rate,
                          " ".join(audio.sentences[:n]), audio.sentences[:n], audio.spans[:n])


def cases(kinds, levels, sentences: int) -> list[tuple[str, float, InterviewAudio]]:
    base = interview_answer()
    out = []
    for i, (kind, level) in enumerate((k, lv) for k in kinds for lv in levels):
        audio = shortened(rotated(base, i), sentences)
        out.append((kind, level, mixed(audio, kind, level, seed=i)))
    return out


def whole_text(full: Transcriber, audio: InterviewAudio) -> str:
    rate, pad = audio.rate, int(PAD_S * audio.rate)
    return " ".join(
        full.transcribe(audio.samples[max(int(s * rate) - pad, 0): int(e * rate) + pad]).text
        for s, e in audio.spans).strip()


async def live_in_process(items) -> list[tuple[str, int, float | None]]:
    scheduler = AsrScheduler(Transcriber())
    scheduler.start()
    out = []
    try:
        for _, _, audio in items:
            text = await live_text(scheduler, audio.samples)
            out.append((text, len(text.split(". ")), None))
    finally:
        await scheduler.close()
    return out


async def live_on_server(server: str, items) -> list[tuple[str, int, float | None]]:
    from media.simulate import stream_pcm

    async def one(i: int, audio: InterviewAudio):
        await asyncio.sleep(0.4 * i)  # staggered starts
        r = await stream_pcm(server, audio.samples, audio.rate, settle_s=2.0)
        lat = sorted(r.final_latencies)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else None
        return r.text, len(r.finals), p95

    return list(await asyncio.gather(*(one(i, a) for i, (_, _, a) in enumerate(items))))


def sweep(kinds, levels, sentences: int, server: str | None) -> list[Row]:
    items = cases(kinds, levels, sentences)
    live = asyncio.run(live_on_server(server, items) if server else live_in_process(items))
    full = Transcriber()  # the server's decoder: the difference is the segmentation
    rows = []
    for (kind, level, audio), (text, finals, p95) in zip(items, live, strict=True):
        whole = wer(audio.text, whole_text(full, audio))
        rows.append(Row(kind, level, wer(audio.text, text), whole, text, finals, p95))
    return rows


def report(rows: list[Row]) -> str:
    lines = ["| noise | level | live WER | whole-utterance WER | live - whole | finals p95 |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        p95 = f"{r.latency_p95:.2f} s" if r.latency_p95 is not None else "-"
        lines.append(f"| {r.kind} | {r.level:.0%} | {r.live_wer:.1%} | {r.whole_wer:.1%} | "
                     f"{r.diff * 100:+.1f} | {p95} |")
    mean = statistics.mean(r.diff for r in rows) * 100
    worst = max(rows, key=lambda r: r.diff)
    lines.append(f"\nmean live - whole: {mean:+.2f} points; worst: {worst.diff * 100:+.1f} "
                 f"({worst.kind} {worst.level:.0%}); mean live WER "
                 f"{statistics.mean(r.live_wer for r in rows):.1%}, whole "
                 f"{statistics.mean(r.whole_wer for r in rows):.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    p.add_argument("--levels", nargs="+", type=float, default=[0.0, *LEVELS])
    p.add_argument("--sentences", type=int, default=12, help="sentences of the answer per run")
    p.add_argument("--server", help="stream to this server instead of the in-process pipeline")
    p.add_argument("--show", action="store_true", help="print each run's live text")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    rows = sweep(args.kinds, args.levels, args.sentences, args.server)
    print(f"commit {git_head()}, {np.__name__} {np.__version__}, "
          f"{'server ' + args.server if args.server else 'in-process pipeline'}, "
          f"{args.sentences} sentences per run, {time.perf_counter() - t0:.0f} s")
    print(report(rows))
    if args.show:
        for r in rows:
            print(f"{r.kind} {r.level:.0%}: {r.live_text}")


if __name__ == "__main__":
    main()
