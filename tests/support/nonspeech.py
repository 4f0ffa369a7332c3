"""Sounds that are not speech, as float arrays in [-1, 1] at 16 kHz: room noise (white, pink,
brown), keyboard clicks, breathing, music (chords). Seeded, so every run hears the same."""

from __future__ import annotations

import numpy as np

SR = 16000


def coloured(n: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS white, pink (1/f) or brown (1/f^2) noise."""
    white = rng.standard_normal(n)
    if colour == "white":
        x = white
    else:
        spec = np.fft.rfft(white)
        f = np.fft.rfftfreq(n, 1 / SR)
        f[0] = f[1]
        spec /= np.sqrt(f) if colour == "pink" else f
        x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def clicks(n: int, rng: np.random.Generator, per_s: float = 6.0) -> np.ndarray:
    """Keyboard-like clicks: 5-ms decaying noise bursts at random times."""
    out = np.zeros(n)
    k = int(0.005 * SR)
    env = np.exp(-np.arange(k) / (0.001 * SR))
    for t in rng.uniform(0, n - k, int(per_s * n / SR)).astype(int):
        out[t:t + k] += rng.uniform(0.1, 0.4) * rng.standard_normal(k) * env
    return out


def breathing(n: int, rng: np.random.Generator) -> np.ndarray:
    """Breaths: 0.6-1.2 s bursts of pink noise under a Hann envelope, 0.5-1.5 s apart."""
    out = np.zeros(n)
    t = 0
    while t < n:
        k = int(rng.uniform(0.6, 1.2) * SR)
        burst = coloured(k, "pink", rng) * np.hanning(k) * rng.uniform(0.02, 0.06)
        out[t:t + k] += burst[: n - t]
        t += k + int(rng.uniform(0.5, 1.5) * SR)
    return out


def chords(n: int, rng: np.random.Generator) -> np.ndarray:
    """Music: a new three-note chord with harmonics every 0.5 s."""
    out = np.zeros(n)
    step = SR // 2
    for t in range(0, n, step):
        k = min(step, n - t)
        tt = np.arange(k) / SR
        root = 220 * 2 ** (rng.integers(0, 12) / 12)
        tone = sum(np.sin(2 * np.pi * root * r * h * tt) / h
                   for r in (1, 1.26, 1.5) for h in (1, 2, 3))
        out[t:t + k] = 0.1 * tone * np.exp(-tt * 2)
    return out


def pcm16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)
