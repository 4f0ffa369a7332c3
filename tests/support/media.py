"""Test media: a real face on a camera-sized canvas (RGB, JPEG, y4m), speech wavs, tones."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import cv2
import numpy as np
from skimage import data as skdata

from media.recorder import SessionRecorder
from tests.conftest import espeak

WIDTH, HEIGHT = 640, 480
RATE = 16000  # tones


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
    """A y4m video (Chromium's fake camera file) showing `rgb` (default: the face canvas)
    the way a live camera does: it sways a little and its exposure breathes, so the frozen-
    camera detector (`analyzers.camera_freeze`) sees a person, not a still picture."""
    rgb = face_canvas() if rgb is None else rgb
    height, width = rgb.shape[:2]
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(max(1, round(seconds * fps))):
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(sway(rgb, i / fps), cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def sway(rgb: np.ndarray, t: float) -> np.ndarray:
    """`rgb` at time `t` of a live camera: shifted up to 12 px sideways and 6 px up or down,
    brightness +-8 levels (periods of 1.3 s and 0.9 s)."""
    dx = round(12 * np.sin(2 * np.pi * t / 1.3))
    dy = round(6 * np.sin(2 * np.pi * t / 0.9))
    moved = np.roll(np.roll(rgb, dx, axis=1), dy, axis=0).astype(np.int16)
    return np.clip(moved + round(8 * np.sin(2 * np.pi * t / 0.9)), 0, 255).astype(np.uint8)


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


def read_audio_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from analyzers.audio import SAMPLE_RATE
    from media.pcm import Resampler

    r = Resampler(rate, SAMPLE_RATE)
    return np.concatenate([r.process(samples.tobytes()), r.process(b"", last=True)])


def tone(seconds: float, rate: int = RATE, start: int = 0) -> np.ndarray:
    n = np.arange(start, start + int(seconds * rate))
    return (np.sin(2 * np.pi * 220 * n / rate) * 6000).astype(np.int16)


def push_tone(rec: SessionRecorder, t0: float, seconds: float, rate: int = RATE,
              frames: bool = True, rgb: np.ndarray | None = None) -> None:
    """`seconds` of audio in 20-ms chunks from session time `t0`, with a frame every 0.2 s."""
    chunk = rate // 50
    samples = tone(seconds, rate, int(t0 * rate))
    for i, pos in enumerate(range(0, len(samples), chunk)):
        t = t0 + pos / rate
        rec.push_audio(samples[pos : pos + chunk].tobytes(), t, rate)
        if frames and i % 10 == 0:
            rec.push_frame(lambda: face_canvas() if rgb is None else rgb, t)


def astronaut_canvas() -> np.ndarray:
    canvas = np.full((480, 640, 3), 128, np.uint8)
    canvas[60:420, 140:500] = cv2.resize(skdata.astronaut(), (360, 360))
    return canvas


def write_mp4(path: Path, seconds: float = 2.0, fps: int = 15) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4",
                                rate=fps)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        rgb = astronaut_canvas()
        for _ in range(int(seconds * fps)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
