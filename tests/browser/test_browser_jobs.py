"""The jobs page (/jobs) in real Chromium on a real server: a recruiter signs in through the page,
creates a job (with an own question), edits it and deletes it after a confirm step, each checked
through the API; the API's field errors show in plain words beside their fields; a job's "New
interview for this job" link preselects it; another recruiter's job cannot be edited here;
signed-out and candidate visitors get plain words; axe-core, the phone width and keyboard."""

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
READY = "#list[data-ready='1']"


@pytest.fixture(scope="module")
def people(server) -> dict:
    rec = register(server, "recruiter", full_name="Jo Jobs")
    other = register(server, "recruiter", full_name="Omar Other")
    return {"rec": rec, "other": other, "ana": register(server, "candidate"),
            "theirs": make_job(server, other, title="Their own job")}


@pytest.fixture
def context(chromium, server, people, request):  # noqa: F811 - the fixture above
    callspec = getattr(request.node, "callspec", None)
    size = callspec.params["size"] if callspec and "size" in callspec.params else "1280x800"
    ctx = new_context(chromium, server, size, people["rec"])
    yield ctx
    ctx.close()


def open_jobs(context, server):
    page = context.new_page()
    page.goto(f"{server.url}/jobs")
    page.wait_for_selector(READY, timeout=10_000)
    return page


def api_job(server, who: dict, job_id: int) -> httpx.Response:
    return httpx.get(f"{server.url}/api/jobs/{job_id}", headers=who["headers"], timeout=10)


def card(page, job_id: int):
    return page.locator(f"#jobs li[data-id='{job_id}']")


