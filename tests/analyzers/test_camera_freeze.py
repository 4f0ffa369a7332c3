"""Frozen-camera detection on synthetic frames and on stored metrics."""

from __future__ import annotations

import numpy as np

from analyzers.camera_freeze import CameraFreezeDetector, frozen_in_metrics, thumbnail


def scene(shift: int = 0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A 480x640 RGB frame: a bright disc ("a head") on a gradient, moved by `shift` px."""
    yy, xx = np.mgrid[0:480, 0:640]
    img = 60 + 0.2 * xx
    img = np.where((xx - 320 - shift) ** 2 + (yy - 220) ** 2 < 120 ** 2, 200.0, img)
    if noise:
        img = img + np.random.default_rng(seed).normal(0, noise, img.shape)
    return np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def test_thumbnail_shape():
    assert thumbnail(scene()).shape == (24, 32)
    assert thumbnail(np.zeros((10, 12, 3), np.uint8)).shape == (24, 32)


def test_a_still_photo_freezes_after_three_seconds():
    det = CameraFreezeDetector()
    frozen = [det.update(i * 0.2, thumbnail(scene(noise=2.0, seed=i))) for i in range(25)]
    assert not any(frozen[:15]) and all(frozen[16:])  # 3 s at 5 fps
    assert det.frozen_s > 1.5 and det.episodes == 1


def test_a_moving_person_never_freezes_and_motion_ends_a_freeze():
    det = CameraFreezeDetector()
    # breathing / swaying: a few pixels back and forth
    assert not any(det.update(i * 0.2, thumbnail(scene(shift=3 * (i % 3), noise=2.0, seed=i)))
                   for i in range(50))
    det = CameraFreezeDetector()
    for i in range(20):
        det.update(i * 0.2, thumbnail(scene()))
    assert det.frozen
    assert det.update(4.2, thumbnail(scene(shift=10))) is False
    assert round(det.frozen_s, 1) == 3.8


def tick(t: float, yaw: float, updated: float | None = None) -> dict:
    return {"t": t, "face_present": True, "head": {"yaw": yaw, "pitch": 1.0, "roll": 0.5},
            "video": {"updated_t": t if updated is None else updated}}


def test_frozen_in_stored_metrics():
    assert frozen_in_metrics([{"t": 1.0, "camera_frozen": True}])
    assert frozen_in_metrics([tick(t, 2.125) for t in range(1, 6)])
    # a live face's pose jitters
    assert not frozen_in_metrics([tick(t, 2.125 + 0.01 * (t % 2)) for t in range(1, 20)])
    # the same pose because no new frame was analysed (camera paused) is not a freeze
    assert not frozen_in_metrics([tick(t, 2.125, updated=1.0) for t in range(1, 20)])
    assert not frozen_in_metrics([{"t": 1.0, "wpm": 120.0}])
