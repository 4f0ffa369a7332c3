"""Fillers, pace, pauses and time to first word on known text and timings."""

from __future__ import annotations

import pytest

from analyzers.answer_metrics import answer_delivery, answer_vision
from analyzers.delivery import DeliveryTracker, count_fillers, timing, words_of


def test_hesitation_sounds_are_fillers():
    counts = count_fillers("Um, I think, uh, the cache, hmm, was the problem. Umm.")
    assert counts == {"um": 1, "uh": 1, "hmm": 1, "umm": 1}


@pytest.mark.parametrize(("text", "expected"), [
    ("So, like, we used Redis, you know, for caching.", {"so": 1, "like": 1, "you know": 1}),
    ("we used Redis you know for caching", {"you know": 1}),  # no commas needed
    ("It is fast, y'know.", {"you know": 1}),
    ("Basically we cache it.", {"basically": 1}),
    ("It is, basically, a queue.", {"basically": 1}),
    ("So we added an index.", {"so": 1}),
    ("Well, I mean, it was, kind of, slow.", {"well": 1, "i mean": 1, "kind of": 1}),
    ("We drew the, er, diagram.", {"er": 1}),
])
def test_discourse_fillers(text, expected):
    assert count_fillers(text) == expected


@pytest.mark.parametrize("text", [
    "It's a SQL-like language.",
    "We drew the ER diagram first.",
    "the er diagram",
    "I like Redis.",
    "It is a kind of data store, sort of like a log.",
    "Do you know how it works?",
    "You know how it works, and you know what matters.",
    "I'll let you know.",
    "As you know the plan changed.",
    "So that it scales, we shard.",
    "It is basically a queue.",  # a hedge mid-sentence, not a filler
    "Well the index helps.",
    "What I mean is the index.",
])
def test_not_fillers(text):
    assert count_fillers(text) == {}


def test_words_of_normalises():
    assert words_of("Don't STOP, it's 42!") == ["don't", "stop", "it's", "42"]


def spread(n_words: int, utterances: list[tuple[float, float]]) -> list[dict]:
    """Finals of `n_words` words split evenly over the utterance spans, with word timings."""
    per = n_words // len(utterances)
    finals = []
    for u, (start, end) in enumerate(utterances):
        k = per if u < len(utterances) - 1 else n_words - per * (len(utterances) - 1)
        step = (end - start) / k
        words = [{"word": f" w{u}x{i}", "start": round(start + i * step, 3),
                  "end": round(start + (i + 1) * step, 3)} for i in range(k)]
        finals.append({"text": " ".join(w["word"].strip() for w in words), "start": start,
                       "end": end, "words": words})
    return finals


def test_150_words_over_58_8_s_with_pauses_is_153_wpm():
    # ten utterances of 15 words, 47.9 s voiced, 10.9 s of pauses between them
    gap = 10.9 / 9
    spans, t = [], 5.0
    for _ in range(10):
        spans.append((t, t + 4.79))
        t += 4.79 + gap
    finals = spread(150, spans)
    d = answer_delivery(finals, asked_t=0.0)
    assert d["words"] == 150
    assert d["speaking_s"] == pytest.approx(58.8, abs=0.01)
    assert d["wpm"] == pytest.approx(153.1, abs=0.2)  # not 188 (words / voiced time)
    assert d["pause_ratio"] == pytest.approx(10.9 / 58.8, abs=0.005)
    assert d["long_pauses"] == 0 and d["longest_pause_s"] == pytest.approx(gap, abs=0.01)
    assert d["time_to_first_word_s"] == 5.0  # reading and thinking, not a pause
    assert d["timing"] == "words"


def test_pauses_inside_words_of_one_utterance_and_long_pauses():
    words = [{"word": "a", "start": 10.0, "end": 10.5}, {"word": "b", "start": 10.5, "end": 11.0},
             {"word": "c", "start": 13.5, "end": 14.0},  # 2.5 s pause
             {"word": "d", "start": 14.2, "end": 15.0}]  # 0.2 s: not a pause
    d = answer_delivery([{"text": "a b c d", "start": 10.0, "end": 15.0, "words": words}],
                        asked_t=7.5)
    assert d["speaking_s"] == 5.0 and d["wpm"] == pytest.approx(48.0)
    assert d["long_pauses"] == 1 and d["longest_pause_s"] == 2.5
    assert d["pause_ratio"] == pytest.approx(0.5)
    assert d["time_to_first_word_s"] == 2.5
    assert (d["first_word_t"], d["last_word_t"]) == (10.0, 15.0)


def test_without_word_timings_the_utterance_spans_are_used():
    finals = [{"text": "one two three four five six seven eight nine ten", "start": 2.0,
               "end": 6.0, "words": []},
              {"text": "Um, eleven twelve", "start": 9.0, "end": 10.0}]
    d = answer_delivery(finals)
    assert d["words"] == 12 and d["filler_count"] == 1 and d["fillers"] == {"um": 1}
    assert d["speaking_s"] == 8.0 and d["wpm"] == pytest.approx(90.0)
    assert d["pause_ratio"] == pytest.approx(3 / 8) and d["long_pauses"] == 1
    assert d["fillers_per_min"] == pytest.approx(7.5)
    assert d["time_to_first_word_s"] is None  # asked_t unknown
    assert d["timing"] == "utterances"


