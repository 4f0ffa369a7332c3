"""Measure when the trimmed encoder window is safe (`analyzers.asr`), and what no speech decodes to.

Decodes a set of utterances shaped like the VAD hands them over (0.3 s before the speech,
0.6 s after) both on the trimmed window and on the full 30-s window, as finals (word timings):
espeak-ng sentences in several voices and speeds, clean and mixed with white noise at 1-5 % of
full scale, jfk.flac clean and noisy; and non-speech (silence, white/pink/brown noise, clicks,
breathing, chords). Writes one JSON line per decode pair and prints the threshold analysis.

    PYTHONPATH=. .venv/bin/python tools/asr_fallback.py [--out /tmp/asr_fallback.jsonl]
    PYTHONPATH=. .venv/bin/python tools/asr_fallback.py --analyse /tmp/asr_fallback.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from analyzers.asr import Transcriber
from analyzers.audio import SAMPLE_RATE, to_float
from analyzers.text import wer
from media.audiofile import read_audio
from media.pcm import Resampler
from tests.support.nonspeech import breathing, chords, clicks, coloured

SR = SAMPLE_RATE
JFK = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "jfk.flac"
JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
SENTENCES = [
    "Yes.",
    "I think so.",
    "No, not really.",
    "Okay, let me think about that for a second.",
    "I would start by measuring the slow requests.",
    "We moved the reports to a background queue and the page loaded in under a second.",
    "The hardest part was convincing the team that the old cache was the real problem.",
    "First I would reproduce the bug, then write a test that fails, and only then fix it.",
    "My manager asked me to lead the migration, so I split it into three small releases.",
    "Honestly, I learned more from that outage than from any project that went well.",
]
VOICES = ["en-us", "en-gb-x-rp", "en-029", "en-us+f3"]
SPEEDS = [140, 200]
NOISE = [0.0, 0.01, 0.03, 0.05]


def espeak(text: str, voice: str, wpm: int, folder: Path) -> np.ndarray:
    raw, out = folder / "raw.wav", folder / "out.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw), text], check=True)
    trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
    subprocess.run(["sox", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(out), *trim],
                   check=True)
    samples, rate = read_audio(out)
    assert rate == SR
    return samples.astype(np.float32) / 32768.0


def speech_items(folder: Path):
    rng = np.random.default_rng(13)
    for text, voice, wpm in itertools.product(SENTENCES, VOICES, SPEEDS):
        clean = espeak(text, voice, wpm, folder)
        for level in NOISE:
            yield {"kind": "espeak", "voice": voice, "wpm": wpm, "noise": level}, text, clean, rng
    samples, rate = read_audio(JFK)
    jfk = Resampler(rate, SR).process(samples.astype("<i2").tobytes()).astype(np.float32) / 32768
    for level in NOISE:
        yield {"kind": "jfk", "voice": "jfk", "wpm": 0, "noise": level}, JFK_TEXT, jfk, rng


def utterance(speech: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    audio = np.concatenate([np.zeros(int(0.3 * SR)), speech, np.zeros(int(0.6 * SR))])
    if level:
        audio = audio + level * coloured(len(audio), "white", rng)
    return audio


def nonspeech_items():
    rng = np.random.default_rng(7)
    for seconds in (1.0, 2.5, 5.0):
        n = int(seconds * SR)
        yield {"kind": "silence", "noise": 0.0}, 0.0005 * rng.standard_normal(n)
        for colour, level in itertools.product(("white", "pink", "brown"), (0.005, 0.02, 0.05)):
            yield {"kind": colour, "noise": level}, level * coloured(n, colour, rng)
        yield {"kind": "clicks", "noise": 0.0}, clicks(n, rng)
        yield {"kind": "clicks+pink", "noise": 0.01}, clicks(n, rng) + 0.01 * coloured(
            n, "pink", rng)
        yield {"kind": "breathing", "noise": 0.0}, breathing(n, rng)
        yield {"kind": "music", "noise": 0.0}, chords(n, rng)


def decode(tr: Transcriber, audio: np.ndarray, trimmed: bool) -> dict:
    pcm = np.clip(audio * 32768, -32768, 32767).astype(np.int16)
    t0 = time.perf_counter()
    r = tr._run(to_float(pcm), "", True, trimmed)
    return {"text": r.text, "lp": r.avg_logprob, "nsp": r.no_speech_prob,
            "cr": r.compression_ratio, "s": round(time.perf_counter() - t0, 3)}


def measure(out: Path) -> None:
    tr = Transcriber(workers=1, cpu_threads=2)
    with out.open("w") as f, tempfile.TemporaryDirectory() as tmp:
        for meta, text, clean, rng in speech_items(Path(tmp)):
            audio = utterance(clean, meta["noise"], rng)
            row = {**meta, "ref": text, "dur": round(len(audio) / SR, 2),
                   "rms": float(np.sqrt(np.mean(audio**2)))}
            for name, trimmed in (("trim", True), ("full", False)):
                d = decode(tr, audio, trimmed)
                d["wer"] = round(wer(text, d["text"]), 4)
                row[name] = d
            f.write(json.dumps(row) + "\n")
            f.flush()
        for meta, audio in nonspeech_items():
            row = {**meta, "ref": "", "dur": round(len(audio) / SR, 2),
                   "rms": float(np.sqrt(np.mean(audio**2)))}
            for name, trimmed in (("trim", True), ("full", False)):
                row[name] = decode(tr, audio, trimmed)
            f.write(json.dumps(row) + "\n")
            f.flush()


def policy(r: dict) -> tuple[str, bool]:
    """What `Transcriber.transcribe` makes of a row: (text, fell back to the full window)."""
    from analyzers.asr import FILLER_PROMPT
    from analyzers.asr_filter import needs_full_window, withheld

    t = r["trim"]
    if withheld(t["text"], t["lp"], t["nsp"], FILLER_PROMPT, r["dur"]):
        return "", False
    if needs_full_window(t["text"], r["dur"], t["lp"], t["cr"]):
        f = r["full"]
        lost = withheld(f["text"], f["lp"], f["nsp"], FILLER_PROMPT, r["dur"])
        return ("" if lost else f["text"]), True
    return t["text"], False


def analyse(path: Path) -> None:
    rows = [json.loads(line) for line in path.open()]
    speech = [r for r in rows if r["ref"]]
    noise = [r for r in rows if not r["ref"]]

    def total(rs, text_of):
        n = sum(len(r["ref"].split()) for r in rs)
        return sum(wer(r["ref"], text_of(r)) * len(r["ref"].split()) for r in rs) / n

    print(f"{len(speech)} speech utterances, {len(noise)} non-speech")
    for level in NOISE:
        rs = [r for r in speech if r["noise"] == level]
        fired = [r for r in rs if policy(r)[1]]
        worse = [r for r in rs if r["trim"]["wer"] > r["full"]["wer"]]
        t_trim = sum(r["trim"]["s"] for r in rs)
        t_pol = t_trim + sum(r["full"]["s"] for r in fired)
        print(f"noise {level:.2f}: n={len(rs)}; trimmed worse than full {len(worse)}, fallback "
              f"fires {len(fired)} ({100 * len(fired) / len(rs):.1f} %) and catches "
              f"{len([r for r in worse if r in fired])}; WER trimmed "
              f"{total(rs, lambda r: r['trim']['text']):.4f} full "
              f"{total(rs, lambda r: r['full']['text']):.4f} policy "
              f"{total(rs, lambda r: policy(r)[0]):.4f}; decode time x{t_pol / t_trim:.2f}")
        for r in fired:
            print(f"   fired: {r['voice']} {r['wpm']} lp={r['trim']['lp']} cr={r['trim']['cr']}"
                  f" {r['trim']['text']!r} -> {r['full']['text']!r}")
    lost = [r for r in speech if not policy(r)[0]]
    print(f"speech withheld: {len(lost)}", [(r["ref"], r["noise"]) for r in lost])
    kept = [r for r in noise if policy(r)[0]]
    print(f"non-speech with text: trimmed {sum(bool(r['trim']['text']) for r in noise)}, "
          f"policy {len(kept)} of {len(noise)}", [(r["kind"], policy(r)[0]) for r in kept])
    for key in ("nsp", "lp"):
        print(f"{key}: speech min/max {min(r['trim'][key] for r in speech)}/"
              f"{max(r['trim'][key] for r in speech)}, non-speech min/max "
              f"{min(r['trim'][key] for r in noise)}/{max(r['trim'][key] for r in noise)}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("/tmp/asr_fallback.jsonl"))
    ap.add_argument("--analyse", type=Path)
    args = ap.parse_args()
    if args.analyse:
        analyse(args.analyse)
        return 0
    measure(args.out)
    analyse(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
