"""The shared Whisper transcriber: one window per call, and what happens to repetition loops."""

from __future__ import annotations

import numpy as np
import pytest

from analyzers.asr import AsrResult, Transcriber, _looks_degenerate
from analyzers.audio import SAMPLE_RATE
from analyzers.text import wer
from media.audiofile import read_audio
from media.pcm import Resampler
from tests.conftest import espeak

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
    assert _looks_degenerate(LOOP, 3.0)
    assert _looks_degenerate("no " * 40, 3.0)
    assert not _looks_degenerate("so we would catch it early next time.", 3.0)
    assert not _looks_degenerate(SENTENCE, 4.0)


def test_16k_pcm_reaches_the_analysers_bit_for_bit():
    rng = np.random.default_rng(0)
    pcm = rng.integers(-32768, 32768, 16000, dtype=np.int32).astype("<i2")
    pcm[:3] = [-32768, 32767, 0]
    out = Resampler(16000, SAMPLE_RATE).process(pcm.tobytes())
    assert np.array_equal(out, pcm)
