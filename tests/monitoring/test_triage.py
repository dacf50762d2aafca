"""Triage: a confirmed sign re-opens exactly what rested on its claims, once; a dismissed one
keeps its reason; who is told of a re-opening hears only of what they may see."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from monitoring.enums import Triage
from monitoring.models import Reopening, WarningSign
from monitoring.services import SignFields, warning_sign_report
from pathways.enums import ReportStatus
from pathways.models import AuditEntry, Conclusion, Report
from reviewapp.enums import NotificationKind, Position
from reviewapp.models import Notification, SignOff
from reviewapp.services.delivery.texts import render_for_recipient
from reviewapp.services.warning_signs import TriageRefused, warning_sign_confirm, warning_sign_dismiss
from tests.conftest import CANARY_OUT_OF_SCOPE
from tests.factories import ReportVersionFactory, SignOffFactory
from tests.reviewapp.matrix.verdicts import conclusion_of, given

SECRET = "canary-internal-sign-text"


def report_sign(world, person, *claims, sensitivity="internal", title=f"Weights moved {SECRET}"):
    fields = SignFields(
        title=title,
        description=f"Observed by the egress monitor. {SECRET}",
        severity="high",
        observed_at=timezone.now(),
        claims=claims,
        sensitivity=sensitivity,
    )
    return warning_sign_report(report=world.report, fields=fields, reported_by=person)[0]


@pytest.fixture
def signed_off(world, author, leadership, stress_tester, external_reviewer):
    """The pilot report signed off, with verdicts on its pathways."""
    for pathway in ["exfiltration", "backdoors", "government", None]:
        given(stress_tester, conclusion_of(world, pathway))
    given(external_reviewer, conclusion_of(world, "exfiltration"), Position.CONCUR)
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot.")
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.SIGNED_OFF
    return world


def test_confirming_reopens_the_pathways_resting_on_its_claims(signed_off, author, stress_tester, external_reviewer):
    world = signed_off
    sign = report_sign(world, author, "file-permissions")  # rests in exfiltration only
    before = {c.pathway_id: c.revision for c in Conclusion.objects.filter(report=world.report)}
    reopened = warning_sign_confirm(sign=sign, person=stress_tester)
    assert [reopening.conclusion.pathway.slug for reopening in reopened] == ["exfiltration"]
    after = {c.pathway_id: c.revision for c in Conclusion.objects.filter(report=world.report)}
    assert after[world.in_scope.pk] == before[world.in_scope.pk] + 1
    assert {key: value for key, value in after.items() if key != world.in_scope.pk} == {
        key: value for key, value in before.items() if key != world.in_scope.pk
    }
    exfiltration = conclusion_of(world, "exfiltration")
    assert all(verdict.is_stale for verdict in exfiltration.verdicts.filter(is_current=True))
    assert not any(verdict.is_stale for verdict in conclusion_of(world, "backdoors").verdicts.filter(is_current=True))
    report = Report.objects.get(pk=world.report.pk)
    assert report.status == ReportStatus.IN_REVIEW and SignOff.objects.filter(report=report).count() == 1
    sign.refresh_from_db()
    assert (sign.state, sign.triaged_by) == (Triage.CONFIRMED, stress_tester)
    entry = AuditEntry.objects.get(action="monitoring.warning_sign.confirmed")
    assert entry.data == {"pathways": ["exfiltration"], "report_reopened": True}


def test_a_sign_is_triaged_once(world, author, stress_tester):
    sign = report_sign(world, author, "egress-monitoring")
    warning_sign_confirm(sign=sign, person=author)
    with pytest.raises(TriageRefused, match=f"already confirmed by {author}"):
        warning_sign_confirm(sign=sign, person=stress_tester)
    with pytest.raises(TriageRefused, match="already confirmed"):
        warning_sign_dismiss(sign=sign, person=stress_tester, reason="Drill.")
    assert Reopening.objects.count() == 2  # exfiltration and backdoors, once


def test_dismissing_needs_a_reason_and_reopens_nothing(world, author, leadership):
    sign = report_sign(world, author, "egress-monitoring")
    with pytest.raises(TriageRefused, match="Say why"):
        warning_sign_dismiss(sign=sign, person=leadership, reason=" ")
    dismissed = warning_sign_dismiss(sign=sign, person=leadership, reason="A scheduled red-team drill.")
    assert (dismissed.state, dismissed.dismissal_reason) == (Triage.DISMISSED, "A scheduled red-team drill.")
    assert not Reopening.objects.exists() and not Notification.objects.exists()
    assert AuditEntry.objects.get(action="monitoring.warning_sign.dismissed").data == {
        "reason": "A scheduled red-team drill."
    }


@pytest.mark.parametrize("persona", ["external_reviewer", "team_member", "outsider"])
def test_only_the_staff_who_run_the_review_triage(world, author, request, persona):
    sign = report_sign(world, author, "egress-monitoring")
    with pytest.raises(TriageRefused, match="Only the report's authors, leadership and stress-testers"):
        warning_sign_confirm(sign=sign, person=request.getfixturevalue(persona))
    assert WarningSign.objects.get().state == Triage.NEW and not Reopening.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_reopen_once(world, author, stress_tester, leadership):
    sign = report_sign(world, author, "egress-monitoring")
    barrier, outcomes = threading.Barrier(2), []

    def confirm(person):
        try:
            barrier.wait()
            warning_sign_confirm(sign=sign, person=person)
            outcomes.append("confirmed")
        except TriageRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(person,)) for person in (stress_tester, leadership)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["confirmed", "refused"]
    assert Reopening.objects.count() == 2
    assert conclusion_of(world, "exfiltration").revision == 2
    assert AuditEntry.objects.filter(action="monitoring.warning_sign.confirmed").count() == 1


# ------------------------------------------------------------------ who is told, of what


def told(person) -> list:
    notifications = Notification.objects.filter(recipient=person, kind=NotificationKind.WARNING_SIGN_REOPENED)
    return [render_for_recipient(notification) for notification in notifications]


def test_a_reopening_is_told_to_each_at_their_level_and_scope(
    world, author, stress_tester, external_reviewer, team_member, leadership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        sign = report_sign(world, author, "egress-monitoring", "gov-affordances")
        warning_sign_confirm(sign=sign, person=stress_tester)
    (erin,) = told(external_reviewer)
    assert "Self-exfiltration" in erin.subject and "Code backdoors" in erin.body
    text = erin.subject + erin.body + erin.path
    assert SECRET not in text and CANARY_OUT_OF_SCOPE not in text and "Government" not in text
    assert erin.path == "/reports/pilot/pathways/exfiltration/"
    (lena,) = told(leadership)
    assert SECRET in lena.body and "Government" in lena.subject
    assert lena.path == f"/reports/pilot/warning-signs/{sign.pk}/"
    (tom,) = told(team_member)  # Security owns egress-monitoring
    assert tom is not None and SECRET in tom.body
    (alice,) = told(author)
    assert alice is not None
    assert told(stress_tester) == []  # who confirmed it is not told


def test_a_reviewer_level_sign_is_read_by_the_external_reviewer(world, author, stress_tester, external_reviewer):
    sign = report_sign(world, author, "egress-monitoring", sensitivity="reviewer", title="Weights moved")
    warning_sign_confirm(sign=sign, person=stress_tester)
    (erin,) = told(external_reviewer)
    assert "“Weights moved”" in erin.body and SECRET in erin.body


def test_a_reviewer_with_no_reopened_pathway_in_scope_hears_nothing(world, author, stress_tester, external_reviewer):
    sign = report_sign(world, author, "gov-affordances", sensitivity="reviewer")
    warning_sign_confirm(sign=sign, person=stress_tester)
    assert told(external_reviewer) == [None]  # written for every reviewer, withheld when it is rendered
