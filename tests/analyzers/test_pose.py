"""PoseAnalyzer on the astronaut portrait, and the keypoint geometry on synthetic points."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from skimage import data

from analyzers.pose import PoseAnalyzer, PoseObservation, observe_keypoints


@pytest.fixture(scope="module")
def analyzer() -> Iterator[PoseAnalyzer]:
    with PoseAnalyzer() as pa:
        yield pa


@pytest.fixture(scope="module")
def padded() -> np.ndarray:
    """The astronaut centred on a gray canvas large enough to rotate without cutting her."""
    canvas = np.full((724, 724, 3), 128, np.uint8)
    canvas[106:618, 106:618] = data.astronaut()
    return canvas


def test_astronaut_shoulders_are_level(analyzer: PoseAnalyzer) -> None:
    obs = analyzer.analyze(data.astronaut())
    assert obs.present
    assert abs(obs.shoulder_tilt_deg) < 10
    assert 0.25 < obs.shoulder_width < 0.6
    assert 0.4 < obs.neck_ratio < 0.9  # nose well above the shoulder line
    assert obs.visibility > 0.9
    mx, my = obs.shoulder_mid
    assert 0.3 < mx < 0.6 and 0.35 < my < 0.6


@pytest.mark.parametrize("angle", [30, -30])
def test_rotation_changes_tilt(analyzer: PoseAnalyzer, padded: np.ndarray, angle: int) -> None:
    base = analyzer.analyze(padded)
    m = cv2.getRotationMatrix2D((362, 362), angle, 1.0)
    obs = analyzer.analyze(cv2.warpAffine(padded, m, (724, 724), borderValue=(128, 128, 128)))
    assert base.present and obs.present
    delta = obs.shoulder_tilt_deg - base.shoulder_tilt_deg
    # Counter-clockwise image rotation (angle > 0) raises the image-right shoulder.
    assert np.sign(delta) == -np.sign(angle)
    assert 15 < abs(delta) < 40
    assert abs(obs.shoulder_tilt_deg) > 15


def test_blank_frame_has_no_person(analyzer: PoseAnalyzer) -> None:
    assert analyzer.analyze(np.zeros((480, 640, 3), np.uint8)) == PoseObservation.absent()


def test_keypoint_geometry_level_shoulders() -> None:
    obs = observe_keypoints((320, 140, 0.99), (420, 300, 0.99), (220, 300, 0.99), 640, 480)
    assert obs.present
    assert obs.shoulder_tilt_deg == pytest.approx(0.0)
    assert obs.shoulder_width == pytest.approx(200 / 640)
    assert obs.neck_ratio == pytest.approx(160 / 200)
    assert obs.shoulder_mid == pytest.approx((0.5, 300 / 480))


def test_keypoint_tilt_sign_and_rotation_invariant_neck() -> None:
    # Image-right shoulder lower by 100 px over 100 px: +45 deg (clockwise).
    obs = observe_keypoints((250, 100, 1.0), (300, 300, 1.0), (200, 200, 1.0), 640, 480)
    assert obs.shoulder_tilt_deg == pytest.approx(45.0)
    # Perpendicular distance of the nose from the shoulder line y = x, over the shoulder span.
    dist = abs((250 - 200) - (100 - 200)) / np.sqrt(2)
    assert obs.neck_ratio == pytest.approx(dist / np.hypot(100, 100))


def test_keypoint_slouch_lowers_neck_ratio() -> None:
    upright = observe_keypoints((320, 140, 1), (420, 300, 1), (220, 300, 1), 640, 480)
    slouched = observe_keypoints((320, 220, 1), (420, 300, 1), (220, 300, 1), 640, 480)
    assert slouched.neck_ratio == pytest.approx(upright.neck_ratio / 2)


def test_keypoint_visibility_rules() -> None:
    assert not observe_keypoints((320, 140, 1), (420, 300, 0.2), (220, 300, 1), 640, 480).present
    no_nose = observe_keypoints((320, 140, 0.1), (420, 300, 1), (220, 300, 1), 640, 480)
    assert no_nose.present and no_nose.neck_ratio is None
