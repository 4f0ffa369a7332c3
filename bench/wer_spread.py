"""How much of a WER difference is noise: the live final path vs offline on gain-scaled copies.

tiny.en on synthetic speech is chaotic: scaling the samples by 0.99997 (one LSB) moves the WER
of the ~60 s answer of `interview_audio.py` by several words (1 word = 0.6 points). One run of
`speech_latency.py` gives one draw. This script gives several: for each gain it feeds the
scaled answer through the server's own `SpeechPipeline` (webrtcvad, speculative finals,
previous-final prompts, `AsrScheduler` on the shared model; no network, no partials, not in
real time but with each final emitted before the next utterance starts, as live) and decodes
the same copy offline in 25-s chunks (as `speech_latency.py` does). Prints WER per gain, the
means and the mean difference.

    .venv/bin/python bench/wer_spread.py [--gains 0.5 0.6 ...]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from interview_audio import InterviewAudio, interview_answer  # noqa: E402
from speech_latency import git_head, offline_chunks  # noqa: E402

from analyzers.asr import Transcriber  # noqa: E402
from analyzers.text import wer  # noqa: E402
from server.events.model import EventStream  # noqa: E402
from server.live.asr_scheduler import AsrScheduler  # noqa: E402
from server.live.speech import SpeechConfig, SpeechPipeline  # noqa: E402

GAINS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4]
CHUNK = 320  # 20 ms at 16 kHz, as `simulate` sends


class _Log:
    def publish(self, event) -> None:  # the stream keeps its own log
        pass


async def live_text(scheduler: AsrScheduler, samples: np.ndarray) -> str:
    stream = EventStream("wer-spread", _Log())
    pipeline = SpeechPipeline("wer-spread", stream, scheduler,
                              SpeechConfig(partial_interval_s=1e9))
    pipeline.start(16000)
    pcm = samples.astype("<i2").tobytes()
    for i in range(0, len(pcm), CHUNK * 2):
        pipeline.push_pcm(pcm[i : i + CHUNK * 2])
        await asyncio.sleep(0)
        if pipeline.finals_pending:  # live, a final is out long before the next utterance
            await pipeline._last_final
    await pipeline.flush()
    return " ".join(e.data["text"] for e in stream.log if e.type == "transcript.final")


def scaled(audio: InterviewAudio, gain: float) -> np.ndarray:
    return np.clip(np.round(audio.samples * gain), -32768, 32767).astype(np.int16)


async def main_async(gains: list[float]) -> None:
    audio = interview_answer()
    transcriber = Transcriber(workers=1, cpu_threads=2)
    scheduler = AsrScheduler(transcriber, workers=1)
    scheduler.start()
    print(f"commit {git_head()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{audio.duration_s:.1f} s answer, {len(audio.text.split())} words")
    print("| gain | live finals | offline 25-s chunks | difference |\n|---:|---:|---:|---:|")
    rows = []
    for gain in gains:
        samples = scaled(audio, gain)
        live = wer(audio.text, await live_text(scheduler, samples))
        off = wer(audio.text, " ".join(
            transcriber.transcribe(samples[a:b]).text for a, b in offline_chunks(audio)))
        rows.append((live, off))
        print(f"| {gain:.2f} | {live:.1%} | {off:.1%} | {(live - off) * 100:+.1f} pts |",
              flush=True)
    await scheduler.close()
    live_m = statistics.mean(r[0] for r in rows)
    off_m = statistics.mean(r[1] for r in rows)
    diffs = [(r[0] - r[1]) * 100 for r in rows]
    print(f"| mean | {live_m:.1%} | {off_m:.1%} | {statistics.mean(diffs):+.1f} pts "
          f"(min {min(diffs):+.1f}, max {max(diffs):+.1f}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gains", type=float, nargs="+", default=GAINS)
    asyncio.run(main_async(parser.parse_args().gains))


if __name__ == "__main__":
    main()
