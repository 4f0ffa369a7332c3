"""Eye-contact and posture trackers, framing rules and the confidence score on known inputs."""

from __future__ import annotations

import random

import pytest

from analyzers import framing
from analyzers.confidence import WEIGHTS, confidence_score
from analyzers.eye_contact import MAX_GAP_S, EyeContactTracker
from analyzers.face import FaceObservation
from analyzers.framing import classify_framing
from analyzers.pose import PoseObservation
from analyzers.posture import PostureTracker


def irregular_times(start: float, end: float, seed: int) -> list[float]:
    """Frame times from ``start`` (inclusive) to before ``end`` at 2-15 fps, jittered."""
    rng = random.Random(seed)
    times, t = [], start
    while t < end - 1e-9:
        times.append(t)
        t += rng.uniform(1 / 15, 0.5)
    return times


def feed(tracker: EyeContactTracker, times: list[float], present: bool, looking: bool) -> None:
    for t in times:
        tracker.update(t, present, looking)


# --- EyeContactTracker -------------------------------------------------------------------


def test_six_seconds_looking_then_four_away() -> None:
    tr = EyeContactTracker(window_s=10.0)
    feed(tr, irregular_times(0.0, 6.0, seed=1), True, True)
    feed(tr, irregular_times(6.0, 10.0, seed=2) + [10.0], True, False)
    snap = tr.snapshot()
    assert snap["eye_contact"] == pytest.approx(0.6)
    assert snap["eye_contact_total"] == pytest.approx(0.6)
    assert snap["longest_look_away_s"] == pytest.approx(4.0)
    assert snap["looking"] is False


def test_weighted_by_time_not_frames() -> None:
    tr = EyeContactTracker(window_s=10.0)
    feed(tr, [i / 15 for i in range(45)], True, True)  # 3 s at 15 fps: 45 frames
    feed(tr, [3.0 + i / 2 for i in range(7)], True, False)  # 3 s at 2 fps: 7 frames
    assert tr.snapshot()["eye_contact"] == pytest.approx(0.5)


