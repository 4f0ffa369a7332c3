"""Camera-frame payloads: what crosses to the vision worker converts back to the same picture."""

from __future__ import annotations

import io
import pickle

import av
import numpy as np
import pytest
from PIL import Image

from media.camera_frame import (
    I420,
    JPEG,
    FramePayload,
    i420_planes,
    to_rgb,
    video_payload,
)
from media.jpeg import ImageError, decode_jpeg
from tests.support.media import astronaut_canvas


def yuv_frame(rgb: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def pyav_rgb(frame: av.VideoFrame) -> np.ndarray:
    return frame.reformat(format="rgb24").to_ndarray()


def test_i420_payload_is_half_the_rgb_and_converts_to_the_same_picture():
    frame = yuv_frame(astronaut_canvas())
    payload = video_payload(frame)
    assert payload.kind == I420
    assert payload.data.shape == (720, 640) and payload.data.dtype == np.uint8
    assert payload.data.nbytes == 640 * 480 * 3 // 2
    rgb = to_rgb(pickle.loads(pickle.dumps(payload)))  # as the worker receives it
    assert rgb.shape == (480, 640, 3)
    diff = np.abs(rgb.astype(int) - pyav_rgb(frame).astype(int))
    assert diff.mean() < 2.0 and np.percentile(diff, 99) <= 6


def test_planes_are_copied_without_row_padding():
    """A 322-px-wide frame has padded rows (line_size > width): the copy drops the padding."""
    rgb = np.random.default_rng(3).integers(0, 255, (242, 322, 3), dtype=np.uint8)
    frame = yuv_frame(rgb)
    assert frame.planes[0].line_size > frame.width
    planes = i420_planes(frame)
    y = np.frombuffer(frame.planes[0], np.uint8).reshape(-1, frame.planes[0].line_size)
    assert np.array_equal(planes[:242], y[:242, :322])
    u = np.frombuffer(frame.planes[1], np.uint8).reshape(-1, frame.planes[1].line_size)
    assert np.array_equal(planes.reshape(-1)[242 * 322:][: 121 * 161].reshape(121, 161),
                          u[:121, :161])


def test_odd_sizes_and_other_formats_are_converted_first():
    odd = av.VideoFrame.from_ndarray(astronaut_canvas()[:241, :321], format="rgb24")
    planes = i420_planes(odd)  # rgb24 and odd: scaled to 320x240 yuv420p first
    assert planes.shape == (360, 320)
    assert to_rgb(FramePayload(I420, planes)).shape == (240, 320, 3)


def test_jpeg_payload_decodes_in_the_worker_and_its_error_keeps_its_code_across_processes():
    buf = io.BytesIO()
    Image.fromarray(astronaut_canvas()).save(buf, "JPEG", quality=80)
    assert to_rgb(FramePayload(JPEG, buf.getvalue())).shape == (480, 640, 3)
    broken = buf.getvalue()[:600]  # a valid header, then the data stops
    with pytest.raises(ImageError) as caught:
        to_rgb(FramePayload(JPEG, broken))
    again = pickle.loads(pickle.dumps(caught.value))  # the process pool pickles it back
    assert isinstance(again, ImageError) and again.code == caught.value.code
    assert str(again) == str(caught.value)


def test_unknown_payload_kind_is_refused():
    with pytest.raises(ValueError, match="unknown frame payload"):
        to_rgb(FramePayload("png", b""))


def test_a_jpeg_for_the_recording_decodes_at_the_size_it_needs():
    buf = io.BytesIO()
    Image.fromarray(astronaut_canvas()).save(buf, "JPEG", quality=80)
    assert decode_jpeg(buf.getvalue()).shape == (480, 640, 3)  # vision: whole
    assert decode_jpeg(buf.getvalue(), (320, 240)).shape == (240, 320, 3)  # libjpeg at 1/2
    assert decode_jpeg(buf.getvalue(), (400, 300)).shape == (480, 640, 3)  # 1/2 is too small
