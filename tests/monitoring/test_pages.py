"""The warning-sign pages, the re-opened pathway as each reader sees it, the timeline of the
review loop, and cycle time on the dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import InformationRequest, RequestMessage
from evidence.services.carrying import report_start_next
from monitoring.enums import Triage
from monitoring.models import WarningSign
from pathways.enums import ReportStatus
from pathways.services import access_grant, report_status_change
from reviewapp.selectors.open_items import cycle_time, report_facts, team_figures
from reviewapp.services.requests import request_answer
from reviewapp.services.warning_signs import warning_sign_confirm
from tests.conftest import CANARY_OUT_OF_SCOPE
from tests.factories import ReportVersionFactory, SignOffFactory, UserFactory
from tests.helpers import assert_no_long_query, body, page_queries
from tests.monitoring.test_triage import SECRET, report_sign
from tests.reviewapp.matrix.requests import file_request
from tests.reviewapp.matrix.verdicts import conclusion_of, edit_conclusion


def cycle_of(report, today):
    facts = report_facts([report.pk], today)[report.pk]
    return cycle_time(facts, team_figures([report.pk], today)[report.pk][0], today)


FORM = {
    "title": "Unusual tool calls",
    "description": "The model asked for cluster credentials twice.",
    "severity": "medium",
    "observed_at": "2026-11-30 09:30",
    "claims": ["egress-monitoring"],
    "source_ref": "",
    "sensitivity": "reviewer",
}


def test_staff_report_a_sign_by_the_form(client, world, stress_tester):
    client.force_login(stress_tester)
    page = body(client, reverse("warning_sign_list", args=["pilot"]))
    assert "No warning signs have been reported" in page and "Large outbound transfers are detected." in page
    response = client.post(reverse("warning_sign_list", args=["pilot"]), FORM)
    sign = WarningSign.objects.get()
    assert response["Location"] == reverse("warning_sign_detail", args=["pilot", sign.pk])
    assert (sign.reported_by, sign.severity, sign.sensitivity, sign.source) == (
        stress_tester,
        "medium",
        "reviewer",
        None,
    )
    detail = body(client, response["Location"])
    assert "Reported “Unusual tool calls”" in detail and "Confirm and re-open" in detail
    listed = body(client, reverse("warning_sign_list", args=["pilot"]))
    assert "Unusual tool calls" in listed and "Waiting for triage" in listed


@pytest.mark.parametrize(
    "change,message",
    [
        ({"title": ""}, "Give the sign a title."),
        ({"observed_at": "yesterday"}, "Give a date and time"),
        ({"severity": "huge"}, "Select a valid choice"),
        ({"claims": ["not-a-claim"]}, "Select a valid choice"),
        ({"observed_at": "2999-01-01 00:00"}, "A sign cannot be observed in the future."),
    ],
)
def test_a_bad_form_says_why_and_writes_nothing(client, world, stress_tester, change, message):
    client.force_login(stress_tester)
    response = client.post(reverse("warning_sign_list", args=["pilot"]), {**FORM, **change})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    if "claims" not in change:  # what was chosen stays chosen
        assert '<input type="checkbox" name="claims" value="egress-monitoring" checked>' in page
    assert not WarningSign.objects.exists()


def test_triage_from_the_page_and_the_reopened_pathway(client, world, author, leadership, external_reviewer):
    sign = report_sign(world, author, "file-permissions")
    client.force_login(leadership)
    url = reverse("warning_sign_triage", args=["pilot", sign.pk])
    refused = client.post(url, {"action": "dismiss", "reason": ""})
    assert "Say why the sign is dismissed" in refused.content.decode()
    assert "Choose to confirm the sign or to dismiss it." in client.post(url, {}).content.decode()
    done = client.post(url, {"action": "confirm"}, follow=True).content.decode()
    assert "Confirmed. 1 pathway re-opened" in done and "Self-exfiltration" in done
    again = client.post(url, {"action": "confirm"}).content.decode()
    assert "already confirmed" in again
    client.force_login(external_reviewer)
    pathway = body(client, reverse("pathway_detail", args=["pilot", "exfiltration"]))
    assert 'class="chip reopened"' in pathway and "by a confirmed warning sign" in pathway
    assert SECRET not in pathway
    assert 'class="chip reopened"' not in body(client, reverse("pathway_detail", args=["pilot", "backdoors"]))
    assert 'class="chip reopened"' in body(client, reverse("report_detail", args=["pilot"]))


def test_a_revised_conclusion_is_no_longer_reopened(client, world, author, stress_tester):
    warning_sign_confirm(sign=report_sign(world, author, "file-permissions"), person=stress_tester)
    edit_conclusion(conclusion_of(world, "exfiltration"), "Moderate, after the sign.", editor=author)
    client.force_login(author)
    assert 'class="chip reopened"' not in body(client, reverse("pathway_detail", args=["pilot", "exfiltration"]))


def test_the_timeline_shows_each_turn_of_the_loop_to_each_reader(
    client, world, author, leadership, stress_tester, external_reviewer
):
    report_status_change(report=world.report, editor=author, status=ReportStatus.IN_REVIEW)
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot.")
    first = report_sign(world, author, "egress-monitoring", "gov-affordances")
    warning_sign_confirm(sign=first, person=stress_tester)
    hidden = report_sign(world, author, "gov-affordances", title="Only out of scope")
    warning_sign_confirm(sign=hidden, person=stress_tester)
    ReportVersionFactory(report=world.report, author=author, name="3 March")
    client.force_login(author)
    page = body(client, reverse("report_timeline", args=["pilot"]))
    order = [
        "Opened for review",
        "Version 1 published",
        "Sign-off decision: Approve",
        "Re-opened by a warning sign",
        "Version 2 published",
    ]
    assert [page.index(text) for text in order] == sorted(page.index(text) for text in order)
    assert SECRET in page and page.count("Re-opened by a warning sign") == 2
    client.force_login(external_reviewer)
    limited = body(client, reverse("report_timeline", args=["pilot"]))
    assert limited.count("Re-opened by a warning sign") == 1  # the one re-opening nothing in their scope is left out
    assert "Self-exfiltration" in limited and "Code backdoors" in limited
    for canary in (SECRET, CANARY_OUT_OF_SCOPE, "Government", "Only out of scope"):
        assert canary not in limited


def test_the_dashboard_shows_cycle_time_beside_the_previous_models(client, world, author, leadership, team_member):
    report_status_change(report=world.report, editor=author, status=ReportStatus.IN_REVIEW)
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot.")
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=author)
    access_grant(report=created, user=leadership, role="leadership")
    client.force_login(leadership)
    old = body(client, reverse("signoff_dashboard", args=["pilot"]))
    assert "From opened for review to sign-off" in old and "0 days" in old
    new = body(client, reverse("signoff_dashboard", args=["pilot-2"]))
    assert "the previous model's" in new and "not opened for review yet" in new and "0 days" in new
    outsider_lead = UserFactory(username="lead-two")
    access_grant(report=created, user=outsider_lead, role="leadership")
    client.force_login(outsider_lead)  # leads the new report only: the old one is not named
    assert "the previous model's" not in body(client, reverse("signoff_dashboard", args=["pilot-2"]))


def test_cycle_time_counts_days_and_each_teams_median_time_to_answer(
    world, author, leadership, stress_tester, team_member
):
    report_status_change(report=world.report, editor=author, status=ReportStatus.IN_REVIEW)
    asked = [file_request(world, stress_tester, question=f"Question {n}?") for n in range(3)]
    for days, item in zip((1, 2, 6), asked, strict=True):
        request_answer(information_request=item, answerer=team_member, text="Here.", version=item.version)
        answer = RequestMessage.objects.filter(request=item, kind="answer")
        answer.update(created_at=item.created_at + datetime.timedelta(days=days))
    today = timezone.localdate()
    cycle = cycle_of(world.report, today)
    (security,) = cycle.teams
    assert (security.team, security.median_days_to_answer, security.answered) == ("Security", 2.0, 3)
    assert cycle.days is None and cycle.days_so_far == 0
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot.")
    assert cycle_of(world.report, today).days == 0
    assert InformationRequest.objects.filter(report=world.report).count() == 3


@pytest.mark.parametrize("name", ["warning_sign_list", "report_timeline"])
def test_the_pages_do_not_grow_with_the_signs(client, world, author, stress_tester, name):
    client.force_login(author)
    url = reverse(name, args=["pilot"])
    warning_sign_confirm(sign=report_sign(world, author, "egress-monitoring"), person=stress_tester)
    small = page_queries(client, url)
    for _ in range(3):
        warning_sign_confirm(
            sign=report_sign(world, author, "egress-monitoring", "gov-affordances"), person=stress_tester
        )
        report_sign(world, author, "file-permissions")
    large = page_queries(client, url)
    assert len(small) == len(large) == {"warning_sign_list": 7, "report_timeline": 10}[name]
    assert_no_long_query(large)
    assert WarningSign.objects.filter(state=Triage.CONFIRMED).count() == 4
