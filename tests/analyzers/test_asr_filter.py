"""The decode filter: when the trimmed window is not trusted, and text that is not speech."""

from __future__ import annotations

import pytest

from analyzers.asr_filter import (
    is_no_speech,
    looks_degenerate,
    needs_full_window,
    repeats,
    stutters,
    withheld,
    words,
)

PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


def test_words():
    assert words("Okay, here's [BLANK_AUDIO]...") == ["okay", "here's", "blank", "audio"]


def test_whispers_no_speech_rule():
    assert is_no_speech(-1.2, 0.7)
    assert not is_no_speech(-0.9, 0.9)  # confident text despite the no-speech probability
    assert is_no_speech(-1.6, 0.29)  # "F-" from music: the lower arm
    assert not is_no_speech(-1.8, 0.03)  # "Y" of "Yes." in 5 % noise
    assert not is_no_speech(-0.9, 0.5)


@pytest.mark.parametrize("text", ["Yes. Yes.", "Yeah Yeah Yeah", "I'm, I'm, I'm,",
                                  "No, not really. No, not really."])
def test_repeats(text):
    assert repeats(text)


@pytest.mark.parametrize("text", ["Yes.", "No, not really.", "I think so, I think."])
def test_does_not_repeat(text):
    assert not repeats(text)


def test_needs_full_window():
    assert needs_full_window("Yes. Yes.", 1.4, -0.5, 0.6)  # repeated: the trimmed window's loop
    assert needs_full_window("We moved the report.", 2.0, -1.1, 1.0)  # unsure
    assert needs_full_window("a b c d e f g", 2.0, -0.3, 2.6)  # compresses like a loop
    # clean speech: tiny.en's trimmed decodes were at -0.80 at worst
    assert not needs_full_window("We moved the report.", 2.0, -0.8, 1.0)


@pytest.mark.parametrize(("text", "logprob", "no_speech", "reason"), [
    ("I don't know, I don't know.", -1.03, 0.90, "no_speech"),  # measured on pink noise
    ("So, yeah.", -1.78, 0.31, "no_speech"),  # music, live
    ("...", -0.5, 0.2, "no_words"),
    ("[BLANK_AUDIO]", -0.3, 0.2, "no_words"),
    ("(music)", -0.3, 0.2, "no_words"),
    ("♪ ♪", -0.3, 0.2, "no_words"),
    ("Okay,", -0.28, 0.85, "hallucination"),  # brown noise, 5 s: confident, yet no speech
    ("I'm, I'm, I'm, I'm,", -0.35, 0.84, "hallucination"),  # white noise
    ("I'm...", -1.78, 0.40, "no_speech"),  # breathing: the lower arm of the rule
    ("Thanks for watching!", -0.4, 0.5, "hallucination"),
    ("Please subscribe.", -1.1, 0.1, "hallucination"),
    ("you", -0.9, 0.45, "hallucination"),
    ("Bye.", -0.6, 0.35, "hallucination"),
])
def test_withheld(text, logprob, no_speech, reason):
    assert withheld(text, logprob, no_speech, PROMPT) == reason


@pytest.mark.parametrize(("text", "logprob", "no_speech"), [
    ("Thank you.", -0.2, 0.05),  # said at the end of an answer, heard confidently
    ("Okay.", -0.4, 0.12),
    ("Yes.", -1.0, 0.04),  # speech in 5 % noise: unsure, but not a stock phrase
    ("First I want to reproduce the mug.", -0.39, 0.29),  # the highest no-speech of speech
    ("No, not really.", -0.9, 0.23),
    ("", -2.0, 0.9),  # nothing to withhold
])
def test_kept(text, logprob, no_speech):
    assert withheld(text, logprob, no_speech, PROMPT) == ""


def test_stock_words_too_few_for_the_audio_are_withheld():
    assert withheld("Umm...", -0.88, 0.25, PROMPT, 10.6) == "hallucination"  # music, live
    assert withheld("Umm...", -0.88, 0.25, PROMPT, 2.0) == ""  # a hesitation
    assert withheld("Okay.", -0.4, 0.12, PROMPT, 1.4) == ""


def test_the_context_prompt_counts_as_stock_words():
    # noise after "... the page loaded in under a second." decoding to its last words
    assert withheld("under a second.", -0.6, 0.7, PROMPT + " the page loaded in under a second.")
    assert not withheld("under a second.", -0.6, 0.7, PROMPT)


@pytest.mark.parametrize("text", [
    "Okay, here's what I'm, I'm, I'm, I'm, I'm, I'm, I'm, I'm, I",  # keyboard clicks, live
    "and then the the the the the cache",
    "we could, we could, we could, we could, we could try it",
])
def test_a_loop_inside_a_text_is_degenerate(text):
    assert stutters(text) and looks_degenerate(text, 2.0)


@pytest.mark.parametrize("text", [
    "I, I, I think we would cache it.",  # a person's stutter: three times
    "No, no, no, that is not how it works.",
    "It was very, very, very, very slow.",  # four times: still a person
    "We added an index, then an index on orders, then one on users.",
])
def test_a_persons_repetitions_are_not(text):
    assert not stutters(text) and not looks_degenerate(text, 3.0)
