"""Session recording: the candidate's audio (and video at a reduced frame rate) written to a
WebM file while the session runs.

* **Format:** WebM (Matroska) with Opus audio (48 kHz mono) and, when the camera sends frames,
  VP8 video (`video_fps` frames per second, `video_width` pixels wide). Browsers play it.
* **Clock:** media time is the session clock (the `t` passed with every chunk and frame), so a
  player's `currentTime` equals the `t` of the session's events. Audio timestamps come from the
  cumulative sample count (gaps in `t`, e.g. dropped chunks, are filled with silence); video
  timestamps are the frames' session times (non-increasing ones are skipped).
* **Streaming:** a dedicated writer thread encodes and muxes packets as they come; Matroska
  clusters are closed about every second and written through, so the file grows during the
  session and a crash leaves a file playable up to about the last second (without seek cues).
* **Streams:** the container's streams must be known before its header is written. The writer
  holds the first audio (at most `video_wait_s` seconds) until a video frame arrives; with no
  frame by then the file is audio-only and later frames are ignored (counted).
* **Back-pressure:** the queue holds up to `max_queue_audio_s` seconds of audio; when it is full
  `push_audio` drops the chunk at once (it never waits: it runs on the event loop), counts it
  and logs each run of drops with how much was lost; the gap becomes silence. Video frames are
  dropped (counted) when `max_queue_frames` are waiting.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

log = logging.getLogger(__name__)

VIDEO_WIDTH = 320  # the recording's video width by default (px)
AUDIO_RATE = 48000
OPUS_FRAME = 960  # 20 ms at 48 kHz
VIDEO_TIME_BASE = Fraction(1, 1000)
_CLOSE = object()


@dataclass
class RecorderStats:
    audio_chunks: int = 0
    audio_s: float = 0.0  # seconds of audio encoded (at the input rate, before resampling)
    audio_gap_s: float = 0.0  # silence inserted for gaps in the session clock
    audio_dropped: int = 0  # chunks dropped because the queue was full
    audio_dropped_s: float = 0.0  # and how many seconds of audio they held
    frames_in: int = 0  # frames offered
    frames_sampled_out: int = 0  # skipped to reach `video_fps`
    frames_queue_full: int = 0  # dropped: too many frames waiting
    frames_written: int = 0
    frames_skipped: int = 0  # non-increasing time, or after the file was opened audio-only
    frame_errors: int = 0  # decode or encode failures
    write_errors: int = 0  # failures of the writer itself (the rest of the recording is lost)

    def as_dict(self) -> dict:
        return asdict(self)


class SessionRecorder:
    """Writes one session's audio and video to `<path_dir>/<interview_id>.webm`.

    `push_audio` and `push_frame` are cheap and meant to be called from the event loop;
    everything else (decoding frames, resampling, encoding, writing) runs in the writer thread.
    The file and the thread are created at the first audio chunk.
    """

    def __init__(
        self,
        path_dir: str | Path,
        interview_id: str,
        *,
        video_fps: float = 2.0,
        video_width: int = VIDEO_WIDTH,
        video_bitrate: int = 250_000,
        audio_bitrate: int = 32_000,
        video_wait_s: float = 5.0,
        max_queue_audio_s: float = 30.0,
        max_queue_frames: int = 10,
        cluster_ms: int = 1000,
    ) -> None:
        self.dir = Path(path_dir)
        self.interview_id = interview_id
        self.path = self.dir / f"{interview_id}.webm"
        self.video_interval = 1.0 / video_fps
        self.video_width = video_width
        self.video_bitrate = video_bitrate
        self.audio_bitrate = audio_bitrate
        self.video_wait_s = video_wait_s
        self.max_queue_audio_s = max_queue_audio_s
        self.max_queue_frames = max_queue_frames
        self.cluster_ms = cluster_ms
        self.stats = RecorderStats()
        self.closed = False
        #: None until the streams are decided; then whether the file has a video stream
        self.has_video: bool | None = None

        # producer side (event loop)
        self._cond = threading.Condition()
        self._queue: collections.deque = collections.deque()
        self._queued_audio_s = 0.0
        self._queued_frames = 0
        self._thread: threading.Thread | None = None
        self._audio_started = False
        self._next_frame_t = 0.0
        self._dropping = False  # in a run of dropped chunks (logged when it starts and ends)

        # writer side (thread)
        self._pending: list[tuple] = []
        self._container = None
        self._astream = None
        self._vstream = None
        self._resampler: av.AudioResampler | None = None
        self._in_rate: int | None = None
        self._in_samples = 0  # input samples consumed (incl. inserted silence)
        self._out_samples = 0  # 48-kHz samples sent to the encoder
        self._leftover = np.zeros(0, np.int16)
        self._last_frame_pts = -1
        self._scaler = VideoReformatter()
        self._broken = False

    # -- producer side (event loop) -------------------------------------------------------------
    def push_audio(self, pcm: bytes, t: float, rate: int) -> None:
        """PCM16 mono `pcm` at `rate` whose first sample is at session time `t`."""
        if self.closed or not pcm:
            return
        seconds = len(pcm) / 2 / rate
        with self._cond:
            if self._queued_audio_s + seconds > self.max_queue_audio_s:
                self.stats.audio_dropped += 1
                self.stats.audio_dropped_s += seconds
                if not self._dropping:
                    self._dropping = True
                    log.warning("recording %s: the writer is %.0f s behind; dropping audio "
                                "(a gap of silence in the file)", self.interview_id,
                                self._queued_audio_s)
                return
            if self._dropping:
                self._dropping = False
                log.warning("recording %s: recording again; %.1f s of audio dropped so far",
                            self.interview_id, self.stats.audio_dropped_s)
            self._ensure_thread()
            self._audio_started = True
            self._queue.append(("audio", pcm, t, rate, seconds))
            self._queued_audio_s += seconds
            self._cond.notify_all()

    def push_frame(self, decode: Callable[[], np.ndarray] | av.VideoFrame, t: float) -> None:
        """A camera frame at session time `t`: a function returning RGB, called in the writer
        thread, or a PyAV frame. Frames before the first audio, or closer than 1 / `video_fps`
        to the last one kept, are skipped."""
        if self.closed:
            return
        self.stats.frames_in += 1
        if not self._audio_started or t < self._next_frame_t - 1e-6:
            self.stats.frames_sampled_out += 1
            return
        # keep a regular grid on average (5 fps in -> 2 fps out), restart it after a gap
        step = self.video_interval
        nxt = self._next_frame_t + step
        self._next_frame_t = nxt if t < nxt else t + step
        with self._cond:
            if self._queued_frames >= self.max_queue_frames:
                self.stats.frames_queue_full += 1
                return
            self._queue.append(("video", decode, t))
            self._queued_frames += 1
            self._cond.notify_all()

    def close(self, timeout: float | None = None) -> None:
        """Finish the file (flush the encoders, write the index) and stop the thread."""
        with self._cond:
            if self.closed:
                thread = self._thread
            else:
                self.closed = True
                thread = self._thread
                if thread is not None:
                    self._queue.append(_CLOSE)
                    self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"recorder-{self.interview_id[:8]}", daemon=True
            )
            self._thread.start()

    # -- writer thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                item = self._queue.popleft()
                if item is not _CLOSE:
                    if item[0] == "audio":
                        self._queued_audio_s -= item[4]
                    else:
                        self._queued_frames -= 1
                self._cond.notify_all()
            if item is _CLOSE:
                break
            if self._broken:
                continue  # keep draining so producers never wait on a dead writer
            try:
                self._handle(item)
            except Exception:  # noqa: BLE001 - a broken recording must not break the session
                log.exception("recording %s failed; the rest is not recorded", self.interview_id)
                self.stats.write_errors += 1
                self._broken = True
        try:
            self._finish()
        except Exception:  # noqa: BLE001
            log.exception("finishing recording %s failed", self.interview_id)
            self.stats.write_errors += 1
        log.info("recording %s closed: %s", self.interview_id, self.stats.as_dict())

    def _handle(self, item: tuple) -> None:
        if self._container is not None:
            self._write(item)
            return
        # streams not decided yet: hold audio until a frame comes or `video_wait_s` passed
        self._pending.append(item)
        if item[0] == "video":
            self._open_with_video(item)
        elif item[2] + item[4] >= self.video_wait_s:
            self._open(None)

    def _open_with_video(self, item: tuple) -> None:
        """Decide the video size from the first decodable frame (a bad one waits for the next)."""
        try:
            picture = self._picture(item[1])
        except Exception as exc:  # noqa: BLE001
            self.stats.frame_errors += 1
            log.debug("recording %s: undecodable frame: %s", self.interview_id, exc)
            self._pending.pop()
            return
        w, h = picture.width, picture.height
        width = min(self.video_width, w - w % 2)
        height = max(2, round(h * width / w / 2) * 2)
        self._pending[-1] = ("video", picture, item[2])  # decoded once
        self._open((width, height))

    @staticmethod
    def _picture(decode: Callable[[], np.ndarray] | av.VideoFrame) -> av.VideoFrame:
        """The frame as a PyAV frame (a WebRTC frame as it is; a decode function from the video
        pipeline returns RGB, converted once for vision and recording alike)."""
        if isinstance(decode, av.VideoFrame):
            return decode
        rgb = decode()
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[..., :3]), format="rgb24")

    def _open(self, size: tuple[int, int] | None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        container = av.open(
            str(self.path), "w", format="webm",
            container_options={
                # close a cluster about every second and write it through at once
                "cluster_time_limit": str(self.cluster_ms),
                "flush_packets": "1",
                # do not hold audio back waiting for sparse video packets
                "max_interleave_delta": "1000000",
            },
        )
        try:
            audio = container.add_stream("libopus", rate=AUDIO_RATE,
                                         options={"application": "voip",
                                                  # 3 of 10: a third less CPU than the
                                                  # default 10 (11 vs 17 ms per s of speech)
                                                  "compression_level": "3"})
            audio.layout = "mono"
            audio.bit_rate = self.audio_bitrate
            if size is not None:
                video = container.add_stream(
                    "libvpx", rate=max(1, round(1 / self.video_interval)),
                    options={"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0",
                             "auto-alt-ref": "0", "qmin": "4", "qmax": "50"},
                )
                video.width, video.height = size
                video.pix_fmt = "yuv420p"
                video.bit_rate = self.video_bitrate
                video.codec_context.time_base = VIDEO_TIME_BASE
                video.codec_context.gop_size = max(1, round(2 / self.video_interval))  # 2 s
                video.codec_context.thread_count = 1
                self._vstream = video
        except Exception:
            container.close()
            raise
        self._container = container
        self._astream = audio
        self.has_video = size is not None
        pending, self._pending = self._pending, []
        for item in pending:
            self._write(item)

    def _write(self, item: tuple) -> None:
        if item[0] == "audio":
            self._write_audio(item[1], item[2], item[3])
        else:
            self._write_frame(item[1], item[2])

    def _write_audio(self, pcm: bytes, t: float, rate: int) -> None:
        if self._in_rate is None:
            self._in_rate = rate
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        elif rate != self._in_rate:
            # the session's rate is fixed at start; a change would desynchronise the clock
            raise ValueError(f"sample rate changed from {self._in_rate} to {rate}")
        samples = np.frombuffer(pcm, dtype="<i2")
        gap = round(t * rate) - self._in_samples
        if gap > rate // 50:  # more than 20 ms missing (dropped chunks): fill with silence
            self.stats.audio_gap_s += gap / rate
            samples = np.concatenate([np.zeros(gap, np.int16), samples])
        self._in_samples += len(samples)
        self.stats.audio_chunks += 1
        self.stats.audio_s += len(pcm) / 2 / rate
        self._resample(samples)

    def _resample(self, samples: np.ndarray | None) -> None:
        assert self._resampler is not None
        if samples is None:
            out_frames = self._resampler.resample(None)
        else:
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16",
                                               layout="mono")
            frame.sample_rate = self._in_rate
            out_frames = self._resampler.resample(frame)
        parts = [self._leftover] + [f.to_ndarray().reshape(-1) for f in out_frames]
        buf = np.concatenate(parts) if len(parts) > 1 else self._leftover
        n = len(buf) - len(buf) % OPUS_FRAME
        for pos in range(0, n, OPUS_FRAME):
            self._encode_audio(buf[pos : pos + OPUS_FRAME])
        self._leftover = buf[n:].copy()

    def _encode_audio(self, block: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._out_samples
        frame.time_base = Fraction(1, AUDIO_RATE)
        self._out_samples += len(block)
        for packet in self._astream.encode(frame):
            self._container.mux(packet)

    def _write_frame(self, decode: Callable[[], np.ndarray] | av.VideoFrame, t: float) -> None:
        if self._vstream is None:
            self.stats.frames_skipped += 1  # the file was opened audio-only
            return
        pts = round(t * 1000)
        if pts <= self._last_frame_pts:
            self.stats.frames_skipped += 1
            return
        try:
            # the recorder's own scaler: never the one cached on a shared frame
            frame = self._scaler.reformat(self._picture(decode), width=self._vstream.width,
                                          height=self._vstream.height, format="yuv420p")
        except Exception as exc:  # noqa: BLE001 - one bad frame is skipped
            self.stats.frame_errors += 1
            log.debug("recording %s: frame skipped: %s", self.interview_id, exc)
            return
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self._last_frame_pts = pts
        for packet in self._vstream.encode(frame):
            self._container.mux(packet)
        self.stats.frames_written += 1

    def _finish(self) -> None:
        if self._container is None:
            if not self._pending or self._broken:
                return  # no audio ever came: no file
            self._open(None)  # short session, no frame: audio-only
        container = self._container
        try:
            if not self._broken:
                if self._resampler is not None:
                    self._resample(None)
                if len(self._leftover):  # pad the last Opus frame with silence
                    pad = np.zeros(OPUS_FRAME - len(self._leftover), np.int16)
                    last = np.concatenate([self._leftover, pad])
                    self._leftover = np.zeros(0, np.int16)
                    self._encode_audio(last)
                for packet in self._astream.encode(None):
                    container.mux(packet)
                if self._vstream is not None:
                    for packet in self._vstream.encode(None):
                        container.mux(packet)
        finally:
            self._container = None
            container.close()
