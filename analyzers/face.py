"""Per-frame face analysis: presence, head pose, iris gaze and framing geometry.

Pure and synchronous: :class:`FaceAnalyzer` takes an RGB ``numpy`` frame and returns a
:class:`FaceObservation`. It keeps no per-session state; use one instance per worker thread
(MediaPipe graphs are not thread-safe).

Conventions (image coordinates, as the viewer sees the frame):

* ``yaw`` > 0: the nose points toward the image's right (the subject's own left).
* ``pitch`` > 0: the head is tilted down (chin toward the chest).
* ``roll`` > 0: the head is rotated clockwise in the image (the eye on the image's right is
  lower). Rotating a frame counter-clockwise by 30 degrees (``cv2.getRotationMatrix2D`` with
  ``angle=30``) therefore gives ``roll`` about -30.

Yaw and pitch are measured relative to the line of sight from the camera to the face, so a
person at the edge of the frame who faces the lens has yaw and pitch near zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import cv2
import mediapipe as mp
import numpy as np

#: Frames whose longest side exceeds this are downscaled before inference.
MAX_SIDE = 640
#: Per-frame eye contact: head yaw and pitch (degrees) must lie within these limits ...
LOOK_MAX_YAW_DEG = 20.0
LOOK_MAX_PITCH_DEG = 25.0
#: ... and the iris ratios within these ranges (0.5 = centred between the eye corners/lids).
GAZE_H_RANGE = (0.35, 0.65)
GAZE_V_RANGE = (0.25, 0.75)
#: Fallback for small faces (Face Mesh's own detector misses faces below ~16% of the frame
#: height): the full-range detector finds them, and the mesh runs on a crop this many times
#: the detected box.
CROP_SCALE = 3.0
MIN_CROP_PX = 32
#: Faces found only by that fallback must be turned toward the camera: small faces in profile
#: are bystanders or background (``skimage.data.camera()`` has one), not the candidate.
FALLBACK_MAX_YAW_DEG = 40.0

# Landmarks used for head pose, and a generic 3-D face for them: MediaPipe's canonical face
# model (face_geometry/data/canonical_face_model.obj) converted to camera axes
# (x right, y down, z away from the camera).
POSE_LANDMARKS = (1, 152, 33, 263, 61, 291)  # nose tip, chin, eye outer corners, mouth corners
_MODEL_POINTS = np.array(
    [
        (0.0, 1.126865, -7.475604),
        (0.0, 9.403378, -4.264492),
        (-4.445859, -2.663991, -3.173422),
        (4.445859, -2.663991, -3.173422),
        (-2.456206, 4.342621, -4.283884),
        (2.456206, 4.342621, -4.283884),
    ],
    dtype=np.float64,
)
_MODEL_EYE_SPAN = 2 * 4.445859
# Eye landmarks: (outer/inner corner pair ordered left->right in the image, upper lid, lower
# lid, iris ring). The first eye is the subject's right eye (image left).
_EYES = (
    ((33, 133), 159, 145, slice(468, 473)),
    ((362, 263), 386, 374, slice(473, 478)),
)
_N_REFINED = 478


@dataclass(frozen=True)
class FaceObservation:
    """What one frame shows about the (single) face in it.

    ``gaze_h``/``gaze_v`` are iris positions within the eye, 0..1 with 0.5 centred;
    ``gaze_h`` grows toward the image's right, ``gaze_v`` downward. ``center_offset`` is the
    face-box centre minus the frame centre, normalised to -1..1 per axis (x right, y down).
    ``face_size`` is the face-box height divided by the frame height.
    """

    present: bool
    yaw: float | None = None
    pitch: float | None = None
    roll: float | None = None
    gaze_h: float | None = None
    gaze_v: float | None = None
    looking: bool = False
    center_offset: tuple[float, float] | None = None
    face_size: float | None = None

    @classmethod
    def absent(cls) -> FaceObservation:
        """Observation for a frame without a face."""
        return cls(present=False)


def is_looking(
    yaw: float | None, pitch: float | None, gaze_h: float | None, gaze_v: float | None
) -> bool:
    """Per-frame eye-contact decision from head pose and iris ratios (thresholds above)."""
    if yaw is None or pitch is None or gaze_h is None or gaze_v is None:
        return False
    return (
        abs(yaw) <= LOOK_MAX_YAW_DEG
        and abs(pitch) <= LOOK_MAX_PITCH_DEG
        and GAZE_H_RANGE[0] <= gaze_h <= GAZE_H_RANGE[1]
        and GAZE_V_RANGE[0] <= gaze_v <= GAZE_V_RANGE[1]
    )


def _rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest rotation matrix taking unit vector ``a`` onto unit vector ``b``."""
    axis = np.cross(a, b)
    s = float(np.linalg.norm(axis))
    c = float(np.clip(np.dot(a, b), -1.0, 1.0))
    if s < 1e-9:
        return np.eye(3)
    rvec = axis / s * math.atan2(s, c)
    return cv2.Rodrigues(rvec)[0]


