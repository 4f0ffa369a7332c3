"""Streaming resampling of int16 PCM to the rate the analysers take."""

from __future__ import annotations

import numpy as np
import soxr

MIN_RATE = 8000
MAX_RATE = 48000


class Resampler:
    """Streams int16 PCM at `rate` to int16 at `target`, keeping filter state across chunks.

    At `rate == target` the samples pass through bit for bit. soxr filters in float; its
    output is rounded back to int16 here (no dither), once."""

    def __init__(self, rate: int, target: int) -> None:
        if not MIN_RATE <= rate <= MAX_RATE:
            raise ValueError(f"sample_rate must be {MIN_RATE}..{MAX_RATE}, got {rate}")
        self.rate = rate
        self.target = target
        self._stream = (
            None if rate == target else soxr.ResampleStream(rate, target, 1, "float32", "HQ")
        )
        self._ended = False

    def process(self, pcm: bytes, last: bool = False) -> np.ndarray:
        """int16 samples at `target` for the next chunk of little-endian PCM16 `pcm`;
        `last` ends the stream (ValueError for any input after that)."""
        if self._ended:
            raise ValueError("the resampler's stream has ended")
        self._ended = last
        samples = np.frombuffer(pcm, dtype="<i2")
        if self._stream is None:
            return samples.astype(np.int16)
        out = self._stream.resample_chunk(samples.astype(np.float32) / 32768.0, last=last)
        return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16)
