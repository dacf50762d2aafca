"""What a notification says: its wording in a template per kind, its email and the daily
digest around it, each text read under the recipient's scope and quoted redacted to their
level, as plain text (nothing escaped for HTML, nothing left out of the template's words).
"""

import datetime
from pathlib import Path

import pytest
from django.template.base import TextNode
from django.template.loader_tags import BlockNode
from django.utils import timezone

from evidence.models import InformationRequest
from reviewapp.enums import Delivery, NotificationKind, NotificationState
from reviewapp.models import Notification
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.delivery import digest_send, request_reminders
from reviewapp.services.delivery.texts import kind_template_name, kind_text, render_text, template_blocks
from reviewapp.services.notifications import notification_preferences_set
from reviewapp.services.requests import request_answer, request_decline, request_follow_up
from reviewapp.services.verdicts import conclusion_revise
from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN
from tests.reviewapp.matrix.requests import file_request
from tests.reviewapp.notifying import file_and_notify, mail_to, notes_of, record_sign_off, record_verdict

INTERNAL_TEXT = f"[[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]"


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
    record_sign_off(world, leadership, run)
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


# ------------------------------------------------------------------ the templates


TEXT_TEMPLATES = [kind_template_name(kind) for kind in NotificationKind] + [
    "reviewapp/notifications/email.txt",
    "reviewapp/notifications/digest.txt",
]


@pytest.mark.parametrize("name", TEXT_TEMPLATES)
def test_each_text_template_is_a_subject_and_a_body_with_nothing_outside_them(name):
    template, blocks = template_blocks(name)
    assert set(blocks) == {"subject", "body"}
    outside = [node for node in template.nodelist if not isinstance(node, BlockNode)]
    assert all(isinstance(node, TextNode) and not node.s.strip() for node in outside), "words outside a block are lost"
    assert "\n" not in render_text(name, {}).subject, "a subject is one line"


def test_there_is_a_template_for_every_kind_and_none_for_a_kind_that_does_not_exist():
    template, _ = template_blocks(kind_template_name(NotificationKind.MENTION))
    folder = Path(template.origin.name).parent
    assert sorted(path.stem for path in folder.glob("*")) == sorted(NotificationKind.values)


def test_a_template_is_given_strings_only(world, author):
    with pytest.raises(TypeError, match="only strings"):
        kind_text(NotificationKind.MENTION, actor=author, title="the claim", text="Hello.")
    assert kind_text(NotificationKind.MENTION, actor="Alice", title="the claim", text="Hello.") == (
        "Alice mentioned you on the claim",
        "Hello.",
    )


# ------------------------------------------------------------------ the wording of every kind


