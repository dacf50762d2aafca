"""One meaning of "open" and "overdue" everywhere: a request is open while the owning team
owes an answer (open, or followed up), and overdue when it is open and past its due date.
An answered request waits on the person who asked; a closed one is done. The report page,
the dashboard, the team inbox, the request list's filter, the review record and the daily
escalation all count the same requests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import InformationRequest
from reviewapp.enums import NotificationKind
from reviewapp.models import Notification
from reviewapp.review_record import review_record_export
from reviewapp.services.delivery import request_reminders
from tests.reviewapp.matrix.requests import answer, close, file_request, follow_up

TODAY = timezone.localdate
LATE = datetime.timedelta(days=3)


@pytest.fixture
def requests(world, stress_tester, team_member):
    """Five requests to Security: four of them three days past due."""
    made = {
        "open late": file_request(world, stress_tester, title="Open and late"),
        "answered late": file_request(world, stress_tester, title="Answered and late"),
        "followed up late": file_request(world, stress_tester, title="Followed up and late"),
        "closed late": file_request(world, stress_tester, title="Closed and late"),
        "open in time": file_request(world, stress_tester, title="Open in time"),
    }
    answer(made["answered late"], team_member)
    answer(made["followed up late"], team_member)
    follow_up(made["followed up late"], stress_tester)
    close(made["closed late"], stress_tester)
    late = [made[key].pk for key in ("open late", "answered late", "followed up late", "closed late")]
    InformationRequest.objects.filter(pk__in=late).update(due_date=TODAY() - LATE)
    for information_request in made.values():
        information_request.refresh_from_db()
    return made


def _row_cells(body: str, marker: str) -> list[str]:
    row = body.split(marker)[1].split("</tr>")[0]
    return [cell.split(">", 1)[1].split("</td")[0] for cell in row.split("<td")[1:]]


def test_the_model_says_which_requests_are_open_and_overdue(requests):
    open_ones = set(
        InformationRequest.objects.filter(InformationRequest.open_requests()).values_list("title", flat=True)
    )
    assert open_ones == {"Open and late", "Followed up and late", "Open in time"}
    overdue = set(
        InformationRequest.objects.filter(InformationRequest.overdue_on(TODAY())).values_list("title", flat=True)
    )
    assert overdue == {"Open and late", "Followed up and late"}
    assert [requests[key].overdue_days(TODAY()) for key in requests] == [3, 0, 3, 0, 0]


def test_the_report_page_and_the_dashboard_count_the_same(client, world, author, requests):
    client.force_login(author)
    report = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    cells = _row_cells(report, 'href="/reports/pilot/requests/?team=security">Security</a></th>')
    assert cells[0] == "3"
    assert "2 overdue" in cells[1]
    dashboard = client.get(reverse("signoff_dashboard", args=["pilot"])).content.decode()
    cells = _row_cells(dashboard, '<th scope="row">Security</th>')
    assert cells[0] == "3"
    assert "2 overdue" in cells[1]
    assert "Open and late" in dashboard and "Followed up and late" in dashboard
    assert "Answered and late" not in dashboard and "Closed and late" not in dashboard


def test_the_request_lists_overdue_filter_finds_only_open_late_requests(client, world, author, requests):
    client.force_login(author)
    listing = client.get(reverse("request_list", args=["pilot"]) + "?state=overdue").content.decode()
    assert "Open and late" in listing and "Followed up and late" in listing
    assert "Answered and late" not in listing and "Closed and late" not in listing and "Open in time" not in listing


def test_the_team_inbox_puts_answered_requests_apart_from_the_open_ones(client, world, team_member, requests):
    client.force_login(team_member)
    inbox = client.get(reverse("team_inbox")).content.decode()
    sections = {
        key: inbox.split(f'id="inbox-{key}-heading"')[1].split("</section>")[0]
        for key in ("overdue", "due-soon", "open", "answered")
    }
    assert "(2)" in sections["overdue"]
    assert "Open and late" in sections["overdue"] and "Followed up and late" in sections["overdue"]
    assert "Answered and late" not in sections["overdue"]
    assert "(1)" in sections["open"] and "Open in time" in sections["open"]
    assert "(1)" in sections["answered"] and "Answered and late" in sections["answered"]
    assert "Closed and late" not in inbox


def test_the_review_record_calls_overdue_only_what_is_open(world, author, requests):
    markdown = review_record_export(report=world.report, reader=author, level="internal", fmt="md").content
    sections = {section.split("\n", 1)[0].split(": ", 1)[1]: section for section in markdown.split("### Request ")[1:]}
    state = {title: section.split("- **State:** ")[1].split("\n")[0] for title, section in sections.items()}
    assert state["Open and late"] == "Open, overdue by 3 days"
    assert state["Followed up and late"] == "Follow-up, overdue by 3 days"
    assert state["Answered and late"] == "Answered"
    assert state["Closed and late"] == "Closed"


def test_the_escalation_chases_only_open_late_requests(world, requests):
    counts = request_reminders(today=TODAY())
    assert counts["overdue"] > 0
    chased = set(
        Notification.objects.filter(kind=NotificationKind.REQUEST_OVERDUE).values_list(
            "information_request__title", flat=True
        )
    )
    assert chased == {"Open and late", "Followed up and late"}
