"""The live speech pipeline of one session: PCM in, transcript and delivery events out.

Audio is int16 from the transport to Whisper: resampled once to `SAMPLE_RATE`, segmented by
the VAD, transcribed by the shared `AsrScheduler`. Runs on the event loop but does only cheap
work there (resampling and webrtcvad are a few microseconds per 30-ms frame).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analyzers.asr import AsrResult
from analyzers.audio import SAMPLE_RATE
from analyzers.delivery import DeliveryTracker
from analyzers.vad import VadConfig, VadEvent, VadSegmenter
from media.pcm import Resampler
from media.sink import AudioClosed
from server.events.kinds import Error, Metrics, TranscriptFinal, TranscriptPartial
from server.events.model import EventStream
from server.live.asr_scheduler import AsrScheduler

log = logging.getLogger(__name__)


@dataclass
class SpeechState:
    """What a resumed session's speech continues from (`server.live.restore`)."""

    t: float = 0.0  # the session clock
    finals: list[dict] = field(default_factory=list)  # transcript.final data, in order
    voiced_s: float = 0.0  # voiced audio so far (pause ratio)
    last_utterance: int = 0  # the highest utterance id used


@dataclass
class SpeechConfig:
    partial_interval_s: float = 0.5
    min_partial_s: float = 0.3
    metrics_interval_s: float = 1.0
    speculative: bool = True
    vad: VadConfig | None = None


