"""The `simulate` console script and its video sources."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np

from media.video_source import jpeg_frames
from tests.conftest import JFK
from tests.support.media import write_mp4


def test_video_file_is_thinned_to_fps_and_loops(tmp_path):
    video = write_mp4(tmp_path / "face.mp4", seconds=2.0, fps=15)
    frames = jpeg_frames(video, fps=5)
    first = [next(frames) for _ in range(10)]  # 2 s at 5 fps = 10 frames, then it loops
    decoded = cv2.imdecode(np.frombuffer(first[0], np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (480, 640, 3)
    once = list(jpeg_frames(video, fps=5, loop=False))
    assert 9 <= len(once) <= 11


def test_folder_of_images_in_name_order(tmp_path):
    for i, value in enumerate([10, 200]):
        cv2.imwrite(str(tmp_path / f"{i:02d}.png"), np.full((100, 1280, 3), value, np.uint8))
    frames = list(jpeg_frames(tmp_path, loop=False))
    means = [cv2.imdecode(np.frombuffer(f, np.uint8), cv2.IMREAD_GRAYSCALE).mean() for f in frames]
    assert len(frames) == 2 and means[0] < 50 < means[1]
    assert cv2.imdecode(np.frombuffer(frames[0], np.uint8), cv2.IMREAD_COLOR).shape[1] == 640


def test_simulate_streams_audio_and_video(server, tmp_path):
    video = write_mp4(tmp_path / "face.mp4")
    out = subprocess.run(
        [sys.executable, "-m", "media.simulate", str(JFK), "--server", server.url,
         "--video", str(video), "--speed", "2", "--quiet"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "final latency p50=" in out
    assert "fellow americans" in out.lower()
    assert "vision: eye_contact=" in out and "framing=centred" in out
