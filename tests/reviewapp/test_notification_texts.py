"""What a notification says: its wording in a template per kind, its email and the daily
digest around it, each text read under the recipient's scope and quoted redacted to their
level, as plain text (nothing escaped for HTML, nothing left out of the template's words).
"""

from reviewapp.enums import NotificationKind, NotificationState, SignOffDecision
from reviewapp.models import Notification
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.requests import request_answer, request_decline, request_follow_up
from reviewapp.services.signoff import signoff_record
from tests.reviewapp.notifying import file_and_notify, notes_of, record_verdict


def test_no_notification_repeats_its_title_in_its_body(
    world, author, stress_tester, team_member, leadership, django_capture_on_commit_callbacks
):
    """The list, the digest and the email show the title over the body: the body says what
    the title does not (the text written, the rationale, who asked), never the title again."""
    run = django_capture_on_commit_callbacks
    information_request = file_and_notify(world, stress_tester, run=run)
    with run(execute=True):
        request_answer(
            information_request=information_request, answerer=team_member, text="The monitor pages us.", version=1
        )
        request_follow_up(information_request=information_request, author=stress_tester, text="How fast?", version=2)
        request_decline(information_request=information_request, decliner=team_member, reason="Secret.", version=3)
        thread = comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
        comment_reply(author=author, parent=thread, text="It is.")
    record_verdict(world, stress_tester, run)
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
    (answered,) = notes_of(stress_tester, NotificationKind.REQUEST_ANSWERED)
    assert answered.body == (
        f"On the request to Security, from {stress_tester.organisation.name}.\n\nThe monitor pages us."
    )
    (mention,) = notes_of(author, NotificationKind.MENTION)
    assert mention.body == "@alice is this load-bearing?"
