"""The daily chase: reminders the day before a request is due, escalation once it is
overdue, and overdue and stale items at the top of the sign-off dashboard."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from evidence.models import InformationRequest
from evidence.services.requests import information_request_close
from reviewapp.enums import NotificationKind, Position
from reviewapp.models import Notification
from reviewapp.services.delivery import request_reminders
from reviewapp.services.requests import request_answer, request_file
from reviewapp.services.verdicts import conclusion_revise, verdict_record
from reviewapp.tasks import notifications as tasks
from tests.helpers import counted

TODAY = datetime.date(2026, 12, 2)  # a Wednesday; the clock is moved by passing `today`


def _file(world, requester, *, due, title="Egress thresholds"):
    information_request = request_file(
        report=world.report,
        requester=requester,
        subject=world.public_claim,
        team=world.team,
        title=title,
        question="What volume triggers an alert?",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    InformationRequest.objects.filter(pk=information_request.pk).update(due_date=due)
    information_request.refresh_from_db()
    return information_request


def _kinds(person):
    return list(Notification.objects.filter(recipient=person).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def people(author, stress_tester, team_member, leadership):
    return {"author": author, "requester": stress_tester, "team": team_member, "leadership": leadership}


def test_a_request_due_tomorrow_reminds_the_owning_team_only(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        information_request = _file(world, people["requester"], due=TODAY + datetime.timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_reminders(today=TODAY) == {"due_soon": 1, "overdue": 0}
    (note,) = Notification.objects.filter(kind=NotificationKind.REQUEST_DUE_SOON)
    assert note.recipient == people["team"] and "Due tomorrow" in note.subject
    (email,) = mail.outbox
    assert email.to == [people["team"].email] and information_request.title in email.subject


def test_an_overdue_request_is_escalated_to_team_requester_and_authors_once(
    world, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _file(world, people["requester"], due=TODAY - datetime.timedelta(days=2))
    mail.outbox.clear()
    for day in range(3):  # the daily run, three days running: one escalation per due date
        with django_capture_on_commit_callbacks(execute=True):
            request_reminders(today=TODAY + datetime.timedelta(days=day))
    for role in ("team", "requester", "author"):
        assert _kinds(people[role]).count(NotificationKind.REQUEST_OVERDUE) == 1, role
    assert NotificationKind.REQUEST_OVERDUE not in _kinds(people["leadership"])
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        people[role].email for role in ("team", "requester", "author")
    )
    assert all("Overdue since" in message.subject for message in mail.outbox)


def test_a_new_due_date_that_passes_again_is_escalated_again(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        information_request = _file(world, people["requester"], due=TODAY - datetime.timedelta(days=1))
        request_reminders(today=TODAY)
    InformationRequest.objects.filter(pk=information_request.pk).update(due_date=TODAY + datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        request_reminders(today=TODAY + datetime.timedelta(days=4))
    assert _kinds(people["team"]).count(NotificationKind.REQUEST_OVERDUE) == 2


def test_answered_closed_and_declined_requests_are_not_chased(world, people, django_capture_on_commit_callbacks):
    past = TODAY - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        answered = _file(world, people["requester"], due=past, title="Answered")
        request_answer(information_request=answered, answerer=people["team"], text="Here.", version=1)
        closed = _file(world, people["requester"], due=past, title="Closed")
        information_request_close(information_request=closed, closer=people["requester"], version=1)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_reminders(today=TODAY) == {"due_soon": 0, "overdue": 0}
    assert Notification.objects.count() == before


def test_the_scheduler_runs_the_reminders_as_a_task(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _file(world, people["requester"], due=timezone.localdate() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_reminders.delay()
    assert NotificationKind.REQUEST_OVERDUE in _kinds(people["author"])


def test_the_beat_schedule_runs_reminders_digests_and_the_sweeps():
    from reviewapp.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "reviewapp.tasks.notifications.request_reminders",
        "reviewapp.tasks.notifications.digests_send",
        "reviewapp.tasks.notifications.outbox_sweep",
        "reviewapp.tasks.exports.export_jobs_sweep",
    }
    assert all(name in app.tasks for name in scheduled)


# ------------------------------------------------------------------ the dashboard


def _stale_verdict(world, recorder, author):
    conclusion = world.in_scope.conclusion
    verdict_record(
        conclusion=conclusion, recorder=recorder, position=Position.CONCUR, rationale="", revision=conclusion.revision
    )
    conclusion.refresh_from_db()
    conclusion_revise(conclusion=conclusion, editor=author, revision=conclusion.revision, risk_level="low", text="New")


def test_overdue_requests_and_stale_verdicts_top_the_dashboard(world, people, client):
    _file(world, people["requester"], due=timezone.localdate() - datetime.timedelta(days=4), title="Late one")
    _file(world, people["requester"], due=timezone.localdate() + datetime.timedelta(days=4), title="Not late")
    _stale_verdict(world, people["requester"], people["author"])
    client.force_login(people["leadership"])
    page = client.get("/reports/pilot/dashboard/").content.decode()
    attention = page[page.index('id="attention-heading"') : page.index('id="matrix-heading"')]
    assert "Late one" in attention and "4 days overdue" in attention
    assert "Not late" not in attention
    assert "Stale verdicts" in attention and "Stress-testing team" in attention and "Self-exfiltration" in attention


def test_a_dashboard_with_nothing_late_has_no_attention_section(world, people, client):
    _file(world, people["requester"], due=timezone.localdate() + datetime.timedelta(days=4))
    client.force_login(people["leadership"])
    assert 'id="attention-heading"' not in client.get("/reports/pilot/dashboard/").content.decode()


def test_the_attention_section_costs_the_same_queries_however_much_is_late(
    world, people, client, django_assert_num_queries
):
    client.force_login(people["leadership"])

    def count():
        with counted() as queries:
            assert client.get("/reports/pilot/dashboard/").status_code == 200
        return len(queries)

    _file(world, people["requester"], due=timezone.localdate() - datetime.timedelta(days=1), title="Late 1")
    _stale_verdict(world, people["requester"], people["author"])
    one = count()
    for n in range(2, 5):
        _file(world, people["requester"], due=timezone.localdate() - datetime.timedelta(days=n), title=f"Late {n}")
    assert count() == one


def test_the_dashboard_lists_the_oldest_overdue_requests_and_links_to_the_rest(world, people, client):
    from reviewapp.selectors.signoff import OVERDUE_SHOWN

    today = timezone.localdate()
    for days in range(1, OVERDUE_SHOWN + 3):
        _file(world, people["requester"], due=today - datetime.timedelta(days=days), title=f"Late by {days:02d}")
    client.force_login(people["leadership"])
    page = client.get("/reports/pilot/dashboard/").content.decode()
    attention = page[page.index('id="attention-heading"') : page.index('id="matrix-heading"')]
    assert f'Overdue requests <span class="count">{OVERDUE_SHOWN + 2}</span>' in attention
    assert attention.count("days overdue") == OVERDUE_SHOWN
    assert "Late by 12" in attention and "Late by 03" in attention and "Late by 02" not in attention
    assert f"All {OVERDUE_SHOWN + 2} overdue requests" in attention and "?state=overdue" in attention