def test_an_announced_thinking_pause_is_reported_not_counted_as_a_pause():
    """"Let me think", 8 s of silence the flow announced as thinking (from 12.0, announced at
    16.0), then the answer: the 8 s are a thinking pause, out of the span and of the pauses;
    the same gap unannounced is a long pause."""
    words = [{"word": w, "start": a, "end": b} for w, a, b in [
        ("Let", 10.0, 10.4), ("me", 10.4, 10.8), ("think.", 10.8, 12.0),
        ("An", 20.0, 20.5), ("index.", 20.5, 21.0), ("Or", 23.5, 24.0), ("two.", 24.0, 25.0)]]
    finals = [{"text": "Let me think. An index. Or two.", "start": 10.0, "end": 25.0,
               "words": words}]
    plain = answer_delivery(finals, asked_t=9.0)
    assert plain["long_pauses"] == 2 and plain["longest_pause_s"] == 8.0
    assert plain["thinking_pauses"] == 0 and plain["speaking_s"] == 15.0
    d = answer_delivery(finals, asked_t=9.0, thinking=[(12.0, 16.0)])
    assert d["thinking_pauses"] == 1 and d["thinking_s"] == 8.0
    assert d["long_pauses"] == 1 and d["longest_pause_s"] == 2.5  # the unannounced one
    assert d["speaking_s"] == 7.0 and d["pause_s"] == 2.5
    assert d["pause_ratio"] == pytest.approx(2.5 / 7.0, abs=0.001)
    assert d["wpm"] == pytest.approx(60.0)  # 7 words over 7 s, not over 15 s
    assert d["time_to_first_word_s"] == 1.0  # reported, and not a pause either
    # an announced pause that holds no gap between words (speech went on) changes nothing
    assert answer_delivery(finals, asked_t=9.0, thinking=[(30.0, 34.0)]) == plain


def test_the_session_sums_thinking_pauses_apart_from_long_pauses():
    from analyzers.report_delivery import speech_from_answers

    d1 = answer_delivery([{"text": "a b", "start": 1.0, "end": 2.0},
                          {"text": "c d", "start": 9.0, "end": 10.0}], 0.0, [(2.0, 6.0)])
    d2 = answer_delivery([{"text": "e f", "start": 20.0, "end": 21.0},
                          {"text": "g h", "start": 24.0, "end": 25.0}], 18.0)
    speech = speech_from_answers([d1, d2])
    assert speech["thinking_pauses"] == 1 and speech["thinking_s"] == 7.0
    assert speech["long_pauses"] == 1 and speech["longest_pause_s"] == 3.0
    assert speech["speaking_s"] == 2.0 + 5.0
    assert speech["time_to_first_word_s"] == 1.5  # the mean of 1 s and 2 s


def test_no_speech_has_no_rates():
    d = answer_delivery([], asked_t=3.0)
    assert d["words"] == 0 and d["speaking_s"] == 0.0
    assert d["wpm"] is None and d["fillers_per_min"] is None and d["pause_ratio"] is None
    assert d["time_to_first_word_s"] is None and d["timing"] is None


def test_timing_runs():
    t = timing([(0, 4), (10, 11), (11.5, 12)], split_at=4.0)
    assert t.span_s == pytest.approx(6.0) and t.pause_s == pytest.approx(0.5)


def test_live_tracker_measures_over_runs_of_utterances():
    d = DeliveryTracker()
    d.add_final("one two three four five six seven eight nine ten", 0.0, 4.0)  # 10 words
    d.add_final("eleven twelve", 5.0, 6.0)  # 1 s pause inside the run
    d.add_final("thirteen fourteen", 30.0, 31.0)  # next answer: a new run
    snap = d.snapshot(now=40.0, voiced_s=6.0)
    assert snap["words"] == 14
    assert snap["speaking_s"] == pytest.approx(7.0)
    assert snap["wpm"] == pytest.approx(14 / 7.0 * 60, rel=1e-3)
    assert snap["pause_ratio"] == pytest.approx(1 / 7, abs=1e-3)  # not the 24 s between runs


def test_live_fillers_are_not_words_but_are_counted_per_minute():
    d = DeliveryTracker()
    d.add_final("Um, I think, uh, yes.", 0.0, 30.0)
    snap = d.snapshot(now=30.0)
    assert snap["words"] == 3
    assert snap["filler_count"] == 2
    assert snap["fillers_per_min"] == pytest.approx(4.0)


def test_empty_tracker():
    snap = DeliveryTracker().snapshot(now=5.0, voiced_s=0.0)
    assert snap["wpm"] == 0.0 and snap["filler_count"] == 0 and snap["pause_ratio"] == 0.0


def test_answer_vision_leaves_out_frozen_ticks():
    ticks = [{"face_present": True, "eye_contact": 0.5, "posture": {"label": "ok"}},
             {"face_present": True, "eye_contact": 1.0, "camera_frozen": True}]
    v = answer_vision(ticks)
    assert v["eye_contact"] == 0.5 and v["camera_frozen"] is True and v["samples"] == 2
    assert answer_vision([])["eye_contact"] is None


def test_a_withdrawn_final_adds_no_speaking_time():
    """An empty final (a partial withdrawn: it was not speech) is neither speech nor span."""
    words = [{"word": "a", "start": 10.0, "end": 10.5}, {"word": "b", "start": 10.5, "end": 11.0}]
    spoken = {"text": "a b", "start": 10.0, "end": 11.0, "words": words}
    withdrawn = {"text": "", "start": 20.0, "end": 21.0, "words": []}
    d = answer_delivery([spoken, withdrawn], asked_t=9.0)
    assert d == answer_delivery([spoken], asked_t=9.0)
    assert d["speaking_s"] == 1.0 and d["last_word_t"] == 11.0
