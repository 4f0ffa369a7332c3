"""The accessibility checks of the browser tests: axe-core (node_modules/, installed by
`npm ci` from package-lock.json, as scripts/test does) run inside a Chromium page, and the
page's Tab order against its visible interactive controls."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: a desktop and a phone (the pages' narrow layout)
VIEWPORTS = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")

RUN_AXE = """async () => {
    // what a person reads: the page after its fades and transitions (colours mid-fade blend)
    await Promise.all(document.getAnimations()
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
        .map((a) => a.finished.catch(() => null)));
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), impact: n.impact,
                                     summary: n.failureSummary })),
    }));
}"""

#: a stable name for an element: its id, or its path of tags and positions
ELEMENT_KEY = """(el) => {
    if (!el || el === document.body || el === document.documentElement) return null;
    if (el.id) return '#' + el.id;
    const path = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) {
        if (e.id) { path.unshift('#' + e.id); break; }
        const same = [...e.parentElement.children].filter((c) => c.tagName === e.tagName);
        path.unshift(e.tagName.toLowerCase()
                     + (same.length > 1 ? `:nth-of-type(${same.indexOf(e) + 1})` : ''));
    }
    return path.join(' > ');
}"""

#: the visible, enabled controls a person can operate (what Tab must reach)
INTERACTIVE = f"""() => {{
    const key = {ELEMENT_KEY};
    const selector = 'a[href], button, input, select, textarea, summary, video[controls], '
        + '[tabindex]:not([tabindex="-1"]), [role="button"], [role="slider"], [role="link"]';
    const shown = (el) => el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[inert]');
    return [...document.querySelectorAll(selector)]
        .filter((el) => !el.disabled && shown(el))
        .map(key);
}}"""

FOCUSED = f"() => ({ELEMENT_KEY})(document.activeElement)"


def axe_script() -> Path:
    """axe.min.js; a missing one fails the test under CI (and skips it elsewhere)."""
    if AXE.is_file():
        return AXE
    message = f"{AXE} is missing: run `npm ci` at the repository root (scripts/test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def serious_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for n in v["nodes"][:8]:
            summary = " ".join((n["summary"] or "").split())
            lines.append(f"    {n['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    """No serious or critical axe-core violation on the page; a readable list otherwise."""
    found = serious_violations(page)
    assert not found, (f"{where}: {len(found)} serious or critical axe-core violation(s)\n"
                       + describe(found))


def tab_order(page, limit: int = 80) -> list[str]:
    """The elements Tab visits once round the page (keys as ELEMENT_KEY's), from the focus."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        key = page.evaluate(FOCUSED)
        if seen and key == seen[-1]:
            continue  # inside one element (a video's own controls)
        if key is not None and key in seen:
            break
        if key is not None:
            seen.append(key)
    return seen


def assert_reachable_by_tab(page, where: str) -> list[str]:
    """Every visible interactive control of the page is reached by Tab; returns the order."""
    controls = page.evaluate(INTERACTIVE)
    order = tab_order(page, limit=len(controls) + 20)
    missing = [c for c in controls if c not in order]
    assert not missing, f"{where}: not reached by Tab: {missing}\nTab order: {order}"
    return order


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) || false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} (focus: {page.evaluate(FOCUSED)})")
