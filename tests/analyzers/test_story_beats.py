"""Key points that only name a story beat are recognised (the API warns about them); points
with content of their own are not."""

from __future__ import annotations

import pytest

from analyzers.story_beats import beat_of


@pytest.mark.parametrize("point", [
    "the situation", "How you resolved it", "what you learned.", "outcome", "lessons learned",
    "the outcome and what you learned", "context, actions and results",
])
def test_bare_beats(point):
    assert beat_of(point)


@pytest.mark.parametrize("point", [
    "situation and disagreement", "listened to the other view", "the situation room",
    "an idempotency key sent with each request", "resolved by talking to the team",
    "measurable outcome", "what you learned about caching and its expiry times",
])
def test_points_with_content(point):
    assert not beat_of(point)
