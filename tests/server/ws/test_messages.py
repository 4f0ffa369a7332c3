"""Parsing and validating the candidate's text messages (server/ws/messages.py)."""

from __future__ import annotations

import json

import pytest

from server.ws.messages import (
    MAX_DEPTH,
    MAX_ECHO_CHARS,
    MAX_TEXT_CHARS,
    MessageError,
    clip,
    parse_message,
    start_rate,
)


def code_of(text: str) -> str:
    with pytest.raises(MessageError) as err:
        parse_message(text)
    assert err.value.message and len(err.value.message) <= 200
    return err.value.code


def test_a_valid_message():
    assert parse_message('{"type": "start", "audio": {"sample_rate": 16000}}') == {
        "type": "start", "audio": {"sample_rate": 16000}
    }
    assert parse_message('  {"type": "ping", "extra": [1, 2.5, null, true, "x"]}\n')["type"] == (
        "ping"
    )


@pytest.mark.parametrize("text", [
    "", "   ", "not json", "[1, 2]", '"ping"', "null", "1", '{"type": "ping"} x', "{'type': 1}",
    '{"type": "ping", "n": NaN}', '{"type": "ping", "n": Infinity}', '{"n": -Infinity}',
])
def test_not_a_json_object(text):
    assert code_of(text) == "bad_json"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 5000])
def test_nesting_is_bounded(depth):
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    assert code_of('{"type": "ping", "a": ' + inner + "}") == "bad_json"
    assert code_of("[" * depth + "]" * depth) == "bad_json"


def test_nesting_up_to_the_bound_is_fine():
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert parse_message('{"type": "ping", "a": ' + inner + "}")["type"] == "ping"


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 4301, "1" * 41, "1." + "0" * 400,
                                    "1e" + "9" * 50])
def test_huge_numbers_are_refused(number):
    assert code_of('{"type": "start", "audio": {"sample_rate": ' + number + "}}") == "bad_json"


def test_big_but_sane_numbers_parse():
    msg = parse_message('{"type": "x", "a": ' + "9" * 30 + ', "b": 1e308, "c": -0.5}')
    assert msg["a"] == int("9" * 30) and msg["b"] == 1e308


def test_size_is_bounded():
    assert code_of(json.dumps({"type": "ping", "pad": "x" * MAX_TEXT_CHARS})) == "too_large"
    assert parse_message(json.dumps({"type": "ping", "pad": "x" * (MAX_TEXT_CHARS - 40)}))


@pytest.mark.parametrize("msg", [{}, {"type": None}, {"type": 1}, {"type": True},
                                 {"type": ["next"]}, {"type": {"next": 1}}, {"audio": {}}])
def test_type_must_be_a_string(msg):
    assert code_of(json.dumps(msg)) == "bad_type"


@pytest.mark.parametrize("audio", [None, [], "16000", 16000, {}, {"sample_rate": None},
                                   {"sample_rate": "16000"}, {"sample_rate": 16000.0},
                                   {"sample_rate": True}, {"sample_rate": 7999},
                                   {"sample_rate": 48001}, {"sample_rate": 10**30},
                                   {"sample_rate": [16000]}])
def test_start_needs_an_integer_rate_in_range(audio):
    with pytest.raises(MessageError) as err:
        start_rate({"type": "start", "audio": audio})
    assert err.value.code == "bad_start"


def test_start_rate():
    assert start_rate({"type": "start", "audio": {"sample_rate": 8000}}) == 8000
    assert start_rate({"type": "start", "audio": {"sample_rate": 48000, "channels": 1}}) == 48000
    with pytest.raises(MessageError):
        start_rate({"type": "start"})


def test_clip_echoes_at_most_60_characters():
    assert clip("dance") == "'dance'"
    long = clip("x" * 1_000_000)
    assert "x" * MAX_ECHO_CHARS in long and "x" * (MAX_ECHO_CHARS + 1) not in long
    assert "1000000 characters" in long and len(long) < 100
    assert clip("\ud800" + "a") == "'\\ud800a'"  # a lone surrogate is escaped: safe to store
    assert clip("\x00\n") == "'\\x00\\n'"
