"""The new-interview page (/interviews/new) in real Chromium on a real server: a recruiter signs
in through the page and creates an interview from a saved job with an own question and its key
points; the API stored what the form sent; the link shown and copied opens the room with the
candidate's token, never the spectator's; the API's field errors show in plain words beside
their fields; ?job=ID preselects the job; signed out and candidate visitors get plain words;
axe-core, the phone width and keyboard only."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.axe_support import VIEWPORTS, assert_accessible, assert_reachable_by_tab, tab_to
from tests.browser.recruiter_support import (
    chromium,  # noqa: F401 - a fixture
    fits_a_phone,
    make_job,
    new_context,
    shot,
    sign_in_in_the_page,
)
from tests.support.db import register

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
READY = "#interview-form[data-ready='1']"


@pytest.fixture(scope="module")
def people(server) -> dict:
    rec = register(server, "recruiter", full_name="Rita Recruiter")
    return {"rec": rec, "other": register(server, "recruiter", full_name="Omar Other"),
            "ana": register(server, "candidate", full_name="Ana Lima"),
            "job": make_job(server, rec, title="Payments engineer", skills=["Go", "Postgres"])}


@pytest.fixture
def context(chromium, server, people, request):  # noqa: F811 - the fixture above
    callspec = getattr(request.node, "callspec", None)
    size = callspec.params["size"] if callspec and "size" in callspec.params else "1280x800"
    ctx = new_context(chromium, server, size, people["rec"])
    yield ctx
    ctx.close()


def open_form(context, server, query: str = ""):
    page = context.new_page()
    page.goto(f"{server.url}/interviews/new{query}")
    page.wait_for_selector(READY, timeout=10_000)
    return page


def stored(server, who: dict, interview_id: str) -> dict:
    r = httpx.get(f"{server.url}/api/interviews/{interview_id}", headers=who["headers"],
                  timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def created(page) -> str:
    """The interview id of the success panel (from its watch link)."""
    page.wait_for_selector("#created:not([hidden])", timeout=20_000)
    href = page.get_attribute("#watch-link", "href")
    return href.split("/spectate/")[1].split("?")[0]


def test_create_from_a_job_with_an_own_question(chromium, server, people):  # noqa: F811
    rec, ana, job = people["rec"], people["ana"], people["job"]
    ctx = new_context(chromium, server)  # signed out: the page signs in
    page = ctx.new_page()
    sign_in_in_the_page(page, server, rec, "/interviews/new")
    page.wait_for_selector(READY, timeout=10_000)
    page.select_option("#job_id", str(job["id"]))
    page.fill("#job_role", "Senior payments engineer")
    page.select_option("#difficulty", "advanced")
    for _ in range(2):
        page.click("#add-question")
    rows = page.locator("#questions > li")
    assert rows.count() == 2
    assert page.is_disabled("#num_questions")  # the own questions set the number
    rows.nth(1).locator("button.remove").click()  # removed again
    assert rows.count() == 1
    row = rows.nth(0)
    row.locator("textarea[data-key='text']").fill("How would you make a payment API safe to retry?")
    row.locator("select[data-key='type']").select_option("technical")
    row.locator("textarea[data-key='points']").fill(
        "an idempotency key per request\nthe first response is stored and replayed\n")
    row.locator("textarea[data-key='claims']").fill("retrying a POST is always safe")
    page.fill("#candidate_email", ana["user"]["email"])
    page.fill("#recruiter_ids", str(people["other"]["user"]["id"]))
    page.check("#approve_follow_ups")
    page.click("#create")
    interview_id = created(page)

    got = stored(server, rec, interview_id)
    assert got["job_id"] == job["id"] and got["job_role"] == "Senior payments engineer"
    assert got["difficulty"] == "advanced" and got["plan_source"] == "recruiter"
    assert got["num_questions"] == 1
    (q,) = got["questions"]
    assert q["text"] == "How would you make a payment API safe to retry?"
    assert q["expected_points"] == ["an idempotency key per request",
                                    "the first response is stored and replayed"]
    assert q["wrong_claims"] == ["retrying a POST is always safe"]
    assert got["candidate_id"] == ana["user"]["id"]
    assert got["recruiter_ids"] == [people["other"]["user"]["id"]]
    settings = server.server.config.app.state.store.get_interview(interview_id).settings
    assert settings["approve_follow_ups"] is True

    # the candidate's link: shown, copied, opens the room; the watch link is the staff's
    link = page.input_value("#room-link")
    assert link == got["room_url"]
    assert f"token={got['candidate_token']}" in link and got["spectator_token"] not in link
    page.click("#copy-link")
    page.locator("#copy-status").filter(has_text="Copied").wait_for(timeout=5_000)
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    assert httpx.get(link, timeout=10).status_code == 200
    check = httpx.get(f"{server.url}/api/interviews/{interview_id}/check",
                      params={"token": got["candidate_token"]}, timeout=10)
    assert check.status_code == 200 and check.json()["state"] == "pending"
    assert page.get_attribute("#watch-link", "href") == (
        f"/spectate/{interview_id}?token={got['spectator_token']}")
    assert page.get_attribute("#created a[href='/dashboard']", "href") == "/dashboard"
    hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.href)")
    assert not [h for h in hrefs if got["spectator_token"] in h and "/room/" in h]
    ctx.close()


def test_api_errors_in_plain_words_beside_their_fields(context, server):
    page = open_form(context, server)
    page.fill("#job_role", "Backend engineer")
    page.fill("#num_questions", "11")
    page.fill("#candidate_email", "nobody-at-all@example.com")
    page.click("#create")
    email_error = page.locator("#candidate_email-error")
    email_error.filter(has_text="No account has this email").wait_for(timeout=10_000)
    assert page.get_attribute("#candidate_email", "aria-invalid") == "true"
    assert page.inner_text("#num_questions-error") == "Please enter a whole number from 1 to 10."
    assert page.get_attribute("#num_questions", "aria-invalid") == "true"
    main = page.inner_text("main")
    assert "422" not in main and "no account with this email" not in main
    assert "an integer from" not in main
    colour = page.eval_on_selector("#candidate_email-error", "e => getComputedStyle(e).color")
    assert colour == "rgb(180, 35, 24)"  # --bad
    # a question left without its text: beside the question
    page.fill("#num_questions", "2")
    page.fill("#candidate_email", "")
    page.click("#add-question")
    page.fill("#questions textarea[data-key='points']", "a point")
    page.click("#create")
    page.locator("#questions .field-error").filter(has_text="Please write the question").wait_for(
        timeout=10_000)
    # nothing at all: asked for a role before anything is sent
    page.reload()
    page.wait_for_selector(READY, timeout=10_000)
    page.fill("#job_role", "")
    page.click("#create")
    assert "write the role" in page.inner_text("#job_role-error")


def test_a_jobs_link_preselects_the_job(context, server, people):
    job = people["job"]
    page = open_form(context, server, f"?job={job['id']}")
    assert page.input_value("#job_id") == str(job["id"])
    page.click("#create")  # the job alone is enough: its title is the role
    interview_id = created(page)
    got = stored(server, people["rec"], interview_id)
    assert got["job_id"] == job["id"] and got["job_role"] == job["title"]
    assert got["num_questions"] == 5


def test_signed_out_and_candidate_visitors(chromium, server, people):  # noqa: F811
    ctx = new_context(chromium, server)
    page = ctx.new_page()
    page.goto(f"{server.url}/interviews/new")
    page.wait_for_selector("#gate:not([hidden])", timeout=10_000)
    assert "Please sign in" in page.inner_text("#gate")
    assert page.get_attribute("#gate a", "href") == "/signin?next=%2Finterviews%2Fnew"
    assert page.is_hidden("#interview-form")
    ctx.close()
    ctx = new_context(chromium, server, who=people["ana"])
    page = ctx.new_page()
    page.goto(f"{server.url}/interviews/new")
    page.wait_for_selector("#gate:not([hidden])", timeout=10_000)
    assert page.inner_text("#gate-text") == "Only recruiters can create interviews."
    assert page.is_hidden("#interview-form")
    ctx.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_accessible_and_fits_a_phone(context, server, people, size):
    page = open_form(context, server)
    page.click("#add-question")
    page.fill("#job_role", "Backend engineer")
    page.fill("#candidate_email", "nobody-at-all@example.com")
    page.click("#create")
    page.locator("#candidate_email-error").filter(has_text="No account").wait_for(timeout=10_000)
    assert_accessible(page, f"new interview with errors at {size}")
    if size == "390x844":
        assert fits_a_phone(page)
    shot(page, f"new-interview-{size}")
    page.fill("#candidate_email", "")
    page.fill("#questions textarea[data-key='text']", "Tell me about a time you disagreed.")
    page.fill("#questions textarea[data-key='points']", "listened to the other side first")
    page.click("#create")
    created(page)
    page.click("#copy-link")
    page.locator("#copy-status").filter(has_text="Copied").wait_for(timeout=5_000)
    assert_accessible(page, f"new interview created at {size}")
    if size == "390x844":
        assert fits_a_phone(page)
    shot(page, f"new-interview-created-{size}")


def test_by_keyboard_only(context, server, people):
    page = open_form(context, server)
    assert_reachable_by_tab(page, "new interview")
    page.evaluate("() => document.activeElement.blur()")
    tab_to(page, "#job_role")
    page.keyboard.type("Site reliability engineer")
    page.keyboard.press("Tab")  # the difficulty
    page.keyboard.press("ArrowDown")  # intermediate -> advanced
    tab_to(page, "#add-question")
    page.keyboard.press("Enter")  # a row, and the focus in its question
    assert page.evaluate("() => document.activeElement.dataset.key") == "text"
    page.keyboard.type("How do you roll back a bad deploy?")
    page.keyboard.press("Tab")  # its kind
    page.keyboard.press("Tab")  # its key points
    page.keyboard.type("keep the previous release ready")
    page.keyboard.press("Enter")
    page.keyboard.type("watch the error rate")
    tab_to(page, "#approve_follow_ups")
    page.keyboard.press("Space")
    assert page.is_checked("#approve_follow_ups")
    tab_to(page, "#create")
    page.keyboard.press("Enter")
    interview_id = created(page)
    assert page.evaluate("() => document.activeElement.id") == "created-title"
    got = stored(server, people["rec"], interview_id)
    assert got["job_role"] == "Site reliability engineer" and got["difficulty"] == "advanced"
    assert [q["text"] for q in got["questions"]] == ["How do you roll back a bad deploy?"]
    assert got["questions"][0]["expected_points"] == ["keep the previous release ready",
                                                      "watch the error rate"]
    settings = server.server.config.app.state.store.get_interview(interview_id).settings
    assert settings["approve_follow_ups"] is True
    tab_to(page, "#copy-link")
    page.keyboard.press("Enter")
    page.locator("#copy-status").filter(has_text="Copied").wait_for(timeout=5_000)
    assert_reachable_by_tab(page, "new interview created")
