"""Two authors edit one claim in two browser sessions: the first saves, the second saves and
sees the conflict view with both texts, their own still in the box; nothing is overwritten."""

import pytest
from playwright.sync_api import expect

from pathways.models import Claim
from pathways.services import access_grant
from tests.factories import UserFactory

FIRST = "The first author's rationale, saved first."
SECOND = "The second author's rationale, written at the same time."


@pytest.fixture
def second_author(world):
    person = UserFactory(username="alina")
    access_grant(report=world.report, user=person, role="author")
    return person


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def open_the_editor(page, live_server):
    page.goto(f"{live_server.url}/reports/pilot/claims/egress-monitoring/")
    page.get_by_role("link", name="Edit the claim, its pathways and evidence").click()
    expect(page.get_by_role("textbox", name="Rationale")).to_be_visible()


def test_two_authors_edit_one_claim_and_the_second_sees_the_conflict_view(
    page, browser, live_server, world, author, second_author
):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    other_context = browser.new_context()
    other = other_context.new_page()
    try:
        log_in(page, live_server, "alice")
        log_in(other, live_server, "alina")
        open_the_editor(page, live_server)
        open_the_editor(other, live_server)
        assert page.url.endswith("/claims/egress-monitoring/edit/")  # hx-push-url: reload keeps the form

        page.get_by_role("textbox", name="Rationale").fill(FIRST)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Saved as version 2.")).to_be_visible()
        expect(page.locator("#claim-main")).to_contain_text(FIRST)
        assert page.url.endswith("/claims/egress-monitoring/")

        other.get_by_role("textbox", name="Rationale").fill(SECOND)
        other.get_by_role("button", name="Save").click()
        expect(other.get_by_role("heading", name="Someone saved this while you were editing")).to_be_visible()
        expect(other.get_by_text("Nothing of yours has been saved")).to_be_visible()
        expect(other.locator("details[open]")).to_contain_text(FIRST)  # theirs
        expect(other.get_by_role("textbox", name="Rationale")).to_have_value(SECOND)  # yours, kept in the box
        expect(other.locator("ins").first).to_be_visible()
        assert Claim.objects.get(slug="egress-monitoring").rationale == FIRST

        # Starting again from the saved version: the second author's text now saves.
        other.get_by_role("button", name="Save my version over theirs").click()
        expect(other.get_by_text("Saved as version 3.")).to_be_visible()
        assert Claim.objects.get(slug="egress-monitoring").rationale == SECOND
    finally:
        other_context.close()
    assert not [error for error in errors if "Content Security Policy" in error], errors
