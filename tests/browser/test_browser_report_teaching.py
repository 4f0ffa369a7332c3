"""The report teaches and links to the replay (real server, a finished interview): 2-3
takeaways in plain words, flagged moments that open the replay at their second, links both
ways, one score scale on both pages, no horizontal scroll at 390x844."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.browser.axe_support import assert_accessible
from tests.browser.test_accessibility import context, finished, recruiter  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SHOTS = "/tmp/shots-report"
RR_SHOTS = Path("/tmp/shots-rr")


def open_report(context, server, interview):  # noqa: F811
    page = context.new_page()
    page.goto(f"{server.url}/report/{interview['id']}?token={interview['spectator_token']}")
    page.wait_for_function("() => document.querySelector('#page').getAttribute('aria-busy')"
                           " === 'false'", timeout=20_000)
    return page


def wait_replay(page):
    page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=20_000)


def player_time(page) -> float:
    return page.evaluate("() => window.replay.hasMedia ? document.querySelector('#player')"
                         ".currentTime : window.replay.t")


@pytest.mark.parametrize("size", ["1280x800", "390x844"])
def test_takeaways_moments_and_links(server, finished, context, size):  # noqa: F811
    page = open_report(context, server, finished)
    page.screenshot(path=f"{SHOTS}/report-{size}.png", full_page=True)
    items = page.locator("#takeaways > li")
    assert 2 <= items.count() <= 3
    for i in range(items.count()):
        text = items.nth(i).locator(".takeaway-text").text_content()
        assert len(text.split()) >= 6 and re.search(r"\d", text), text
        assert "0/100 on average" not in text
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page, f"report with takeaways at {size}")
    links = page.locator("#takeaways a.moment-link, #moments a.moment-link")
    assert links.count() >= 1
    link = links.first
    t = float(link.get_attribute("data-t"))
    assert f"t={round(t, 1)}".rstrip("0").rstrip(".") in link.get_attribute("href") \
        or f"t={round(t, 1)}" in link.get_attribute("href")
    link.click()
    page.wait_for_url("**/replay/**")
    wait_replay(page)
    page.wait_for_function(f"() => Math.abs((window.replay.hasMedia ? document.querySelector("
                           f"'#player').currentTime : window.replay.t) - {t}) < 0.5",
                           timeout=15_000)
    assert abs(player_time(page) - t) < 0.5
    page.screenshot(path=f"{SHOTS}/replay-{size}.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page, f"replay opened at a moment at {size}")
    back = page.locator("#report-link")
    assert f"/report/{finished['id']}" in back.get_attribute("href")
    back.click()
    page.wait_for_url("**/report/**")
    page.wait_for_function("() => document.querySelector('#page').getAttribute('aria-busy')"
                           " === 'false'", timeout=20_000)


def test_replay_honours_t_and_one_score_scale(server, finished, context):  # noqa: F811
    page = context.new_page()
    page.goto(f"{server.url}/replay/{finished['id']}?token={finished['spectator_token']}&t=3")
    wait_replay(page)
    page.wait_for_function("() => Math.abs((window.replay.hasMedia ? document.querySelector("
                           "'#player').currentTime : window.replay.t) - 3) < 0.5",
                           timeout=15_000)
    replay_score = page.locator(".item-score").first
    replay_score.wait_for(timeout=5_000)
    n = int(re.match(r"\d+", replay_score.text_content()).group())
    replay_band = replay_score.get_attribute("data-band")
    expected = "good" if n >= 70 else "fair" if n >= 40 else "poor"
    assert replay_band == expected
    page = open_report(context, server, finished)
    # every score on the report is banded by the same rule as the replay's
    cells = page.evaluate("() => [...document.querySelectorAll('#questions b.score')]"
                          ".map((b) => [b.textContent, b.dataset.band])")
    assert cells
    for text, band in cells:
        m = re.match(r"\d+", text.strip())
        if m:
            v = int(m.group())
            assert band == ("good" if v >= 70 else "fair" if v >= 40 else "poor"), cells
    # a poor score is never painted with the good colour
    js = "(b) => getComputedStyle(b).color"
    page.evaluate("""() => { const b = document.createElement('b'); b.id = 'probe';
        b.className = 'score score-poor'; document.body.append(b); }""")
    ok = page.evaluate("() => getComputedStyle(document.documentElement)"
                       ".getPropertyValue('--ok').trim()")
    assert ok and page.locator("#probe").evaluate(js) != page.evaluate(
        "(c) => { const d = document.createElement('i'); d.style.color = c;"
        " document.body.append(d); return getComputedStyle(d).color; }", ok)


MARKS = """(sel) => [...document.querySelectorAll(sel)].map((chart) => ({
    id: chart.id || chart.dataset.metric,
    name: chart.querySelector('svg')?.getAttribute('aria-label') ?? null,
    marks: [...chart.querySelectorAll('svg g.chart-marker, svg g.question-mark')].map((g) => ({
        label: g.querySelector('text')?.textContent ?? '',
        title: g.querySelector('title')?.textContent ?? '',
        line: g.querySelector('line').getBoundingClientRect().height,
    })),
}))"""


@pytest.mark.parametrize("size", ["1280x800", "390x844"])
def test_the_charts_mark_where_each_question_starts(server, finished, context, size):  # noqa: F811
    report = httpx.get(f"{server.url}/api/interviews/{finished['id']}/report",
                       params={"token": finished["spectator_token"]}, timeout=10).json()
    events = httpx.get(f"{server.url}/api/interviews/{finished['id']}/events",
                       params={"token": finished["spectator_token"], "limit": 1000},
                       timeout=10).json()["events"]
    asked = [e for e in events if e["type"] == "question"]
    starts = report["question_starts"]
    assert len(starts) == len({e["turn"] for e in asked}) >= 1, (starts, asked)
    assert [s["t"] for s in starts] == sorted(round(e["t"], 2) for e in asked)
    labels = [s["label"] for s in starts]
    assert labels[0] == "Q1", labels

    page = open_report(context, server, finished)
    charts = page.evaluate(MARKS, "#row-charts .chart")
    drawn = [c for c in charts if c["name"] is not None]
    assert drawn, charts  # the report's charts have data
    for chart in drawn:
        assert [m["label"] for m in chart["marks"]] == labels, chart
        for mark, start in zip(chart["marks"], starts, strict=True):
            assert mark["title"].startswith(start["title"] + " at "), (mark, start)
            assert mark["line"] > 50, mark  # a vertical line over the plot
        assert "Question 1 at " in chart["name"], chart  # named for screen readers
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page, f"report charts with question markers at {size}")
    RR_SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RR_SHOTS / f"report-{size}.png"), full_page=True)

    page.goto(f"{server.url}/replay/{finished['id']}?token={finished['spectator_token']}")
    wait_replay(page)
    replay = [c for c in page.evaluate(MARKS, "#charts .chart") if c["name"] is not None]
    assert replay, "the replay has no chart with data"
    for chart in replay:
        assert [m["label"] for m in chart["marks"]] == labels, chart
        assert all(m["title"].startswith(s["title"] + " at ")
                   for m, s in zip(chart["marks"], starts, strict=True)), chart
        assert "Question 1 at " in chart["name"], chart
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page, f"replay charts with question markers at {size}")
    page.screenshot(path=str(RR_SHOTS / f"replay-{size}.png"), full_page=True)
