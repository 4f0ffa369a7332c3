"""Speech in room noise, for the noise sweep (`bench/noise_sweep.py`) and its CI test.

Noise levels are fractions of full scale, as `sox -n ... synth whitenoise vol LEVEL` gives:
white noise is uniform in [-LEVEL, LEVEL] (RMS = LEVEL / sqrt(3)); babble (several espeak-ng
voices reading other sentences at once, like a busy office) is scaled to the same RMS. The
noise is seeded, so a (kind, level, seed) is the same file every time.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
from interview_audio import RATE, SENTENCES, TRIM, InterviewAudio

KINDS = ("white", "babble")
LEVELS = (0.01, 0.02, 0.03, 0.04, 0.05)
BABBLE_VOICES = ("en-gb", "en-us+f3", "en-us+m3", "en-gb+f4")
FULL = 32767.0


def _espeak(text: str, voice: str, workdir: Path, name: str) -> np.ndarray:
    raw, out = workdir / f"{name}.raw.wav", workdir / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "170", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *TRIM],
                   check=True)
    with wave.open(str(out), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


_BABBLE: dict[int, np.ndarray] = {}


def babble_bed(n: int) -> np.ndarray:
    """`n` samples of unscaled babble: each voice reads the sentences from its own start."""
    if n in _BABBLE:
        return _BABBLE[n]
    bed = np.zeros(n)
    with tempfile.TemporaryDirectory() as tmp:
        for v, voice in enumerate(BABBLE_VOICES):
            order = SENTENCES[3 * v + 1:] + SENTENCES[: 3 * v + 1]
            track = _espeak(" ".join(order), voice, Path(tmp), f"b{v}")
            reps = int(np.ceil(n / len(track)))
            bed += np.tile(track, reps)[:n]
    _BABBLE[n] = bed
    return bed


def noise(kind: str, n: int, level: float, seed: int = 0) -> np.ndarray:
    """`n` samples of `kind` noise at `level` of full scale (float, int16 units)."""
    if kind == "white":
        return np.random.default_rng(seed).uniform(-level, level, n) * FULL
    if kind == "babble":
        bed = np.roll(babble_bed(n), seed * 7919)
        rms = float(np.sqrt(np.mean(bed**2))) or 1.0
        return bed * (level * FULL / np.sqrt(3) / rms)
    raise ValueError(f"unknown noise kind {kind!r} (expected one of {KINDS})")


def mixed(audio: InterviewAudio, kind: str, level: float, seed: int = 0) -> InterviewAudio:
    """`audio` with noise added (clipped to int16); the ground truth is unchanged."""
    if level <= 0:
        return audio
    out = audio.samples.astype(np.float64) + noise(kind, len(audio.samples), level, seed)
    return replace(audio, samples=np.clip(np.round(out), -32768, 32767).astype(np.int16))