@pytest.mark.parametrize("fps", [2, 15])
def test_single_odd_frame_does_not_flip(fps: int) -> None:
    tr = EyeContactTracker()
    times = [i / fps for i in range(5 * fps + 1)]
    odd = times[len(times) // 2]
    for t in times:
        tr.update(t, True, t != odd)
        if t == odd:
            assert tr.snapshot()["looking"] is True
    snap = tr.snapshot()
    assert snap["looking"] is True
    assert snap["eye_contact"] == pytest.approx(1.0)
    assert snap["longest_look_away_s"] == 0.0


def test_two_frame_blip_at_15_fps_is_ignored() -> None:
    tr = EyeContactTracker()
    for i in range(61):
        tr.update(i / 15, True, i not in (30, 31))
    snap = tr.snapshot()
    assert snap["longest_look_away_s"] == 0.0
    assert snap["eye_contact"] == pytest.approx(1.0)


def test_short_real_glance_away_counts() -> None:
    tr = EyeContactTracker()
    for i in range(int(6 * 15) + 1):
        t = i / 15
        tr.update(t, True, not 2.0 <= t < 2.6)
    snap = tr.snapshot()
    assert snap["looking"] is True
    assert snap["longest_look_away_s"] == pytest.approx(0.6, abs=1e-6)
    assert snap["eye_contact"] == pytest.approx(1 - 0.6 / 6, abs=1e-6)


def test_window_slides_but_total_keeps_history() -> None:
    tr = EyeContactTracker(window_s=10.0)
    feed(tr, [i / 5 for i in range(50)], True, False)  # 0-10 s away
    feed(tr, [10 + i / 5 for i in range(51)], True, True)  # 10-20 s looking
    snap = tr.snapshot()
    assert snap["eye_contact"] == pytest.approx(1.0)
    assert snap["eye_contact_total"] == pytest.approx(0.5)
    assert snap["longest_look_away_s"] == pytest.approx(10.0)
    assert snap["looking"] is True


def test_absent_time_excluded_from_share_but_counts_as_look_away() -> None:
    tr = EyeContactTracker(window_s=10.0)
    feed(tr, [i / 10 for i in range(40)], True, True)  # 0-4 looking
    feed(tr, [4 + i / 10 for i in range(20)], True, False)  # 4-6 away
    feed(tr, [6 + i / 10 for i in range(10)], False, False)  # 6-7 no face
    feed(tr, [7 + i / 10 for i in range(31)], True, True)  # 7-10 looking
    snap = tr.snapshot()
    assert snap["eye_contact"] == pytest.approx(7 / 9)
    assert snap["longest_look_away_s"] == pytest.approx(3.0)


def test_no_face_at_all() -> None:
    tr = EyeContactTracker()
    assert tr.snapshot()["eye_contact"] is None
    feed(tr, [i / 4 for i in range(21)], False, False)
    snap = tr.snapshot()
    assert snap["eye_contact"] is None and snap["eye_contact_total"] is None
    assert snap["looking"] is False
    assert snap["longest_look_away_s"] == pytest.approx(5.0)


def test_frame_gap_counts_as_no_face() -> None:
    tr = EyeContactTracker()
    feed(tr, [i / 5 for i in range(11)], True, True)  # 0-2 s
    feed(tr, [12.0, 12.2, 12.4], True, True)  # stream stalled for 10 s
    snap = tr.snapshot()
    assert snap["looking"] is True
    assert snap["eye_contact_total"] == pytest.approx(1.0)
    assert snap["longest_look_away_s"] == pytest.approx(10.0 - MAX_GAP_S)


def test_out_of_order_frames_are_ignored() -> None:
    tr = EyeContactTracker()
    feed(tr, [0.0, 0.5, 1.0], True, True)
    tr.update(0.7, True, False)
    tr.update(0.8, True, False)
    assert tr.snapshot()["longest_look_away_s"] == 0.0


# --- PostureTracker ----------------------------------------------------------------------


def pose(tilt: float = 2.0, neck: float | None = 0.6) -> PoseObservation:
    return PoseObservation(
        present=True, shoulder_tilt_deg=tilt, shoulder_width=0.4, neck_ratio=neck
    )


def test_baseline_then_slouch() -> None:
    tr = PostureTracker(baseline_s=5.0)
    out = {}
    for i in range(25):  # 0-4.8 s at 5 fps
        out = tr.update(i / 5, pose(neck=0.6 + (0.02 if i % 2 else -0.02)))
        assert out["baseline_ready"] is False and out["slouch"] is None
        assert out["label"] == "ok"
    out = tr.update(5.0, pose())
    assert out["baseline_ready"] is True
    assert tr.baseline == pytest.approx(0.6, abs=0.021)
    for i in range(1, 11):  # 2 s sitting 30% lower
        out = tr.update(5.0 + i / 5, pose(neck=0.42))
    assert out["label"] == "slouching"
    assert out["slouch"] == pytest.approx(0.3, abs=0.03)


def test_single_slouched_frame_is_smoothed_away() -> None:
    tr = PostureTracker(baseline_s=2.0)
    for i in range(11):
        tr.update(i / 5, pose())
    assert tr.update(2.2, pose(neck=0.3))["label"] == "ok"
    assert tr.update(2.4, pose())["label"] == "ok"


def test_tilt_detected_before_baseline() -> None:
    tr = PostureTracker()
    out = {}
    for i in range(6):
        out = tr.update(i / 5, pose(tilt=-15.0))
    assert out["label"] == "tilted"
    assert out["tilt_deg"] == pytest.approx(-15.0)
    assert out["baseline_ready"] is False


def test_absent_time_does_not_count_toward_baseline() -> None:
    tr = PostureTracker(baseline_s=5.0)
    for i in range(16):  # present 0-3 s
        tr.update(i / 5, pose())
    for i in range(50):  # away 3.2-13 s
        out = tr.update(3.2 + i / 5, PoseObservation.absent())
        assert out == {
            "label": "unknown",
            "tilt_deg": None,
            "slouch": None,
            "baseline_ready": False,
        }
    for i in range(10):  # present again 13.2-15 s: only 1.8 s more
        out = tr.update(13.2 + i / 5, pose())
    assert out["baseline_ready"] is False
    for i in range(1, 3):
        out = tr.update(15.0 + i / 5, pose())
    assert out["baseline_ready"] is True


def test_baseline_is_median_robust_to_outliers() -> None:
    tr = PostureTracker(baseline_s=2.0)
    for i in range(11):
        tr.update(i / 5, pose(neck=0.05 if i == 3 else 0.5))
    assert tr.baseline == pytest.approx(0.5)


# --- framing -----------------------------------------------------------------------------


def face(size: float, dx: float = 0.0, dy: float = -0.2) -> FaceObservation:
    return FaceObservation(present=True, center_offset=(dx, dy), face_size=size)


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        (face(0.3), "centred"),
        (face(0.3, dy=-0.55), "centred"),
        (face(0.3, dx=framing.MAX_OFFSET_X + 0.05), "off-centre"),
        (face(0.3, dx=-0.8), "off-centre"),
        (face(0.3, dy=framing.MAX_OFFSET_DOWN + 0.05), "off-centre"),
        (face(0.3, dy=-0.9), "off-centre"),
        (face(framing.TOO_CLOSE_SIZE + 0.05), "too close"),
        (face(framing.TOO_FAR_SIZE - 0.02, dx=0.9), "too far"),
        (FaceObservation.absent(), "no face"),
    ],
)
def test_classify_framing(obs: FaceObservation, expected: str) -> None:
    assert classify_framing(obs) == expected


