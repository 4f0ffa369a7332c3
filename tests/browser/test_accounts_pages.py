"""The sign-up and sign-in pages in real Chromium: a recruiter signs up through the page, signs
out, signs in (to ?next= when it is a path of this site); a wrong password and a taken username
show plain words; axe-core, the phone width and Tab reach every control."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.axe_support import VIEWPORTS, assert_accessible, assert_reachable_by_tab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
SHOTS = Path("/tmp/shots-acct")
PASSWORD = "good pass 42"


@pytest.fixture
def context(room_browser, request) -> Iterator:
    callspec = getattr(request.node, "callspec", None)
    size = VIEWPORTS[callspec.params["size"] if callspec else "1280x800"]
    ctx = room_browser.new_context(viewport=size)
    yield ctx
    ctx.close()


def sign_up(page, server, name: str) -> None:
    page.goto(f"{server.url}/signup")
    page.fill("#full_name", "Rita Recruiter")
    page.fill("#username", name)
    page.fill("#email", f"{name}@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_sign_up_sign_out_sign_in(server, context):
    page = context.new_page()
    name = f"rec_{uuid.uuid4().hex[:8]}"
    sign_up(page, server, name)
    page.wait_for_url(f"{server.url}/dashboard")
    user = page.evaluate("() => JSON.parse(localStorage.getItem('access_user'))")
    assert user["username"] == name and user["role"] == "recruiter"
    assert page.evaluate("() => localStorage.getItem('access_token')")
    page.evaluate("() => localStorage.clear()")  # signed out

    page.goto(f"{server.url}/signin?next=/jobs%3Fx%3D1")
    page.fill("#username", name)
    page.fill("#password", "wrong pass 1")
    page.click("button[type=submit]")
    error = page.locator("#form-error")
    error.filter(has_text="not right").wait_for()
    assert "401" not in error.inner_text() and "invalid" not in error.inner_text()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/jobs?x=1")

    # an address of another site in ?next= is not followed
    page.evaluate("() => localStorage.clear()")
    page.goto(f"{server.url}/signin?next=//evil.example/x")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/dashboard")


def test_taken_username_and_weak_password(server, context):
    page = context.new_page()
    name = f"rec_{uuid.uuid4().hex[:8]}"
    sign_up(page, server, name)
    page.wait_for_url(f"{server.url}/dashboard")
    page.evaluate("() => localStorage.clear()")
    sign_up(page, server, name)
    page.locator("#username-error").filter(has_text="taken").wait_for()
    assert page.locator("#username").get_attribute("aria-invalid") == "true"
    assert "409" not in page.inner_text("main")
    page.fill("#username", f"{name}x")
    page.fill("#email", f"{name}x@example.com")
    page.fill("#password", "short")
    page.click("button[type=submit]")
    page.locator("#password-error").filter(has_text="At least 8 characters").wait_for()
    assert page.url.endswith("/signup")


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("which", ["signin", "signup"])
def test_accessible_narrow_and_by_keyboard(server, context, size, which):
    page = context.new_page()
    page.goto(f"{server.url}/{which}")
    page.fill("#username", "x")
    page.fill("#password", "y")
    page.click("button[type=submit]")
    page.locator("#form-error").filter(has_text=" ").wait_for()  # with an error shown
    assert_accessible(page, f"{which} at {size}")
    if size == "390x844":
        assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{which}-{size}.png"), full_page=True)
    page.goto(f"{server.url}/{which}")
    assert_reachable_by_tab(page, which)
