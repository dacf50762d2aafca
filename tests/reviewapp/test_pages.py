"""What each reading page shows, its htmx fragments and its plain-form fallbacks."""

import re

import pytest
from django.urls import reverse

from pathways.enums import ReportStatus
from pathways.models import AuditEntry, PathwayClaim
from tests.factories import ReportFactory


def test_healthz_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_login_and_logout_at_the_documented_urls(client, author):
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, author):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_home_lists_only_the_reports_the_person_may_see(client, world, external_reviewer):
    ReportFactory(title="Someone else's report")
    client.force_login(external_reviewer)
    body = client.get("/").content.decode()
    assert "Pilot report" in body
    assert "Someone else&#x27;s report" not in body and "Someone else's report" not in body
    assert "2 pathways you can read" in body


def test_home_explains_an_empty_list(client, outsider):
    client.force_login(outsider)
    assert "No reports have been shared with you yet" in client.get("/").content.decode()


def test_the_report_page_shows_pathways_with_risk_and_claim_counts(client, world, author):
    client.force_login(author)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert "Self-exfiltration" in body and "Code backdoors" in body
    assert 'class="chip risk risk-low"' in body
    # exfiltration rests on the public, reviewer and internal claims
    assert '<td class="num">3</td>' in body


def test_the_report_page_shows_the_report_before_it_asks_for_a_verdict(client, world, stress_tester):
    """A reviewer reads the summary and the pathways first; the overall conclusion, with its
    verdict form, comes after them, and the requests by team last."""
    client.force_login(stress_tester)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    order = [
        body.index('id="summary-heading"'),
        body.index('id="pathways-heading"'),
        body.index('id="overall-heading"'),
        body.index('name="position"'),
        body.index('id="request-summary-heading"'),
    ]
    assert order == sorted(order)


def test_the_pathway_page_expands_a_claims_evidence_in_place(client, world, author):
    client.force_login(author)
    page = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    fragment_url = reverse("claim_evidence", args=["pilot", "egress-monitoring"])
    assert f'hx-get="{fragment_url}"' in page
    fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Egress review" in fragment and "undermines" in fragment


def test_without_htmx_the_evidence_link_opens_the_claim_page(client, world, author):
    client.force_login(author)
    body = client.get(reverse("claim_evidence", args=["pilot", "egress-monitoring"])).content.decode()
    assert "<html" in body and "Pathways that rest on this claim" in body


def test_the_claim_page_lists_only_visible_resting_pathways(client, world, external_reviewer, author):
    PathwayClaim.objects.create(pathway=world.out_of_scope, claim=world.public_claim, position=9)
    url = reverse("claim_detail", args=["pilot", "egress-monitoring"])
    client.force_login(author)
    body = client.get(url).content.decode()
    assert "3 pathway conclusions you can see rest on this claim" in body
    assert "Government decisions" in body
    client.force_login(external_reviewer)
    body = client.get(url).content.decode()
    assert "2 pathway conclusions you can see rest on this claim" in body
    assert "Government decisions" not in body


@pytest.mark.parametrize(
    "query,present,absent",
    [
        ("category=monitoring", "Large outbound transfers", None),
        ("team=alignment", "Internal claim", "Large outbound transfers"),
        ("pathway=backdoors", "Large outbound transfers", "File permissions hold"),
    ],
)
def test_the_claims_index_filters(client, world, author, query, present, absent):
    client.force_login(author)
    body = client.get(reverse("claim_index", args=["pilot"]) + "?" + query).content.decode()
    assert present in body
    if absent:
        assert absent not in body


