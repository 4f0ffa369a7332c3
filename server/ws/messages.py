"""The candidate's text messages: parsed with bounds (size, nesting, number length), every field
the server reads type-checked. Each refusal is a `MessageError` whose `code` is the protocol's
error code (docs/protocol.md, "Candidate WebSocket"); its message never carries more than
`MAX_ECHO_CHARS` characters of anything the client sent."""

from __future__ import annotations

import json
from typing import Any

from media.pcm import MAX_RATE, MIN_RATE

#: control messages are a few dozen bytes, a written answer (`answer.text`) at most 5,000
#: characters; longer text frames are not parsed
MAX_TEXT_CHARS = 32 * 1024
#: the deepest nesting of objects and arrays accepted (the message object itself is 1)
MAX_DEPTH = 16
#: digits (and sign, point, exponent) of one JSON number; Python refuses ints over 4,300 digits
MAX_NUMBER_CHARS = 40
#: characters of a client string echoed back in an error message
MAX_ECHO_CHARS = 60


class MessageError(ValueError):
    """A text message the server cannot use; `code` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clip(value: str, limit: int = MAX_ECHO_CHARS) -> str:
    """`value` quoted for an error message: at most `limit` of its characters, escaped like
    `repr` (control characters and lone surrogates become ASCII escapes, so it can be sent and
    stored), with its length when it was cut."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


def _number(text: str, convert) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    return convert(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(
    parse_int=lambda s: _number(s, int),
    parse_float=lambda s: _number(s, float),
    parse_constant=_constant,
)


def depth_of(value: Any, limit: int) -> int:
    """The nesting depth of a parsed JSON value (a scalar is 0), counted up to `limit + 1`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_message(text: str) -> dict[str, Any]:
    """The JSON object of a text frame, with a string `type` (MessageError otherwise)."""
    if len(text) > MAX_TEXT_CHARS:
        raise MessageError(
            "too_large", f"a text frame of {len(text)} characters (at most {MAX_TEXT_CHARS})"
        )
    try:
        msg = _DECODER.decode(text)
    except RecursionError:
        raise MessageError("bad_json", f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise MessageError(
            "bad_json", f"text frames must be JSON objects: {exc.msg} at {exc.pos}"
        ) from None
    except ValueError as exc:  # a refused number or constant
        raise MessageError("bad_json", f"text frames must be JSON objects: {exc}") from None
    if not isinstance(msg, dict):
        raise MessageError("bad_json", "text frames must be JSON objects")
    if depth_of(msg, MAX_DEPTH) > MAX_DEPTH:
        raise MessageError("bad_json", f"JSON nested deeper than {MAX_DEPTH} levels")
    kind = msg.get("type")
    if not isinstance(kind, str):
        got = "missing" if kind is None else f"a JSON {_json_type(kind)}"
        raise MessageError("bad_type", f'"type" must be a string; it is {got}')
    return msg


def start_rate(msg: dict[str, Any]) -> int:
    """The `audio.sample_rate` of a `start` message: an integer MIN_RATE..MAX_RATE."""
    audio = msg.get("audio")
    rate = audio.get("sample_rate") if isinstance(audio, dict) else None
    if not isinstance(rate, int) or isinstance(rate, bool) or not MIN_RATE <= rate <= MAX_RATE:
        raise MessageError(
            "bad_start", f"audio.sample_rate must be an integer {MIN_RATE}..{MAX_RATE}"
        )
    return rate


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__
