"""Per-frame cost of FaceAnalyzer and PoseAnalyzer on 640x480 frames.

Usage: python bench/vision_cost.py [--frames N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import cv2
import numpy as np
from skimage import data

from analyzers.face import FaceAnalyzer
from analyzers.pose import PoseAnalyzer


def person_frame() -> np.ndarray:
    """The astronaut portrait fitted into a 640x480 gray frame (head and shoulders)."""
    frame = np.full((480, 640, 3), 128, np.uint8)
    img = cv2.resize(data.astronaut(), (480, 480), interpolation=cv2.INTER_AREA)
    frame[:, 80:560] = img
    return frame


def far_frame() -> np.ndarray:
    """A small (far) face that only the full-range fallback detector finds."""
    frame = np.full((480, 640, 3), 128, np.uint8)
    img = cv2.resize(data.astronaut(), (230, 230), interpolation=cv2.INTER_AREA)
    frame[125:355, 205:435] = img
    return frame


def ms_per_frame(fn: Callable[[np.ndarray], object], frame: np.ndarray, frames: int) -> float:
    for _ in range(3):  # warm-up
        fn(frame)
    start = time.perf_counter()
    for _ in range(frames):
        fn(frame)
    return (time.perf_counter() - start) * 1000 / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50)
    args = parser.parse_args()
    person = person_frame()
    far = far_frame()
    empty = np.zeros((480, 640, 3), np.uint8)
    with FaceAnalyzer() as face, PoseAnalyzer() as pose:
        assert face.analyze(person).present and pose.analyze(person).present
        assert face.analyze(far).present
        rows = [
            ("FaceAnalyzer, face present", ms_per_frame(face.analyze, person, args.frames)),
            ("FaceAnalyzer, small far face", ms_per_frame(face.analyze, far, args.frames)),
            ("FaceAnalyzer, no face", ms_per_frame(face.analyze, empty, args.frames)),
            ("PoseAnalyzer, person present", ms_per_frame(pose.analyze, person, args.frames)),
            ("PoseAnalyzer, no person", ms_per_frame(pose.analyze, empty, args.frames)),
        ]
    for name, ms in rows:
        print(f"{name:<30} {ms:7.2f} ms/frame (640x480, {args.frames} frames)")


if __name__ == "__main__":
    main()
