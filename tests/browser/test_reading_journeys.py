"""Journeys that need JavaScript: htmx swaps under the strict CSP."""

from playwright.sync_api import expect

from tests.conftest import ALL_CANARIES


def test_an_external_reviewer_expands_evidence_in_place_and_filters_claims(
    page, live_server, login, world, external_reviewer
):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login("erin")
    page.get_by_role("link", name="Pilot report").click()
    expect(page.get_by_text("the 2 pathways granted to you")).to_be_visible()

    page.get_by_role("link", name="Self-exfiltration").first.click()
    page.get_by_role("link", name="Show 1 evidence item").first.click()
    expect(page.locator("#evidence-egress-monitoring").get_by_role("link", name="Egress review")).to_be_visible()
    assert "/pathways/exfiltration/" in page.url  # swapped in place, no navigation

    page.get_by_role("link", name="All claims").click()
    page.get_by_label("Pathway", exact=True).select_option("backdoors")
    expect(page).to_have_url(f"{live_server.url}/reports/pilot/claims/?category=&team=&pathway=backdoors")
    expect(page.locator("#claim-results")).to_contain_text("1 claim")
    content = page.content()
    for canary in ALL_CANARIES:
        assert canary not in content
    assert not [e for e in errors if "Content Security Policy" in e], errors
