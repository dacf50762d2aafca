"""Notifications: who is told of what, in the event's transaction, and how each person
chose to hear of it. How a notification is delivered once (and retried, swept, failed) is
in test_notifications_delivery.py; what it says, in test_notification_texts.py.

Tasks run eagerly here when the transaction commits (django_capture_on_commit_callbacks);
tests/integration runs the same tasks on a real worker and Redis.
"""

import pytest
from django.core import mail

from reviewapp.enums import Delivery, EmailState, NotificationKind, NotificationState, SignOffDecision
from reviewapp.models import Notification
from reviewapp.services import delivery
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.notifications import notification_preferences_set
from reviewapp.services.requests import request_answer, request_decline, request_follow_up
from reviewapp.services.verdicts import conclusion_revise
from tests.factories import UserFactory
from tests.reviewapp.notifying import file_and_notify, mail_to, notes_of, record_sign_off, record_verdict


@pytest.fixture
def second_member(world):
    person = UserFactory(username="tess")
    world.team.members.add(person)
    return person


# ------------------------------------------------------------------ requests


def test_filing_a_request_tells_every_member_of_the_team_once_and_not_the_requester(
    world, stress_tester, team_member, second_member, django_capture_on_commit_callbacks
):
    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)

    for member in (team_member, second_member):
        (note,) = notes_of(member)
        assert note.kind == NotificationKind.REQUEST_FILED
        assert note.state == NotificationState.DELIVERED
        assert information_request.title in note.subject
        assert note.url == f"/reports/pilot/requests/{information_request.pk}/"
        assert note.email_state == EmailState.SENT
        (email,) = mail_to(member)
        assert information_request.title in email.subject
        assert f"/reports/pilot/requests/{information_request.pk}/" in email.body
    assert not notes_of(stress_tester).exists()
    assert not mail_to(stress_tester)


def test_an_answer_tells_the_requester_a_follow_up_the_team_and_a_decline_the_requester(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(
            information_request=information_request,
            answerer=team_member,
            text="The egress monitor pages us.",
            version=1,
        )
    (answered,) = notes_of(stress_tester, NotificationKind.REQUEST_ANSWERED)
    assert "The egress monitor pages us." in answered.body

    with django_capture_on_commit_callbacks(execute=True):
        request_follow_up(
            information_request=information_request, author=stress_tester, text="Within what time?", version=2
        )
    (followed_up,) = notes_of(team_member, NotificationKind.REQUEST_FOLLOWED_UP)
    assert "Within what time?" in followed_up.body

    with django_capture_on_commit_callbacks(execute=True):
        request_decline(
            information_request=information_request, decliner=team_member, reason="Paging data is secret.", version=3
        )
    (declined,) = notes_of(stress_tester, NotificationKind.REQUEST_DECLINED)
    assert "Paging data is secret." in declined.body
    assert not notes_of(team_member, NotificationKind.REQUEST_DECLINED).exists()


def test_a_refused_action_writes_no_notification(world, stress_tester, team_member, django_capture_on_commit_callbacks):
    from evidence.services.requests import RequestConflict

    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    before = Notification.objects.count()
    with pytest.raises(RequestConflict), django_capture_on_commit_callbacks(execute=True):
        request_answer(information_request=information_request, answerer=team_member, text="Late answer", version=7)
    assert Notification.objects.count() == before


# ------------------------------------------------------------------ comments


def test_a_mention_tells_the_person_mentioned(world, author, stress_tester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this monitor load-bearing?")
    (note,) = notes_of(author)
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

    assert [n.kind for n in notes_of(stress_tester).order_by("id")] == [
        NotificationKind.THREAD_REPLY,
        NotificationKind.THREAD_REPLY,
    ]
    # lena took part and is mentioned in the last reply: told once, as a mention.
    assert [n.kind for n in notes_of(leadership).order_by("id")] == [NotificationKind.MENTION]
    assert not notes_of(author).exists()


# ------------------------------------------------------------------ verdicts and sign-off


def test_a_verdict_tells_the_authors_in_their_digest_by_default(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    record_verdict(world, stress_tester, django_capture_on_commit_callbacks)
    (note,) = notes_of(author)
    assert note.kind == NotificationKind.VERDICT_RECORDED and note.state == NotificationState.DELIVERED
    assert note.email_state == EmailState.DIGEST and not mail.outbox
    assert "Dissent" in note.subject and "misses slow exfiltration" in note.body

    assert delivery.digest_send(author.pk) == 1
    (digest,) = mail_to(author)
    assert "daily digest" in digest.subject and "misses slow exfiltration" in digest.body
    assert delivery.digest_send(author.pk) == 0, "a digest is sent once"
    assert len(mail_to(author)) == 1
    note.refresh_from_db()
    assert note.email_state == EmailState.DIGESTED


def test_changing_a_conclusion_tells_authors_and_the_recorder_that_the_verdict_is_stale(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    verdict = record_verdict(world, stress_tester, django_capture_on_commit_callbacks)
    conclusion = world.in_scope.conclusion
    with django_capture_on_commit_callbacks(execute=True):
        conclusion_revise(
            conclusion=conclusion, editor=author, revision=conclusion.revision, risk_level="low", text="Now low."
        )
    (to_recorder,) = notes_of(stress_tester, NotificationKind.VERDICT_STALE)
    assert to_recorder.verdict == verdict and "stale" in to_recorder.subject.lower()
    assert not notes_of(author, NotificationKind.VERDICT_STALE).exists(), "the author made the change"
    assert mail_to(stress_tester)


def test_a_sign_off_tells_everyone_with_a_role_on_the_report(
    world, author, stress_tester, external_reviewer, leadership, team_member, django_capture_on_commit_callbacks
):
    record_sign_off(
        world,
        leadership,
        django_capture_on_commit_callbacks,
        SignOffDecision.NOT_APPROVED,
        "Come back after the audit.",
    )
    for person in (author, stress_tester, external_reviewer):
        (note,) = notes_of(person)
        assert note.kind == NotificationKind.SIGNOFF_RECORDED and "Not approved" in note.subject
    assert notes_of(author).get().url.startswith("/reports/pilot/sign-offs/")
    assert notes_of(external_reviewer).get().url == "/reports/pilot/"
    assert not notes_of(leadership).exists() and not notes_of(team_member).exists()


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
    file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    (note,) = notes_of(team_member)
    assert (note.state, note.email_state) == (state, email_state)
    assert len(mail_to(team_member)) == emails


def test_a_person_without_an_email_address_is_told_in_the_app_only(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    team_member.email = ""
    team_member.save()
    file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    (note,) = notes_of(team_member)
    assert note.state == NotificationState.DELIVERED and note.email_state == EmailState.NONE
    assert not mail.outbox


def test_unknown_kinds_or_deliveries_are_refused_and_change_nothing(team_member):
    with pytest.raises(ValueError):
        notification_preferences_set(user=team_member, choices={"request_filed": "off", "bogus": "off"})
    with pytest.raises(ValueError):
        notification_preferences_set(user=team_member, choices={"request_filed": "hourly"})
    assert not team_member.notification_preferences.exists()
