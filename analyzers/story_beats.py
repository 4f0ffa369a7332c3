"""Abstract story beats in key points ("the situation", "how you resolved it", "what you
learned"): a recruiter's behavioral key points are sometimes only the beats of a good story.
The offline evaluator matches meaning, and "I learned to ask for data early" is only 0.34 from
"what you learned" (a vague "I always learn from others" is 0.56), so such a point cannot be
judged offline: the API warns when one is written, asking for what a good answer says instead.
"""

from __future__ import annotations

import re

#: a point of at most this many words may be a bare beat
MAX_BEAT_WORDS = 5

_BEAT = re.compile(
    r"^(the |a |your |their |what |how )*(situation|context|background|setting|problem|task|"
    r"actions?|approach|steps|outcome|results?|impact|lessons?( learned)?|takeaways?|"
    r"(you|they|i) (did|resolved it|handled it|learned|learnt))$")


def beat_of(point: str) -> bool:
    """Whether a key point is only a story beat (no content of its own)."""
    text = " ".join(point.lower().strip().rstrip(".").split())
    parts = [p.strip() for p in re.split(r",| and ", text) if p.strip()]
    return (len(text.split()) <= MAX_BEAT_WORDS + 3 and bool(parts)
            and all(len(p.split()) <= MAX_BEAT_WORDS and _BEAT.match(p) for p in parts))
