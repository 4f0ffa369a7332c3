"""What one Whisper decode is worth: whether the trimmed window's text can be trusted, and
whether decoded text is the candidate's words at all.

Measured with `tools/asr_fallback.py` on tiny.en (324 espeak-ng and jfk.flac utterances shaped
like the VAD's, clean and with 1/3/5 % white noise, trimmed and full window; 42 non-speech
clips of 1-5 s: silence, white/pink/brown noise, clicks, breathing, chords):

* The trimmed window's one real failure is a short utterance decoded twice ("Yes. Yes.",
  "No, not really. No, not really.": WER 1.0 where the full window gets 0). A text that is
  one unit repeated sends the final to the full window. The full window is not better
  otherwise (WER clean 0.196 vs 0.172 trimmed, 5 % noise 0.562 vs 0.532) and costs 3.8x
  (0.46 s vs 0.12 s per decode), so low confidence alone does not call it until
  avg_logprob < -1.0: no clean utterance came below -0.80, and below -1.0 the full window
  was better more often than not (WER at 5 % noise 0.526 -> 0.524).
* No speech decodes to the filler prompt's words ("Okay,", "I'm, I'm, I'm,", "Okay, here's")
  or Whisper's subtitle phrases, with no_speech_prob 0.32-0.95; speech had at most 0.29 and
  never decoded to such words only. Whisper's own rule (no_speech_prob > 0.6 and
  avg_logprob < -1.0) takes the rest ("I don't know, I don't know." from pink noise), and a
  lower arm of it (no_speech_prob > 0.2 and avg_logprob < -1.2) the partials of music the
  live pipeline showed (tests/server/live/test_live_nonspeech.py).
"""

from __future__ import annotations

import re
import zlib

#: Whisper's own rule: a window is silence when no_speech_prob > 0.6 and the text's average
#: log-probability < -1.0 (openai/whisper transcribe.py, faster-whisper's defaults)
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -1.0
#: ... and its lower arm for tiny.en: partials of music and breathing in the live pipeline
#: decoded to "F-" and "So, yeah." at no_speech_prob 0.25-0.33 and avg_logprob -1.5 to -2.3;
#: speech below -1.2 had no_speech_prob <= 0.07
UNSURE_NO_SPEECH = 0.2
UNSURE_LOGPROB = -1.2
#: a text made of stock words only is withheld above this no_speech_prob or below this
#: avg_logprob (non-speech: no_speech_prob >= 0.32; speech: <= 0.29)
STOCK_NO_SPEECH = 0.3
STOCK_LOGPROB = -1.0
#: ... or when they are too few for the audio: 10.6 s of music decoded to "Umm..." at
#: no_speech_prob 0.25, avg_logprob -0.88 (live); the shortest answers ("Yes.", 1.4 s
#: utterances) have a word per 1.4 s
STOCK_MIN_WORDS_PER_S = 1 / 3
#: a trimmed decode below this average log-probability is decoded again on the full window
FALLBACK_LOGPROB = -1.0
#: a unit of 1-3 words this many times in a row is a decoding loop, not a person's stutter
LOOP_TIMES = 5
#: faster-whisper's compression ratio of a repetition loop (Whisper's threshold)
FALLBACK_COMPRESSION = 2.4

#: what Whisper writes for silence, noise and music (its subtitle training data)
HALLUCINATIONS = (
    "Thank you.", "Thank you very much.", "Thanks.", "Thanks for watching!",
    "Thank you for watching.", "Thanks for watching and see you next time.",
    "Please subscribe.", "Like and subscribe.", "you", "Bye.", "Bye bye.", "Goodbye.", "Oh.",
    "So.", "Okay.", "The end.", "I'm sorry.", "Hmm.", "Ah.", "Uh.", "Um.",
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ANNOTATION = re.compile(r"^(\s*(\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+|[^\w\s]+))+\s*$")


def words(text: str) -> list[str]:
    """Lower-case words: "Okay, here's" -> ["okay", "here's"]."""
    return _WORD.findall(text.lower())


_STOCK = frozenset(w for phrase in HALLUCINATIONS for w in words(phrase))


def is_no_speech(avg_logprob: float, no_speech_prob: float) -> bool:
    """Whisper's no-speech rule, with its lower arm."""
    return ((no_speech_prob > NO_SPEECH_PROB and avg_logprob < NO_SPEECH_LOGPROB)
            or (no_speech_prob > UNSURE_NO_SPEECH and avg_logprob < UNSURE_LOGPROB))


def repeats(text: str) -> bool:
    """The text is one unit said twice or more ("Yes. Yes.", "I'm, I'm, I'm")."""
    w = words(text)
    n = len(w)
    return any(n % k == 0 and w[:k] * (n // k) == w for k in range(1, n // 2 + 1))


def stutters(text: str, times: int = LOOP_TIMES) -> bool:
    """A unit of one to three words said `times` times in a row somewhere in the text: the
    decoder looping ("Okay, here's what I'm, I'm, I'm, I'm, I'm, I'm, I'm, I'm, I" from
    keyboard clicks, a live partial), which a person does not do."""
    w = words(text)
    for k in range(1, 4):
        for start in range(len(w) - k * times + 1):
            unit = w[start:start + k]
            if all(w[start + j * k:start + (j + 1) * k] == unit for j in range(1, times)):
                return True
    return False


def looks_degenerate(text: str, duration: float) -> bool:
    """A repetition loop: far too many words for the audio, a unit repeated (the whole text,
    or `LOOP_TIMES` times in a row within it), or highly compressible text."""
    tokens = text.split()
    if len(tokens) > 6 * duration + 6 or repeats(text) or stutters(text):
        return True
    half = len(tokens) // 2
    if half >= 3 and tokens[:half] == tokens[half : 2 * half]:
        return True  # the same sentence twice, then more
    raw = text.encode()
    return len(raw) > 40 and len(raw) / len(zlib.compress(raw)) > 2.4


def needs_full_window(text: str, duration: float, avg_logprob: float,
                      compression_ratio: float) -> bool:
    """The trimmed window's decode is not to be trusted: decode again on Whisper's 30-s window."""
    return (looks_degenerate(text, duration) or compression_ratio > FALLBACK_COMPRESSION
            or avg_logprob < FALLBACK_LOGPROB)


def withheld(text: str, avg_logprob: float, no_speech_prob: float, prompt: str = "",
             duration: float = 0.0) -> str:
    """Why `text`, decoded from `duration` s of audio, is not the candidate's words ("" when
    it is): "no_speech" (Whisper's rule), "no_words" (punctuation, "[BLANK_AUDIO]",
    "(music)"), "hallucination" (only stock words: Whisper's subtitle phrases and the words of
    the `prompt` it was given, from a decode that is not confident or far too few for the
    audio)."""
    if not text.strip():
        return ""
    if is_no_speech(avg_logprob, no_speech_prob):
        return "no_speech"
    said = words(text)
    if not said or _ANNOTATION.match(text):
        return "no_words"
    if set(said) <= _STOCK | set(words(prompt)) and (
            no_speech_prob > STOCK_NO_SPEECH or avg_logprob < STOCK_LOGPROB
            or len(said) < duration * STOCK_MIN_WORDS_PER_S):
        return "hallucination"
    return ""
