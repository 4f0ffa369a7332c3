"""JPEG camera frames: the header check on the event loop, the decoder in a worker
(media/jpeg.py). Every broken input is an `ImageError` with a protocol code, never another
exception."""

from __future__ import annotations

import random
import struct
import time

import numpy as np
import pytest

from media.jpeg import MAX_SIDE_PX, ImageError, check_jpeg, decode_jpeg
from tests.support.media import face_canvas, jpeg


def sof(width: int, height: int, marker: int = 0xC0) -> bytes:
    body = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return bytes([0xFF, marker]) + struct.pack(">H", 2 + len(body)) + body


def header(width: int, height: int) -> bytes:
    return b"\xff\xd8" + sof(width, height)


@pytest.fixture(scope="module")
def good() -> bytes:
    return jpeg(face_canvas())


def code(fn, data: bytes) -> str:
    with pytest.raises(ImageError) as err:
        fn(data)
    assert len(str(err.value)) <= 200
    return err.value.code


def test_a_real_frame(good):
    assert check_jpeg(good) == (640, 480)
    rgb = decode_jpeg(good)
    assert rgb.shape == (480, 640, 3) and rgb.dtype == np.uint8


@pytest.mark.parametrize("marker", [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB,
                                    0xCD, 0xCE, 0xCF])
def test_every_frame_header_kind(marker):
    assert check_jpeg(b"\xff\xd8" + sof(320, 240, marker)) == (320, 240)


def test_a_decompression_bomb_header_is_refused_without_decoding():
    for w, h in [(65000, 65000), (65535, 1), (1, 65535), (MAX_SIDE_PX + 1, 10)]:
        assert code(check_jpeg, header(w, h)) == "frame_too_large"
        assert code(decode_jpeg, header(w, h)) in ("frame_too_large", "bad_video")


def test_the_largest_allowed_side():
    assert check_jpeg(header(MAX_SIDE_PX, MAX_SIDE_PX)) == (MAX_SIDE_PX, MAX_SIDE_PX)


@pytest.mark.parametrize("data", [
    b"", b"\xff", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xc0", b"\xff\xd8\xff\xc0\x00",
    b"\xff\xd8\xff\xc0\x00\x11\x08", b"GIF89a", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\x00\x00",
    b"\xff\xd8\xff\xd9", b"\xff\xd8\xff\xda\x00\x02", b"\xff\xd8\xff\xe0\x00\x01",
    b"\xff\xd8" + b"\xff\x01" * 10_000,  # standalone markers only: bounded work
    b"\xff\xd8" + b"\xff\xe1\xff\xff" + b"\x00" * 10,  # a segment longer than the data
    header(0, 480), header(640, 0),
    b"\xff\xd8" + sof(10, 10) + sof(60000, 60000),  # two frame headers
])
def test_broken_headers(data):
    assert code(check_jpeg, data) in ("bad_video", "frame_too_large")


def test_the_header_check_is_cheap():
    data = b"\xff\xd8" + b"\xff\x01" * 500_000  # 1 MB of markers
    t0 = time.perf_counter()
    assert code(check_jpeg, data) == "bad_video"
    assert time.perf_counter() - t0 < 0.01


def test_broken_data_after_a_good_header(good):
    cases = [good[: len(good) // 3], good[:200], good[:400] + bytes(range(256)) * 8,
             header(640, 480) + b"\xff\xda" + b"\x00" * 100, header(640, 480),
             header(MAX_SIDE_PX, MAX_SIDE_PX) + b"\x00" * 1000]
    for data in cases:
        try:
            rgb = decode_jpeg(data)  # checks the header first, then decodes
        except ImageError as exc:
            assert exc.code == "bad_video"
        else:  # libjpeg may fill a damaged image with grey: still an image of the right size
            assert rgb.ndim == 3 and rgb.shape[2] == 3


def test_random_junk_never_raises_anything_else(good):
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randrange(0, 2000)
        data = bytearray(good[: rng.randrange(2, 700)] if rng.random() < 0.5 else b"\xff\xd8")
        data += bytes(rng.randrange(256) for _ in range(n))
        for fn in (check_jpeg, decode_jpeg):
            try:
                fn(bytes(data))
            except ImageError as exc:
                assert exc.code in ("bad_video", "frame_too_large")
