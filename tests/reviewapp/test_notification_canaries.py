"""Canaries: nobody is told of a thing they cannot see, and no notification, email or
digest carries text above the recipient's level. Scope is decided at sending time."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from pathways.access import access_of
from pathways.enums import Sensitivity
from pathways.services import access_revoke
from reviewapp.enums import CommentVisibility, EmailState, NotificationKind, NotificationState, SignOffDecision
from reviewapp.models import Notification
from reviewapp.services import delivery
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.notifications import notification_preferences_set
from reviewapp.services.requests import request_answer
from reviewapp.services.signoff import signoff_record
from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN
from tests.factories.versions import published
from tests.reviewapp.matrix.requests import file_request

INTERNAL_TEXT = f"[[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]"


def _everything_told_to(person) -> str:
    """Every subject and body of the person's notifications and every email to them."""
    told = [f"{n.subject}\n{n.body}\n{n.url}" for n in Notification.objects.filter(recipient=person)]
    told += [f"{m.subject}\n{m.body}" for m in mail.outbox if person.email in m.to]
    return "\n".join(told)


def assert_no_canary(person):
    text = _everything_told_to(person)
    for canary in ALL_CANARIES:
        assert canary not in text


def _erin_files(world, external_reviewer, run):
    with run(execute=True):
        return file_request(
            world,
            external_reviewer,
            title="Egress thresholds",
            question="What volume triggers an alert?",
            due_date=timezone.localdate() + datetime.timedelta(days=3),
        )


