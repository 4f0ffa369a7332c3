"""Per-frame upper-body posture from MediaPipe Pose: shoulder tilt, width and neck height.

Pure and synchronous; one :class:`PoseAnalyzer` per worker thread, no per-session state.

``shoulder_tilt_deg`` is the angle of the line from the image-left to the image-right
shoulder, positive when the image-right shoulder is lower (clockwise in the image, the same
sign convention as face ``roll``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mediapipe as mp
import numpy as np

from analyzers.face import MAX_SIDE, GraphOwner, prepare_rgb

#: Landmarks (nose and both shoulders) must be at least this visible to count.
MIN_VISIBILITY = 0.5
_NOSE, _L_SHOULDER, _R_SHOULDER = 0, 11, 12


@dataclass(frozen=True)
class PoseObservation:
    """Upper-body geometry of the person in one frame.

    ``present`` means a person was found with both shoulders visible. ``shoulder_width`` is
    the shoulder distance divided by the frame width. ``neck_ratio`` is the nose's height
    above the shoulder line divided by the shoulder distance (rotation invariant; it drops
    when the head sinks toward the shoulders, i.e. slouching); ``None`` when the nose is not
    visible. ``shoulder_mid`` is the shoulder midpoint in 0..1 frame coordinates;
    ``visibility`` is the lower of the two shoulders' visibility scores.
    """

    present: bool
    shoulder_tilt_deg: float | None = None
    shoulder_width: float | None = None
    neck_ratio: float | None = None
    shoulder_mid: tuple[float, float] | None = None
    visibility: float | None = None

    @classmethod
    def absent(cls) -> PoseObservation:
        """Observation for a frame without a usable person."""
        return cls(present=False)


def observe_keypoints(
    nose: tuple[float, float, float],
    shoulder_a: tuple[float, float, float],
    shoulder_b: tuple[float, float, float],
    width: int,
    height: int,
) -> PoseObservation:
    """Build a :class:`PoseObservation` from (x_px, y_px, visibility) keypoints."""
    vis = min(shoulder_a[2], shoulder_b[2])
    if vis < MIN_VISIBILITY:
        return PoseObservation.absent()
    left, right = sorted((shoulder_a, shoulder_b), key=lambda p: p[0])  # image left first
    dx, dy = right[0] - left[0], right[1] - left[1]
    span = math.hypot(dx, dy)
    if span < 1e-6:
        return PoseObservation.absent()
    neck = None
    if nose[2] >= MIN_VISIBILITY:
        # Signed distance of the nose above the shoulder line (normal pointing up in image).
        nx, ny = dy / span, -dx / span
        neck = ((nose[0] - left[0]) * nx + (nose[1] - left[1]) * ny) / span
    return PoseObservation(
        present=True,
        shoulder_tilt_deg=math.degrees(math.atan2(dy, dx)),
        shoulder_width=span / width,
        neck_ratio=neck,
        shoulder_mid=((left[0] + right[0]) / 2 / width, (left[1] + right[1]) / 2 / height),
        visibility=vis,
    )


class PoseAnalyzer(GraphOwner):
    """MediaPipe Pose (model_complexity=1, static image mode) reduced to shoulder metrics."""

    def __init__(self, max_side: int = MAX_SIDE) -> None:
        self._max_side = max_side
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=True, model_complexity=1, enable_segmentation=False
        )

    def analyze(self, rgb: np.ndarray) -> PoseObservation:
        """Analyse one RGB frame (HxWx3 uint8)."""
        img = prepare_rgb(rgb, self._max_side)
        res = self._pose.process(img)
        if not res.pose_landmarks:
            return PoseObservation.absent()
        h, w = img.shape[:2]
        lms = res.pose_landmarks.landmark

        def kp(i: int) -> tuple[float, float, float]:
            return (lms[i].x * w, lms[i].y * h, lms[i].visibility)

        return observe_keypoints(kp(_NOSE), kp(_L_SHOULDER), kp(_R_SHOULDER), w, h)

    def close(self) -> None:
        """Release the MediaPipe graph."""
        self._pose.close()
