"""The per-session budget of `error` events (server/live/error_budget.py)."""

from __future__ import annotations

from server.events.kinds import Error
from server.live.error_budget import MAX_MESSAGE_CHARS, NOTICE_CODE, ErrorBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(burst: int = 5, per_s: float = 1.0):
    sent: list[Error] = []
    clock = Clock()
    return ErrorBudget(sent.append, burst=burst, per_s=per_s, clock=clock), sent, clock


def test_a_burst_then_one_notice_then_counted():
    budget, sent, _ = make()
    for i in range(100):
        budget.report(Error(code="bad_json", message=f"error {i}"))
    assert [e.code for e in sent] == ["bad_json"] * 5 + [NOTICE_CODE]
    assert "counted" in sent[-1].message
    assert budget.emitted == 5 and budget.suppressed == 95


def test_a_steady_rate_after_the_burst():
    budget, sent, clock = make(burst=5, per_s=2.0)
    for _ in range(600):  # 60 s at 10 errors per second
        budget.report(Error(code="unknown_kind", message="x"))
        clock.now += 0.1
    errors = [e for e in sent if e.code == "unknown_kind"]
    assert 5 + 2 * 60 - 2 <= len(errors) <= 5 + 2 * 60 + 1
    assert [e.code for e in sent].count(NOTICE_CODE) == 1  # one notice for the whole overrun
    assert budget.emitted + budget.suppressed == 600
    # an error sent after some were held back says how many
    assert "not sent" in errors[-1].message


def test_a_calm_client_gets_its_budget_back_and_a_new_notice_later():
    budget, sent, clock = make(burst=3, per_s=1.0)
    for _ in range(10):
        budget.report(Error(code="bad_json", message="x"))
    clock.now += 60  # quiet for a minute: the bucket is full again
    for _ in range(10):
        budget.report(Error(code="bad_json", message="y"))
    codes = [e.code for e in sent]
    assert codes == ["bad_json"] * 3 + [NOTICE_CODE] + ["bad_json"] * 3 + [NOTICE_CODE]


def test_messages_are_capped():
    budget, sent, _ = make()
    budget.report(Error(code="bad_video", message="z" * 10_000))
    assert len(sent[0].message) <= MAX_MESSAGE_CHARS
