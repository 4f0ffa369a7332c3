"""Filler, pace and pause computation on known text and timings."""

from __future__ import annotations

import pytest

from analyzers.delivery import DeliveryTracker, count_fillers, words_of


def test_hesitation_sounds_are_fillers():
    counts = count_fillers("Um, I think, uh, the cache, hmm, was the problem. Umm.")
    assert counts["um"] == 1 and counts["uh"] == 1 and counts["hmm"] == 1 and counts["umm"] == 1
    assert sum(counts.values()) == 4


def test_discourse_fillers_need_punctuation():
    assert count_fillers("So, like, we used Redis, you know, for caching.")["like"] == 1
    assert count_fillers("So, like, we used Redis, you know, for caching.")["you know"] == 1
    # ordinary uses are not fillers
    assert sum(count_fillers("I like Redis and the kind of caching you know about").values()) == 0


def test_words_of_normalises():
    assert words_of("Don't STOP, it's 42!") == ["don't", "stop", "it's", "42"]


def test_wpm_over_speaking_time():
    d = DeliveryTracker()
    d.add_final("one two three four five six seven eight nine ten", 0.0, 4.0)  # 10 words
    d.add_final("eleven twelve", 10.0, 11.0)  # 2 words
    snap = d.snapshot(now=12.0, voiced_s=5.0)
    assert snap["words"] == 12
    assert snap["speaking_s"] == pytest.approx(5.0)
    assert snap["wpm"] == pytest.approx(12 / 5.0 * 60, rel=1e-3)  # 144 wpm


def test_fillers_are_not_words_but_are_counted_per_minute():
    d = DeliveryTracker()
    d.add_final("Um, I think, uh, yes.", 0.0, 30.0)
    snap = d.snapshot(now=30.0, voiced_s=30.0)
    assert snap["words"] == 3
    assert snap["filler_count"] == 2
    assert snap["fillers_per_min"] == pytest.approx(4.0)


def test_pause_ratio_since_first_speech():
    d = DeliveryTracker()
    d.add_final("hello there", 2.0, 4.0)
    snap = d.snapshot(now=12.0, voiced_s=4.0)  # 10 s since first speech, 4 s voiced
    assert snap["pause_ratio"] == pytest.approx(0.6)


def test_empty_tracker():
    snap = DeliveryTracker().snapshot(now=5.0, voiced_s=0.0)
    assert snap["wpm"] == 0.0 and snap["filler_count"] == 0 and snap["pause_ratio"] == 0.0
