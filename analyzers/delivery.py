"""Speech delivery: words per minute, filler words and pauses, from transcripts and timings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

#: Hesitation sounds, always fillers.
FILLER_SOUNDS = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mhm"}
)
#: Discourse fillers: counted only when set off by punctuation, e.g. "so, like, we" or
#: "you know," ("I like Redis" and "the kind of" are not fillers).
FILLER_PHRASES = ("like", "you know", "i mean", "basically", "sort of", "kind of")

_WORD = re.compile(r"[a-z0-9']+")
_BOUNDARY = r"(?:^|[,.;:!?…-])\s*"
_PHRASE_PATTERNS = {
    p: re.compile(_BOUNDARY + re.escape(p) + r"\s*(?=[,.;:!?…-]|$)") for p in FILLER_PHRASES
}


def words_of(text: str) -> list[str]:
    """Lower-case word tokens of a transcript."""
    return _WORD.findall(text.lower())


def count_fillers(text: str) -> Counter[str]:
    """Filler occurrences in a transcript, by filler."""
    counts: Counter[str] = Counter(w for w in words_of(text) if w in FILLER_SOUNDS)
    lowered = text.lower()
    for phrase, pattern in _PHRASE_PATTERNS.items():
        n = len(pattern.findall(lowered))
        if n:
            counts[phrase] += n
    return counts


@dataclass
class DeliveryTracker:
    """Accumulates final transcripts and voice activity for one session.

    wpm is measured over speaking time (the spans of utterances), pause ratio is the share of
    time since the first speech that was not voiced.
    """

    words: int = 0
    speaking_s: float = 0.0
    fillers: Counter[str] = field(default_factory=Counter)
    first_speech_t: float | None = None

    def add_final(self, text: str, start: float, end: float) -> None:
        self.words += len([w for w in words_of(text) if w not in FILLER_SOUNDS])
        self.speaking_s += max(0.0, end - start)
        self.fillers.update(count_fillers(text))
        if self.first_speech_t is None or start < self.first_speech_t:
            self.first_speech_t = start

    def snapshot(self, now: float, voiced_s: float, speech_start: float | None = None) -> dict:
        """Metrics at session time `now`, given `voiced_s` seconds of voiced audio so far."""
        first = self.first_speech_t if self.first_speech_t is not None else speech_start
        span = max(0.0, now - first) if first is not None else 0.0
        filler_count = sum(self.fillers.values())
        minutes = self.speaking_s / 60.0
        return {
            "wpm": round(self.words / minutes, 1) if minutes > 0 else 0.0,
            "words": self.words,
            "filler_count": filler_count,
            "fillers": dict(self.fillers),
            "fillers_per_min": round(filler_count / minutes, 2) if minutes > 0 else 0.0,
            "pause_ratio": round(min(1.0, max(0.0, 1.0 - voiced_s / span)), 3) if span else 0.0,
            "speaking_s": round(self.speaking_s, 2),
        }
