"""Filing an information request from a subject page: the form's defaults, the teams offered,
refused due dates, forged teams and subjects, and who may file."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.enums import MessageKind, RequestState
from evidence.models import InformationRequest
from evidence.services.requests import working_days_after
from pathways.models import AuditEntry
from tests.factories import ClaimFactory, ReportFactory, TeamFactory
from tests.reviewapp.requesting import detail_url

TODAY = timezone.localdate


def test_the_filing_form_defaults_to_the_owner_and_five_working_days(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Ask the owning team" in body
    assert '<option value="security" selected>Security</option>' in body
    assert f'value="{working_days_after(TODAY()).isoformat()}"' in body


def test_five_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 20)
    assert working_days_after(friday) == datetime.date(2026, 11, 27)
    assert working_days_after(datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 30)


def _file(client, subject_kind, subject_slug, htmx=False, **overrides):
    data = {
        "request-title": "Are transfers detected at night?",
        "request-question": "We would like the **drill** logs.",
        "request-team": "security",
        "request-due_date": (TODAY() + datetime.timedelta(days=4)).isoformat(),
        "request-priority": "high",
        **{f"request-{key}": value for key, value in overrides.items()},
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("request_file", args=["pilot", subject_kind, subject_slug]), data, **headers)


def test_a_reviewer_files_a_request_from_a_claim_page(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = _file(client, "claims", "egress-monitoring")
    information_request = InformationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(information_request)
    assert information_request.claim == world.public_claim
    assert information_request.team == world.team
    assert information_request.organisation.name == "Holdout Evaluators"
    assert information_request.state == RequestState.OPEN
    assert information_request.priority == "high"
    (question,) = information_request.messages.all()
    assert question.kind == MessageKind.QUESTION and "drill" in question.text
    entry = AuditEntry.objects.get(action="evidence.request.filed")
    assert entry.actor == external_reviewer and entry.target_id == information_request.pk
    page = client.get(response["Location"]).content.decode()
    assert "Request sent to Security" in page
    assert "<strong>drill</strong>" in page


def test_with_htmx_filing_re_renders_the_panel_with_the_new_request(client, world, stress_tester):
    client.force_login(stress_tester)
    response = _file(client, "evidence", "egress-review", htmx=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="request-panel"')
    assert "Are transfers detected at night?" in body
    assert "Request sent to Security" in body
    assert InformationRequest.objects.get().evidence == world.public_evidence


def test_a_request_from_a_pathway_goes_to_a_team_owning_one_of_its_claims(client, world, stress_tester):
    client.force_login(stress_tester)
    body = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert '<option value="security">Security</option>' in body
    assert '<option value="alignment">Alignment Science</option>' in body  # owns the internal claim
    response = _file(client, "pathways", "exfiltration", team="alignment")
    assert response.status_code == 302
    assert InformationRequest.objects.get().pathway == world.in_scope


def test_an_external_reviewer_is_not_offered_a_team_linked_only_through_internal_claims(
    client, world, external_reviewer
):
    client.force_login(external_reviewer)
    body = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert "Alignment Science" not in body
    response = _file(client, "pathways", "exfiltration", team="alignment")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_past_due_date_is_refused_next_to_the_field_and_the_text_is_kept(client, world, external_reviewer, htmx):
    client.force_login(external_reviewer)
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = _file(client, "claims", "egress-monitoring", htmx=htmx, due_date=yesterday)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose today or a later date." in body
    assert 'aria-invalid="true"' in body
    assert "We would like the **drill** logs." in body
    assert "Are transfers detected at night?" in body
    assert not InformationRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="evidence.request").exists()


def test_a_forged_team_that_owns_nothing_on_the_subject_is_refused(client, world, stress_tester):
    client.force_login(stress_tester)
    response = _file(client, "claims", "egress-monitoring", team="alignment")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_forged_team_of_another_report_is_refused(client, world, stress_tester):
    TeamFactory(slug="foreign")
    ClaimFactory(report=ReportFactory(slug="foreign-report"), owner_team=TeamFactory(slug="foreign"))
    client.force_login(stress_tester)
    response = _file(client, "claims", "egress-monitoring", team="foreign")
    assert response.status_code == 200
    assert not InformationRequest.objects.exists()


def test_a_subject_of_another_report_is_not_found(client, world, stress_tester):
    ClaimFactory(report=ReportFactory(slug="foreign-report"), slug="foreign-claim", owner_team=world.team)
    client.force_login(stress_tester)
    assert _file(client, "claims", "foreign-claim").status_code == 404
    assert not InformationRequest.objects.exists()


def test_an_out_of_scope_subject_is_not_found_for_the_external_reviewer(client, world, external_reviewer):
    client.force_login(external_reviewer)
    assert _file(client, "pathways", "government", team="alignment").status_code == 404
    assert _file(client, "claims", "internal-only", team="alignment").status_code == 404
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("persona_name", ["author", "leadership", "team_member"])
def test_people_who_are_not_reviewers_cannot_file(client, world, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert _file(client, "claims", "egress-monitoring").status_code == 403
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Ask the owning team" not in body
    assert "Reviewers can ask the owning team from here." in body
    assert not InformationRequest.objects.exists()


def test_without_htmx_the_filing_form_is_a_page_of_its_own(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = client.get(reverse("request_file", args=["pilot", "claims", "egress-monitoring"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ask the owning team</h1>" in body
    assert "Large outbound transfers are detected." in body
