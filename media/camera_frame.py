"""A camera frame on its way to analysis: a small, picklable payload, converted to RGB where the
models run.

The vision models run in a worker process. Handing it RGB meant converting each frame on the
server's threads and pickling 0.9 MB (640x480x3) across the pipe, in the process that also runs
the event loop and the WebRTC receivers; the I420 planes are half that and a copy, and the JPEG
of a WebSocket frame is ~30 KB. `to_rgb` then converts in the worker (OpenCV, BT.601 as
libswscale's default). A frame is never converted through the scaler PyAV caches on it: two
threads doing that at once (vision and recording) crash the process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from media.jpeg import decode_jpeg

I420 = "i420"
JPEG = "jpeg"
RGB = "rgb"


@dataclass(frozen=True)
class FramePayload:
    """What crosses to the worker: `kind` I420 (a (h * 3/2, w) uint8 array: Y, then U, then V
    planes, OpenCV's layout), JPEG (the bytes) or RGB (an (h, w, 3) array)."""

    kind: str
    data: np.ndarray | bytes


def i420_planes(frame: av.VideoFrame) -> np.ndarray:
    """The frame's Y, U and V planes copied into one (h * 3/2, w) array (odd sizes and other
    pixel formats go through a scaler of this call's own first)."""
    w, h = frame.width - frame.width % 2, frame.height - frame.height % 2
    if frame.format.name != "yuv420p" or (w, h) != (frame.width, frame.height):
        frame = VideoReformatter().reformat(frame, format="yuv420p", width=w, height=h)
    out = np.empty((h * 3 // 2, w), np.uint8)
    flat = out.reshape(-1)
    offset = 0
    for plane, (pw, ph) in zip(frame.planes, ((w, h), (w // 2, h // 2), (w // 2, h // 2)),
                               strict=True):
        rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:ph, :pw]
        flat[offset:offset + pw * ph].reshape(ph, pw)[:] = rows
        offset += pw * ph
    return out


def video_payload(frame: av.VideoFrame) -> FramePayload:
    return FramePayload(I420, i420_planes(frame))


def to_rgb(payload: FramePayload) -> np.ndarray:
    """The payload as an (h, w, 3) RGB array (raises `media.jpeg.ImageError` for a bad JPEG)."""
    if payload.kind == I420:
        return cv2.cvtColor(payload.data, cv2.COLOR_YUV2RGB_I420)
    if payload.kind == JPEG:
        assert isinstance(payload.data, bytes)
        return decode_jpeg(payload.data)
    if payload.kind == RGB:
        return np.asarray(payload.data)
    raise ValueError(f"unknown frame payload {payload.kind!r}")


def rgb_payload(to_rgb_fn: Callable[[], np.ndarray]) -> Callable[[], FramePayload]:
    """A payload maker for a frame given as a function returning RGB (tests, simulators)."""
    return lambda: FramePayload(RGB, np.ascontiguousarray(to_rgb_fn()))