# --- confidence score --------------------------------------------------------------------

IDEAL = dict(eye_contact=0.8, posture="ok", wpm=140.0, fillers_per_min=1.0, pause_ratio=0.15)


def test_ideal_delivery_scores_100() -> None:
    out = confidence_score(**IDEAL)
    assert out["score"] == 100
    assert out["components"] == {k: 100 for k in WEIGHTS}


def test_no_inputs_gives_no_score() -> None:
    out = confidence_score(
        eye_contact=None, posture=None, wpm=None, fillers_per_min=None, pause_ratio=None
    )
    assert out == {"score": None, "components": {}}


def test_missing_components_renormalise_weights() -> None:
    out = confidence_score(
        eye_contact=0.35, posture="unknown", wpm=None, fillers_per_min=None, pause_ratio=None
    )
    assert out == {"score": 50, "components": {"eye_contact": 50}}
    out = confidence_score(
        eye_contact=0.35, posture="ok", wpm=None, fillers_per_min=None, pause_ratio=None
    )
    assert out["score"] == round((30 * 50 + 20 * 100) / 50)


@pytest.mark.parametrize(
    ("wpm", "expected"),
    [(140, 100), (120, 100), (160, 100), (80, 50), (200, 50), (30, 0), (300, 0)],
)
def test_pace_component(wpm: float, expected: int) -> None:
    assert confidence_score(**{**IDEAL, "wpm": wpm})["components"]["pace"] == expected


def test_fillers_pauses_posture_components() -> None:
    out = confidence_score(
        **{**IDEAL, "fillers_per_min": 7.0, "pause_ratio": 0.475, "posture": "slouching"}
    )
    assert out["components"]["fillers"] == 50
    assert out["components"]["pauses"] == 50
    assert out["components"]["posture"] == 40
    expected = (30 * 100 + 20 * 40 + 20 * 100 + 15 * 50 + 15 * 50) / 100
    assert out["score"] == round(expected)


def test_worse_delivery_scores_lower() -> None:
    good = confidence_score(**IDEAL)["score"]
    worse = confidence_score(**{**IDEAL, "eye_contact": 0.2})["score"]
    worst = confidence_score(
        eye_contact=0.0, posture="slouching", wpm=250.0, fillers_per_min=20.0, pause_ratio=0.9
    )["score"]
    assert good > worse > worst
    assert worst == round(20 * 40 / 100)
