"""`MediaSink`: what a transport feeds. The live session implements it; transports (the
WebRTC peer) depend on this protocol only, never on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import av
import numpy as np


class AudioClosed(Exception):
    """The sink takes no more audio (its stream was stopped)."""


class MediaSink(Protocol):
    @property
    def accepting_audio(self) -> bool:
        """False once the stream was stopped: audio is then drained, not pushed."""
        ...

    @property
    def audio_rate(self) -> int | None:
        """The sample rate audio is taken at; None before `start_audio`."""
        ...

    def start_audio(self, rate: int) -> None:
        """Start taking mono int16 PCM at `rate` Hz (ValueError for an unsupported rate)."""
        ...

    def push_audio(self, pcm: bytes) -> None:
        """Mono little-endian int16 PCM at `audio_rate`; AudioClosed once stopped."""
        ...

    def push_video(self, frame: av.VideoFrame | Callable[[], np.ndarray]) -> None:
        """A decoded camera frame (never converted through the scaler PyAV caches on it), or a
        function returning RGB (the sink calls it off the event loop, or not at all when it
        samples the frame out)."""
        ...

    def media_error(self, code: str, message: str) -> None:
        """Report a media problem to the client (an `error` event)."""
        ...
