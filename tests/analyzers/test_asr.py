"""The shared Whisper transcriber: one window per call, what happens to repetition loops and
unreliable decodes, and that no speech gives no text."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzers.asr import AsrResult, Transcriber
from analyzers.asr_filter import looks_degenerate
from analyzers.audio import SAMPLE_RATE
from analyzers.text import wer
from media.audiofile import read_audio
from media.pcm import Resampler
from tests.conftest import JFK_TEXT, espeak
from tests.support.media import read_audio_16k
from tests.support.nonspeech import breathing, chords, clicks, coloured, pcm16

SENTENCE = "The first thing I did was look at the traces to see where the time went."


@pytest.fixture(scope="module")
def sentence_16k(tmp_path_factory) -> np.ndarray:
    samples, rate = read_audio(espeak(SENTENCE, tmp_path_factory.mktemp("asr") / "s.wav",
                                      rate=SAMPLE_RATE))
    assert rate == SAMPLE_RATE
    return samples


def count_encodes(transcriber: Transcriber, monkeypatch) -> list[int]:
    """Record the frame count of every window the encoder really runs on."""
    model = transcriber._model
    encode = model.encode
    done: list[int] = []

    def counting(features):
        out = encode(features)  # raises instead of encoding a second window
        done.append(features.shape[-1])
        return out

    monkeypatch.setattr(model, "encode", counting)
    return done


def test_a_final_with_trailing_silence_decodes_one_window(transcriber, sentence_16k,
                                                          monkeypatch):
    # an utterance as the VAD hands it over: speech, then a tail of silence
    audio = np.concatenate([sentence_16k, np.zeros(int(0.4 * SAMPLE_RATE), np.int16)])
    encodes = count_encodes(transcriber, monkeypatch)
    result = transcriber.transcribe(audio, words=True)
    assert len(encodes) == 1  # faster-whisper alone would decode the tail as a second window
    assert wer(SENTENCE, result.text) <= 0.1
    duration = len(audio) / SAMPLE_RATE
    assert result.words and all(0 <= w.start <= w.end <= duration for w in result.words)
    assert result.words[-1].word.rstrip(".").lower() == "went"
    assert not result.full_window


def test_partial_and_final_decode_the_same_text(transcriber, sentence_16k):
    final = transcriber.transcribe(sentence_16k, words=True)
    partial = transcriber.transcribe(sentence_16k, retry=False)
    assert partial.text == final.text  # both decode text tokens only, like offline
    assert "".join(w.word + " " for w in final.words).split() == final.text.split()


def test_the_model_is_usable_after_a_call_that_stopped_at_the_second_window(
        transcriber, sentence_16k):
    tail = np.concatenate([sentence_16k, np.zeros(SAMPLE_RATE // 2, np.int16)])
    first = transcriber.transcribe(tail, words=True).text
    again = transcriber.transcribe(tail, words=True).text
    assert first == again and wer(SENTENCE, again) <= 0.1


LOOP = "so we would catch it early next time. so we would catch it early next time."


@pytest.mark.parametrize(("retry", "expected_runs"), [(True, 2), (False, 1)])
def test_a_repetition_loop_is_decoded_again_for_finals_and_dropped_for_partials(
        transcriber, monkeypatch, retry, expected_runs):
    runs: list[bool] = []

    def fake_run(audio, prompt, words, trimmed):
        runs.append(trimmed)
        text = LOOP if trimmed else "so we would catch it early next time."
        return AsrResult(text=text, full_window=not trimmed)

    monkeypatch.setattr(transcriber, "_run", fake_run)
    result = transcriber.transcribe(np.zeros(3 * SAMPLE_RATE, np.int16), retry=retry)
    assert len(runs) == expected_runs and runs[0] is True
    if retry:
        assert result.full_window and result.text == "so we would catch it early next time."
    else:
        assert result.dropped and result.text == ""


def test_looks_degenerate():
    assert looks_degenerate(LOOP, 3.0)
    assert looks_degenerate("no " * 40, 3.0)
    assert looks_degenerate("Yes. Yes.", 1.4)  # tiny.en on a trimmed window of a short answer
    assert not looks_degenerate("so we would catch it early next time.", 3.0)
    assert not looks_degenerate(SENTENCE, 4.0)


def test_clean_speech_is_confident_and_stays_on_the_trimmed_window(transcriber, sentence_16k,
                                                                   jfk):
    for audio, reference in ((sentence_16k, SENTENCE), (read_audio_16k(*jfk), JFK_TEXT)):
        result = transcriber.transcribe(audio, words=True)
        assert wer(reference, result.text) <= 0.1, result.text
        assert not result.fallback and not result.full_window and not result.filtered
        assert -1.0 < result.avg_logprob < 0 and 0 <= result.no_speech_prob < 0.3
        assert 0 < result.compression_ratio < 2.4


@pytest.mark.parametrize("retry", [True, False])
def test_a_trimmed_decode_of_low_confidence_falls_back_for_finals(transcriber, sentence_16k,
                                                                  monkeypatch, retry):
    run = transcriber._run
    runs: list[bool] = []

    def unsure_when_trimmed(audio, prompt, words, trimmed):
        runs.append(trimmed)
        result = run(audio, prompt, words, trimmed)
        return replace(result, avg_logprob=-1.3) if trimmed else result

    monkeypatch.setattr(transcriber, "_run", unsure_when_trimmed)
    result = transcriber.transcribe(sentence_16k, words=True, retry=retry)
    assert wer(SENTENCE, result.text) <= 0.1, result.text
    if retry:  # a final: decoded again on Whisper's 30-s window
        assert runs == [True, False] and result.fallback and result.full_window
        assert result.avg_logprob > -1.0
    else:  # a partial: shown as it is (the final decides)
        assert runs == [True] and not result.fallback and not result.dropped


def test_a_deferred_retry_is_asked_for_then_decoded_on_the_full_window(transcriber, sentence_16k,
                                                                       monkeypatch):
    """The live scheduler's way: the unreliable trimmed decode comes back marked, and the
    second call decodes the full window only."""
    run = transcriber._run
    runs: list[bool] = []

    def unsure_when_trimmed(audio, prompt, words, trimmed):
        runs.append(trimmed)
        result = run(audio, prompt, words, trimmed)
        return replace(result, avg_logprob=-1.3) if trimmed else result

    monkeypatch.setattr(transcriber, "_run", unsure_when_trimmed)
    first = transcriber.transcribe(sentence_16k, words=True, defer_retry=True)
    assert runs == [True] and first.retry_full and not first.fallback
    again = transcriber.transcribe(sentence_16k, words=True, defer_retry=True, full_window=True)
    assert runs == [True, False] and again.fallback and again.full_window
    assert not again.retry_full and wer(SENTENCE, again.text) <= 0.1, again.text


@pytest.mark.parametrize(("text", "no_speech", "logprob", "kept"), [
    ("Thank you.", 0.7, -0.5, False),  # a stock phrase from a decode that doubts it is speech
    ("Okay, here's", 0.4, -0.6, False),  # the filler prompt echoed
    ("Thank you.", 0.05, -0.2, True),  # said, and heard confidently
    ("I'd add an index.", 0.7, -1.2, False),  # Whisper's no-speech rule
    ("I'd add an index.", 0.4, -0.4, True),
])
def test_text_that_is_not_speech_is_withheld_from_finals_and_partials(
        transcriber, monkeypatch, text, no_speech, logprob, kept):
    def fake_run(audio, prompt, words, trimmed):
        return AsrResult(text=text, avg_logprob=logprob, no_speech_prob=no_speech,
                         compression_ratio=1.0, full_window=not trimmed)

    monkeypatch.setattr(transcriber, "_run", fake_run)
    for retry in (True, False):
        result = transcriber.transcribe(np.zeros(2 * SAMPLE_RATE, np.int16), retry=retry)
        assert (result.text == text) is kept and bool(result.filtered) is not kept
        assert not result.fallback


def _nonspeech(kind: str, seconds: float = 2.5) -> np.ndarray:
    rng = np.random.default_rng(sum(map(ord, kind)))
    n = int(seconds * SAMPLE_RATE)
    sound = {
        "silence": lambda: 0.0005 * rng.standard_normal(n),
        "white": lambda: 0.02 * coloured(n, "white", rng),
        "pink": lambda: 0.05 * coloured(n, "pink", rng),
        "brown": lambda: 0.02 * coloured(n, "brown", rng),
        "clicks": lambda: clicks(n, rng) + 0.01 * coloured(n, "pink", rng),
        "breathing": lambda: breathing(n, rng),
        "music": lambda: chords(n, rng),
    }[kind]()
    return pcm16(sound)


@pytest.mark.parametrize("kind", ["silence", "white", "pink", "brown", "clicks", "breathing",
                                  "music"])
def test_no_speech_gives_no_text(transcriber, kind):
    # tiny.en decodes each of these to "Okay,", "I'm, I'm, I'm," and the like
    audio = _nonspeech(kind)
    final = transcriber.transcribe(audio, words=True)
    assert final.text == "" and final.words == [] and final.filtered, final
    assert not final.fallback  # judged on the trimmed window: no full-window decode for noise
    partial = transcriber.transcribe(audio, retry=False)
    assert partial.text == "", partial


def test_16k_pcm_reaches_the_analysers_bit_for_bit():
    rng = np.random.default_rng(0)
    pcm = rng.integers(-32768, 32768, 16000, dtype=np.int32).astype("<i2")
    pcm[:3] = [-32768, 32767, 0]
    out = Resampler(16000, SAMPLE_RATE).process(pcm.tobytes())
    assert np.array_equal(out, pcm)
