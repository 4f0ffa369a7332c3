"""FaceAnalyzer and framing on real images (scikit-image's astronaut and camera man)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from skimage import data

from analyzers import face as face_mod
from analyzers.face import FaceAnalyzer, FaceObservation, head_pose, is_looking
from analyzers.framing import classify_framing

GRAY = 128
# Centre of the astronaut's face in skimage.data.astronaut() (512x512), in pixels.
FACE_CX, FACE_CY = 225, 124


@pytest.fixture(scope="module")
def analyzer() -> Iterator[FaceAnalyzer]:
    with FaceAnalyzer() as fa:
        yield fa


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


def paste(canvas_hw: tuple[int, int], img: np.ndarray, x: int, y: int) -> np.ndarray:
    """Paste ``img`` with its top-left at (x, y) on a gray canvas, clipping at the borders."""
    h, w = canvas_hw
    out = np.full((h, w, 3), GRAY, np.uint8)
    sx0, sy0 = max(0, -x), max(0, -y)
    sx1, sy1 = min(img.shape[1], w - x), min(img.shape[0], h - y)
    out[y + sy0 : y + sy1, x + sx0 : x + sx1] = img[sy0:sy1, sx0:sx1]
    return out


def face_centred(astronaut: np.ndarray, side: int = 400) -> np.ndarray:
    """The astronaut on a square gray canvas with her face at the canvas centre."""
    return paste((side, side), astronaut, side // 2 - FACE_CX, side // 2 - FACE_CY)


def rotate(img: np.ndarray, angle_deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=(GRAY, GRAY, GRAY))


def test_astronaut_is_present_looking_and_centred(analyzer: FaceAnalyzer, astronaut) -> None:
    obs = analyzer.analyze(astronaut)
    assert obs.present
    assert obs.looking
    assert abs(obs.yaw) < 10
    assert abs(obs.pitch) < face_mod.LOOK_MAX_PITCH_DEG
    assert abs(obs.roll) < 8
    assert 0.4 < obs.gaze_h < 0.6
    assert 0.3 < obs.gaze_v < 0.7
    assert 0.15 < obs.face_size < 0.3
    # Face in the upper-left-middle of the portrait.
    dx, dy = obs.center_offset
    assert -0.3 < dx < 0.05
    assert -0.7 < dy < -0.3
    assert classify_framing(obs) == "centred"


def test_large_frames_are_downscaled_with_same_result(analyzer: FaceAnalyzer, astronaut) -> None:
    small = analyzer.analyze(astronaut)
    big = analyzer.analyze(cv2.resize(astronaut, (1280, 1280), interpolation=cv2.INTER_CUBIC))
    assert big.present and big.looking
    assert big.face_size == pytest.approx(small.face_size, abs=0.02)
    assert big.center_offset[0] == pytest.approx(small.center_offset[0], abs=0.03)
    assert big.center_offset[1] == pytest.approx(small.center_offset[1], abs=0.03)
    assert big.yaw == pytest.approx(small.yaw, abs=4)


@pytest.mark.parametrize("side", ["left", "right"])
def test_face_at_frame_edge_is_off_centre(analyzer: FaceAnalyzer, astronaut, side: str) -> None:
    face = astronaut[40:220, 140:310]  # 180x170 head crop
    x = 0 if side == "left" else 640 - face.shape[1]
    obs = analyzer.analyze(paste((480, 640), face, x, 150))
    assert obs.present
    assert classify_framing(obs) == "off-centre"
    dx = obs.center_offset[0]
    assert (dx < -0.6) if side == "left" else (dx > 0.6)
    # Yaw is relative to the line of sight: she still faces the lens (raw PnP gives ~20 deg).
    assert abs(obs.yaw) < 10
    assert obs.looking


@pytest.mark.parametrize("angle", [30, -30])
def test_rotated_face_gives_roll(analyzer: FaceAnalyzer, astronaut, angle: int) -> None:
    base = analyzer.analyze(face_centred(astronaut))
    obs = analyzer.analyze(rotate(face_centred(astronaut), angle))
    assert base.present and obs.present
    # cv2 rotates counter-clockwise for positive angles; roll is clockwise-positive.
    assert obs.roll == pytest.approx(-angle, abs=8)
    assert obs.roll - base.roll == pytest.approx(-angle, abs=5)
    assert abs(obs.yaw) < 10


def test_blank_frame_has_no_face(analyzer: FaceAnalyzer) -> None:
    obs = analyzer.analyze(np.zeros((480, 640, 3), np.uint8))
    assert obs == FaceObservation.absent()
    assert not obs.looking
    assert classify_framing(obs) == "no face"


def test_camera_man_in_profile_is_no_face(analyzer: FaceAnalyzer) -> None:
    obs = analyzer.analyze(data.camera())  # grayscale input is accepted
    assert not obs.present
    assert obs.yaw is None and obs.center_offset is None and obs.face_size is None
    assert classify_framing(obs) == "no face"


def test_small_face_is_too_far(analyzer: FaceAnalyzer, astronaut) -> None:
    small = cv2.resize(astronaut, None, fx=0.45, fy=0.45, interpolation=cv2.INTER_AREA)
    frame = paste((480, 640), small, (640 - small.shape[1]) // 2, (480 - small.shape[0]) // 2)
    obs = analyzer.analyze(frame)
    assert obs.present  # found by the full-range fallback, Face Mesh alone misses it
    assert obs.face_size < 0.13
    assert classify_framing(obs) == "too far"
    assert obs.looking


def test_face_filling_frame_is_too_close(analyzer: FaceAnalyzer, astronaut) -> None:
    crop = astronaut[FACE_CY - 60 : FACE_CY + 60, FACE_CX - 60 : FACE_CX + 60]
    obs = analyzer.analyze(cv2.resize(crop, (480, 480), interpolation=cv2.INTER_CUBIC))
    assert obs.present
    assert obs.face_size > 0.8
    assert classify_framing(obs) == "too close"


def _project(yaw: float, pitch: float, roll: float, tvec: np.ndarray) -> np.ndarray:
    """Image points of the generic face under our (yaw, pitch, roll) convention."""

    def rot(axis: int, deg: float) -> np.ndarray:
        r = np.zeros(3)
        r[axis] = math.radians(deg)
        return cv2.Rodrigues(r)[0]

    rmat = rot(2, roll) @ rot(1, -yaw) @ rot(0, pitch)
    cam = np.array([[640, 0, 320], [0, 640, 240], [0, 0, 1]], dtype=np.float64)
    pts, _ = cv2.projectPoints(face_mod._MODEL_POINTS, cv2.Rodrigues(rmat)[0], tvec, cam, None)
    return pts.reshape(-1, 2)


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(0, 0, 0), (25, 0, 0), (-15, 10, 0), (0, -20, 5), (10, 5, -30)]
)
def test_head_pose_recovers_synthetic_angles(yaw: float, pitch: float, roll: float) -> None:
    pts = _project(yaw, pitch, roll, np.array([0.0, 0.0, 60.0]))
    got = head_pose(pts, 640, 480)
    assert got == pytest.approx((yaw, pitch, roll), abs=0.5)


def test_head_pose_sign_conventions() -> None:
    nose, _, eye_l, eye_r, _, _ = _project(25, 0, 0, np.array([0.0, 0.0, 60.0]))
    assert nose[0] > (eye_l[0] + eye_r[0]) / 2 + 5  # positive yaw: nose toward image right
    nose, _, eye_l, eye_r, _, _ = _project(0, 0, 20, np.array([0.0, 0.0, 60.0]))
    assert eye_r[1] > eye_l[1] + 5  # positive roll: image-right eye lower (clockwise)


def test_head_pose_is_relative_to_line_of_sight() -> None:
    # A face off to the side whose rotation points it straight at the camera.
    tvec = np.array([30.0, -10.0, 60.0])
    yaw_to_cam = -math.degrees(math.atan2(tvec[0], tvec[2]))
    pitch_to_cam = math.degrees(math.atan2(-tvec[1], math.hypot(tvec[0], tvec[2])))
    pts = _project(yaw_to_cam, pitch_to_cam, 0, tvec)
    yaw, pitch, _ = head_pose(pts, 640, 480)
    assert abs(yaw) < 1.5 and abs(pitch) < 1.5
    # The same face rotated to point along the optical axis is turned away from the lens.
    yaw, _, _ = head_pose(_project(0, 0, 0, tvec), 640, 480)
    assert abs(yaw) > 20


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0.0, 5.0, 0.5, 0.5), True),
        ((face_mod.LOOK_MAX_YAW_DEG + 5, 0.0, 0.5, 0.5), False),
        ((0.0, -(face_mod.LOOK_MAX_PITCH_DEG + 5), 0.5, 0.5), False),
        ((0.0, 0.0, 0.8, 0.5), False),
        ((0.0, 0.0, 0.5, 0.95), False),
        ((None, 0.0, 0.5, 0.5), False),
    ],
)
def test_is_looking_thresholds(args: tuple, expected: bool) -> None:
    assert is_looking(*args) is expected


def test_analyzer_rejects_bad_shapes(analyzer: FaceAnalyzer) -> None:
    with pytest.raises(ValueError):
        analyzer.analyze(np.zeros((4, 4, 5), np.uint8))