class SpeechPipeline:
    """VAD-segmented streaming transcription and delivery metrics for one session."""

    def __init__(
        self,
        key: str,
        stream: EventStream,
        scheduler: AsrScheduler,
        config: SpeechConfig | None = None,
        extra_metrics: Callable[[dict], dict] | None = None,
        on_error: Callable[[str, str], None] | None = None,
    ) -> None:
        self.key = key
        self.stream = stream
        self.scheduler = scheduler
        self.cfg = config or SpeechConfig()
        self.vad = VadSegmenter(self.cfg.vad)
        self.delivery = DeliveryTracker()
        self.resampler: Resampler | None = None
        self._ever_started = False
        self._clock_base = 0.0  # session seconds of audio before the current resampler
        self.samples_in = 0  # samples at the current rate since then
        self._pos16 = 0
        self._last_partial_pos = 0
        #: partial transcripts on (the degradation ladder turns them off: finals only)
        self.partials = True
        self._last_metrics_t = 0.0
        self._partial_text: dict[int, str] = {}
        self._finalised_upto = 0  # utterance ids up to this have their final (ids increase)
        self._speculative: tuple[int, asyncio.Future] | None = None
        self._last_final: asyncio.Task | None = None
        self._context = ""
        self._last_speech_end: float | None = None
        self.finals_pending = 0
        self._flushing = False
        #: adds fields (vision, confidence) to each metrics event, given the speech fields
        self.extra_metrics = extra_metrics
        self._error = on_error or (lambda code, message: self.stream.emit(
            Error(code=code, message=message), self.t))
        #: called with each final transcript's event data, after it was emitted
        self.final_listeners: list[Callable[[dict], None]] = []
        #: called with the session time after each metrics event (about once per second)
        self.tick_listeners: list[Callable[[float], None]] = []
        #: called with (raw PCM16 bytes at the input rate, session time of its first sample)
        self.pcm_listeners: list[Callable[[bytes, float], None]] = []

    # -- clock and lifecycle -----------------------------------------------------------------
    @property
    def started(self) -> bool:
        """Audio has flowed at some point (the session clock is the audio clock)."""
        return self._ever_started

    @property
    def running(self) -> bool:
        """Audio is being taken now (started and neither paused nor stopped)."""
        return self.resampler is not None and not self._flushing

    @property
    def t(self) -> float:
        """Seconds of audio received (the session clock), across pauses and rate changes."""
        if self.resampler is None:
            return self._clock_base
        return self._clock_base + self.samples_in / self.resampler.rate

    def start(self, rate: int) -> None:
        """Take PCM at `rate` Hz from now on, also after a pause: the clock goes on (ValueError
        for an unsupported rate)."""
        resampler = Resampler(rate, SAMPLE_RATE)
        self._clock_base = self.t
        self.samples_in = 0
        self.resampler = resampler
        self._flushing = False
        self._ever_started = True

    def pause(self) -> None:
        """The candidate went away: take no audio until `start` again; the clock stops. An
        utterance in progress stays open, so words cut by the drop come out whole when the
        candidate goes on (`close_utterance` ends it)."""
        if not self.running:
            return
        self._push_tail()
        self._clock_base = self.t
        self.samples_in = 0
        self.resampler = None
        self._flushing = False
        self.scheduler.forget(self.key)

    async def close_utterance(self) -> None:
        """End the utterance in progress (its final comes as usual) and wait for the finals."""
        for event in self.vad.flush():
            self._on_vad(event)
        if self._last_final is not None:
            await asyncio.shield(self._last_final)

    def restore(self, state: SpeechState) -> None:
        """Continue a session rebuilt from its stored events (a resume on a new process)."""
        self._ever_started = state.t > 0 or bool(state.finals)
        self._clock_base = state.t
        self._pos16 = self._last_partial_pos = round(state.t * SAMPLE_RATE)
        self.vad = VadSegmenter(self.cfg.vad, start_sample=self._pos16,
                                first_id=state.last_utterance + 1)
        self.vad.voiced_samples = round(state.voiced_s * SAMPLE_RATE)
        self._finalised_upto = state.last_utterance
        spoken = [f for f in state.finals if f.get("text")]  # "" withdrew a partial
        for final in spoken:
            self.delivery.add_final(final["text"], float(final["start"]), float(final["end"]))
        if spoken:
            self._context = spoken[-1]["text"][-200:]
        if state.finals:
            self._last_speech_end = float(state.finals[-1]["end"])
        self._last_metrics_t = state.t

    # -- input ---------------------------------------------------------------------------------
    def push_pcm(self, pcm: bytes) -> None:
        """Mono int16 PCM at the start rate; AudioClosed once the stop flush has begun."""
        assert self.resampler is not None, "start() first"
        if self._flushing:
            raise AudioClosed("the stream was stopped")
        for listener in self.pcm_listeners:
            listener(pcm, self.t)
        self.samples_in += len(pcm) // 2
        self._feed(self.resampler.process(pcm))

    def _feed(self, samples: np.ndarray) -> None:
        self._pos16 += len(samples)
        for event in self.vad.push(samples):
            self._on_vad(event)
        if self.vad.in_speech and (
            self.partials
            and self._pos16 - self._last_partial_pos >= self.cfg.partial_interval_s * SAMPLE_RATE
        ):
            self._last_partial_pos = self._pos16
            self.scheduler.request_partial(self.key, self._partial_source, self._on_partial)
        if self.t - self._last_metrics_t >= self.cfg.metrics_interval_s:
            self._last_metrics_t = self.t
            self.emit_metrics()

    async def flush(self) -> None:
        """Stop: close the open utterance and wait until every final transcript is out (again:
        only the wait)."""
        if self.resampler is not None and not self._flushing:
            self._push_tail()
        await self.close_utterance()
        self.scheduler.forget(self.key)
        self.emit_metrics()

    def _push_tail(self) -> None:
        """The resampler's last samples into the VAD; it takes no more input."""
        assert self.resampler is not None
        self._flushing = True
        tail = self.resampler.process(b"", last=True)
        if len(tail):
            self._pos16 += len(tail)
            for event in self.vad.push(tail):
                self._on_vad(event)

    # -- VAD events ------------------------------------------------------------------------------
    def _on_vad(self, event: VadEvent) -> None:
        if event.kind == "start":
            self._last_partial_pos = self._pos16
        elif event.kind == "pause" and self.cfg.speculative:
            snap = self.vad.snapshot()
            if snap is not None:
                uid, _, audio = snap
                fut = self.scheduler.submit_final(self.key, audio, self._context)
                self._speculative = (uid, fut)
        elif event.kind == "resume":
            self._drop_speculative()
        elif event.kind == "end" and event.utterance is not None:
            utt = event.utterance
            fut: asyncio.Future | None = None
            if self._speculative and self._speculative[0] == utt.id:
                fut = self._speculative[1]
                self._speculative = None
            else:
                self._drop_speculative()
                fut = self.scheduler.submit_final(self.key, utt.audio, self._context)
            self._finalised_upto = max(self._finalised_upto, utt.id)
            self._last_speech_end = utt.speech_end / SAMPLE_RATE
            self.finals_pending += 1
            previous = self._last_final
            self._last_final = asyncio.create_task(self._finalise(utt, fut, previous))

    def _drop_speculative(self) -> None:
        if self._speculative is not None:
            self.scheduler.cancel_final(self._speculative[1])
            self._speculative = None

    async def _finalise(self, utt, fut: asyncio.Future, previous: asyncio.Task | None) -> None:
        try:
            result: AsrResult | None = await fut
        except Exception as exc:  # noqa: BLE001 - reported, the session goes on
            log.error("final of utterance %s failed: %s", utt.id, exc)
            result = None
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # keep finals in order
        self.finals_pending -= 1
        offset = utt.start / SAMPLE_RATE
        start, end = utt.speech_start / SAMPLE_RATE, utt.speech_end / SAMPLE_RATE
        if result is None:
            self._error("asr_failed", f"transcription of utterance {utt.id} failed")
            return
        text = result.text
        shown = self._partial_text.pop(utt.id, None)
        if result.filtered:
            log.debug("utterance %s is not speech (%s): %.2f s", utt.id, result.filtered,
                      end - start)
        if not text:
            if shown is not None:  # withdraw the partial: a final without words
                self.stream.emit(TranscriptFinal(utterance=utt.id, text="", start=round(start, 3),
                                                 end=round(end, 3), words=[]), self.t)
            return  # not speech: no transcript, no delivery, no answer
        # Whisper puts a first word anywhere in the pre-roll before it: no earlier than the
        # speech the VAD heard
        words = [
            {"word": w.word, "start": round(max(offset + w.start, start), 3),
             "end": round(max(offset + w.end, start), 3), "probability": w.probability}
            for w in result.words
        ]
        self.delivery.add_final(text, start, end)
        self._context = text[-200:]
        event = self.stream.emit(TranscriptFinal(utterance=utt.id, text=text,
                                                 start=round(start, 3), end=round(end, 3),
                                                 words=words), self.t)
        for listener in self.final_listeners:
            listener(event.data)

    # -- partials ---------------------------------------------------------------------------------
    def _partial_source(self):
        snap = self.vad.snapshot()
        if snap is None:
            return None
        uid, start, audio = snap
        if uid <= self._finalised_upto or len(audio) < self.cfg.min_partial_s * SAMPLE_RATE:
            return None
        return audio, self._context, (uid, start, len(audio))

    def _on_partial(self, result: AsrResult, context: object) -> None:
        uid, start, n = context  # type: ignore[misc]
        if uid <= self._finalised_upto or not result.text:
            return
        if self._partial_text.get(uid) == result.text:
            return
        self._partial_text[uid] = result.text
        self.stream.emit(TranscriptPartial(utterance=uid, text=result.text,
                                           start=round(start / SAMPLE_RATE, 3),
                                           end=round((start + n) / SAMPLE_RATE, 3)), self.t)

    # -- metrics ----------------------------------------------------------------------------------
    def metrics(self) -> dict:
        voiced_s = self.vad.voiced_samples / SAMPLE_RATE
        return {**self.delivery.snapshot(self.t, voiced_s), "voiced_s": round(voiced_s, 2)}

    def emit_metrics(self) -> None:
        fields = self.metrics()
        vision = self.extra_metrics(fields) if self.extra_metrics is not None else {}
        self.stream.emit(Metrics(**fields, vision=vision), self.t)
        for listener in self.tick_listeners:
            listener(self.t)

    @property
    def last_speech_end(self) -> float | None:
        """Session time at which the last closed utterance's speech ended."""
        return self._last_speech_end

    @property
    def speaking(self) -> bool:
        """True while an utterance is open or its final transcript is still pending."""
        return self.vad.in_speech or self.finals_pending > 0
