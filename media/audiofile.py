"""Decoding audio files of any format PyAV reads."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def read_audio(path: str | Path, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Mono int16 samples of a file and their rate (the file's own unless `rate` is given)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        out_rate = rate or stream.rate or stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=out_rate)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.int16)), int(out_rate)
