"""Binary WebSocket frames: one kind byte, then the payload."""

from __future__ import annotations

from dataclasses import dataclass

KIND_AUDIO = 1
KIND_VIDEO = 2
MAX_MESSAGE_BYTES = 1 << 20  # 1 MiB; larger messages close the socket with 1009


class FrameError(ValueError):
    """A frame the server cannot use; `code` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Frame:
    kind: int
    payload: bytes


def parse_frame(data: bytes) -> Frame:
    if not data:
        raise FrameError("unknown_kind", "empty binary frame: expected a kind byte")
    kind = data[0]
    if kind not in (KIND_AUDIO, KIND_VIDEO):
        raise FrameError("unknown_kind", f"unknown kind byte {kind}: 1 = audio, 2 = video")
    payload = data[1:]
    if kind == KIND_AUDIO and len(payload) % 2:
        raise FrameError("bad_audio", f"PCM16 payload of odd length {len(payload)}")
    return Frame(kind, payload)


def audio_frame(pcm: bytes) -> bytes:
    return bytes([KIND_AUDIO]) + pcm


def video_frame(jpeg: bytes) -> bytes:
    return bytes([KIND_VIDEO]) + jpeg
