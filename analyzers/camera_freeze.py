"""Frozen-camera detection: identical or near-identical frames for seconds (a still photo, a
stuck virtual camera, a frame resent over and over). Vision metrics of a frozen camera
describe a picture, not a person, and are not used.

Live: :class:`CameraFreezeDetector` on small grayscale thumbnails (:func:`thumbnail`) of the
analysed frames. Afterwards, from stored `metrics` events: :func:`frozen_in_metrics` (the live
``camera_frozen`` flag, or a head pose that stays exactly the same on fresh frames: face
landmarks of a live person never repeat to a thousandth of a degree).
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

THUMB_W, THUMB_H = 32, 24
#: Frames are "still" while no thumbnail pixel differs from the run's first by more than this
#: (gray levels, 0..255; sensor noise averages out in the thumbnail, a blink or a breath does
#: not).
STILL_MAX_DIFF = 2.5
#: A still run this long (seconds) and of at least MIN_FRAMES frames is a frozen camera.
FREEZE_S = 3.0
MIN_FRAMES = 5
#: Stored metrics: this many fresh ticks with the identical head pose over FREEZE_S.
MIN_POSE_TICKS = 3


def thumbnail(rgb: np.ndarray) -> np.ndarray:
    """A THUMB_H x THUMB_W grayscale thumbnail (area means, float32) of an RGB or gray frame.
    The frame is shrunk first, in uint8 (cv2.INTER_AREA): a few microseconds, where averaging
    a float copy of a 640x480 frame cost as much as the face mesh (py-spy, 8 WebRTC sessions)."""
    img = np.ascontiguousarray(rgb)
    small = cv2.resize(img, (THUMB_W, THUMB_H), interpolation=cv2.INTER_AREA)
    small = small.astype(np.float32)
    return small.mean(axis=2) if small.ndim == 3 else small


class CameraFreezeDetector:
    """Tracks still runs of thumbnails; `frozen` while the current run qualifies."""

    def __init__(self) -> None:
        self._anchor: np.ndarray | None = None
        self._run_start = 0.0
        self._last_t = 0.0
        self._frames = 0
        self.frozen = False
        self.episodes = 0  # frozen runs so far
        self._closed_s = 0.0  # seconds of frozen runs that ended

    @property
    def frozen_s(self) -> float:
        """Seconds the camera was frozen so far (whole runs, the current one included)."""
        current = self._last_t - self._run_start if self.frozen else 0.0
        return self._closed_s + current

    def update(self, t: float, thumb: np.ndarray) -> bool:
        """One analysed frame's thumbnail at session time `t`; returns `frozen`."""
        anchor = self._anchor
        still = (anchor is not None and anchor.shape == thumb.shape
                 and float(np.abs(thumb - anchor).max()) <= STILL_MAX_DIFF)
        if not still:
            if self.frozen:
                self._closed_s += self._last_t - self._run_start
            self._anchor, self._run_start, self._frames, self.frozen = thumb, t, 1, False
        else:
            self._frames += 1
            if (not self.frozen and t - self._run_start >= FREEZE_S
                    and self._frames >= MIN_FRAMES):
                self.frozen = True
                self.episodes += 1
        self._last_t = max(self._last_t, t)
        return self.frozen


def _pose(event: dict) -> tuple | None:
    head = event.get("head")
    if not event.get("face_present") or not isinstance(head, dict):
        return None
    pose = tuple(head.get(k) for k in ("yaw", "pitch", "roll"))
    return pose if all(isinstance(v, int | float) for v in pose) else None


def frozen_in_metrics(events: Iterable[dict]) -> bool:
    """Whether `metrics` events (sorted by ``t``) show a frozen camera: a ``camera_frozen``
    flag, or the same head pose on MIN_POSE_TICKS fresh frames (``video.updated_t`` moved
    on) spanning FREEZE_S."""
    run_pose, run_start, ticks, last_updated = None, 0.0, 0, None
    for ev in events:
        if ev.get("camera_frozen"):
            return True
        pose = _pose(ev)
        video = ev.get("video") if isinstance(ev.get("video"), dict) else {}
        updated = video.get("updated_t")
        if pose is None or not isinstance(updated, int | float):
            run_pose, ticks = None, 0
            continue
        if updated == last_updated:
            continue  # no new frame since the last tick: a stale pose proves nothing
        last_updated = updated
        if pose == run_pose:
            ticks += 1
            if ticks >= MIN_POSE_TICKS and updated - run_start >= FREEZE_S:
                return True
        else:
            run_pose, run_start, ticks = pose, float(updated), 1
    return False
