"""Where requests are listed: the report's request list and its filters, the Inbox of each
kind of person, and the report's per-team summary of open and overdue requests."""

import datetime

from django.urls import reverse
from django.utils import timezone

from evidence.models import InformationRequest
from tests.factories import ReportFactory
from tests.reviewapp.matrix.requests import answer, close, file_request

TODAY = timezone.localdate


# ------------------------------------------------------------ list and inbox


def test_the_request_list_filters_by_state_and_team(client, world, author, stress_tester, team_member):
    answered = file_request(world, stress_tester, title="Answered one")
    answer(answered, team_member)
    file_request(world, stress_tester, title="Open one")
    file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Alignment one")
    client.force_login(author)
    url = reverse("request_list", args=["pilot"])
    body = client.get(url).content.decode()
    assert "Answered one" in body and "Open one" in body and "Alignment one" in body
    body = client.get(url, {"state": "answered"}).content.decode()
    assert "Answered one" in body and "Open one" not in body
    body = client.get(url, {"team": "alignment"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Alignment one" in body and "Open one" not in body and "<html" not in body


def test_a_forged_team_filter_is_an_error_not_a_leak(client, world, external_reviewer, stress_tester):
    file_request(world, stress_tester, subject=world.out_of_scope, team=world.other_team, title="Secret gov")
    client.force_login(external_reviewer)
    body = client.get(reverse("request_list", args=["pilot"]), {"team": "alignment"}).content.decode()
    assert "That filter is not available" in body
    assert "Secret gov" not in body
    assert "Alignment Science" not in body


def test_the_list_explains_an_empty_report(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("request_list", args=["pilot"])).content.decode()
    assert "No information requests you can see yet." in body


def test_the_inbox_groups_the_teams_requests_by_due_date(client, world, external_reviewer, stress_tester, team_member):
    today = TODAY()
    overdue = file_request(world, external_reviewer, title="Overdue one")
    InformationRequest.objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=3))
    file_request(world, stress_tester, title="Due soon one", due_date=today + datetime.timedelta(days=2))
    file_request(world, stress_tester, title="Later one", due_date=today + datetime.timedelta(days=10))
    done = file_request(world, stress_tester, title="Closed one")
    close(done, stress_tester)
    file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Not my team")
    client.force_login(team_member)
    body = client.get(reverse("team_inbox")).content.decode()
    overdue_part, rest = body.split('id="inbox-due-soon-heading"')
    due_soon_part, open_part = rest.split('id="inbox-open-heading"')
    assert "Overdue one" in overdue_part and "Overdue · 3 days" in overdue_part
    assert "Due soon one" in due_soon_part and "Overdue one" not in due_soon_part
    assert "Later one" in open_part and "Due soon one" not in open_part
    assert "Closed one" not in body and "Not my team" not in body


def test_the_inbox_explains_itself_to_someone_with_nothing_to_act_on(client, world, author):
    """An author on no team, acting for no organisation and leading nothing: told where
    requests come from, in words, with no command to run."""
    client.force_login(author)
    body = client.get(reverse("team_inbox")).content.decode()
    assert "Nothing comes to your inbox yet." in body
    assert "manage.py" not in body and "<code>" not in body


def test_a_reviewer_finds_their_organisations_requests_in_the_inbox(
    client, world, external_reviewer, stress_tester, team_member
):
    waiting = file_request(world, external_reviewer, title="Erin waits")
    answered = file_request(world, external_reviewer, title="Erin has an answer")
    answer(answered, team_member)
    done = file_request(world, external_reviewer, title="Erin closed this")
    answer(done, team_member)
    close(done, external_reviewer)
    file_request(world, stress_tester, title="Bob's own question")
    client.force_login(external_reviewer)
    body = client.get(reverse("team_inbox")).content.decode()
    assert "Requests from Holdout Evaluators" in body
    groups = {
        key: body.split(f'id="inbox-{key}-heading"')[1].split("</section>")[0]
        for key in ("answered", "waiting", "ended")
    }
    assert "(1)" in groups["answered"] and "Erin has an answer" in groups["answered"]
    assert "(1)" in groups["waiting"] and waiting.title in groups["waiting"]
    assert "(1)" in groups["ended"] and "Erin closed this" in groups["ended"]
    assert "Bob&#x27;s own question" not in body and "Bob's own question" not in body
    assert "For your teams" not in body and "Nothing comes to your inbox" not in body


def test_leadership_finds_the_overdue_requests_of_the_reports_they_lead(
    client, world, leadership, external_reviewer, stress_tester
):
    today = timezone.localdate()
    late = file_request(world, external_reviewer, title="Late one")
    on_time = file_request(world, stress_tester, title="On time")
    InformationRequest.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=4))
    elsewhere = ReportFactory(slug="other")
    client.force_login(leadership)
    body = client.get(reverse("team_inbox")).content.decode()
    section = body.split('id="inbox-led-overdue-heading"')[1].split("</section>")[0]
    assert "Overdue on the reports you lead" in body and "(1)" in section
    assert "Late one" in section and "Overdue · 4 days" in section and on_time.title not in section
    assert elsewhere.title not in body


# ------------------------------------------------------------ report summary


def test_the_report_shows_open_and_overdue_counts_and_the_median_time_to_first_answer(
    client, world, author, stress_tester, team_member
):
    now = timezone.now()
    for hours in (2, 10, 30):
        information_request = file_request(world, stress_tester)
        answer(information_request, team_member)
        InformationRequest.objects.filter(pk=information_request.pk).update(
            created_at=now - datetime.timedelta(hours=hours), first_answered_at=now
        )
    late = file_request(world, stress_tester)
    InformationRequest.objects.filter(pk=late.pk).update(due_date=TODAY() - datetime.timedelta(days=1))
    done = file_request(world, stress_tester)
    close(done, stress_tester)
    client.force_login(author)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    row = body.split('href="/reports/pilot/requests/?team=security">Security</a></th>')[1].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("</td")[0] for cell in row.split("<td")[1:]]
    assert cells[0] == "1"  # the one awaiting an answer: answered ones wait on the asker, the closed one is done
    assert "1 overdue" in cells[1]
    assert cells[2] == "10 hours"


def test_the_report_summary_explains_when_there_are_no_requests(client, world, author):
    client.force_login(author)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert "No information requests you can see yet." in body


def test_the_panel_shows_the_subjects_requests_with_days_overdue(client, world, external_reviewer, stress_tester):
    mine = file_request(world, external_reviewer, title="Erin on egress")
    InformationRequest.objects.filter(pk=mine.pk).update(due_date=TODAY() - datetime.timedelta(days=2))
    file_request(world, stress_tester, title="Bob on egress")
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Erin on egress" in body and "Overdue · 2 days" in body
    assert "Bob on egress" not in body
