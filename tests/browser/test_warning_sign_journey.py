"""Journey: a monitoring system reports a warning sign through the API, a stress-tester
confirms it, which sends the signed-off report back to review; the external reviewer sees
the pathway re-opened and their verdict stale, records a new one, and leadership signs off
again."""

import json
import urllib.request

from playwright.sync_api import expect

from pathways.enums import ReportStatus
from pathways.models import Report
from reviewapp.enums import Position
from reviewapp.models import SignOff
from tests.conftest import ALL_CANARIES
from tests.factories import ReportVersionFactory, SignOffFactory
from tests.monitoring.conftest import new_token
from tests.reviewapp.matrix.verdicts import conclusion_of, given


def test_a_warning_sign_sends_a_signed_off_report_back_and_it_is_signed_off_again(
    page, live_server, login, world, author, stress_tester, external_reviewer, leadership
):
    given(external_reviewer, conclusion_of(world, "exfiltration"), Position.CONCUR)
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot sign-off.")
    token = new_token()

    # The egress monitor reports a sign on the claim the exfiltration pathway rests on.
    sign = {
        "report": "pilot",
        "title": "Weights copied to a scratch bucket",
        "description": "A 40 GB transfer to a bucket outside the allow-list.",
        "severity": "high",
        "observed_at": "2026-11-30T14:05:00Z",
        "claims": ["file-permissions"],
        "sensitivity": "reviewer",
    }
    request = urllib.request.Request(
        f"{live_server.url}/api/warning-signs/",
        data=json.dumps(sign).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": "k-1"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201

    # bob, a stress-tester, triages it from the report's Warning signs.
    login("bob")
    page.goto(f"{live_server.url}/reports/pilot/")
    page.get_by_role("link", name="Warning signs").click()
    page.get_by_role("link", name="Weights copied to a scratch bucket").click()
    page.get_by_role("button", name="Confirm and re-open").click()
    expect(page.get_by_text("Confirmed. 1 pathway re-opened")).to_be_visible()
    assert Report.objects.get(slug="pilot").status == ReportStatus.IN_REVIEW
    page.get_by_role("button", name="Log out").click()

    # erin sees the pathway re-opened and her verdict stale, and records a new one.
    login("erin")
    page.goto(f"{live_server.url}/reports/pilot/")
    expect(page.locator(".chip.reopened").first).to_be_visible()
    page.get_by_role("link", name="Self-exfiltration").first.click()
    expect(page.locator(".reopened-note")).to_contain_text("by a confirmed warning sign")
    box = page.locator(".verdict-panel")
    expect(box.locator(".chip.verdict-concur.stale")).to_be_visible()
    box.get_by_label("Concur with reservations").check()
    box.get_by_label("Rationale").fill("Holds once the allow-list is enforced at the bucket level.")
    box.get_by_role("button", name="Record verdict").click()
    expect(box.get_by_role("status")).to_have_text("Recorded “Concur with reservations” for Holdout Evaluators.")
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_text("Re-opened by a warning sign")).to_be_visible()
    content = page.content()
    assert not [canary for canary in ALL_CANARIES if canary in content]
    page.get_by_role("button", name="Log out").click()

    # lena signs the report off again, on the published version.
    login("lena")
    page.goto(f"{live_server.url}/reports/pilot/dashboard/")
    section = page.locator("#signoff")
    section.get_by_label("Approve", exact=True).check()
    override = section.get_by_label("I understand that what is listed above is not done")
    if override.count():
        override.check()
        section.get_by_label("Why sign off without them").fill("The re-opened pathway has its new verdict.")
    section.get_by_role("button", name="Continue").click()
    page.locator("#signoff").get_by_role("button", name="Record “Approve”").click()
    expect(page.get_by_text("Recorded “Approve” on version 1, “11 February”.")).to_be_visible()
    assert Report.objects.get(slug="pilot").status == ReportStatus.SIGNED_OFF
    assert SignOff.objects.filter(report__slug="pilot").count() == 2  # the first sign-off stays in the history
