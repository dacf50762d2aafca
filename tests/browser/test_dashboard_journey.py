"""Journey: an external reviewer dissents on a conclusion, leadership sees it on the sign-off
dashboard, an author edits the conclusion, and the dashboard shows the verdict stale."""

from playwright.sync_api import expect

from pathways.models import Conclusion
from tests.conftest import ALL_CANARIES


def test_a_dissent_reaches_the_dashboard_and_goes_stale_when_the_conclusion_changes(
    page, live_server, login, world, external_reviewer, stress_tester, leadership, author
):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # erin records a dissent with a rationale on the exfiltration conclusion, in place.
    login("erin")
    page.get_by_role("link", name="Pilot report").click()
    page.get_by_role("link", name="Self-exfiltration").first.click()
    box = page.locator(".verdict-panel")
    expect(box.get_by_text("Record the verdict of Holdout Evaluators")).to_be_visible()
    box.get_by_label("Dissent").check()
    box.get_by_label("Rationale").fill("Egress monitoring misses transfers under 1 GB.")
    box.get_by_role("button", name="Record verdict").click()
    expect(box.get_by_role("status")).to_have_text("Recorded “Dissent” for Holdout Evaluators.")
    assert "/pathways/exfiltration/" in page.url  # swapped in place, no navigation
    expect(box.locator(".chip.verdict-dissent")).to_have_text("✕ Dissent")
    expect(page.locator(".pathway-nav .chip.verdict-dissent")).to_have_attribute(
        "title", "Holdout Evaluators: dissent"
    )  # the pathway column follows, out of band
    content = page.content()
    for canary in ALL_CANARIES:
        assert canary not in content
    page.get_by_role("button", name="Log out").click()

    # lena sees it on the dashboard, with the rationale on demand.
    login("lena")
    page.goto(f"{live_server.url}/reports/pilot/dashboard/")
    matrix = page.get_by_role("table").first
    row = matrix.get_by_role("row").filter(has_text="Self-exfiltration")
    expect(row.locator(".chip.verdict-dissent")).to_have_text("✕ Dissent")
    row.get_by_text("Rationale").click()
    expect(row.get_by_text("Egress monitoring misses transfers under 1 GB.")).to_be_visible()
    expect(page.locator("#readiness")).to_contain_text("0 of 3 reviewed pathways have current concurrence")

    page.get_by_role("button", name="Log out").click()

    # alice, an author, changes the conclusion's text in the browser.
    login("alice")
    page.goto(f"{live_server.url}/reports/pilot/pathways/exfiltration/conclusion/edit/")
    page.get_by_label("Conclusion", exact=True).fill("Low, now that egress monitoring covers every cluster.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Low, now that egress monitoring covers every cluster.").first).to_be_visible()
    assert Conclusion.objects.get(pathway=world.in_scope).revision == 2
    page.get_by_role("button", name="Log out").click()

    # lena's dashboard now shows the dissent as stale.
    login("lena")
    page.goto(f"{live_server.url}/reports/pilot/dashboard/")
    row = page.get_by_role("table").first.get_by_role("row").filter(has_text="Self-exfiltration")
    stale = row.locator(".chip.verdict-dissent.stale")
    expect(stale).to_have_text("✕ Dissent · stale")
    expect(page.get_by_text("The verdict of Holdout Evaluators on “Self-exfiltration” is stale")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
