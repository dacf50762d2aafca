"""Notifications: who is told of what, in the event's transaction, delivered once.

Tasks run eagerly here when the transaction commits (django_capture_on_commit_callbacks);
tests/integration runs the same tasks on a real worker and Redis.
"""

import datetime
import smtplib

import pytest
from django.core import mail

from evidence.models import InformationRequest
from reviewapp.enums import Delivery, EmailState, NotificationKind, NotificationState, Position, SignOffDecision
from reviewapp.models import Notification
from reviewapp.services import delivery
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.delivery import sending
from reviewapp.services.notifications import notification_preferences_set, notify_request_filed
from reviewapp.services.requests import request_answer, request_decline, request_follow_up
from reviewapp.services.signoff import signoff_record
from reviewapp.services.verdicts import conclusion_revise, verdict_record
from reviewapp.tasks import notifications as tasks
from tests.factories import UserFactory
from tests.reviewapp.matrix.requests import file_request


@pytest.fixture
def second_member(world):
    person = UserFactory(username="tess")
    world.team.members.add(person)
    return person


def _file(world, requester, *, run, title="How are outbound transfers detected?"):
    with run(execute=True):
        return file_request(
            world, requester, title=title, question="Which monitors see a large outbound transfer, and who is paged?"
        )


def _notes(person, kind=None):
    notes = Notification.objects.filter(recipient=person)
    return notes.filter(kind=kind) if kind else notes


def _mail_to(person):
    return [message for message in mail.outbox if person.email in message.to]


# ------------------------------------------------------------------ requests


def test_filing_a_request_tells_every_member_of_the_team_once_and_not_the_requester(
    world, stress_tester, team_member, second_member, django_capture_on_commit_callbacks
):
    information_request = _file(world, stress_tester, run=django_capture_on_commit_callbacks)

    for member in (team_member, second_member):
        (note,) = _notes(member)
        assert note.kind == NotificationKind.REQUEST_FILED
        assert note.state == NotificationState.DELIVERED
        assert information_request.title in note.subject
        assert note.url == f"/reports/pilot/requests/{information_request.pk}/"
        assert note.email_state == EmailState.SENT
        (email,) = _mail_to(member)
        assert information_request.title in email.subject
        assert f"/reports/pilot/requests/{information_request.pk}/" in email.body
    assert not _notes(stress_tester).exists()
    assert not _mail_to(stress_tester)


