"""A ~60 s spoken interview answer with ground-truth sentence spans, for the speech benchmarks.

Each sentence is synthesized on its own with `espeak-ng -v en-us -s 160`, trimmed of leading and
trailing silence with sox, resampled to 16 kHz mono, and the sentences are joined with
deterministic pauses of 0.6-1.2 s after a 0.5 s lead-in. Because every sentence is placed by
this script, its (start_s, end_s) span on the file's clock is known exactly: that is the ground
truth the latency benchmark measures against.

The result is cached under `bench/.cache/` (keyed by the text, the parameters and the tool
versions). Usage: `python bench/interview_audio.py [--out FILE.wav]` prints the spans.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
VOICE = "en-us"
WPM = 160
LEAD_IN_S = 0.5
#: Pauses after sentence i (the last one is the tail of the file), 0.6-1.2 s, fixed.
PAUSES_S = (0.8, 1.1, 0.6, 0.9, 1.2, 0.7, 1.0, 0.6, 0.9, 1.1, 0.7, 1.0, 0.8, 1.2)
TRIM = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
CACHE = Path(__file__).resolve().parent / ".cache"

#: A spoken answer to "Tell me about a performance problem you solved." (fillers included on
#: purpose, so filler counting is exercised).
SENTENCES = (
    "Sure, so in my last job I owned the checkout service for an online store.",
    "Um, during a holiday sale our page load time went from one second to almost eight.",
    "The first thing I did was look at the traces to see where the time went.",
    "Most of it was spent waiting on one query that listed recent orders.",
    "That query scanned the whole orders table because the customer column had no index.",
    "Uh, I added a composite index and tested it on a copy of production.",
    "The query went from two seconds to about five milliseconds.",
    "Then I put a small cache in front of the product catalog.",
    "We also moved the email sending into a background queue.",
    "Um, after that the page loaded in under half a second, even at peak traffic.",
    "I added an alert on slow queries, so we would catch it early next time.",
    "Looking back, the main lesson was to measure first and only then change the code.",
)


@dataclass(frozen=True)
class InterviewAudio:
    samples: np.ndarray  # int16 mono
    rate: int
    text: str  # the reference transcript (the sentences joined)
    sentences: tuple[str, ...]
    spans: tuple[tuple[float, float], ...]  # (start_s, end_s) of each sentence's speech

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def _tool_versions() -> str:
    out = []
    for cmd in (["espeak-ng", "--version"], ["sox", "--version"]):
        if shutil.which(cmd[0]) is None:
            raise SystemExit(f"{cmd[0]} is required (apt-get install espeak-ng sox)")
        out.append(subprocess.run(cmd, capture_output=True, text=True).stdout.strip())
    return "\n".join(out)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == RATE
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.astype("<i2").tobytes())


def _synthesize(sentence: str, workdir: Path, i: int) -> np.ndarray:
    raw, out = workdir / f"{i}.raw.wav", workdir / f"{i}.wav"
    subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(WPM), "-w", str(raw), sentence],
                   check=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *TRIM],
                   check=True)
    return _read_wav(out)


def _cache_key() -> str:
    spec = json.dumps([SENTENCES, PAUSES_S, LEAD_IN_S, VOICE, WPM, RATE, TRIM, _tool_versions()])
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def interview_answer(cache: Path = CACHE) -> InterviewAudio:
    """The benchmark's interview answer (synthesized once, then read from the cache)."""
    key = _cache_key()
    wav, meta = cache / f"interview-{key}.wav", cache / f"interview-{key}.json"
    if wav.exists() and meta.exists():
        spans = tuple(tuple(s) for s in json.loads(meta.read_text())["spans"])
        return InterviewAudio(_read_wav(wav), RATE, " ".join(SENTENCES), SENTENCES, spans)

    parts: list[np.ndarray] = [np.zeros(int(LEAD_IN_S * RATE), np.int16)]
    spans: list[tuple[float, float]] = []
    pos = len(parts[0])
    with tempfile.TemporaryDirectory() as tmp:
        for i, sentence in enumerate(SENTENCES):
            speech = _synthesize(sentence, Path(tmp), i)
            spans.append((round(pos / RATE, 4), round((pos + len(speech)) / RATE, 4)))
            pause = np.zeros(int(PAUSES_S[i % len(PAUSES_S)] * RATE), np.int16)
            parts += [speech, pause]
            pos += len(speech) + len(pause)
    samples = np.concatenate(parts)
    cache.mkdir(parents=True, exist_ok=True)
    _write_wav(wav, samples)
    meta.write_text(json.dumps({"sentences": SENTENCES, "spans": spans,
                                "duration_s": len(samples) / RATE}, indent=1))
    return InterviewAudio(samples, RATE, " ".join(SENTENCES), SENTENCES, tuple(spans))


def rotated(audio: InterviewAudio, first: int) -> InterviewAudio:
    """The same answer starting at sentence `first` (cut in the middle of the pause before it)
    and wrapping around: every sentence once, ground truth shifted accordingly."""
    first %= len(audio.spans)
    if first == 0:
        return audio
    cut_s = (audio.spans[first - 1][1] + audio.spans[first][0]) / 2
    cut = int(round(cut_s * audio.rate))
    shift = (len(audio.samples) - cut) / audio.rate  # where the old start lands
    order = list(range(first, len(audio.spans))) + list(range(first))
    spans = tuple(
        (round(s - cut_s, 4), round(e - cut_s, 4)) if i >= first
        else (round(s + shift, 4), round(e + shift, 4))
        for i in order for s, e in [audio.spans[i]]
    )
    sentences = tuple(audio.sentences[i] for i in order)
    samples = np.concatenate([audio.samples[cut:], audio.samples[:cut]])
    return InterviewAudio(samples, audio.rate, " ".join(sentences), sentences, spans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the audio to this wav file")
    args = parser.parse_args()
    audio = interview_answer()
    if args.out:
        _write_wav(args.out, audio.samples)
    print(f"{audio.duration_s:.2f} s, {len(audio.sentences)} sentences, "
          f"{len(audio.text.split())} words")
    for (start, end), sentence in zip(audio.spans, audio.sentences, strict=True):
        print(f"{start:7.3f} {end:7.3f}  {sentence}")


if __name__ == "__main__":
    main()
