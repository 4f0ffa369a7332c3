"""Speech delivery: pace, pauses and fillers from transcripts and their timings.

Definitions (one answer: :func:`analyzers.answer_metrics.answer_delivery`):

* speaking span: from the answer's first word to its last word, the pauses inside included
  (reading the question and thinking before the first word, and the silence that ends the
  answer, are not in it);
* ``wpm`` = words / span in minutes (hesitation sounds are not words);
* a pause is a silent gap of at least :data:`PAUSE_MIN_S` between consecutive words (word
  timings) or utterances (when a final has no word timings); ``pause_ratio`` = pause time /
  span; a long pause is a gap of at least :data:`LONG_PAUSE_S`;
* a thinking pause is a gap the interview flow announced as one (after "let me think" or an
  unfinished sentence: :mod:`analyzers.turn_end`): it is counted apart and, like the time to
  the first word, is neither a pause nor part of the span;
* ``fillers_per_min`` = fillers (:mod:`analyzers.fillers`) / span in minutes.

The live tracker (:class:`DeliveryTracker`) does not know where answers start and end: it
treats utterances less than :data:`RUN_GAP_S` apart (the flow's answer-ending silence) as one
run, and measures over the runs as if they were the answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzers.fillers import FILLER_SOUNDS, count_fillers, sound_count, words_of

__all__ = ["FILLER_SOUNDS", "DeliveryTracker", "Timing", "count_fillers", "timing", "words_of",
           "word_count"]

#: A silent gap at least this long between words (or utterances) is a pause.
PAUSE_MIN_S = 0.4
#: A pause at least this long is a long pause.
LONG_PAUSE_S = 2.0
#: Live only: utterances this far apart belong to different runs (answers).
RUN_GAP_S = 4.0


@dataclass(frozen=True)
class Timing:
    """Span and pauses of a set of timed segments (words or utterances)."""

    span_s: float = 0.0
    pause_s: float = 0.0
    long_pauses: int = 0
    longest_pause_s: float = 0.0
    first_t: float | None = None
    last_t: float | None = None
    thinking_pauses: int = 0
    thinking_s: float = 0.0

    @property
    def pause_ratio(self) -> float | None:
        return min(1.0, self.pause_s / self.span_s) if self.span_s > 0 else None


def timing(segments: Iterable[tuple[float, float]], split_at: float | None = None,
           thinking: Iterable[float] = ()) -> Timing:
    """Span (first start to last end) and pauses of `segments`; with `split_at`, gaps at least
    that long split them into runs whose spans add up (and are not pauses). A gap holding one
    of the `thinking` times is a thinking pause: it splits the runs the same way."""
    segs = sorted((s, max(s, e)) for s, e in segments)
    if not segs:
        return Timing()
    marks = sorted(thinking)
    span = pause = longest = thought = 0.0
    long_pauses = thoughts = 0
    run_start, run_end = segs[0]
    for s, e in segs[1:]:
        gap = s - run_end
        thinks = gap > 0 and any(run_end <= m <= s for m in marks)
        if thinks or (split_at is not None and gap >= split_at):
            span += run_end - run_start
            if thinks:
                thoughts += 1
                thought += gap
            run_start, run_end = s, e
            continue
        if gap >= PAUSE_MIN_S:
            pause += gap
            longest = max(longest, gap)
            long_pauses += gap >= LONG_PAUSE_S
        run_end = max(run_end, e)
    span += run_end - run_start
    return Timing(span, pause, long_pauses, longest, segs[0][0], max(e for _, e in segs),
                  thoughts, thought)


def word_count(text: str, fillers: Counter[str] | None = None) -> int:
    """Words of a transcript without its hesitation sounds."""
    counts = count_fillers(text) if fillers is None else fillers
    return len(words_of(text)) - sound_count(counts)


def per_minute(count: float, span_s: float) -> float | None:
    return round(count * 60.0 / span_s, 2) if span_s > 0 else None


@dataclass
class DeliveryTracker:
    """Accumulates final transcripts for one session (the live `metrics` delivery fields)."""

    words: int = 0
    fillers: Counter[str] = field(default_factory=Counter)
    spans: list[tuple[float, float]] = field(default_factory=list)

    def add_final(self, text: str, start: float, end: float) -> None:
        counts = count_fillers(text)
        self.words += word_count(text, counts)
        self.fillers.update(counts)
        self.spans.append((float(start), float(end)))

    def snapshot(self, now: float, voiced_s: float | None = None) -> dict:
        """Delivery so far over the runs of utterances (module docstring). `now` and
        `voiced_s` are accepted for the callers' sake: silence before, between and after the
        runs is not delivery."""
        t = timing(self.spans, split_at=RUN_GAP_S)
        filler_count = sum(self.fillers.values())
        return {
            "wpm": round(self.words * 60.0 / t.span_s, 1) if t.span_s > 0 else 0.0,
            "words": self.words,
            "filler_count": filler_count,
            "fillers": dict(self.fillers),
            "fillers_per_min": per_minute(filler_count, t.span_s) or 0.0,
            "pause_ratio": round(t.pause_ratio or 0.0, 3),
            "speaking_s": round(t.span_s, 2),
        }
