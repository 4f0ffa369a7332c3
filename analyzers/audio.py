"""The audio every analyser takes: mono int16 PCM at `SAMPLE_RATE` (16 kHz).

Transports resample to this once; it then flows unchanged through VAD, utterance buffers and
the ASR scheduler, and becomes float only inside Whisper (`to_float`).
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000


def to_float(pcm: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in [-1, 1) (Whisper's input)."""
    return pcm.astype(np.float32) / 32768.0
