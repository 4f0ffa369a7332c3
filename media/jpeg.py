"""JPEG camera frames: cheap header checks on the event loop, decoding in a worker.

The header check reads the frame size from the JPEG markers itself (a few dozen bytes, at most
`MAX_MARKERS` markers), without Pillow: a 21-byte header claiming 65000 x 65000 px is refused
before anything allocates or decodes it. Every problem with a frame is an `ImageError` whose
`code` is the protocol's (`bad_video`, `frame_too_large`); nothing else is raised."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

MAX_SIDE_PX = 4096
#: markers read before the first frame header at most (a camera frame has fewer than 20)
MAX_MARKERS = 64
MAX_ERROR_CHARS = 120

#: start-of-frame markers (baseline, extended, progressive, lossless; Huffman or arithmetic)
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field


class ImageError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message[:MAX_ERROR_CHARS])
        self.code = code

    def __reduce__(self):  # raised in the vision worker process, re-raised in the server's
        return (type(self), (self.code, str(self)))


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) of the one frame header (SOFn) before the image data."""
    if not data.startswith(b"\xff\xd8"):
        raise ImageError("bad_video", "video frames must be JPEG images")
    n, i = len(data), 2
    size: tuple[int, int] | None = None
    for _ in range(MAX_MARKERS):
        if i >= n:
            break
        if data[i] != 0xFF:
            raise ImageError("bad_video", f"corrupt JPEG header: no marker at byte {i}")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker in _STANDALONE:
            continue
        if marker in (0xD8, 0xD9, 0xDA):  # SOI again, EOI, or the image data (SOS)
            if size is None:
                raise ImageError("bad_video", "corrupt JPEG: no frame header")
            return size
        if i + 2 > n:
            break
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2:
            raise ImageError("bad_video", f"corrupt JPEG header: segment length {length}")
        if marker in _SOF:
            if i + 7 > n:
                break
            if size is not None:
                raise ImageError("bad_video", "corrupt JPEG: more than one frame header")
            height = int.from_bytes(data[i + 3 : i + 5], "big")
            width = int.from_bytes(data[i + 5 : i + 7], "big")
            size = (width, height)
        i += length
    else:
        raise ImageError("bad_video", f"corrupt JPEG: no image data within {MAX_MARKERS} markers")
    if size is None:
        raise ImageError("bad_video", "truncated JPEG: it ends before the frame header")
    return size  # the data ends before SOS: the decoder finds it truncated


def check_jpeg(data: bytes) -> tuple[int, int]:
    """Width and height from the header, without decoding; rejects non-JPEG and absurd sizes."""
    width, height = jpeg_size(data)
    if width == 0 or height == 0:
        raise ImageError("bad_video", f"a frame of {width}x{height} px")
    if width > MAX_SIDE_PX or height > MAX_SIDE_PX:
        raise ImageError("frame_too_large", f"frame of {width}x{height} px; at most {MAX_SIDE_PX}")
    return width, height


def decode_jpeg(data: bytes, at_least: tuple[int, int] = (640, 640)) -> np.ndarray:
    """RGB array of a JPEG (run off the event loop), downscaled by libjpeg while decoding (by
    1/2, 1/4 or 1/8) as far as it stays at least `at_least` (width, height)."""
    check_jpeg(data)
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
            width, height = img.size
            if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
                raise ImageError("frame_too_large",
                                 f"frame of {width}x{height} px; at most {MAX_SIDE_PX}")
            img.draft("RGB", at_least)  # libjpeg's DCT scaling: a fraction of the work
            rgb = np.asarray(img.convert("RGB"))
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError("frame_too_large", str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a corrupt frame
        raise ImageError("bad_video", f"corrupt JPEG: {exc}") from exc
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageError("bad_video", f"corrupt JPEG: decoded to shape {rgb.shape}")
    return rgb