def mine(server, who: dict) -> list[dict]:
    r = httpx.get(f"{server.url}/api/jobs", params={"mine": "1", "page_size": 100},
                  headers=who["headers"], timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_create_edit_and_delete_a_job(chromium, server, people):  # noqa: F811
    rec = people["rec"]
    ctx = new_context(chromium, server)
    page = ctx.new_page()
    sign_in_in_the_page(page, server, rec, "/jobs")
    page.wait_for_selector(READY, timeout=10_000)
    page.click("#new-job")
    page.fill("#title", "Platform engineer")
    page.fill("#description", "Kubernetes clusters and the deploy pipeline.")
    page.fill("#skills", "Kubernetes, Terraform ,  Go")
    page.fill("#experience", "5+ years")
    page.click("#add-question")
    page.fill("#questions textarea[data-key='text']", "How do you roll out a risky change?")
    page.fill("#questions textarea[data-key='points']", "canary first\nwatch the error budget")
    page.click("#save-job")
    page.wait_for_selector("#job-form", state="hidden", timeout=10_000)
    (job,) = [j for j in mine(server, rec) if j["title"] == "Platform engineer"]
    assert job["description"] == "Kubernetes clusters and the deploy pipeline."
    assert job["skills"] == ["Kubernetes", "Terraform", "Go"]
    assert job["experience"] == "5+ years"
    assert job["questions"][0]["text"] == "How do you roll out a risky change?"
    assert job["questions"][0]["key_points"] == ["canary first", "watch the error budget"]
    row = card(page, job["id"])
    assert row.locator(".job-title").inner_text() == "Platform engineer"
    assert row.locator(".skill").all_inner_texts() == ["Kubernetes", "Terraform", "Go"]
    assert "created" in row.locator(".job-facts").inner_text()

    # edit: the form holds the job; the change is stored
    row.locator("button", has_text="Edit").click()
    assert page.input_value("#title") == "Platform engineer"
    assert page.input_value("#skills") == "Kubernetes, Terraform, Go"
    page.fill("#title", "Senior platform engineer")
    page.fill("#skills", "Kubernetes, Go")
    page.click("#questions button.remove")  # the job's question goes
    page.click("#save-job")
    card(page, job["id"]).locator(".job-title").filter(
        has_text="Senior platform engineer").wait_for(timeout=10_000)
    got = api_job(server, rec, job["id"]).json()
    assert got["title"] == "Senior platform engineer" and got["skills"] == ["Kubernetes", "Go"]
    assert got["questions"] == [] and got["experience"] == "5+ years"

    # its new-interview link preselects it
    link = card(page, job["id"]).locator("a", has_text="New interview for this job")
    assert link.get_attribute("href") == f"/interviews/new?job={job['id']}"
    link.click()
    page.wait_for_selector("#interview-form[data-ready='1']", timeout=10_000)
    assert page.input_value("#job_id") == str(job["id"])
    page.go_back()
    page.wait_for_selector(READY, timeout=10_000)

    # delete: asks first
    card(page, job["id"]).locator("button", has_text="Delete").click()
    assert page.is_visible("#confirm-delete")
    assert "Senior platform engineer" in page.inner_text("#confirm-text")
    page.click("#confirm-cancel")
    assert card(page, job["id"]).count() == 1 and api_job(server, rec, job["id"]).status_code == 200
    card(page, job["id"]).locator("button", has_text="Delete").click()
    page.click("#confirm-yes")
    card(page, job["id"]).wait_for(state="detached", timeout=10_000)
    assert api_job(server, rec, job["id"]).status_code == 404
    ctx.close()


def test_errors_in_plain_words_and_others_jobs(context, server, people):
    page = open_jobs(context, server)
    # another recruiter's job: listed, with its interview link, not editable here
    theirs = card(page, people["theirs"]["id"])
    assert theirs.locator("a", has_text="New interview for this job").count() == 1
    assert theirs.locator("button").count() == 0
    page.click("#new-job")
    page.click("#save-job")  # no title
    assert page.inner_text("#title-error") == "Please fill this in."
    assert page.get_attribute("#title", "aria-invalid") == "true"
    page.fill("#title", "QA engineer")
    page.fill("#skills", "x" * 61)  # the API's check: a skill of at most 60 characters
    page.click("#save-job")
    page.locator("#skills-error").filter(has_text="Each skill at most 60 characters").wait_for(
        timeout=10_000)
    assert page.get_attribute("#skills", "aria-invalid") == "true"
    assert "422" not in page.inner_text("main")
    colour = page.eval_on_selector("#skills-error", "e => getComputedStyle(e).color")
    assert colour == "rgb(180, 35, 24)"  # --bad
    page.click("#cancel-job")
    assert page.is_hidden("#job-form")
    assert page.evaluate("() => document.activeElement.id") == "new-job"


def test_signed_out_and_candidate_visitors(chromium, server, people):  # noqa: F811
    ctx = new_context(chromium, server)
    page = ctx.new_page()
    page.goto(f"{server.url}/jobs")
    page.wait_for_selector("#gate:not([hidden])", timeout=10_000)
    assert "Please sign in" in page.inner_text("#gate")
    assert page.get_attribute("#gate a", "href") == "/signin?next=%2Fjobs"
    ctx.close()
    ctx = new_context(chromium, server, who=people["ana"])
    page = ctx.new_page()
    page.goto(f"{server.url}/jobs")
    page.wait_for_selector("#gate:not([hidden])", timeout=10_000)
    assert page.inner_text("#gate-text") == "Only recruiters can manage jobs."
    assert page.is_hidden("#list") and page.is_hidden("#new-job")
    ctx.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_accessible_and_fits_a_phone(context, server, people, size):
    make_job(server, people["rec"], title=f"Site reliability engineer ({size})",
             skills=["Linux", "Prometheus", "On-call", "Incident reviews"],
             questions=[{"text": "Walk me through an outage you led.",
                         "key_points": ["a timeline"]}])
    page = open_jobs(context, server)
    assert_accessible(page, f"jobs list at {size}")
    if size == "390x844":
        assert fits_a_phone(page)
    shot(page, f"jobs-{size}")
    page.click("#new-job")
    page.click("#add-question")
    page.click("#save-job")
    page.locator("#title-error").filter(has_text="Please fill").wait_for()
    assert_accessible(page, f"job editor with an error at {size}")
    if size == "390x844":
        assert fits_a_phone(page)
    shot(page, f"jobs-editor-{size}")
    page.click("#cancel-job")
    card(page, people["theirs"]["id"]).wait_for()
    page.locator("#jobs li button", has_text="Delete").first.click()
    assert_accessible(page, f"jobs delete confirm at {size}")
    shot(page, f"jobs-confirm-{size}", full_page=False)  # the modal over the view


def test_by_keyboard(context, server, people):
    page = open_jobs(context, server)
    assert_reachable_by_tab(page, "jobs list")
    page.evaluate("() => document.activeElement.blur()")
    tab_to(page, "#new-job")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "title"
    page.keyboard.type("Keyboard engineer")
    tab_to(page, "#skills")
    page.keyboard.type("Vim, Emacs")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("#job-form", state="hidden", timeout=10_000)
    (job,) = [j for j in mine(server, people["rec"]) if j["title"] == "Keyboard engineer"]
    assert job["skills"] == ["Vim", "Emacs"]
    # the focus is on the new job's interview link; Delete by keyboard, confirmed by Enter
    assert page.evaluate("() => document.activeElement.closest('li')?.dataset.id") == str(job["id"])
    tab_to(page, f"#jobs li[data-id='{job['id']}'] button.btn-danger")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "confirm-cancel"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    card(page, job["id"]).wait_for(state="detached", timeout=10_000)
    assert api_job(server, people["rec"], job["id"]).status_code == 404
