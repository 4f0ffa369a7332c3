"""VAD segmentation on real speech with known silences."""

from __future__ import annotations

import numpy as np

from analyzers.vad import SAMPLE_RATE, VadConfig, VadSegmenter
from media.audiofile import read_audio
from tests.conftest import espeak


def _speech(tmp_path, text: str) -> np.ndarray:
    samples, rate = read_audio(espeak(text, tmp_path / "s.wav"), rate=SAMPLE_RATE)
    assert rate == SAMPLE_RATE
    return samples


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def _feed(seg: VadSegmenter, audio: np.ndarray, chunk: int = 320) -> list:
    events = []
    for i in range(0, len(audio), chunk):
        events.extend(seg.push(audio[i : i + chunk]))
    return events


def test_silence_makes_no_utterance():
    seg = VadSegmenter()
    assert _feed(seg, _silence(3.0)) == []
    assert seg.flush() == []


def test_two_sentences_split_at_the_long_pause(tmp_path):
    a = _speech(tmp_path, "The first answer is about databases.")
    b = _speech(tmp_path, "The second answer is about caching.")
    audio = np.concatenate([_silence(1.0), a, _silence(1.5), b, _silence(1.0)])
    seg = VadSegmenter()
    events = _feed(seg, audio)
    ends = [e.utterance for e in events if e.kind == "end"]
    starts = [e for e in events if e.kind == "start"]
    assert len(starts) == 2 and len(ends) == 2
    # first utterance starts near 1.0 s and ends before the second begins
    first, second = ends
    assert abs(first.speech_start / SAMPLE_RATE - 1.0) < 0.3
    gap_start = (SAMPLE_RATE * 1.0 + len(a)) / SAMPLE_RATE
    assert first.speech_end / SAMPLE_RATE <= gap_start + 0.1
    assert second.speech_start / SAMPLE_RATE >= gap_start + 1.2
    # the kept audio covers the speech plus at most the tail
    assert len(first.audio) >= first.speech_end - first.speech_start
    tail = SAMPLE_RATE * seg.cfg.tail_ms // 1000
    assert first.start + len(first.audio) <= first.speech_end + tail


def test_pause_then_resume_keeps_one_utterance(tmp_path):
    a = _speech(tmp_path, "I would use an index")
    # a 250 ms gap: longer than the tail (pause) but shorter than the end threshold
    audio = np.concatenate([_silence(0.5), a, _silence(0.25), a, _silence(1.0)])
    seg = VadSegmenter(VadConfig(tail_ms=150, end_ms=600))
    kinds = [e.kind for e in _feed(seg, audio)]
    assert kinds.count("start") == 1 and kinds.count("end") == 1
    if "pause" in kinds[:-2]:
        assert "resume" in kinds


def test_flush_closes_open_utterance(tmp_path):
    a = _speech(tmp_path, "This answer is cut off")
    seg = VadSegmenter()
    events = _feed(seg, np.concatenate([_silence(0.5), a]))
    assert [e.kind for e in events].count("end") == 0
    assert seg.in_speech
    (end,) = seg.flush()
    assert end.kind == "end" and end.utterance is not None
    assert end.utterance.speech_end > end.utterance.speech_start
    assert not seg.in_speech


def test_long_speech_is_cut_at_max_length(tmp_path):
    a = _speech(tmp_path, "Scaling the service meant sharding the data and caching reads " * 2)
    seg = VadSegmenter(VadConfig(max_utterance_s=2.0, end_ms=2000))
    events = _feed(seg, np.concatenate([a, a]))
    ends = [e.utterance for e in events if e.kind == "end"]
    assert len(ends) >= 2
    assert all(len(u.audio) <= 2.0 * SAMPLE_RATE + 480 for u in ends)


def test_voiced_time_is_counted(tmp_path):
    a = _speech(tmp_path, "Counting voiced time")
    seg = VadSegmenter()
    _feed(seg, np.concatenate([_silence(2.0), a, _silence(2.0)]))
    voiced = seg.voiced_samples / SAMPLE_RATE
    assert 0.5 * len(a) / SAMPLE_RATE < voiced < 1.2 * len(a) / SAMPLE_RATE
