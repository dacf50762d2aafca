"""Notifications delivered once: the same event twice, a task run twice, the broker down
(the sweep hands the row over later), a mail server away for a while (retried with backoff)
or for good (left failed for an admin to retry), and subjects that must fit an email header.

Tasks run eagerly here when the transaction commits (django_capture_on_commit_callbacks);
tests/integration runs the same tasks on a real worker and Redis.
"""

import datetime
import smtplib

import pytest
from django.core import mail

from evidence.models import InformationRequest
from reviewapp.enums import EmailState, NotificationState
from reviewapp.services import delivery
from reviewapp.services.comments import comment_post
from reviewapp.services.delivery import sending
from reviewapp.services.notifications import notify_request_filed
from reviewapp.tasks import notifications as tasks
from tests.reviewapp.notifying import file_and_notify, mail_to, notes_of

# ------------------------------------------------------------------ exactly once


def test_the_same_event_notified_twice_writes_one_notification(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_request_filed(information_request) == 0
    assert notes_of(team_member).count() == 1
    assert len(mail_to(team_member)) == 1


def test_delivering_and_emailing_again_sends_nothing_more(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    note = notes_of(team_member).get()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notification_deliver.delay(note.pk)
        tasks.notification_email_send.delay(note.pk)
        tasks.notification_deliver.apply(args=[note.pk])
    assert len(mail_to(team_member)) == 1
    note.refresh_from_db()
    assert note.attempts == 1


def test_with_the_broker_down_the_request_is_saved_and_the_sweep_delivers_it_later(
    world, stress_tester, team_member, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.notification_deliver, "delay", broker_down)
    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    assert InformationRequest.objects.filter(pk=information_request.pk).exists()
    note = notes_of(team_member).get()
    assert note.state == NotificationState.PENDING and not mail.outbox

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.outbox_sweep(older_than=datetime.timedelta(0)) == 1
    note.refresh_from_db()
    assert note.state == NotificationState.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        delivery.outbox_sweep(older_than=datetime.timedelta(0))
    assert len(mail_to(team_member)) == 1


# ------------------------------------------------------------------ a mail server away


@pytest.fixture
def eager_retries(monkeypatch):
    """Run a retried task's next attempts in place, as apply() does when errors do not propagate."""
    from reviewapp.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


class FlakyMailServer:
    """Fails the first `failures` sends, as a mail server that is briefly away."""

    def __init__(self, failures):
        self.failures, self.calls = failures, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return mail.send_mail(*args, **kwargs)


def test_a_mail_server_that_fails_for_a_while_is_retried_with_backoff(
    world, stress_tester, team_member, django_capture_on_commit_callbacks, monkeypatch, eager_retries
):
    monkeypatch.setattr(tasks.notification_email_send, "max_retries", 3)
    server = FlakyMailServer(failures=2)
    monkeypatch.setattr(sending, "send_mail", server)
    countdowns = []
    retry = tasks.notification_email_send.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(tasks.notification_email_send, "retry", recording_retry)
    file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)

    assert server.calls == 3
    assert countdowns[1] > countdowns[0], "the wait grows between attempts"
    assert notes_of(team_member).get().email_state == EmailState.SENT
    assert len(mail_to(team_member)) == 1


def test_after_its_last_attempt_a_failed_email_is_left_for_an_admin_to_retry(
    world, stress_tester, team_member, django_capture_on_commit_callbacks, monkeypatch, admin_client, eager_retries
):
    monkeypatch.setattr(tasks.notification_email_send, "max_retries", 2)
    server = FlakyMailServer(failures=99)
    monkeypatch.setattr(sending, "send_mail", server)
    file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    note = notes_of(team_member).get()
    assert server.calls == 3
    assert note.email_state == EmailState.FAILED
    assert "SMTPServerDisconnected" in note.last_error
    assert note.state == NotificationState.DELIVERED, "the in-app notification is not held back by the mail server"

    listing = admin_client.get("/admin/reviewapp/notification/", {"email_state": "failed"})
    assert listing.status_code == 200 and f"/admin/reviewapp/notification/{note.pk}/" in listing.content.decode()

    server.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/reviewapp/notification/", {"action": "retry_failed", "_selected_action": [note.pk]}
        )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.email_state == EmailState.SENT
    assert len(mail_to(team_member)) == 1


# ------------------------------------------------------------------ subjects an email header holds


def test_a_title_with_line_breaks_makes_a_one_line_subject_and_the_email_goes(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = file_and_notify(
        world, stress_tester, run=django_capture_on_commit_callbacks, title="Line one\r\nBcc: someone@example.org"
    )
    assert information_request.title == "Line one Bcc: someone@example.org"
    note = notes_of(team_member).get()
    assert "\n" not in note.subject and note.email_state == EmailState.SENT
    (email,) = mail_to(team_member)
    assert email.bcc == [] and email.to == [team_member.email]


def test_a_subject_longer_than_its_column_is_cut_not_failed(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    world.public_claim.statement = "Outbound transfers are detected " + "and very carefully reviewed " * 20
    world.public_claim.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
    note = notes_of(author).get()
    assert note.state == NotificationState.DELIVERED and note.email_state == EmailState.SENT
    assert len(note.subject) == 300 and note.subject.endswith("…")
