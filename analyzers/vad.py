"""Utterance segmentation of a 16 kHz PCM stream with webrtcvad."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import webrtcvad

from analyzers.audio import SAMPLE_RATE

#: an utterance cut at `max_utterance_s` ends at its quietest frame of this last stretch
SPLIT_LOOKBACK_S = 1.5


@dataclass
class Utterance:
    """One stretch of speech: sample offsets on the 16 kHz stream and its audio."""

    id: int
    start: int  # first sample of the audio kept (includes pre-roll)
    speech_start: int  # first voiced sample
    speech_end: int  # end of the last voiced frame
    audio: np.ndarray = field(repr=False)  # int16, from `start` to `speech_end` + tail


@dataclass(frozen=True)
class VadEvent:
    """`kind` is one of: start, pause, resume, end."""

    kind: str
    utterance_id: int
    sample: int
    utterance: Utterance | None = None


@dataclass
class VadConfig:
    aggressiveness: int = 2
    frame_ms: int = 30
    onset_frames: int = 3  # voiced frames among the last `onset_window` open an utterance
    onset_window: int = 5
    #: audio kept before the onset (a ring buffer, also seeded with the end of the previous
    #: utterance): weak onsets under the noise floor are not lost (faster-whisper pads 400 ms)
    preroll_ms: int = 450
    tail_ms: int = 180  # silence kept after the last voiced frame; reaching it fires `pause`
    end_ms: int = 390  # silence that closes an utterance
    max_utterance_s: float = 20.0
    #: a frame is speech only if webrtcvad says so AND it is this many times louder than the
    #: noise floor (the `floor_percentile` of frame levels over the last `floor_window_s`):
    #: webrtcvad alone calls steady room noise and background voices speech
    floor_ratio: float = 2.5
    floor_percentile: float = 5.0
    floor_window_s: float = 5.0


class VadSegmenter:
    """Feeds int16 mono 16 kHz samples through webrtcvad and yields utterance events.

    `pause` fires once trailing silence reaches `tail_ms` (the utterance audio is then complete
    unless speech resumes: callers may start decoding it); `resume` cancels it; `end` fires at
    `end_ms` of silence, at `max_utterance_s`, or on `flush()`.
    """

    def __init__(self, config: VadConfig | None = None, *, start_sample: int = 0,
                 first_id: int = 1) -> None:
        """`start_sample`: the stream position of the first sample pushed (a resumed stream
        continues its positions); `first_id`: the id of the first utterance."""
        self.cfg = config or VadConfig()
        self._vad = webrtcvad.Vad(self.cfg.aggressiveness)
        self._frame = SAMPLE_RATE * self.cfg.frame_ms // 1000
        self._pending = np.zeros(0, dtype=np.int16)
        self._pos = start_sample  # samples consumed into whole frames
        preroll_frames = max(1, self.cfg.preroll_ms // self.cfg.frame_ms)
        self._preroll: deque[np.ndarray] = deque(maxlen=preroll_frames)
        self._recent: deque[bool] = deque(maxlen=self.cfg.onset_window)
        self._levels: deque[float] = deque(
            maxlen=max(1, int(self.cfg.floor_window_s * 1000 / self.cfg.frame_ms)))
        self._chunks: list[np.ndarray] = []
        self._utt_start = start_sample
        self._speech_start = start_sample
        self._last_voiced_end = start_sample  # end of webrtcvad's last speech frame
        self._raw_silence_ms = 0
        self._silence_ms = 0
        self._paused = False
        self._next_id = first_id
        self.in_speech = False
        self.voiced_samples = 0  # total voiced samples seen, for pause ratios

    @property
    def current_id(self) -> int | None:
        return self._next_id - 1 if self.in_speech else None

    def snapshot(self) -> tuple[int, int, np.ndarray] | None:
        """(utterance id, start sample, audio so far) of the open utterance, or None."""
        if not self.in_speech or not self._chunks:
            return None
        return self._next_id - 1, self._utt_start, np.concatenate(self._chunks)

    def push(self, samples: np.ndarray) -> list[VadEvent]:
        """Consume int16 samples; return the events they caused, in order."""
        buf = np.concatenate([self._pending, samples.astype(np.int16, copy=False)])
        events: list[VadEvent] = []
        n = len(buf) // self._frame
        for i in range(n):
            frame = buf[i * self._frame : (i + 1) * self._frame]
            events.extend(self._step(frame))
        self._pending = buf[n * self._frame :]
        return events

    def flush(self) -> list[VadEvent]:
        """Close the open utterance (if any) with whatever audio it has."""
        if not self.in_speech:
            self._pending = np.zeros(0, dtype=np.int16)
            return []
        if len(self._pending):
            self._chunks.append(self._pending)
            self._pending = np.zeros(0, dtype=np.int16)
        return [self._close()]

    def _step(self, frame: np.ndarray) -> list[VadEvent]:
        cfg = self.cfg
        raw = self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)
        loud = self._above_floor(frame)  # every frame: the floor is the quiet frames' level
        voiced = raw and loud
        start = self._pos
        self._pos += len(frame)
        # a frame webrtcvad calls speech below the floor: the soft end of a word in noise,
        # or background voices; it does not hold the utterance open, but it is kept in its
        # audio and the speculative decode waits for it
        self._raw_silence_ms = 0 if raw else self._raw_silence_ms + cfg.frame_ms
        if raw and self.in_speech:
            self._last_voiced_end = self._pos
        if voiced:
            self.voiced_samples += len(frame)
        self._recent.append(voiced)
        if not self.in_speech:
            self._preroll.append(frame)
            if sum(self._recent) >= cfg.onset_frames:
                return [self._open(start)]
            return []
        self._chunks.append(frame)
        events: list[VadEvent] = []
        if voiced:
            self._silence_ms = 0
            if self._paused:
                self._paused = False
                events.append(VadEvent("resume", self._next_id - 1, start))
        else:
            self._silence_ms += cfg.frame_ms
            if (not self._paused and self._silence_ms >= cfg.tail_ms
                    and self._raw_silence_ms >= cfg.tail_ms):
                self._paused = True
                events.append(VadEvent("pause", self._next_id - 1, self._pos))
            if self._silence_ms >= cfg.end_ms:
                events.append(self._close())
                return events
        if (self._pos - self._utt_start) >= cfg.max_utterance_s * SAMPLE_RATE:
            events.extend(self._split())
        return events

    def _split(self) -> list[VadEvent]:
        """At `max_utterance_s` of unbroken speech: end the utterance after its quietest frame
        of the last `SPLIT_LOOKBACK_S` (between words, not in one) and go on with a new one
        holding the frames after it."""
        n = len(self._chunks)
        look = min(n - 1, int(SPLIT_LOOKBACK_S * 1000 / self.cfg.frame_ms))
        if look < 1:
            return [self._close()]
        tail = self._chunks[n - look:]
        quietest = int(np.argmin([np.mean(np.square(c, dtype=np.float64)) for c in tail]))
        cut = n - look + quietest + 1
        carry = self._chunks[cut:]
        self._chunks = self._chunks[:cut]
        cut_sample = self._utt_start + sum(len(c) for c in self._chunks)
        self._last_voiced_end = cut_sample
        ended = self._close()
        self._preroll.clear()
        self._chunks = carry
        self._utt_start = self._speech_start = cut_sample
        self._last_voiced_end = self._pos
        self._silence_ms = 0
        self.in_speech = True
        uid = self._next_id
        self._next_id += 1
        return [ended, VadEvent("start", uid, cut_sample)]

    def _above_floor(self, frame: np.ndarray) -> bool:
        level = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64))))
        self._levels.append(level)
        if len(self._levels) < self._levels.maxlen // 4:
            return True  # too little history for a floor yet
        floor = float(np.percentile(self._levels, self.cfg.floor_percentile))
        return level >= self.cfg.floor_ratio * floor

    def _open(self, frame_start: int) -> VadEvent:
        frames = list(self._preroll)
        self._preroll.clear()
        self._chunks = frames
        kept = sum(len(f) for f in frames)
        self._utt_start = self._pos - kept
        # the voiced run began within the onset window
        window = len(self._recent) * self._frame
        self._speech_start = max(self._utt_start, self._pos - window)
        self._last_voiced_end = self._pos
        self._silence_ms = 0
        self._paused = False
        self.in_speech = True
        uid = self._next_id
        self._next_id += 1
        return VadEvent("start", uid, self._speech_start)

    def _close(self) -> VadEvent:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        tail = SAMPLE_RATE * self.cfg.tail_ms // 1000
        keep_until = min(self._utt_start + len(audio), self._last_voiced_end + tail)
        audio = audio[: keep_until - self._utt_start]
        utt = Utterance(
            id=self._next_id - 1,
            start=self._utt_start,
            speech_start=self._speech_start,
            # webrtcvad's own end: a soft last word under the floor is still speech
            speech_end=self._last_voiced_end,
            audio=audio,
        )
        # the closed utterance's last frames are the next one's pre-roll: speech that began
        # during the closing silence (a weak onset the VAD missed) is not lost between the two
        self._preroll.clear()
        last = self._chunks[-(self._preroll.maxlen or 1):]
        self._preroll.extend(f for f in last if len(f) == self._frame)
        self._chunks = []
        self._recent.clear()
        self.in_speech = False
        self._paused = False
        return VadEvent("end", utt.id, utt.speech_end, utt)
