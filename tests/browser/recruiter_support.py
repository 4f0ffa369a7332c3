"""What the browser tests of the recruiter pages (new interview, jobs) share: a Chromium without
fake media, a browser context of a size signed in as someone, screenshots, the phone check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.axe_support import VIEWPORTS

SHOTS = Path("/tmp/shots-newint")


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    from tests.browser.room_support import CHROMIUM

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def new_context(chromium, server, size: str = "1280x800", who: dict | None = None):
    """A context of the viewport `size` (clipboard allowed), signed in as `who` if given."""
    ctx = chromium.new_context(viewport=VIEWPORTS[size])
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    if who is not None:
        token, user = json.dumps(who["access_token"]), json.dumps(json.dumps(who["user"]))
        ctx.add_init_script(f"localStorage.setItem('access_token', {token});"
                            f"localStorage.setItem('access_user', {user});")
    return ctx


def sign_in_in_the_page(page, server, who: dict, next_path: str) -> None:
    """Sign in through /signin?next=..., as a person does; lands on `next_path`."""
    page.goto(f"{server.url}/signin?next={next_path}")
    page.fill("#username", who["user"]["username"])
    page.fill("#password", who["password"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{next_path}", timeout=10_000)


def fits_a_phone(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


def shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:
        page.evaluate("() => window.scrollTo(0, 0)")  # the sticky bar at the top of the shot
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def make_job(server, who: dict, **fields) -> dict:
    body = {"title": "Data engineer", "skills": ["Python", "SQL"], "experience": "3+ years",
            "description": "Pipelines and warehouses.", **fields}
    r = httpx.post(f"{server.url}/api/jobs", headers=who["headers"], json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()
