"""What runs in a vision worker process: one face and one pose model per process.

The scheduler (`server.live.vision_scheduler`) hands each process a frame's payload (I420
planes or a JPEG, `media.camera_frame`); it is converted to RGB and the models run there, off
the server's process, so MediaPipe's CPU time never holds the GIL the event loop and the WebRTC
receivers need. The process keeps no per-session state."""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from analyzers.camera_freeze import thumbnail
from analyzers.face import FaceAnalyzer, FaceObservation
from analyzers.pose import PoseAnalyzer, PoseObservation
from media.camera_frame import FramePayload, to_rgb

_face: FaceAnalyzer | None = None
_pose: PoseAnalyzer | None = None


def _exit_with(parent: int) -> None:
    """A killed server leaves its pool's queues open (this process holds both ends): end this
    process when its parent is gone instead of waiting on them forever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def init() -> None:
    """The process pool's initializer: load the models once, before the first frame."""
    global _face, _pose
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    _face = FaceAnalyzer()
    _pose = PoseAnalyzer()


def ready() -> bool:
    """A no-op job: the process is up and its models are loaded."""
    return _face is not None


Analysis = tuple[FaceObservation, PoseObservation | None, np.ndarray]


def analyse(payload: FramePayload, want_pose: bool) -> Analysis:
    """Face (and, when asked, pose) of one frame, with its freeze-detection thumbnail."""
    if _face is None or _pose is None:
        init()
    assert _face is not None and _pose is not None
    return analyse_with(_face, _pose, payload, want_pose)


def analyse_with(face: FaceAnalyzer, pose: PoseAnalyzer, payload: FramePayload,
                 want_pose: bool) -> Analysis:
    rgb = to_rgb(payload)
    return face.analyze(rgb), pose.analyze(rgb) if want_pose else None, thumbnail(rgb)
