"""An answer may add a new evidence item: owned by the answering team, linked to the claim
asked about, and read by the requester only at their level."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import ClaimEvidence, Evidence
from pathways.models import AuditEntry
from reviewapp.services.requests import request_file


@pytest.fixture
def filed(world, external_reviewer):
    return request_file(
        report=world.report,
        requester=external_reviewer,
        subject=world.public_claim,
        team=world.team,
        title="How fast is the page?",
        question="How fast does the on-call respond?",
        due_date=timezone.localdate() + datetime.timedelta(days=9),
    )


def answer(client, filed, **fields):
    filed.refresh_from_db()
    data = {"answer-version": filed.version, "answer-text": "See the new drill record.", **fields}
    return client.post(reverse("request_answer", args=["pilot", filed.pk]), data)


def test_a_team_member_adds_new_evidence_with_an_answer(client, world, filed, team_member, external_reviewer):
    client.force_login(team_member)
    response = answer(
        client,
        filed,
        **{
            "answer-new_evidence_title": "Paging drill, November",
            "answer-new_evidence_kind": "monitoring",
            "answer-new_evidence_sensitivity": "reviewer",
            "answer-new_evidence_summary": "Paged in 4 minutes.",
            "answer-new_evidence_source": "doc SEC-200",
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(slug="paging-drill-november")
    assert evidence.owner_team == world.team and evidence.sensitivity == "reviewer"
    assert ClaimEvidence.objects.filter(claim=world.public_claim, evidence=evidence, relation="context").exists()
    assert AuditEntry.objects.filter(action="evidence.evidence.added", target_id=evidence.pk).exists()
    client.force_login(external_reviewer)
    body = client.get(reverse("request_detail", args=["pilot", filed.pk])).content.decode()
    assert "Paging drill, November" in body


def test_new_internal_evidence_stays_hidden_from_the_external_requester(
    client, world, filed, team_member, external_reviewer
):
    client.force_login(team_member)
    answer(client, filed, **{"answer-new_evidence_title": "Pager roster CANARY-NEW-EVIDENCE-1f1f"})
    evidence = Evidence.objects.get(title__contains="CANARY-NEW-EVIDENCE")
    assert evidence.sensitivity == "internal"  # the default
    client.force_login(external_reviewer)
    for url in [
        reverse("request_detail", args=["pilot", filed.pk]),
        reverse("claim_detail", args=["pilot", world.public_claim.slug]),
        reverse("evidence_index", args=["pilot"]),
    ]:
        assert "CANARY-NEW-EVIDENCE" not in client.get(url).content.decode()
    assert client.get(reverse("evidence_detail", args=["pilot", evidence.slug])).status_code == 404


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"answer-new_evidence_summary": "a summary but no title"}, "Give the new evidence item a title"),
        ({"answer-new_evidence_title": "T", "answer-new_evidence_summary": "[[internal]]open"}, "unclosed"),
        ({"answer-new_evidence_title": "T [[internal]]x[[/internal]]"}, "only allowed in the summary"),
    ],
)
def test_a_bad_new_evidence_item_is_refused_and_nothing_is_written(client, filed, team_member, fields, message):
    client.force_login(team_member)
    before = Evidence.objects.count()
    response = answer(client, filed, **fields)
    assert message in response.content.decode()
    assert Evidence.objects.count() == before
    filed.refresh_from_db()
    assert filed.state == "open"


def test_two_new_items_with_one_title_get_distinct_slugs(client, filed, team_member):
    client.force_login(team_member)
    answer(client, filed, **{"answer-new_evidence_title": "Drill"})
    answer(client, filed, **{"answer-new_evidence_title": "Drill"})
    assert set(Evidence.objects.filter(title="Drill").values_list("slug", flat=True)) == {"drill", "drill-2"}


# ------------------------------------------------------------- finding evidence to link


def test_the_answer_form_offers_the_claims_evidence_and_finds_the_rest_by_name(client, world, filed, team_member):
    from evidence.models import RequestMessage
    from tests.factories import EvidenceFactory, ReportFactory

    unrelated = EvidenceFactory(report=world.report, title="Quarterly pen-test of the egress proxy")
    elsewhere = EvidenceFactory(report=ReportFactory(slug="elsewhere"), title="Pen-test of another report")
    page = reverse("request_detail", args=["pilot", filed.pk])
    client.force_login(team_member)
    body = client.get(page).content.decode()
    linked = [link.evidence for link in ClaimEvidence.objects.filter(claim=world.public_claim)]
    assert linked and all(f'value="{evidence.slug}"' in body for evidence in linked)
    assert unrelated.title not in body and 'name="answer-evidence_search"' in body
    filed.refresh_from_db()
    finding = {
        "answer-version": filed.version,
        "answer-text": "Typed, not yet sent.",
        "answer-evidence_search": "pen-test",
        "answer-find_evidence": "1",
    }
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(reverse("request_answer", args=["pilot", filed.pk]), finding, **headers)
        found = response.content.decode()
        assert response.status_code == 200
        assert f'value="{unrelated.slug}"' in found and "Typed, not yet sent." in found
        assert elsewhere.title not in found and "Nothing was sent" not in found
    filed.refresh_from_db()
    assert filed.state == "open" and not RequestMessage.objects.filter(request=filed, kind="answer").exists()
    assert answer(client, filed, **{"answer-evidence": [unrelated.slug]}).status_code == 302
    message = RequestMessage.objects.get(request=filed, kind="answer")
    assert list(message.evidence.all()) == [unrelated]


def test_a_search_with_nothing_found_says_so_and_a_foreign_slug_is_refused(client, world, filed, team_member):
    from tests.factories import EvidenceFactory, ReportFactory

    elsewhere = EvidenceFactory(report=ReportFactory(slug="elsewhere"), title="Pen-test of another report")
    client.force_login(team_member)
    filed.refresh_from_db()
    url = reverse("request_answer", args=["pilot", filed.pk])
    nothing = client.post(
        url, {"answer-version": filed.version, "answer-evidence_search": "zzz", "answer-find_evidence": "1"}
    )
    assert "matches “zzz”" in nothing.content.decode()
    refused = answer(client, filed, **{"answer-evidence": [elsewhere.slug]})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    filed.refresh_from_db()
    assert filed.state == "open"
