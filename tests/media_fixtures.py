"""Test media: a real face on a camera-sized canvas (RGB, JPEG, y4m) and speech wavs."""

from __future__ import annotations

import wave
from pathlib import Path

import cv2
import numpy as np

from tests.conftest import espeak

WIDTH, HEIGHT = 640, 480


def face_canvas(width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """`skimage.data.astronaut()` (a frontal face looking into the camera), scaled to the
    canvas height and centred on a grey `height` x `width` RGB canvas."""
    from skimage import data

    face = data.astronaut()
    side = min(width, height)
    face = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    canvas = np.full((height, width, 3), 96, np.uint8)
    y, x = (height - side) // 2, (width - side) // 2
    canvas[y : y + side, x : x + side] = face
    return canvas


def jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    """An RGB image as JPEG bytes."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok, "JPEG encoding failed"
    return buf.tobytes()


def write_y4m(path: Path, rgb: np.ndarray | None = None, seconds: float = 3.0,
              fps: int = 15) -> Path:
    """A y4m video (Chromium's fake camera file) showing `rgb` (default: the face canvas)."""
    rgb = face_canvas() if rgb is None else rgb
    height, width = rgb.shape[:2]
    planes = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(max(1, round(seconds * fps))):
            f.write(b"FRAME\n")
            f.write(planes)
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Mono int16 `samples` as a wav file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples of a wav file and their rate."""
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2, "mono 16-bit wav expected"
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def speech_wav(path: Path, text: str, rate: int = 48000, lead_s: float = 0.5,
               tail_s: float = 1.5, wpm: int = 150) -> Path:
    """`text` spoken by espeak-ng as a mono wav at `rate`, with silence before and after (so a
    looped file still has pauses between repetitions)."""
    spoken = espeak(text, path.with_suffix(".speech.wav"), rate=rate, wpm=wpm)
    samples, _ = read_wav(spoken)
    silence = np.zeros(int(rate * lead_s), np.int16), np.zeros(int(rate * tail_s), np.int16)
    return write_wav(path, np.concatenate([silence[0], samples, silence[1]]), rate)