def test_an_answer_with_internal_text_reaches_an_external_requester_redacted(
    world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    information_request = _erin_files(world, external_reviewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(
            information_request=information_request,
            answerer=team_member,
            text=f"Above 10 GB an alert fires. {INTERNAL_TEXT}",
            version=1,
        )
    note = Notification.objects.get(recipient=external_reviewer, kind=NotificationKind.REQUEST_ANSWERED)
    assert "Above 10 GB an alert fires." in note.body and "[redacted]" in note.body
    (email,) = [m for m in mail.outbox if external_reviewer.email in m.to]
    assert "[redacted]" in email.body
    assert_no_canary(external_reviewer)


def test_a_reply_with_internal_text_reaches_an_external_participant_redacted(
    world, external_reviewer, stress_tester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = comment_post(author=external_reviewer, subject=world.public_claim, text="Is 10 GB the threshold?")
        comment_reply(author=stress_tester, parent=thread, text=f"Roughly. {INTERNAL_TEXT}")
    note = Notification.objects.get(recipient=external_reviewer)
    assert note.state == NotificationState.DELIVERED and "Roughly." in note.body and "[redacted]" in note.body
    assert_no_canary(external_reviewer)


def test_an_internal_reply_in_a_thread_an_external_reviewer_started_tells_them_nothing(
    world, external_reviewer, stress_tester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = comment_post(author=external_reviewer, subject=world.public_claim, text="Is 10 GB the threshold?")
        comment_reply(
            author=stress_tester, parent=thread, text="Between us: no.", visibility=CommentVisibility.INTERNAL
        )
    note = Notification.objects.get(recipient=external_reviewer)
    assert note.state == NotificationState.SUPPRESSED
    assert note.subject == "" and note.body == ""
    assert not [m for m in mail.outbox if external_reviewer.email in m.to]


def test_a_claim_raised_above_their_level_after_the_event_hides_it_at_sending_time(
    world, external_reviewer, stress_tester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = comment_post(author=external_reviewer, subject=world.public_claim, text="Question.")
    with django_capture_on_commit_callbacks(execute=False):  # the worker is slow: sending happens later
        comment_reply(author=stress_tester, parent=thread, text="Answer.")
    world.public_claim.sensitivity = Sensitivity.INTERNAL
    world.public_claim.save()
    pending = Notification.objects.get(recipient=external_reviewer)
    assert delivery.notification_deliver(pending.pk) == NotificationState.SUPPRESSED
    assert not mail.outbox


def test_a_person_whose_access_is_revoked_hears_nothing_more_of_the_report(
    world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    information_request = _erin_files(world, external_reviewer, django_capture_on_commit_callbacks)
    access_revoke(report=world.report, user=external_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(information_request=information_request, answerer=team_member, text="Answer.", version=1)
    note = Notification.objects.get(recipient=external_reviewer)
    assert note.state == NotificationState.SUPPRESSED
    assert not [m for m in mail.outbox if external_reviewer.email in m.to]


def test_a_digest_leaves_out_what_the_person_can_no_longer_see(
    world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=external_reviewer, choices={NotificationKind.REQUEST_ANSWERED: "digest"})
    information_request = _erin_files(world, external_reviewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(information_request=information_request, answerer=team_member, text="Answer.", version=1)
    note = Notification.objects.get(recipient=external_reviewer)
    assert note.email_state == EmailState.DIGEST
    access_revoke(report=world.report, user=external_reviewer)
    assert delivery.digest_send(external_reviewer.pk) == 0
    assert not [m for m in mail.outbox if external_reviewer.email in m.to]
    note.refresh_from_db()
    assert note.state == NotificationState.SUPPRESSED


def test_a_digest_carries_nothing_above_the_readers_level(
    world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=external_reviewer, choices={NotificationKind.REQUEST_ANSWERED: "digest"})
    information_request = _erin_files(world, external_reviewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        request_answer(
            information_request=information_request, answerer=team_member, text=f"See {INTERNAL_TEXT}", version=1
        )
    assert delivery.digest_send(external_reviewer.pk) == 1
    (digest,) = [m for m in mail.outbox if external_reviewer.email in m.to]
    assert "[redacted]" in digest.body
    assert_no_canary(external_reviewer)


def test_reviewers_hear_the_sign_off_decision_but_not_leaderships_note(
    world, external_reviewer, stress_tester, leadership, author, django_capture_on_commit_callbacks
):
    """The note is read in the app by authors and leadership only; it may name anything,
    pathways a limited reviewer is not given included, so reviewers are told the decision alone."""
    from tests.conftest import CANARY_OUT_OF_SCOPE

    note = f"Approved if the {CANARY_OUT_OF_SCOPE} dissent is answered. {INTERNAL_TEXT}"
    with django_capture_on_commit_callbacks(execute=True):
        published(world.report)  # a sign-off is of a published version
        signoff_record(
            report=world.report,
            decider=leadership,
            decision=SignOffDecision.APPROVE_WITH_CONDITIONS,
            note=note,
            override=True,
            override_reason="Pilot.",
        )
    for reviewer in (external_reviewer, stress_tester):
        told = Notification.objects.get(recipient=reviewer)
        assert "Approve with conditions" in told.subject
        assert "Approved if" not in _everything_told_to(reviewer)
    assert_no_canary(external_reviewer)
    assert CANARY_INTERNAL_SPAN in Notification.objects.get(recipient=author).body, "authors read it whole"


@pytest.mark.parametrize("reminder", ["due_soon", "overdue"])
def test_reminders_about_an_out_of_scope_request_never_reach_an_external_reviewer(
    world, external_reviewer, stress_tester, author, team_member, reminder, django_capture_on_commit_callbacks
):
    """The stress-testers ask about the pathway the external reviewer is not given; the
    escalation goes to the team, the requester and the authors, and to no one else."""
    today = timezone.localdate()
    due = today + datetime.timedelta(days=1) if reminder == "due_soon" else today + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        information_request = file_request(
            world,
            stress_tester,
            subject=world.out_of_scope_claim,
            team=world.other_team,
            title="Government affordances",
            question="Which tools do government deployments get?",
            due_date=due,
        )
    if reminder == "overdue":
        type(information_request).objects.filter(pk=information_request.pk).update(
            due_date=today - datetime.timedelta(days=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        delivery.request_reminders(today=today)
    assert not Notification.objects.filter(recipient=external_reviewer).exists()
    if reminder == "overdue":
        assert Notification.objects.filter(recipient=author, kind=NotificationKind.REQUEST_OVERDUE).exists()
    assert_no_canary(external_reviewer)


def test_text_written_for_a_higher_level_is_hidden_once_the_person_reads_at_a_lower_one(
    world, stress_tester, team_member, client, django_capture_on_commit_callbacks
):
    """Tom read internal material when told; made external, he no longer sees that text."""
    from pathways.enums import Clearance
    from reviewapp.selectors.notifications import notifications_visible_to

    with django_capture_on_commit_callbacks(execute=True):
        file_request(world, stress_tester, title="Egress thresholds", question=f"What volume? {INTERNAL_TEXT}")
    note = Notification.objects.get(recipient=team_member)
    assert note.rendered_level == "internal" and CANARY_INTERNAL_SPAN in note.body
    assert notifications_visible_to(team_member).count() == 1

    team_member.clearance = Clearance.EXTERNAL
    team_member.save()
    # Still able to see the report, the request (his team's) and its claim: only the level changed.
    from pathways.services import access_grant

    access_grant(report=world.report, user=team_member, role="external_reviewer", org_name="Holdout Evaluators")
    from evidence.selectors import information_requests_visible_to

    assert information_requests_visible_to(team_member).filter(pk=note.information_request_id).exists()

    assert notifications_visible_to(team_member).count() == 0
    client.force_login(team_member)
    assert CANARY_INTERNAL_SPAN not in client.get("/notifications/").content.decode()


def test_the_bells_count_is_compiled_once_per_access_and_counts_what_is_there_now(world, author):
    from reviewapp.selectors import notifications as selectors

    before = selectors.unread_notification_count(author)
    key = (access_of(author).fingerprint, None)
    assert key in selectors.COUNT_SQL.entries
    Notification.objects.create(
        recipient=author,
        kind=NotificationKind.REQUEST_FILED,
        report=world.report,
        dedupe_key="counted-after-compiling",
        state=NotificationState.DELIVERED,
        rendered_level=Sensitivity.PUBLIC,
    )
    assert selectors.unread_notification_count(author) == before + 1
    assert selectors.unread_notification_count(author, limit=0) == 1
