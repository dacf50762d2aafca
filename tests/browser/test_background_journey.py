"""The app chasing the work, in the browser under the strict CSP: a filed request lights the
team member's bell, the notification opens the request, marking read updates the bell in
place; and an external reviewer exports their review record as a PDF and downloads it.
Tasks run in the server as each transaction commits (eager), as tests/settings.py sets."""

import io
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN
from tests.reviewapp.matrix.requests import file_request


def _collect_console_errors(page):
    page.console_errors = []
    page.on("console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None)


def test_a_filed_request_lights_the_bell_and_the_notification_opens_it(
    page, live_server, login, world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = file_request(
            world, external_reviewer, title="How fast do egress alarms fire?", question="Please share the timings."
        )
        file_request(world, external_reviewer, title="Who reviews the thresholds?", question="And how often?")
    _collect_console_errors(page)
    login("tom")
    bell = page.locator("#notification-bell")
    expect(bell).to_contain_text("2 unread notifications")

    bell.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.locator("#notification-list")).to_contain_text("New request to Security: How fast do egress alarms")

    item = page.locator("#notification-list li", has_text="How fast do egress alarms fire?")
    item.get_by_role("button", name="Open").click()
    page.wait_for_url(f"{live_server.url}/reports/pilot/requests/{first.pk}/")
    expect(page.locator("#notification-bell")).to_contain_text("1 unread notification")

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-bell")).not_to_contain_text("unread")  # swapped in place by htmx
    assert page.url == f"{live_server.url}/notifications/"
    assert page.console_errors == []


def test_an_external_reviewer_exports_the_review_record_as_pdf_and_downloads_it(
    page, live_server, login, world, external_reviewer
):
    _collect_console_errors(page)
    login("erin")
    page.goto(f"{live_server.url}/reports/pilot/")
    page.get_by_role("link", name="Exports", exact=True).first.click()
    page.wait_for_url(f"{live_server.url}/reports/pilot/exports/")
    expect(page.get_by_label("Internal", exact=False)).to_have_count(0)  # never above her own level

    page.get_by_label("The review record", exact=False).check()
    page.get_by_label("PDF").check()
    page.get_by_role("button", name="Start the export").click()
    download_link = page.get_by_role("link", name="Download", exact=False).first
    expect(download_link).to_be_visible(timeout=30_000)

    with page.expect_download() as info:
        download_link.click()
    pdf = info.value
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(pdf.path()).read_bytes())).pages)
    assert "Review record" in text or "review record" in text
    for canary in [*ALL_CANARIES, CANARY_INTERNAL_SPAN]:
        assert canary not in text.replace("\n", "")
    assert page.console_errors == []