def test_an_htmx_filter_returns_only_the_results(client, world, author):
    client.force_login(author)
    body = client.get(
        reverse("claim_index", args=["pilot"]) + "?pathway=backdoors", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert body.lstrip().startswith('<div id="claim-results"')
    assert "Large outbound transfers" in body


def test_a_forged_filter_value_is_an_error_not_a_leak(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_index", args=["pilot"]) + "?pathway=government&category=bogus").content.decode()
    assert "That filter is not available" in body
    assert "Select a valid choice" in body
    assert "Government decisions" not in body


def test_the_load_bearing_view_ranks_claims_by_resting_conclusions(client, world, author):
    client.force_login(author)
    body = client.get(reverse("load_bearing", args=["pilot"])).content.decode()
    assert body.index("Large outbound transfers") < body.index("File permissions hold")
    assert "undermining evidence</span>" in body


def test_an_author_opens_the_report_for_review_and_back(client, world, author):
    client.force_login(author)
    url = reverse("report_status", args=["pilot"])
    response = client.post(url, {"status": "in_review"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("report_detail", args=["pilot"])
    assert "The report is now in review." in response.content.decode()
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.IN_REVIEW
    response = client.post(url, {"status": "draft"}, follow=True)
    assert "The report is now draft." in response.content.decode()
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.DRAFT


def test_a_status_change_is_in_the_audit_log(client, world, author):
    client.force_login(author)
    client.post(reverse("report_status", args=["pilot"]), {"status": "in_review"})
    entry = AuditEntry.objects.get(report=world.report, action="pathways.report.status_changed")
    assert (entry.actor, entry.target_type, entry.target_id) == (author, "report", world.report.pk)
    assert entry.data["changes"] == {"status": {"before": "draft", "after": "in_review"}}
    listing = client.get(reverse("audit_log", args=["pilot"])).content.decode()
    assert "Report status changed" in listing
    page = client.get(reverse("audit_entry", args=["pilot", entry.pk])).content.decode()
    assert "Status" in page and "Draft" in page and "In review" in page


@pytest.mark.parametrize("status", ["signed_off", "draft", "nonsense", ""])
def test_an_impossible_status_change_is_refused_and_changes_nothing(client, world, author, status):
    client.force_login(author)
    response = client.post(reverse("report_status", args=["pilot"]), {"status": status}, follow=True)
    assert "Select a valid choice" in response.content.decode() or "This field is required" in response.content.decode()
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.DRAFT
    assert not AuditEntry.objects.filter(action="pathways.report.status_changed").exists()


def test_a_reader_cannot_change_the_status(client, world, stress_tester):
    client.force_login(stress_tester)
    assert client.post(reverse("report_status", args=["pilot"]), {"status": "in_review"}).status_code == 403
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.DRAFT
    assert not AuditEntry.objects.filter(action="pathways.report.status_changed").exists()


def test_pages_send_a_strict_csp_and_vary_on_htmx(client, world, author):
    client.force_login(author)
    response = client.get(reverse("report_detail", args=["pilot"]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "HX-Request" in response["Vary"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_markdown_in_the_report_comes_out_inert(client, world, author):
    world.in_scope.argument = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n"
        '<a href="https://example.org" onclick="alert(4)">raw</a>'
    )
    world.in_scope.save()
    client.force_login(author)
    body = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert "<script>alert" not in body
    assert "<img" not in body
    assert 'href="javascript:' not in body
    assert not re.search(r"<[^>]*\son\w+\s*=", body), "an event-handler attribute survived inside a tag"
    assert "&lt;a href=" in body  # raw HTML is shown as text, not rendered


@pytest.mark.parametrize(
    "persona,dashboard,audit",
    [
        ("author", True, True),
        ("leadership", True, True),
        ("stress_tester", False, True),
        ("team_member", False, True),
        ("external_reviewer", False, False),
    ],
)
def test_the_report_links_offer_what_the_role_may_open(client, world, request, persona, dashboard, audit):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert (reverse("signoff_dashboard", args=["pilot"]) in body) is dashboard
    assert (reverse("audit_log", args=["pilot"]) in body) is audit
    assert reverse("request_list", args=["pilot"]) in body and reverse("discussion", args=["pilot"]) in body
    assert reverse("team_inbox") in body


def test_a_pathway_limited_reviewer_sees_no_gaps_in_pathway_numbers(client, world, external_reviewer):
    for pathway, position in [(world.out_of_scope, 1), (world.in_scope, 5), (world.also_in_scope, 7)]:
        pathway.position = position
        pathway.save()
    client.force_login(external_reviewer)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert '<th scope="row">1. <a' in body and '<th scope="row">2. <a' in body
    assert "5. <a" not in body and "7. <a" not in body
    pathway_page = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert "Pathway 5" not in pathway_page
