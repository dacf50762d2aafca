"""The audit log of a report: for internal staff, newest first, filterable by action, person
and dates, 50 entries a page, each with who, when, what, the target (linked when the reader
can see it) and, for changes, a link to the diff. External reviewers get 404: its entries are
internal material."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.services.editing import evidence_update
from pathways.audit import log_action
from pathways.models import AuditEntry, Claim
from pathways.services import claim_update, pathway_update
from reviewapp.services.verdicts import conclusion_revise
from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_CLAIM
from tests.factories import ClaimFactory
from tests.helpers import counted

AUDIT = reverse("audit_log", args=["pilot"])


def rows_of(body):
    return body.count("<tr>") - 1  # the header row


def test_entries_show_when_who_what_and_the_target_newest_first(client, world, author, stress_tester):
    claim_update(claim=world.public_claim, editor=author, version=1, statement="First edit.")
    pathway_update(pathway=world.in_scope, editor=author, version=1, argument="Second edit.")
    log_action(report=world.report, actor=stress_tester, action="evidence.request.filed", target=world.public_claim)
    client.force_login(stress_tester)
    body = client.get(AUDIT).content.decode()
    positions = [body.index(f"<td>{label}</td>") for label in ["Request filed", "Pathway edited", "Claim edited"]]
    request_at, pathway_at, claim_at = positions
    assert request_at < pathway_at < claim_at  # newest first
    assert str(author) in body and str(stress_tester) in body
    assert f'href="{reverse("claim_detail", args=["pilot", "egress-monitoring"])}">First edit.</a>' in body
    claim_entry = AuditEntry.objects.get(action="pathways.claim.changed")
    assert reverse("audit_entry", args=["pilot", claim_entry.pk]) in body
    assert "3 entries" in body


def test_the_entry_page_shows_the_diff(client, world, author, team_member):
    claim_update(claim=world.public_claim, editor=author, version=1, statement="Transfers are detected.")
    entry = AuditEntry.objects.get()
    client.force_login(team_member)
    body = client.get(reverse("audit_entry", args=["pilot", entry.pk])).content.decode()
    assert "Claim edited" in body and "version 1 → 2" in body
    assert "<del>" in body and "<ins>" in body


def test_a_deleted_target_is_named_without_a_link(client, world, author):
    doomed = ClaimFactory(report=world.report, slug="doomed", statement="Doomed claim.", owner_team=world.team)
    claim_update(claim=doomed, editor=author, version=1, statement="Doomed claim, edited.")
    Claim.objects.filter(pk=doomed.pk).delete()
    client.force_login(author)
    body = client.get(AUDIT).content.decode()
    assert "Doomed claim, edited." in body
    assert "/claims/doomed/" not in body


@pytest.fixture
def varied_log(world, author, stress_tester, leadership):
    claim_update(claim=world.public_claim, editor=author, version=1, statement="Edited.")
    conclusion_revise(
        conclusion=world.in_scope.conclusion, editor=author, revision=1, risk_level="moderate", text="Moderate."
    )
    evidence_update(evidence=world.public_evidence, editor=author, version=1, summary="Edited summary.")
    log_action(report=world.report, actor=stress_tester, action="evidence.request.filed", target=world.public_claim)
    log_action(report=world.report, actor=leadership, action="reviewapp.signoff.recorded")
    old = log_action(report=world.report, actor=stress_tester, action="evidence.request.closed")
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))


@pytest.mark.parametrize(
    "query,expected",
    [
        ("action=pathways.claim", ["Claim edited"]),
        ("action=pathways", ["Claim edited", "Conclusion edited"]),
        ("action=evidence.request", ["Request filed", "Request closed"]),
        ("action=evidence.request.filed", ["Request filed"]),
    ],
)
def test_the_log_filters_by_action_prefix(client, world, author, varied_log, query, expected):
    client.force_login(author)
    body = client.get(f"{AUDIT}?{query}").content.decode()
    shown = [
        label
        for label in [
            "Claim edited",
            "Conclusion edited",
            "Evidence edited",
            "Request filed",
            "Request closed",
            "Signoff recorded",
        ]
        if f"<td>{label}</td>" in body
    ]
    assert shown == expected


def test_the_log_filters_by_person(client, world, author, leadership, varied_log):
    client.force_login(author)
    for person in (
        leadership.username,
        leadership.username[1:4].upper(),
        f"{leadership.first_name} {leadership.last_name}",
    ):
        body = client.get(f"{AUDIT}?person={person}").content.decode()
        assert "<td>Signoff recorded</td>" in body, person
        assert "<td>Claim edited</td>" not in body
        assert "1 entry" in body
    assert "0 entries" in client.get(f"{AUDIT}?person=nobody-by-this-name").content.decode()


def test_the_log_filters_by_date_range(client, world, author, varied_log):
    client.force_login(author)
    today = timezone.now().date()
    long_ago = (today - datetime.timedelta(days=30)).isoformat()
    body = client.get(f"{AUDIT}?date_from={long_ago}&date_to={long_ago}").content.decode()
    assert "<td>Request closed</td>" in body and "1 entry" in body
    body = client.get(f"{AUDIT}?date_from={today.isoformat()}").content.decode()
    assert "<td>Request closed</td>" not in body and "5 entries" in body


def test_a_reversed_date_range_is_refused_next_to_the_field(client, world, author, varied_log):
    client.force_login(author)
    response = client.get(f"{AUDIT}?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 200
    assert "The end of the range is before its start." in response.content.decode()


def test_a_filter_by_htmx_returns_only_the_results(client, world, author, varied_log):
    client.force_login(author)
    body = client.get(f"{AUDIT}?action=pathways", HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="audit-results"')
    assert "<td>Claim edited</td>" in body


def test_the_log_pages_by_fifty_newest_first(client, world, author):
    for number in range(60):
        log_action(report=world.report, actor=author, action="pathways.claim.changed", data={"n": number})
    client.force_login(author)
    first = client.get(AUDIT).content.decode()
    second = client.get(f"{AUDIT}?page=2").content.decode()
    assert rows_of(first) == 50 and rows_of(second) == 10
    assert "Page 1 of 2" in first and "Older entries" in first
    assert "Newer entries" in second
    newest = AuditEntry.objects.first()
    assert reverse("audit_entry", args=["pilot", newest.pk]) in first


def test_the_page_links_keep_the_filters(client, world, author):
    for _ in range(55):
        log_action(report=world.report, actor=author, action="pathways.claim.changed")
    client.force_login(author)
    body = client.get(f"{AUDIT}?action=pathways.claim").content.decode()
    assert "?action=pathways.claim&amp;page=2" in body


def test_an_empty_log_says_what_will_appear(client, world, author):
    client.force_login(author)
    assert "Nothing has been recorded yet" in client.get(AUDIT).content.decode()


def test_internal_names_reach_internal_staff_but_the_log_is_closed_to_the_external_reviewer(
    client, world, author, stress_tester, external_reviewer
):
    claim_update(claim=world.internal_claim, editor=author, version=1, rationale="Edited.")
    entry = AuditEntry.objects.get()
    client.force_login(stress_tester)
    assert CANARY_INTERNAL_CLAIM in client.get(AUDIT).content.decode()
    client.force_login(external_reviewer)
    for url in [AUDIT, reverse("audit_entry", args=["pilot", entry.pk])]:
        response = client.get(url)
        assert response.status_code == 404
        for canary in ALL_CANARIES:
            assert canary not in response.content.decode()


def test_an_entry_of_another_report_is_not_found(client, world, author):
    from tests.factories import ReportFactory

    other = ReportFactory(slug="other")
    entry = log_action(report=other, actor=author, action="pathways.claim.changed")
    client.force_login(author)
    assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 404


def _grow(world, author, stress_tester, times):
    for number in range(times):
        claim = ClaimFactory(report=world.report, owner_team=world.team)
        claim_update(claim=claim, editor=author, version=1, statement=f"Grown claim {number}.")
        log_action(
            report=world.report,
            actor=stress_tester,
            action=("evidence.request.filed", "evidence.request.closed")[number % 2],
            target=claim,
        )
        log_action(
            report=world.report,
            actor=author,
            action="pathways.pathway.changed",
            target=world.in_scope,
            data={"changes": {"argument": {"before": "a", "after": "b"}}},
        )
        log_action(report=world.report, actor=author, action="evidence.evidence.changed", target=world.public_evidence)
        log_action(
            report=world.report, actor=author, action="pathways.conclusion.changed", target=world.in_scope.conclusion
        )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("query", ["", "?action=pathways", "?page=2"])
def test_the_query_count_of_the_audit_log_does_not_grow(client, world, author, stress_tester, query, htmx):
    client.force_login(author)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    def count(url):
        with counted() as queries:
            assert client.get(url, **headers).status_code == 200
        return len(queries)

    _grow(world, author, stress_tester, 15)
    small = count(AUDIT + query)
    _grow(world, author, stress_tester, 30)
    large = count(AUDIT + query)
    assert small == large, f"{small} queries, then {large} with more entries"
    assert small <= 20, f"the audit log makes {small} queries"


def test_the_query_count_of_an_entry_page_does_not_grow(client, world, author, stress_tester):
    client.force_login(author)

    def count():
        entry = AuditEntry.objects.filter(action="pathways.claim.changed").first()
        with counted() as queries:
            assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 200
        return len(queries)

    _grow(world, author, stress_tester, 2)
    small = count()
    _grow(world, author, stress_tester, 10)
    assert count() == small


def test_an_entry_about_an_information_request_links_to_it(client, world, author, external_reviewer):
    from reviewapp.services.requests import request_file

    filed = request_file(
        report=world.report,
        subject=world.public_claim,
        requester=external_reviewer,
        team=world.team,
        title="Who is paged?",
        question="Who is paged when an egress alert fires?",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    client.force_login(author)
    body = client.get(reverse("audit_log", args=["pilot"])).content.decode()
    assert reverse("request_detail", args=["pilot", filed.pk]) in body