def test_an_answer_tells_the_requester_a_follow_up_the_team_and_a_decline_the_requester(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(
            information_request=information_request,
            answerer=team_member,
            text="The egress monitor pages us.",
            version=1,
        )
    (answered,) = _notes(stress_tester, NotificationKind.REQUEST_ANSWERED)
    assert "The egress monitor pages us." in answered.body

    with django_capture_on_commit_callbacks(execute=True):
        request_follow_up(
            information_request=information_request, author=stress_tester, text="Within what time?", version=2
        )
    (followed_up,) = _notes(team_member, NotificationKind.REQUEST_FOLLOWED_UP)
    assert "Within what time?" in followed_up.body

    with django_capture_on_commit_callbacks(execute=True):
        request_decline(
            information_request=information_request, decliner=team_member, reason="Paging data is secret.", version=3
        )
    (declined,) = _notes(stress_tester, NotificationKind.REQUEST_DECLINED)
    assert "Paging data is secret." in declined.body
    assert not _notes(team_member, NotificationKind.REQUEST_DECLINED).exists()


def test_a_refused_action_writes_no_notification(world, stress_tester, team_member, django_capture_on_commit_callbacks):
    from evidence.services.requests import RequestConflict

    information_request = _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    before = Notification.objects.count()
    with pytest.raises(RequestConflict), django_capture_on_commit_callbacks(execute=True):
        request_answer(information_request=information_request, answerer=team_member, text="Late answer", version=7)
    assert Notification.objects.count() == before


# ------------------------------------------------------------------ comments


def test_a_mention_tells_the_person_mentioned(world, author, stress_tester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this monitor load-bearing?")
    (note,) = _notes(author)
    assert note.kind == NotificationKind.MENTION
    assert "mentioned you" in note.subject and "is this monitor load-bearing?" in note.body
    assert note.url == "/reports/pilot/claims/egress-monitoring/"


def test_a_reply_tells_the_others_in_the_thread_once_each_and_not_the_replier(
    world, author, stress_tester, leadership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = comment_post(author=stress_tester, subject=world.public_claim, text="First point.")
        comment_reply(author=leadership, parent=thread, text="A second voice.")
        comment_reply(author=author, parent=thread, text="Answering @lena and everyone.")

    assert [n.kind for n in _notes(stress_tester).order_by("id")] == [
        NotificationKind.THREAD_REPLY,
        NotificationKind.THREAD_REPLY,
    ]
    # lena took part and is mentioned in the last reply: told once, as a mention.
    assert [n.kind for n in _notes(leadership).order_by("id")] == [NotificationKind.MENTION]
    assert not _notes(author).exists()


# ------------------------------------------------------------------ verdicts and sign-off


def _verdict(world, recorder, run, position=Position.DISSENT):
    conclusion = world.in_scope.conclusion
    with run(execute=True):
        return verdict_record(
            conclusion=conclusion,
            recorder=recorder,
            position=position,
            rationale="The monitor misses slow exfiltration.",
            revision=conclusion.revision,
        )


def test_a_verdict_tells_the_authors_in_their_digest_by_default(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    _verdict(world, stress_tester, django_capture_on_commit_callbacks)
    (note,) = _notes(author)
    assert note.kind == NotificationKind.VERDICT_RECORDED and note.state == NotificationState.DELIVERED
    assert note.email_state == EmailState.DIGEST and not mail.outbox
    assert "Dissent" in note.subject and "misses slow exfiltration" in note.body

    assert delivery.digest_send(author.pk) == 1
    (digest,) = _mail_to(author)
    assert "daily digest" in digest.subject and "misses slow exfiltration" in digest.body
    assert delivery.digest_send(author.pk) == 0, "a digest is sent once"
    assert len(_mail_to(author)) == 1
    note.refresh_from_db()
    assert note.email_state == EmailState.DIGESTED


def test_changing_a_conclusion_tells_authors_and_the_recorder_that_the_verdict_is_stale(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    verdict = _verdict(world, stress_tester, django_capture_on_commit_callbacks)
    conclusion = world.in_scope.conclusion
    with django_capture_on_commit_callbacks(execute=True):
        conclusion_revise(
            conclusion=conclusion, editor=author, revision=conclusion.revision, risk_level="low", text="Now low."
        )
    (to_recorder,) = _notes(stress_tester, NotificationKind.VERDICT_STALE)
    assert to_recorder.verdict == verdict and "stale" in to_recorder.subject.lower()
    assert not _notes(author, NotificationKind.VERDICT_STALE).exists(), "the author made the change"
    assert _mail_to(stress_tester)


def test_a_sign_off_tells_everyone_with_a_role_on_the_report(
    world, author, stress_tester, external_reviewer, leadership, team_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signoff_record(
            report=world.report,
            decider=leadership,
            decision=SignOffDecision.NOT_APPROVED,
            note="Come back after the audit.",
            override=True,
            override_reason="Testing.",
        )
    for person in (author, stress_tester, external_reviewer):
        (note,) = _notes(person)
        assert note.kind == NotificationKind.SIGNOFF_RECORDED and "Not approved" in note.subject
    assert _notes(author).get().url.startswith("/reports/pilot/sign-offs/")
    assert _notes(external_reviewer).get().url == "/reports/pilot/"
    assert not _notes(leadership).exists() and not _notes(team_member).exists()


# ------------------------------------------------------------------ preferences


@pytest.mark.parametrize(
    ("choice", "state", "email_state", "emails"),
    [
        (Delivery.IMMEDIATELY, NotificationState.DELIVERED, EmailState.SENT, 1),
        (Delivery.DIGEST, NotificationState.DELIVERED, EmailState.DIGEST, 0),
        (Delivery.OFF, NotificationState.SUPPRESSED, EmailState.NONE, 0),
    ],
)
def test_each_person_chooses_per_kind_how_they_hear(
    world, stress_tester, team_member, choice, state, email_state, emails, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=team_member, choices={NotificationKind.REQUEST_FILED: choice})
    _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    (note,) = _notes(team_member)
    assert (note.state, note.email_state) == (state, email_state)
    assert len(_mail_to(team_member)) == emails


def test_a_person_without_an_email_address_is_told_in_the_app_only(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    team_member.email = ""
    team_member.save()
    _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    (note,) = _notes(team_member)
    assert note.state == NotificationState.DELIVERED and note.email_state == EmailState.NONE
    assert not mail.outbox


def test_unknown_kinds_or_deliveries_are_refused_and_change_nothing(team_member):
    with pytest.raises(ValueError):
        notification_preferences_set(user=team_member, choices={"request_filed": "off", "bogus": "off"})
    with pytest.raises(ValueError):
        notification_preferences_set(user=team_member, choices={"request_filed": "hourly"})
    assert not team_member.notification_preferences.exists()


# ------------------------------------------------------------------ exactly once


def test_the_same_event_notified_twice_writes_one_notification(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_request_filed(information_request) == 0
    assert _notes(team_member).count() == 1
    assert len(_mail_to(team_member)) == 1


def test_delivering_and_emailing_again_sends_nothing_more(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    note = _notes(team_member).get()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notification_deliver.delay(note.pk)
        tasks.notification_email_send.delay(note.pk)
        tasks.notification_deliver.apply(args=[note.pk])
    assert len(_mail_to(team_member)) == 1
    note.refresh_from_db()
    assert note.attempts == 1


def test_with_the_broker_down_the_request_is_saved_and_the_sweep_delivers_it_later(
    world, stress_tester, team_member, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.notification_deliver, "delay", broker_down)
    information_request = _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    assert InformationRequest.objects.filter(pk=information_request.pk).exists()
    note = _notes(team_member).get()
    assert note.state == NotificationState.PENDING and not mail.outbox

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.outbox_sweep(older_than=datetime.timedelta(0)) == 1
    note.refresh_from_db()
    assert note.state == NotificationState.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        delivery.outbox_sweep(older_than=datetime.timedelta(0))
    assert len(_mail_to(team_member)) == 1


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
    _file(world, stress_tester, run=django_capture_on_commit_callbacks)

    assert server.calls == 3
    assert countdowns[1] > countdowns[0], "the wait grows between attempts"
    assert _notes(team_member).get().email_state == EmailState.SENT
    assert len(_mail_to(team_member)) == 1


def test_after_its_last_attempt_a_failed_email_is_left_for_an_admin_to_retry(
    world, stress_tester, team_member, django_capture_on_commit_callbacks, monkeypatch, admin_client, eager_retries
):
    monkeypatch.setattr(tasks.notification_email_send, "max_retries", 2)
    server = FlakyMailServer(failures=99)
    monkeypatch.setattr(sending, "send_mail", server)
    _file(world, stress_tester, run=django_capture_on_commit_callbacks)
    note = _notes(team_member).get()
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
    assert len(_mail_to(team_member)) == 1


def test_a_title_with_line_breaks_makes_a_one_line_subject_and_the_email_goes(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = _file(
        world, stress_tester, run=django_capture_on_commit_callbacks, title="Line one\r\nBcc: someone@example.org"
    )
    assert information_request.title == "Line one Bcc: someone@example.org"
    note = _notes(team_member).get()
    assert "\n" not in note.subject and note.email_state == EmailState.SENT
    (email,) = _mail_to(team_member)
    assert email.bcc == [] and email.to == [team_member.email]


def test_a_subject_longer_than_its_column_is_cut_not_failed(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    world.public_claim.statement = "Outbound transfers are detected " + "and very carefully reviewed " * 20
    world.public_claim.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
    note = _notes(author).get()
    assert note.state == NotificationState.DELIVERED and note.email_state == EmailState.SENT
    assert len(note.subject) == 300 and note.subject.endswith("…")


# ------------------------------------------------------------------ what a notification says


def test_no_notification_repeats_its_title_in_its_body(
    world, author, stress_tester, team_member, leadership, django_capture_on_commit_callbacks
):
    """The list, the digest and the email show the title over the body: the body says what
    the title does not (the text written, the rationale, who asked), never the title again."""
    run = django_capture_on_commit_callbacks
    information_request = _file(world, stress_tester, run=run)
    with run(execute=True):
        request_answer(
            information_request=information_request, answerer=team_member, text="The monitor pages us.", version=1
        )
        request_follow_up(information_request=information_request, author=stress_tester, text="How fast?", version=2)
        request_decline(information_request=information_request, decliner=team_member, reason="Secret.", version=3)
        thread = comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
        comment_reply(author=author, parent=thread, text="It is.")
    _verdict(world, stress_tester, run)
    with run(execute=True):
        signoff_record(
            report=world.report,
            decider=leadership,
            decision=SignOffDecision.APPROVE,
            note="Go.",
            override=True,
            override_reason="Testing.",
        )
    notes = Notification.objects.filter(state=NotificationState.DELIVERED)
    kinds = set(notes.values_list("kind", flat=True))
    assert {
        NotificationKind.REQUEST_FILED,
        NotificationKind.REQUEST_ANSWERED,
        NotificationKind.REQUEST_FOLLOWED_UP,
        NotificationKind.REQUEST_DECLINED,
        NotificationKind.MENTION,
        NotificationKind.THREAD_REPLY,
        NotificationKind.VERDICT_RECORDED,
        NotificationKind.SIGNOFF_RECORDED,
    } <= kinds
    for note in notes:
        first_line = note.body.splitlines()[0]
        assert note.subject not in note.body, (note.kind, note.subject, note.body)
        assert first_line.rstrip(":.") not in note.subject, (note.kind, first_line)
    (answered,) = _notes(stress_tester, NotificationKind.REQUEST_ANSWERED)
    assert answered.body == (
        f"On the request to Security, from {stress_tester.organisation.name}.\n\nThe monitor pages us."
    )
    (mention,) = _notes(author, NotificationKind.MENTION)
    assert mention.body == "@alice is this load-bearing?"
