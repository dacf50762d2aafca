"""Verdicts: recording one per organisation, the rationale rule, history, forged posts, htmx and
plain-form behaviour. Staleness and what each reader sees: test_verdicts_staleness."""

import re

import pytest
from django.urls import reverse

from pathways.models import AuditEntry, Conclusion
from reviewapp.enums import Position
from reviewapp.models import Verdict
from reviewapp.services.verdicts import VerdictError, verdict_reconfirm
from tests.factories import ReportFactory, ReportVersionFactory
from tests.helpers import HTMX
from tests.reviewapp.matrix.verdicts import conclusion_of, edit_conclusion, given
from tests.reviewapp.verdicting import current, page, record

# ------------------------------------------------------------------ recording


def test_a_stress_tester_records_a_verdict_for_their_organisation(client, world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    response = record(client, conclusion, Position.CONCUR)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/pilot/pathways/exfiltration/#verdicts-{conclusion.pk}"
    verdict = current(conclusion, stress_tester.organisation)
    assert verdict.organisation.name == "Stress-testing team"
    assert (verdict.position, verdict.recorded_by) == (Position.CONCUR, stress_tester)
    assert (verdict.conclusion_revision, verdict.conclusion_text) == (1, conclusion.text)
    assert verdict.conclusion_risk_level == conclusion.risk_level
    body = client.get(response["Location"]).content.decode()
    assert "Recorded “Concur” for Stress-testing team." in body
    assert 'class="chip verdict verdict-concur"' in body


def test_recording_writes_the_audit_log(world, external_reviewer):
    verdict = given(external_reviewer, conclusion_of(world, "backdoors"), Position.DISSENT, "No.")
    entry = AuditEntry.objects.get(action="reviewapp.verdict.recorded")
    assert (entry.report, entry.actor, entry.target_id) == (world.report, external_reviewer, verdict.pk)
    assert entry.data["organisation"] == "Holdout Evaluators" and entry.data["position"] == "dissent"


def test_a_verdict_records_the_version_it_was_given_against(client, world, author, external_reviewer):
    conclusion = conclusion_of(world, "backdoors")
    before = given(external_reviewer, conclusion, Position.CONCUR)
    assert before.published_version is None
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    second = ReportVersionFactory(report=world.report, author=author, name="3 March")
    verdict = given(external_reviewer, conclusion, Position.DISSENT, "The audit was sampled.")
    assert verdict.published_version == second
    assert AuditEntry.objects.filter(action="reviewapp.verdict.recorded").latest("id").data["version"] == 2
    client.force_login(external_reviewer)
    history = client.get(reverse("verdict_history", args=["pilot", conclusion.pk])).content.decode()
    assert "given against" in history and "version 2, “3 March”" in history
    assert reverse("version_detail", args=["pilot", 2]) in history
    assert "given before any version was published" in history


@pytest.mark.parametrize("position", [Position.CONCUR_WITH_RESERVATIONS, Position.DISSENT, Position.ABSTAIN])
def test_a_rationale_is_required_except_for_concur(client, world, stress_tester, position):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    response = record(client, conclusion, position, "   ")
    assert response.status_code == 200
    body = response.content.decode()
    assert "a rationale is required unless you concur" in body
    assert re.search(rf'value="{position}"[^>]*checked', body), "the chosen position is kept"
    assert 'aria-invalid="true"' in body
    assert not Verdict.objects.exists()
    with pytest.raises(VerdictError, match="rationale is required"):
        given(stress_tester, conclusion, position, "")
    assert not Verdict.objects.exists()


def test_concur_needs_no_rationale_and_the_others_record_with_one(world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    assert given(stress_tester, conclusion, Position.CONCUR).rationale == ""
    for position in [Position.CONCUR_WITH_RESERVATIONS, Position.DISSENT, Position.ABSTAIN]:
        assert given(stress_tester, conclusion, position, f"Because {position}.").position == position


def test_a_refused_plain_post_keeps_what_was_typed_on_the_conclusions_page(client, world, external_reviewer):
    conclusion = conclusion_of(world, "backdoors")
    client.force_login(external_reviewer)
    response = record(client, conclusion, "", "My careful reasoning.")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "Choose a position." in body and "My careful reasoning." in body
    assert not Verdict.objects.exists()


def test_recording_again_keeps_one_current_verdict_and_the_history(client, world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    record(client, conclusion, Position.CONCUR)
    record(client, conclusion, Position.DISSENT, "On reflection, no: the drills were too few.")
    verdicts = Verdict.objects.filter(conclusion=conclusion, organisation=stress_tester.organisation)
    assert verdicts.count() == 2
    assert list(verdicts.filter(is_current=True).values_list("position", flat=True)) == [Position.DISSENT]
    history = page(client, "verdict_history", conclusion.pk)
    assert history.count("<td>replaced</td>") == 1 and history.count("<td>current</td>") == 1
    assert "On reflection, no" in history


@pytest.mark.django_db(transaction=True)
def test_two_members_recording_at_once_leave_exactly_one_current_verdict(world, stress_tester):
    import threading

    from django.db import connection

    from pathways.services import access_grant
    from tests.factories import UserFactory

    colleague = UserFactory(username="bea")
    access_grant(report=world.report, user=colleague, role="stress_tester", org_name="Stress-testing team")
    conclusion = conclusion_of(world, "exfiltration")
    barrier = threading.Barrier(2)
    errors = []

    def record_as(person, position):
        try:
            barrier.wait()
            given(person, conclusion, position, "Recorded at the same moment.")
        except Exception as error:  # noqa: BLE001 - any error in a thread is reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record_as, args=(stress_tester, Position.CONCUR)),
        threading.Thread(target=record_as, args=(colleague, Position.DISSENT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    verdicts = Verdict.objects.filter(conclusion=conclusion, organisation=stress_tester.organisation)
    assert verdicts.count() == 2
    assert verdicts.filter(is_current=True).count() == 1


# ---------------------------------------------------------- refused, forged


def _snapshot():
    return list(Verdict.objects.order_by("pk").values())


def test_another_organisations_verdict_cannot_be_re_confirmed(
    client, world, author, external_reviewer, verdicts_everywhere
):
    edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    before = _snapshot()
    client.force_login(external_reviewer)
    bobs = verdicts_everywhere[("exfiltration", "bob")]
    assert client.post(reverse("verdict_reconfirm", args=["pilot", bobs.pk])).status_code == 403
    assert client.post(reverse("verdict_reconfirm", args=["pilot", bobs.pk]), **HTMX).status_code == 403
    with pytest.raises(VerdictError, match="Only Stress-testing team"):
        verdict_reconfirm(verdict=bobs, recorder=external_reviewer)
    assert _snapshot() == before


def test_a_forged_organisation_in_the_post_records_only_for_ones_own(client, world, stress_tester, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    erins = given(external_reviewer, conclusion, Position.CONCUR)
    client.force_login(stress_tester)
    record(client, conclusion, Position.DISSENT, "Forged.", organisation=external_reviewer.organisation.pk)
    assert current(conclusion, external_reviewer.organisation).pk == erins.pk
    assert current(conclusion, stress_tester.organisation).rationale == "Forged."


def test_an_out_of_scope_conclusion_is_refused_as_not_found(client, world, external_reviewer, stress_tester):
    government = conclusion_of(world, "government")
    given(stress_tester, government, Position.CONCUR)
    before = _snapshot()
    client.force_login(external_reviewer)
    assert record(client, government, Position.DISSENT, "Out of scope.").status_code == 404
    assert record(client, government, Position.DISSENT, "Out of scope.", htmx=True).status_code == 404
    with pytest.raises(VerdictError):
        given(external_reviewer, government, Position.DISSENT, "Out of scope.")
    assert _snapshot() == before


def test_another_reports_conclusion_is_refused_as_not_found(client, world, stress_tester):
    other = Conclusion.objects.get(report=ReportFactory(slug="other-report"), pathway=None)
    client.force_login(stress_tester)
    assert (
        client.post(
            reverse("verdict_record", args=["pilot", other.pk]), {"position": "concur", "revision": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("verdict_record", args=["other-report", other.pk]), {"position": "concur", "revision": 1}
        ).status_code
        == 404
    )
    with pytest.raises(VerdictError):
        given(stress_tester, other)
    assert not Verdict.objects.exists()


@pytest.mark.parametrize("persona_name", ["author", "leadership", "team_member"])
def test_people_who_do_not_review_cannot_record(client, world, request, persona_name):
    person = request.getfixturevalue(persona_name)
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(person)
    assert record(client, conclusion, Position.CONCUR).status_code == 403
    with pytest.raises(VerdictError, match="Only reviewers"):
        given(person, conclusion)
    assert not Verdict.objects.exists()


def test_the_form_shows_only_to_reviewers(client, world, author, stress_tester):
    url = reverse("verdict_record", args=["pilot", conclusion_of(world, None).pk])
    client.force_login(author)
    assert url not in page(client, "report_detail")
    client.force_login(stress_tester)
    body = page(client, "report_detail")
    assert url in body and "Record the verdict of Stress-testing team" in body


# --------------------------------------------------------------------- htmx


def test_recording_with_htmx_re_renders_the_conclusion_box(client, world, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(external_reviewer)
    fragment = record(client, conclusion, Position.DISSENT, "The monitoring has gaps.", htmx=True).content.decode()
    assert "<html" not in fragment and f'id="verdicts-{conclusion.pk}"' in fragment
    assert "Recorded “Dissent” for Holdout Evaluators." in fragment
    assert "The monitoring has gaps." in fragment
    assert "Change the verdict of Holdout Evaluators" in fragment
    nav = f'<span id="nav-verdicts-{world.in_scope.pk}" class="meta verdict-summary" hx-swap-oob="true">'
    assert nav in fragment and "Holdout Evaluators: dissent" in fragment  # the pathway column, out of band


def test_a_refused_htmx_post_keeps_what_was_typed(client, world, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(external_reviewer)
    response = record(client, conclusion, Position.ABSTAIN, "", htmx=True)
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert "a rationale is required unless you concur" in fragment
    assert re.search(r'value="abstain"[^>]*checked', fragment)
