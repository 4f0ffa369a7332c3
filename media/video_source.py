"""Camera-like JPEG frames from a video file (any format PyAV reads) or a folder of images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def _encode(rgb: np.ndarray, max_width: int, quality: int) -> bytes:
    h, w = rgb.shape[:2]
    if w > max_width:
        rgb = cv2.resize(rgb, (max_width, int(h * max_width / w)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def _from_folder(folder: Path) -> Iterator[np.ndarray]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"no images in {folder}")
    for path in files:
        bgr = cv2.imread(str(path))
        if bgr is not None:
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _from_video(path: Path, fps: float) -> Iterator[np.ndarray]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        next_t = 0.0
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t + 1e-6 < next_t:
                continue  # thin the file's frame rate down to `fps`
            next_t = t + 1.0 / fps
            yield frame.to_ndarray(format="rgb24")


def jpeg_frames(
    source: str | Path, fps: float = 5.0, max_width: int = 640, quality: int = 75, loop: bool = True
) -> Iterator[bytes]:
    """JPEG frames at about `fps` (for a folder: one image per frame, in name order); loops."""
    source = Path(source)
    while True:
        produced = False
        frames = _from_folder(source) if source.is_dir() else _from_video(source, fps)
        for rgb in frames:
            produced = True
            yield _encode(rgb, max_width, quality)
        if not loop or not produced:
            return
