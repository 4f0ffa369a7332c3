"""JPEG camera frames: cheap header checks on the event loop, decoding in a worker."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_SIDE_PX = 4096


class ImageError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_jpeg(data: bytes) -> tuple[int, int]:
    """Width and height from the header, without decoding; rejects non-JPEG and absurd sizes."""
    if not data.startswith(b"\xff\xd8"):
        raise ImageError("bad_video", "video frames must be JPEG images")
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError("bad_video", f"unreadable JPEG: {exc}") from exc
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
        raise ImageError("frame_too_large", f"frame of {width}x{height} px; at most {MAX_SIDE_PX}")
    return width, height


def decode_jpeg(data: bytes) -> np.ndarray:
    """RGB array of a JPEG (run off the event loop)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (640, 640))  # let libjpeg downscale big frames while decoding
            return np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError("bad_video", f"corrupt JPEG: {exc}") from exc