def test_every_kind_says_exactly_this(
    world, author, stress_tester, team_member, leadership, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    information_request = file_and_notify(world, stress_tester, run=run)
    title, question = information_request.title, information_request.question
    filed_due = _day(information_request.due_date)
    today = timezone.localdate()
    InformationRequest.objects.filter(pk=information_request.pk).update(due_date=today + datetime.timedelta(days=1))
    with run(execute=True):
        request_reminders(today=today)
    InformationRequest.objects.filter(pk=information_request.pk).update(due_date=today - datetime.timedelta(days=1))
    with run(execute=True):
        request_reminders(today=today)
        request_answer(information_request=information_request, answerer=team_member, text="It pages us.", version=1)
        request_follow_up(information_request=information_request, author=stress_tester, text="How fast?", version=2)
        request_decline(information_request=information_request, decliner=team_member, reason="Secret.", version=3)
        thread = comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
        comment_reply(author=author, parent=thread, text="It is.")
    record_verdict(world, stress_tester, run)
    conclusion = world.in_scope.conclusion
    conclusion.refresh_from_db()
    with run(execute=True):
        conclusion_revise(
            conclusion=conclusion, editor=author, revision=conclusion.revision, risk_level="low", text="Low."
        )
    record_sign_off(world, leadership, run)
    on_request = "On the request to Security, from Stress-testing team."
    claim = "the claim “Large outbound transfers are detected.”"
    soon, past = _day(today + datetime.timedelta(days=1)), _day(today - datetime.timedelta(days=1))
    overdue = (
        f"Overdue since {past}: {title}",
        f"This request to Security was due on {past} and is still awaiting an answer:\n\n{question}",
    )
    signed_off = ("Sign-off decision on Pilot report: Approve", "Leadership recorded it on version 1, “For review”.")
    assert _told(team_member) == {
        "request_filed": (
            f"New request to Security: {title}",
            f"Stress-testing team asks Security, due {filed_due}:\n\n{question}",
        ),
        "request_due_soon": (
            f"Due tomorrow ({soon}): {title}",
            f"Security owes an answer to this request by {soon}:\n\n{question}",
        ),
        "request_overdue": overdue,
        "request_followed_up": (f"{stress_tester} followed up on “{title}”", f"{on_request}\n\nHow fast?"),
    }
    assert _told(stress_tester) == {
        "request_overdue": overdue,
        "request_answered": (f"{team_member} answered “{title}”", f"{on_request}\n\nIt pages us."),
        "request_declined": (f"{team_member} declined “{title}”", f"{on_request}\n\nSecret."),
        "thread_reply": (f"{author} replied in a thread you took part in, on {claim}", "It is."),
        "verdict_stale": (
            "Verdict stale: Stress-testing team on the conclusion on Self-exfiltration",
            f"{author} changed the conclusion on Self-exfiltration. Stress-testing team's verdict (Dissent) was "
            "given on an earlier text and is stale until the organisation re-confirms or changes it.",
        ),
        "signoff_recorded": signed_off,
    }
    assert _told(author) == {
        "request_overdue": overdue,
        "mention": (f"{stress_tester} mentioned you on {claim}", "@alice is this load-bearing?"),
        "verdict_recorded": (
            "Stress-testing team: Dissent on the conclusion on Self-exfiltration",
            f"Recorded by {stress_tester}, on revision 1 of the conclusion.\n\nThe monitor misses slow exfiltration.",
        ),
        "signoff_recorded": (signed_off[0], f"{signed_off[1]}\n\nGo."),
    }


def _day(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _told(person) -> dict[str, tuple[str, str]]:
    notes = notes_of(person).filter(state=NotificationState.DELIVERED).order_by("id")
    told = {note.kind: (note.subject, note.body) for note in notes}
    assert len(told) == notes.count(), "one of each kind"
    return told


# ------------------------------------------------------------------ emails


def test_an_email_is_the_notification_with_a_link_to_it_and_to_the_settings_on_this_site(
    world, stress_tester, team_member, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://review.example.org"
    information_request = file_and_notify(world, stress_tester, run=django_capture_on_commit_callbacks)
    note = notes_of(team_member).get()
    (email,) = mail_to(team_member)
    assert email.subject == f"[Risk Report Review] {note.subject}"
    assert email.body == (
        f"{note.body}\n\n"
        f"Open it: https://review.example.org/reports/pilot/requests/{information_request.pk}/\n\n"
        "— Risk Report Review, Pilot report. Choose what you are told, and how, at "
        "https://review.example.org/notifications/settings/"
    )


def test_a_digest_lists_each_update_under_its_title_and_link(
    world, author, stress_tester, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://review.example.org"
    notification_preferences_set(user=author, choices={NotificationKind.MENTION: Delivery.DIGEST})
    run = django_capture_on_commit_callbacks
    with run(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice is this load-bearing?")
    record_verdict(world, stress_tester, run)
    mention, verdict = notes_of(author).order_by("id")

    assert digest_send(author.pk) == 2
    (digest,) = mail_to(author)
    assert digest.subject == "[Risk Report Review] Your daily digest: 2 updates"
    assert digest.body == (
        "What happened since your last digest, in the reports you review:\n\n"
        f"• {mention.subject}\n  https://review.example.org/reports/pilot/claims/egress-monitoring/\n\n"
        "  @alice is this load-bearing?\n\n"
        f"• {verdict.subject}\n  https://review.example.org/reports/pilot/pathways/exfiltration/\n\n"
        f"  Recorded by {stress_tester}, on revision 1 of the conclusion.\n  \n"
        "  The monitor misses slow exfiltration.\n\n"
        "— Risk Report Review. Choose what you are told, and how, at https://review.example.org/notifications/settings/"
    )

    with run(execute=True):
        comment_post(author=stress_tester, subject=world.public_claim, text="@alice and now?")
    assert digest_send(author.pk) == 1
    assert mail_to(author)[-1].subject == "[Risk Report Review] Your daily digest: 1 update"


# ------------------------------------------------------------------ plain text, redacted


def test_texts_are_plain_text_with_nothing_escaped_for_html(
    world, stress_tester, team_member, django_capture_on_commit_callbacks
):
    title, question = "Is <b>egress</b> & 'night' \"watched\"?", "Does <script> & 'this' \"show\"?"
    with django_capture_on_commit_callbacks(execute=True):
        file_request(world, stress_tester, title=title, question=question)
    note = notes_of(team_member).get()
    (email,) = mail_to(team_member)
    assert note.subject == f"New request to Security: {title}" and note.body.endswith(f"\n\n{question}")
    assert email.subject.endswith(title) and f"\n\n{question}\n\n" in email.body
    for text in (note.subject, note.body, email.subject, email.body):
        assert not any(entity in text for entity in ("&lt;", "&gt;", "&amp;", "&#x27;", "&quot;")), text


def test_an_internal_span_quoted_to_an_external_reader_is_redacted_in_the_app_and_the_email(
    world, author, stress_tester, external_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(
            author=stress_tester, subject=world.public_claim, text=f"@erin @alice the threshold is {INTERNAL_TEXT}."
        )
    to_erin, to_alice = notes_of(external_reviewer).get(), notes_of(author).get()
    assert to_erin.body == "@erin @alice the threshold is [redacted]."
    (email,) = mail_to(external_reviewer)
    assert email.body.startswith("@erin @alice the threshold is [redacted].\n\n")
    for text in (to_erin.subject, to_erin.body, email.subject, email.body):
        assert not any(canary in text for canary in ALL_CANARIES), text
    assert to_alice.body == f"@erin @alice the threshold is {CANARY_INTERNAL_SPAN}.", (
        "an internal reader reads it whole"
    )