def head_pose(points: np.ndarray, width: int, height: int) -> tuple[float, float, float] | None:
    """(yaw, pitch, roll) in degrees from the six :data:`POSE_LANDMARKS` pixel positions.

    Solves PnP against the generic face with focal length = image width, then removes the
    rotation of the camera-to-face line of sight so that 0/0 means "facing the lens".
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    focal = float(width)
    cam = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1]], dtype=np.float64)
    eye_span = float(np.linalg.norm(pts[3] - pts[2]))
    if eye_span < 1e-6:
        return None
    # Start from a frontal face at the distance implied by the eye span.
    z0 = focal * _MODEL_EYE_SPAN / eye_span
    nose = pts[0]
    tvec0 = np.array(
        [(nose[0] - width / 2) * z0 / focal, (nose[1] - height / 2) * z0 / focal, z0],
        dtype=np.float64,
    ).reshape(3, 1)
    rvec0 = np.zeros((3, 1), dtype=np.float64)
    ok, rvec, tvec = cv2.solvePnP(
        _MODEL_POINTS, pts, cam, None, rvec0, tvec0, True, cv2.SOLVEPNP_ITERATIVE
    )
    if not ok:
        return None
    rot = cv2.Rodrigues(rvec)[0]
    sight = tvec.reshape(3) / max(float(np.linalg.norm(tvec)), 1e-9)
    rel = _rotation_between(np.array([0.0, 0.0, 1.0]), sight).T @ rot
    # rel = Rz(roll) @ Ry(theta) @ Rx(pitch)
    pitch = math.degrees(math.atan2(rel[2, 1], rel[2, 2]))
    theta = math.degrees(math.atan2(-rel[2, 0], math.hypot(rel[2, 1], rel[2, 2])))
    roll = math.degrees(math.atan2(rel[1, 0], rel[0, 0]))
    return -theta, pitch, roll


def _ratio_along(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    d = b - a
    return float(np.dot(p - a, d) / max(float(np.dot(d, d)), 1e-9))


def iris_ratios(pts: np.ndarray) -> tuple[float, float]:
    """(horizontal, vertical) iris position averaged over both eyes, each clipped to 0..1.

    Horizontal: projection of the iris centre onto the eye-corner axis. Vertical: position
    between upper and lower lid measured perpendicular to that axis (roll invariant).
    """
    hs: list[float] = []
    vs: list[float] = []
    for (left, right), upper, lower, ring in _EYES:
        a, b = pts[left], pts[right]
        iris = pts[ring].mean(axis=0)
        hs.append(_ratio_along(iris, a, b))
        axis = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
        normal = np.array([-axis[1], axis[0]])  # points down for a level face
        span = float(np.dot(pts[lower] - pts[upper], normal))
        vs.append(float(np.dot(iris - pts[upper], normal)) / span if abs(span) > 1e-6 else 0.5)
    return float(np.clip(np.mean(hs), 0, 1)), float(np.clip(np.mean(vs), 0, 1))


def observe_landmarks(pts: np.ndarray, width: int, height: int) -> FaceObservation:
    """Build a :class:`FaceObservation` from 478 refined landmarks in pixel coordinates."""
    pose = head_pose(pts[list(POSE_LANDMARKS)], width, height)
    yaw, pitch, roll = pose if pose is not None else (None, None, None)
    gaze_h, gaze_v = iris_ratios(pts)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    cx, cy = (lo + hi) / 2
    offset = (
        float(np.clip(2 * cx / width - 1, -1, 1)),
        float(np.clip(2 * cy / height - 1, -1, 1)),
    )
    return FaceObservation(
        present=True,
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        gaze_h=gaze_h,
        gaze_v=gaze_v,
        looking=is_looking(yaw, pitch, gaze_h, gaze_v),
        center_offset=offset,
        face_size=float((hi[1] - lo[1]) / height),
    )


def prepare_rgb(rgb: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """Contiguous uint8 RGB copy of ``rgb`` (gray/RGBA accepted), downscaled to ``max_side``."""
    img = np.asarray(rgb)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise ValueError(f"expected an HxWx3 RGB frame, got shape {img.shape}")
    img = img[..., :3]
    if img.dtype != np.uint8:
        img = np.clip(img * 255 if img.dtype.kind == "f" and img.max() <= 1 else img, 0, 255)
        img = img.astype(np.uint8)
    h, w = img.shape[:2]
    scale = max_side / max(h, w)
    if scale < 1:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img)


class GraphOwner:
    """Owns MediaPipe graphs: `close()` releases them, also as a context manager."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FaceAnalyzer(GraphOwner):
    """MediaPipe Face Mesh (refined, 478 landmarks) with a full-range detector fallback."""

    def __init__(self, max_side: int = MAX_SIDE) -> None:
        self._max_side = max_side
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True
        )
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.5
        )

    def _mesh_points(self, img: np.ndarray) -> np.ndarray | None:
        res = self._mesh.process(img)
        if not res.multi_face_landmarks:
            return None
        lms = res.multi_face_landmarks[0].landmark
        if len(lms) < _N_REFINED:
            return None
        h, w = img.shape[:2]
        return np.array([(p.x * w, p.y * h) for p in lms], dtype=np.float64)

    def _small_face_points(self, img: np.ndarray) -> np.ndarray | None:
        """Find a small face with the full-range detector, then mesh a crop around it."""
        res = self._detector.process(img)
        if not res.detections:
            return None
        box = res.detections[0].location_data.relative_bounding_box
        h, w = img.shape[:2]
        cx, cy = (box.xmin + box.width / 2) * w, (box.ymin + box.height / 2) * h
        half = CROP_SCALE * max(box.width * w, box.height * h) / 2
        x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
        x1, y1 = min(w, int(cx + half)), min(h, int(cy + half))
        if min(x1 - x0, y1 - y0) < MIN_CROP_PX:
            return None
        pts = self._mesh_points(np.ascontiguousarray(img[y0:y1, x0:x1]))
        if pts is None:
            return None
        return pts + np.array([x0, y0], dtype=np.float64)

    def analyze(self, rgb: np.ndarray) -> FaceObservation:
        """Analyse one RGB frame (HxWx3 uint8)."""
        img = prepare_rgb(rgb, self._max_side)
        h, w = img.shape[:2]
        pts = self._mesh_points(img)
        if pts is not None:
            return observe_landmarks(pts, w, h)
        pts = self._small_face_points(img)
        if pts is None:
            return FaceObservation.absent()
        obs = observe_landmarks(pts, w, h)
        if obs.yaw is None or abs(obs.yaw) > FALLBACK_MAX_YAW_DEG:
            return FaceObservation.absent()
        return obs

    def close(self) -> None:
        """Release the MediaPipe graphs."""
        self._mesh.close()
        self._detector.close()
