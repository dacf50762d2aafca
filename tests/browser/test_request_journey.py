"""The information-request journey in the browser, htmx under the strict CSP: the external
reviewer files from a claim page, the Security team member answers from the inbox, the
reviewer follows up, the team answers again, and the reviewer closes the request."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import give_second_factor
from tests.conftest import ALL_CANARIES


@pytest.fixture
def session_for(browser, live_server):
    """A separate browser session per person, each collecting console errors."""
    contexts = []

    def open_session(username):
        context = browser.new_context()
        contexts.append(context)
        person_page = context.new_page()
        person_page.console_errors = []
        person_page.on(
            "console",
            lambda message: person_page.console_errors.append(message.text) if message.type == "error" else None,
        )
        person_page.goto(f"{live_server.url}/accounts/login/")
        person_page.get_by_label("Username").fill(username)
        person_page.get_by_label("Password").fill("correct-horse-battery")
        person_page.get_by_role("button", name="Log in").click()
        give_second_factor(person_page, username)
        person_page.wait_for_url(f"{live_server.url}/")
        return person_page

    yield open_session
    for context in contexts:
        context.close()


def test_a_request_goes_from_filing_to_closed(page, live_server, session_for, world, external_reviewer, team_member):
    # `page` is erin's, so that a failure leaves a screenshot of where she was.
    erin = page
    erin.console_errors = []
    erin.on("console", lambda message: erin.console_errors.append(message.text) if message.type == "error" else None)
    erin.goto(f"{live_server.url}/accounts/login/")
    erin.get_by_label("Username").fill("erin")
    erin.get_by_label("Password").fill("correct-horse-battery")
    erin.get_by_role("button", name="Log in").click()
    give_second_factor(erin, "erin")
    erin.wait_for_url(f"{live_server.url}/")

    # The external reviewer files a request from the claim page's right-hand panel.
    erin.goto(f"{live_server.url}/reports/pilot/claims/egress-monitoring/")
    panel = erin.locator("#request-panel")
    panel.get_by_text("Ask the owning team", exact=True).click()
    expect(panel.get_by_label("Owning team")).to_have_value("security")
    panel.get_by_label("Title").fill("How fast do egress alarms fire?")
    panel.get_by_label("Question").fill("Please share the **drill** timings.")
    panel.get_by_role("button", name="Send request").click()
    expect(erin.locator("#request-panel")).to_contain_text("Request sent to Security")
    assert erin.url.endswith("/claims/egress-monitoring/")  # swapped in place
    expect(erin.locator("#request-panel").get_by_role("link", name="How fast do egress alarms fire?")).to_be_visible()

    # The Security team member answers it from the inbox.
    tom = session_for("tom")
    tom.goto(f"{live_server.url}/inbox/")
    tom.get_by_role("link", name="How fast do egress alarms fire?").click()
    expect(tom.get_by_text("Holdout Evaluators will read this answer.")).to_be_visible()
    tom.get_by_label("Answer", exact=True).fill("Within 40 seconds in every drill.")
    tom.get_by_label("Egress review").check()
    tom.get_by_role("button", name="Send answer").click()
    expect(tom.locator("#request-body")).to_contain_text("Answer sent.")
    expect(tom.locator("#request-body .chip.request-answered")).to_be_visible()

    # The reviewer follows up.
    erin.get_by_role("link", name="How fast do egress alarms fire?").click()
    expect(erin.get_by_role("link", name="Egress review")).to_be_visible()
    erin.get_by_label("Follow-up", exact=True).fill("And outside office hours?")
    erin.get_by_role("button", name="Send follow-up").click()
    expect(erin.locator("#request-body")).to_contain_text("Follow-up sent to Security.")
    expect(erin.locator("#request-body .chip.request-follow_up")).to_be_visible()

    # The team answers again.
    tom.reload()
    tom.get_by_label("Answer", exact=True).fill("The same: the alarm is automated.")
    tom.get_by_role("button", name="Send answer").click()
    expect(tom.locator("#request-body")).to_contain_text("Answer sent.")

    # The reviewer closes it.
    erin.reload()
    expect(erin.get_by_text("The same: the alarm is automated.")).to_be_visible()
    erin.get_by_label("Closing note (optional)").fill("Settled.")
    erin.get_by_role("button", name="Close request").click()  # not confirmed yet: nothing closes
    expect(erin.locator("#request-body .chip.request-answered")).to_be_visible()
    expect(erin.get_by_label("Closing note (optional)")).to_have_value("Settled.")
    erin.get_by_label("I understand that closing ends this request").check()
    erin.get_by_role("button", name="Close request").click()
    expect(erin.locator("#request-body .chip.request-closed")).to_be_visible()
    expect(erin.locator("#request-body")).to_contain_text("Request closed.")
    expect(erin.get_by_role("button", name="Send follow-up")).to_have_count(0)

    content = erin.content()
    for canary in ALL_CANARIES:
        assert canary not in content
    for person in (erin, tom):
        assert not [error for error in person.console_errors if "Content Security Policy" in error], (
            person.console_errors
        )


def test_finding_evidence_for_an_answer_needs_no_answer_yet_and_sends_nothing(
    session_for, live_server, world, external_reviewer, team_member
):
    from evidence.models import InformationRequest
    from tests.factories import EvidenceFactory
    from tests.reviewapp.matrix.requests import file_request

    EvidenceFactory(report=world.report, title="Quarterly pen-test of the egress proxy")
    filed = file_request(world, external_reviewer, title="Who tested the proxy?")
    tom = session_for(team_member.username)
    tom.goto(f"{live_server.url}/reports/pilot/requests/{filed.pk}/")
    tom.get_by_label("Find evidence to link").fill("pen-test proxy")
    tom.get_by_role("button", name="Find").click()  # the answer is still empty: the browser must not stop this
    expect(tom.get_by_label("Quarterly pen-test of the egress proxy")).to_be_visible()
    expect(tom.get_by_label("Answer", exact=True)).to_have_value("")
    filed.refresh_from_db()
    assert filed.state == "open" and InformationRequest.objects.get(pk=filed.pk).version == filed.version
    tom.get_by_label("Quarterly pen-test of the egress proxy").check()
    tom.get_by_label("Answer", exact=True).fill("The quarterly pen-test covers it.")
    tom.get_by_role("button", name="Send answer").click()
    expect(tom.locator("#request-body")).to_contain_text("The quarterly pen-test covers it.")
    filed.refresh_from_db()
    assert filed.state == "answered"
    assert tom.console_errors == []
