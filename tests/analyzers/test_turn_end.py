"""Which pauses end an answer: complete sentences, unfinished ones and thinking phrases."""

from __future__ import annotations

import pytest

from analyzers.turn_end import THINKING, UNFINISHED, end_pause_s, is_next_command, waiting_reason


@pytest.mark.parametrize("text", [
    "I would add an index on the user id column.",
    "The query is slow because it scans the whole table.",
    "I think so.",
    "That is what it is made of.",
    "It depends on the load!",
    "What do you mean by latency?",
    "We saw it in the ER.",  # an acronym, not a hesitation sound
    "That is what I am thinking.",  # "thinking", but not a thinking phrase
    "We used a message queue",  # no full stop, but nothing left open
    "",
    "   ",
])
def test_complete_answers_end_on_the_short_pause(text):
    assert waiting_reason(text) is None


@pytest.mark.parametrize("text", [
    "I would use a cache and",
    "I would use a cache and.",  # a full stop after "and" is still mid-sentence
    "It was fast but",
    "We sharded it because",
    "We sharded it because.",
    "First we look at the",
    "It is a kind of",
    "I would go to",
    "I think so",  # no full stop after "so": the sentence may go on
    "First, we profile it,",
    "There are two options:",
    "It depends...",
    "It depends…",
    "Well, it depends on . . .",
])
def test_unfinished_sentences_wait(text):
    assert waiting_reason(text) == UNFINISHED


@pytest.mark.parametrize("text", [
    "Let me think.",
    "let me think about that",
    "LET ME THINK ABOUT THAT.",
    "Let me think...",
    "Hmm.",
    "Um",
    "Hmm, um...",
    "Okay, so let me think.",
    "Give me a second.",
    "Give me a moment",
    "One moment, please.",
    "one moment please",
    "One moment.",
    "Good question.",
    "That's a really good question.",
    "That’s a good question, let me think.",  # curly apostrophe
    "How do I put this?",
    "Let me see...",
    "I use Redis for sessions. Hmm.",  # a hesitation after a sentence: still thinking
    "So the cache, um",
])
def test_thinking_phrases_wait(text):
    assert waiting_reason(text) == THINKING


@pytest.mark.parametrize("text", [
    "Hmm, let me think. I would add an index on the user id, because the query filters on it.",
    "Good question. We measured the p95 latency first and then cached the hot keys.",
    "Let me see, I would start with the slow query log and fix the worst query.",
    "Give me a second. OK: I would shard by tenant so that no shard gets too hot.",
])
def test_a_thinking_phrase_inside_a_complete_answer_does_not_count(text):
    assert waiting_reason(text) is None


def test_end_pause_is_the_longer_one_only_when_waiting():
    assert end_pause_s("I would add an index.", 4.0, 12.0) == (4.0, None)
    assert end_pause_s("Let me think.", 4.0, 12.0) == (12.0, THINKING)
    assert end_pause_s("I would add an index and", 4.0, 12.0) == (12.0, UNFINISHED)
    # a thinking pause no longer than the answer pause is no wait at all
    assert end_pause_s("Let me think.", 4.0, 4.0) == (4.0, None)


@pytest.mark.parametrize("text", ["Next.", "next question", "Next question, please.",
                                  "Okay, next.", "I'm done.", "I am finished.",
                                  "That's my answer.", "That's all.", "Let's move on.",
                                  "Can we move on to the next question?"])
def test_next_commands(text):
    assert is_next_command(text)


@pytest.mark.parametrize("text", ["", "Next I would add an index.", "The next step is caching.",
                                  "I'm done with the migration part, now the cache.",
                                  "That's all I know about Kafka, and it is a log.", "Um."])
def test_not_next_commands(text):
    assert not is_next_command(text)
