"""The live video pipeline of one session: sampled camera frames in, vision metrics out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np

from analyzers.camera_freeze import CameraFreezeDetector
from analyzers.eye_contact import EyeContactTracker
from analyzers.face import FaceObservation
from analyzers.framing import classify_framing
from analyzers.posture import PostureTracker
from media.camera_frame import JPEG, FramePayload, rgb_payload, video_payload
from media.jpeg import ImageError, check_jpeg, decode_jpeg
from media.recorder import VIDEO_WIDTH
from server.live.vision_scheduler import VisionJob, VisionResult, VisionScheduler


@dataclass
class VideoConfig:
    face_fps: float = 5.0  # face analysis rate per session
    pose_interval_s: float = 2.0  # pose costs 5x a face mesh and posture changes slowly


@dataclass
class VideoCounters:
    frames_in: int = 0
    frames_sampled_out: int = 0  # skipped by the sampling rate
    frames_dropped: int = 0  # replaced by a newer frame before analysis
    frames_analysed: int = 0
    analysis_ms_total: float = 0.0
    last_analysis_ms: float = 0.0
    #: the longest wall-clock interval between two successive analysed frames while frames
    #: kept coming (how stale the eye-contact metric ever got; camera pauses do not count)
    max_update_gap_s: float = 0.0


#: a frame as recording gets it: a PyAV frame, or a function returning RGB
RecordedFrame = av.VideoFrame | Callable[[], np.ndarray]

#: the smallest JPEG decode the recording can use (a 4:3 frame at its default width)
RECORDED_SIZE = (VIDEO_WIDTH, VIDEO_WIDTH * 3 // 4)

CAMERA_PAUSE_S = 1.0  # no frame for this long: the camera paused (off, muted, tab hidden)


class RateSampler:
    """Takes frames at `fps` on average from a stream of any rate (the newest frame wins).

    Frames are due every 1/fps s on a fixed grid; a frame up to a quarter interval early is
    taken (camera timing jitters), so a 5-fps camera keeps all its frames instead of every
    other one, and a faster camera gives `fps`. After a pause the grid restarts at the next
    frame: no burst of catch-up frames."""

    def __init__(self, fps: float) -> None:
        self.interval = 1.0 / fps
        self._due = -1e9

    def take(self, now: float) -> bool:
        if now < self._due - self.interval / 4:
            return False
        late = now - self._due > self.interval  # the first frame, or after a pause
        self._due = (now if late else self._due) + self.interval
        return True


class DecodeOnce:
    """A frame's decode function run at most once, whichever thread asks first; the others
    wait and share the result. Vision and recording get the same frame: converting a PyAV frame
    from two threads at once is unsafe (it caches one scaler per frame), and twice is waste."""

    def __init__(self, decode: Callable[[], np.ndarray]) -> None:
        self._decode: Callable[[], np.ndarray] | None = decode
        self._lock = threading.Lock()
        self._result: np.ndarray | None = None
        self._error: Exception | None = None

    def __call__(self) -> np.ndarray:
        with self._lock:
            if self._decode is not None:
                try:
                    self._result = self._decode()
                except Exception as exc:  # noqa: BLE001 - re-raised for every caller
                    self._error = exc
                self._decode = None
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


class VideoPipeline:
    """Samples frames (latest wins), analyses them on the shared pool, tracks eye contact,
    framing and posture for the session."""

    def __init__(
        self,
        key: str,
        scheduler: VisionScheduler,
        clock: Callable[[], float],
        on_error: Callable[[str, str], None],
        config: VideoConfig | None = None,
    ) -> None:
        self.key = key
        self.scheduler = scheduler
        self.clock = clock
        self.on_error = on_error
        self.cfg = config or VideoConfig()
        self.eye = EyeContactTracker()
        self.posture_tracker = PostureTracker()
        self.freeze = CameraFreezeDetector()  # still frames: a photo, not a person
        self.counters = VideoCounters()
        self.face: FaceObservation | None = None
        self.posture: dict | None = None
        #: called with (frame, session time) for every frame that is analysed; the frame is a
        #: PyAV frame (WebRTC: the listener converts it with a scaler of its own) or a function
        #: returning RGB, to be called off the event loop
        self.frame_listeners: list[Callable[[RecordedFrame, float], None]] = []
        self._face_sampler = RateSampler(self.cfg.face_fps)
        self.pose_interval_s = self.cfg.pose_interval_s
        #: the degradation ladder's top level: frames are not analysed (`server.live.quality`)
        self.paused = False
        self._last_pose = -1e9
        self._updated_at: float | None = None
        self._delivered_at: float | None = None
        self._frame_in_at = -1e9

    @property
    def active(self) -> bool:
        return self.face is not None

    @property
    def camera_on(self) -> bool:
        """Frames are coming (the last one less than `CAMERA_PAUSE_S` ago)."""
        return time.monotonic() - self._frame_in_at <= CAMERA_PAUSE_S

    @property
    def face_fps(self) -> float:
        """The rate frames are analysed at now."""
        return 1.0 / self._face_sampler.interval

    def set_face_fps(self, fps: float | None) -> None:
        """Analyse at most `fps` frames a second (None: the configured rate)."""
        rate = min(fps or self.cfg.face_fps, self.cfg.face_fps)
        if abs(self.face_fps - rate) > 1e-9:
            self._face_sampler = RateSampler(rate)

    def set_pose_interval(self, seconds: float | None) -> None:
        """Analyse posture at most every `seconds` (None: the configured interval)."""
        self.pose_interval_s = max(seconds or 0.0, self.cfg.pose_interval_s)

    def submit_jpeg(self, data: bytes) -> None:
        """A JPEG camera frame from the WebSocket; header checked here, decoded in the pool."""
        try:
            check_jpeg(data)
        except ImageError as exc:
            self.on_error(exc.code, str(exc))
            return
        # the vision worker decodes the JPEG whole; the recording, 320 px wide, needs a quarter
        # of it (libjpeg decodes 640x480 at half scale)
        self._submit(lambda: FramePayload(JPEG, data), lambda: decode_jpeg(data, RECORDED_SIZE))

    def submit_frame(self, frame: av.VideoFrame | Callable[[], np.ndarray]) -> None:
        """A decoded WebRTC frame (its I420 planes go to the vision worker), or a function
        returning RGB (run once, on a pool thread, for vision and recording alike)."""
        if isinstance(frame, av.VideoFrame):
            self._submit(lambda: video_payload(frame), frame)
        else:
            decode = DecodeOnce(frame)
            self._submit(rgb_payload(decode), decode)

    def _submit(self, payload: Callable[[], FramePayload], recorded: RecordedFrame) -> None:
        c = self.counters
        c.frames_in += 1
        now = time.monotonic()
        if now - self._frame_in_at > CAMERA_PAUSE_S:
            self._delivered_at = None  # the camera paused: the next gap starts afresh
        self._frame_in_at = now
        if self.paused or not self._face_sampler.take(now):
            c.frames_sampled_out += 1
            return
        want_pose = now - self._last_pose >= self.pose_interval_s
        if want_pose:
            self._last_pose = now
        job = VisionJob(payload=payload, want_pose=want_pose, t=self.clock(),
                        deliver=self._deliver)
        for listener in self.frame_listeners:
            listener(recorded, job.t)
        if not self.scheduler.submit(self.key, job):
            c.frames_dropped += 1

    def _deliver(self, result: VisionResult) -> None:
        c = self.counters
        if result.error is not None:
            code = getattr(result.error, "code", "bad_video")
            self.on_error(code, f"video frame could not be analysed: {result.error}")
            return
        if result.thumb is not None:
            self.freeze.update(result.t, result.thumb)
        c.frames_analysed += 1
        now = time.monotonic()
        if self._delivered_at is not None:
            c.max_update_gap_s = max(c.max_update_gap_s, now - self._delivered_at)
        self._delivered_at = now
        c.last_analysis_ms = result.analysis_ms
        c.analysis_ms_total += result.analysis_ms
        face = result.face or FaceObservation.absent()
        self.face = face
        self.eye.update(result.t, face.present, face.looking)
        if result.pose is not None:
            self.posture = self.posture_tracker.update(result.t, result.pose)
        self._updated_at = result.t

    def metrics(self) -> dict:
        """Vision fields of the live `metrics` event (empty before the first analysed frame;
        only `analysis_paused` while the ladder pauses the analysis: nothing was observed)."""
        if self.paused:
            return {"analysis_paused": True}
        if self.face is None:
            return {}
        face = self.face
        eye = self.eye.snapshot()
        c = self.counters
        return {
            "face_present": face.present,
            "eye_contact": _round(eye["eye_contact"]),
            "eye_contact_total": _round(eye["eye_contact_total"]),
            "longest_look_away_s": _round(eye["longest_look_away_s"]),
            "looking": eye["looking"],
            "head": {"yaw": _round(face.yaw), "pitch": _round(face.pitch),
                     "roll": _round(face.roll)},
            "framing": classify_framing(face),
            "posture": self.posture or {"label": "unknown"},
            "camera_frozen": self.freeze.frozen,
            "frozen_s": round(self.freeze.frozen_s, 2),
            "video": {
                "frames_in": c.frames_in,
                "frames_analysed": c.frames_analysed,
                "frames_dropped": c.frames_dropped + c.frames_sampled_out,
                "analysis_ms": round(c.last_analysis_ms, 1),
                "analysis_fps": round(self.face_fps, 2),
                "updated_t": _round(self._updated_at),
                "max_update_gap_s": _round(c.max_update_gap_s),
            },
        }


def _round(value, digits: int = 3):
    return round(value, digits) if isinstance(value, float) else value
