"""PCM decoding and streaming resampling to the 16 kHz the analysers use."""

from __future__ import annotations

import numpy as np
import soxr

TARGET_RATE = 16000
MIN_RATE = 8000
MAX_RATE = 48000


class Resampler:
    """Streams int16 PCM at `rate` to float32 at 16 kHz, keeping filter state across chunks."""

    def __init__(self, rate: int) -> None:
        if not MIN_RATE <= rate <= MAX_RATE:
            raise ValueError(f"sample_rate must be {MIN_RATE}..{MAX_RATE}, got {rate}")
        self.rate = rate
        self._stream = (
            None
            if rate == TARGET_RATE
            else soxr.ResampleStream(rate, TARGET_RATE, 1, "float32", "HQ")
        )

    def process(self, pcm: bytes, last: bool = False) -> np.ndarray:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples back to int16: the exact inverse of `Resampler`'s int16 / 32768, so
    16-kHz input reaches the analysers bit for bit."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)
