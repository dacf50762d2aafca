"""Delivering the outbox: each notification rendered under its recipient's scope at sending
time, shown in the app and sent by email (at once or in the daily digest), and the daily
reminders that chase information requests.

What a person is told is read through the same scope functions as every page
(`information_requests_visible_to`, `comments_visible_to`, `verdicts_visible_to`, …), at
their reading level, at the moment of sending: a thing they cannot see then (never could,
or no longer can) is not mentioned, and the notification is `suppressed`. Free text (a
question, an answer, a comment, a rationale) is quoted with spans above their level
redacted. Every step here is idempotent: it locks its outbox rows and acts only on rows
still in the state it expects, so a task run twice (a retry, a redelivery after a worker
died) sends nothing twice.
"""

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from evidence.models import InformationRequest
from evidence.selectors import information_requests_visible_to
from pathways.access import access_of, remember_access
from pathways.enums import Role
from pathways.text import redact
from reviewapp.enums import Delivery, EmailState, NotificationKind, NotificationState
from reviewapp.models import Notification
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.selectors.verdicts import verdicts_visible_to
from reviewapp.services.notifications import delivery_for, notify_request_due_soon, notify_request_overdue
from reviewapp.tasks.queue import enqueue_deliveries, enqueue_emails

logger = logging.getLogger(__name__)

EXCERPT_LENGTH = 400
# Who hears of a sign-off decision: everyone holding a role on the report (an external
# reviewer granted only some pathways included), not owning-team members.
SIGN_OFF_AUDIENCE = {Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER}


class Rendered(NamedTuple):
    """A notification's title (`subject`, an email's subject too) and its body, which is
    read under the title (in the list, the digest and the email) and so says what the title
    does not: the text written, the rationale, the context."""

    subject: str
    body: str
    path: str  # a path on this site; emails prefix SITE_URL


def _excerpt(text: str, level: str) -> str:
    text = " ".join(redact(text or "", level).split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def _actor(notification: Notification) -> str:
    return str(notification.actor) if notification.actor_id else "Someone"


# ------------------------------------------------------------------------ rendering


def _render_request(notification: Notification, recipient) -> Rendered | None:
    assert notification.information_request_id is not None  # render_for_recipient checked it
    information_request = (
        information_requests_visible_to(recipient)
        .select_related("team", "organisation", "report")
        .filter(pk=notification.information_request_id)
        .first()
    )
    if information_request is None:
        return None
    level = recipient.reading_level
    title, team = information_request.title, information_request.team.name
    due = f"{information_request.due_date:%-d %B %Y}"
    kind = notification.kind
    if kind in (NotificationKind.REQUEST_FILED, NotificationKind.REQUEST_DUE_SOON, NotificationKind.REQUEST_OVERDUE):
        subjects: dict[str, str] = {
            NotificationKind.REQUEST_FILED: f"New request to {team}: {title}",
            NotificationKind.REQUEST_DUE_SOON: f"Due tomorrow ({due}): {title}",
            NotificationKind.REQUEST_OVERDUE: f"Overdue since {due}: {title}",
        }
        subject = subjects[kind]
        leads: dict[str, str] = {
            NotificationKind.REQUEST_FILED: f"{information_request.organisation.name} asks {team}, due {due}:",
            NotificationKind.REQUEST_DUE_SOON: f"{team} owes an answer to this request by {due}:",
            NotificationKind.REQUEST_OVERDUE: f"This request to {team} was due on {due} and is still awaiting "
            "an answer:",
        }
        lead = leads[kind]
        body = f"{lead}\n\n{_excerpt(information_request.question, level)}"
    else:
        message = notification.request_message
        message_kind = message.kind if message else ""
        verb = {"answer": "answered", "follow_up": "followed up on", "decline": "declined"}.get(
            message_kind, "wrote on"
        )
        subject = f"{_actor(notification)} {verb} “{title}”"
        written = _excerpt(message.text if message else "", level)
        body = f"On the request to {team}, from {information_request.organisation.name}."
        if written:
            body += f"\n\n{written}"
    path = reverse("request_detail", args=[information_request.report.slug, information_request.pk])
    return Rendered(subject, body, path)


def _subject_title_and_path(subject, report_slug: str, level: str) -> tuple[str, str]:
    model = subject._meta.model_name
    if model == "pathway":
        return subject.title, reverse("pathway_detail", args=[report_slug, subject.slug])
    if model == "claim":
        return _excerpt(subject.statement, level), reverse("claim_detail", args=[report_slug, subject.slug])
    if model == "evidence":
        return subject.title, reverse("evidence_detail", args=[report_slug, subject.slug])
    if subject.pathway_id:  # a conclusion
        pathway = subject.pathway
        return f"the conclusion of {pathway.title}", reverse("pathway_detail", args=[report_slug, pathway.slug])
    return "the overall conclusion", reverse("report_detail", args=[report_slug])


def _render_comment(notification: Notification, recipient) -> Rendered | None:
    assert notification.comment_id is not None  # render_for_recipient checked it
    comment = (
        comments_visible_to(recipient)
        .select_related("report", "pathway", "claim", "evidence", "conclusion__pathway")
        .filter(pk=notification.comment_id)
        .first()
    )
    if comment is None:
        return None
    subject = comment.pathway or comment.claim or comment.evidence or comment.conclusion
    title, path = _subject_title_and_path(subject, comment.report.slug, recipient.reading_level)
    if notification.kind == NotificationKind.MENTION:
        line = f"{_actor(notification)} mentioned you on {title}"
    else:
        line = f"{_actor(notification)} replied in a thread you took part in, on {title}"
    return Rendered(line, _excerpt(comment.text, recipient.reading_level), path)


def _render_verdict(notification: Notification, recipient) -> Rendered | None:
    assert notification.verdict_id is not None  # render_for_recipient checked it
    verdict = (
        verdicts_visible_to(recipient)
        .select_related("organisation", "conclusion__report", "conclusion__pathway")
        .filter(pk=notification.verdict_id)
        .first()
    )
    if verdict is None:
        return None
    conclusion = verdict.conclusion
    title, path = _subject_title_and_path(conclusion, conclusion.report.slug, recipient.reading_level)
    organisation, position = verdict.organisation.name, verdict.get_position_display()
    if notification.kind == NotificationKind.VERDICT_STALE:
        subject = f"Verdict stale: {organisation} on {title}"
        body = (
            f"{_actor(notification)} changed {title}. {organisation}'s verdict ({position}) was given on an "
            "earlier text and is stale until the organisation re-confirms or changes it."
        )
    else:
        subject = f"{organisation}: {position} on {title}"
        body = f"Recorded by {_actor(notification)}, on revision {verdict.conclusion_revision} of the conclusion."
        if verdict.rationale:
            body += f"\n\n{_excerpt(verdict.rationale, recipient.reading_level)}"
    return Rendered(subject, body, path)


def _render_sign_off(notification: Notification, recipient) -> Rendered | None:
    sign_off = notification.sign_off
    assert sign_off is not None  # render_for_recipient checked sign_off_id
    report = notification.report
    scope = access_of(recipient).on(report)
    if not scope.visible or not scope.roles & SIGN_OFF_AUDIENCE:
        return None
    decision = sign_off.get_decision_display()
    subject = f"Sign-off decision on {report.title}: {decision}"
    body = f"Leadership recorded it on version {sign_off.report_version or '–'} of the report."
    # The note is read in the app by authors and leadership only (the sign-off pages are theirs).
    if scope.may_open_dashboard:
        if sign_off.note:
            body += f"\n\n{_excerpt(sign_off.note, recipient.reading_level)}"
        path = reverse("signoff_detail", args=[report.slug, sign_off.pk])
    else:
        path = reverse("report_detail", args=[report.slug])
    return Rendered(subject, body, path)


def render_for_recipient(notification: Notification) -> Rendered | None:
    """The notification as its recipient may read it now, or None when they cannot see
    what it is about."""
    recipient = notification.recipient
    if not recipient.is_active:
        return None
    remember_access(recipient)  # computed afresh for this run, once for every read below
    if notification.information_request_id:
        rendered = _render_request(notification, recipient)
    elif notification.comment_id:
        rendered = _render_comment(notification, recipient)
    elif notification.verdict_id:
        rendered = _render_verdict(notification, recipient)
    elif notification.sign_off_id:
        rendered = _render_sign_off(notification, recipient)
    else:
        rendered = None
    if rendered is None:
        return None
    # One line, as an email header must be, and as long as the column holds.
    subject = " ".join(rendered.subject.split())
    max_length = Notification._meta.get_field("subject").max_length
    assert max_length is not None  # a CharField's
    if len(subject) > max_length:
        subject = subject[: max_length - 1] + "…"
    return rendered._replace(subject=subject)


# ------------------------------------------------------------------------- delivery


def _locked(notification_id: int, **state) -> Notification | None:
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "report", "actor", "sign_off", "request_message")
        .filter(pk=notification_id, **state)
        .first()
    )


def _email_body(rendered: Rendered, report_title: str) -> str:
    return (
        f"{rendered.body}\n\nOpen it: {settings.SITE_URL}{rendered.path}\n\n"
        f"— Risk Report Review, {report_title}. Choose what you are told, and how, at "
        f"{settings.SITE_URL}{reverse('notification_settings')}"
    )


def notification_deliver(notification_id: int) -> str:
    """Render a pending notification for its recipient and show it in the app; queue its
    email (now or for the digest) as they chose. Returns the state it ends in."""
    with transaction.atomic():
        notification = _locked(notification_id)
        if notification is None or notification.state != NotificationState.PENDING:
            return notification.state if notification else "missing"
        notification.attempts += 1
        rendered = render_for_recipient(notification)
        delivery = delivery_for(notification.recipient, notification.kind)
        if rendered is None or delivery == Delivery.OFF:
            notification.state = NotificationState.SUPPRESSED
        else:
            notification.subject, notification.body, notification.url = rendered
            notification.rendered_level = notification.recipient.reading_level
            notification.state = NotificationState.DELIVERED
            notification.delivered_at = timezone.now()
            if notification.recipient.email:
                immediate = delivery == Delivery.IMMEDIATELY
                notification.email_state = EmailState.PENDING if immediate else EmailState.DIGEST
        notification.last_error = ""
        notification.save()
        if notification.email_state == EmailState.PENDING:
            transaction.on_commit(lambda: enqueue_emails([notification_id]), robust=True)
        return notification.state


def notification_email_send(notification_id: int) -> str:
    """Send a delivered notification's email, once. The text is rendered again under the
    recipient's scope at this moment; if they can no longer see the thing, nothing is sent.
    The row stays locked while the mail server is spoken to and is marked sent in the same
    transaction, so a retry or a second worker never sends it again."""
    with transaction.atomic():
        notification = _locked(notification_id, email_state=EmailState.PENDING)
        if notification is None:
            return "nothing to send"
        rendered = render_for_recipient(notification)
        if rendered is None:
            notification.state, notification.email_state = NotificationState.SUPPRESSED, EmailState.NONE
            notification.save(update_fields=["state", "email_state"])
            return "suppressed"
        send_mail(
            f"[Risk Report Review] {rendered.subject}",
            _email_body(rendered, notification.report.title),
            None,
            [notification.recipient.email],
        )
        notification.email_state, notification.emailed_at = EmailState.SENT, timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["email_state", "emailed_at", "last_error"])
        return "sent"


def digest_send(user_id: int) -> int:
    """One email with everything this person chose to hear of in the daily digest and has
    not yet been sent; each item rendered again under their scope now. Returns how many it listed."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("recipient", "report", "actor", "sign_off", "request_message")
            .filter(recipient_id=user_id, state=NotificationState.DELIVERED, email_state=EmailState.DIGEST)
            .order_by("created_at", "id")
        )
        listed: list[tuple[Notification, Rendered]] = []
        hidden: list[tuple[Notification, None]] = []
        for notification in waiting:
            rendered = render_for_recipient(notification)
            if rendered is not None:
                listed.append((notification, rendered))
            else:
                hidden.append((notification, None))
        now = timezone.now()
        for notification, _ in hidden:
            notification.state, notification.email_state = NotificationState.SUPPRESSED, EmailState.NONE
            notification.save(update_fields=["state", "email_state"])
        if not listed:
            return 0
        recipient = listed[0][0].recipient
        sections = [
            f"• {rendered.subject}\n  {settings.SITE_URL}{rendered.path}\n\n  " + rendered.body.replace("\n", "\n  ")
            for _, rendered in listed
        ]
        send_mail(
            f"[Risk Report Review] Your daily digest: {len(listed)} update{'s' if len(listed) != 1 else ''}",
            "What happened since your last digest, in the reports you review:\n\n"
            + "\n\n".join(sections)
            + f"\n\n— Risk Report Review. Choose what you are told, and how, at "
            f"{settings.SITE_URL}{reverse('notification_settings')}",
            None,
            [recipient.email],
        )
        for notification, _ in listed:
            notification.email_state, notification.emailed_at = EmailState.DIGESTED, now
            notification.save(update_fields=["email_state", "emailed_at"])
        return len(listed)


def digest_recipients() -> list[int]:
    """The people with something waiting for their digest."""
    return list(
        Notification.objects.filter(state=NotificationState.DELIVERED, email_state=EmailState.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def delivery_failed(notification_id: int, error: Exception, *, email: bool) -> None:
    """After the last attempt: leave the row failed, with the error, for an admin to see and retry."""
    values = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
    if email:
        values["email_state"] = EmailState.FAILED
    else:
        values["state"] = NotificationState.FAILED
    Notification.objects.filter(pk=notification_id).update(**values)
    logger.error("Notification %s failed for good (%s): %s", notification_id, "email" if email else "delivery", error)


def notifications_retry(notifications) -> int:
    """An admin's retry of failed rows: back to pending, and handed to the worker again."""
    failed_delivery = [n.pk for n in notifications if n.state == NotificationState.FAILED]
    failed_email = [n.pk for n in notifications if n.email_state == EmailState.FAILED]
    Notification.objects.filter(pk__in=failed_delivery).update(state=NotificationState.PENDING)
    Notification.objects.filter(pk__in=failed_email).update(email_state=EmailState.PENDING)

    def enqueue() -> None:
        enqueue_deliveries(failed_delivery)
        enqueue_emails(failed_email)

    transaction.on_commit(enqueue, robust=True)
    return len(failed_delivery) + len(failed_email)


def outbox_sweep(*, older_than: datetime.timedelta) -> int:
    """Hand the worker again every row left pending for longer than `older_than`: those whose
    hand-over failed (the broker was down) or whose task was lost. Safe to overlap with the
    first hand-over: delivery acts once on a row, whoever gets there first."""
    cutoff = timezone.now() - older_than
    pending = list(
        Notification.objects.filter(state=NotificationState.PENDING, created_at__lt=cutoff).values_list("id", flat=True)
    )
    # An email still pending may be waiting between retries: only one pending for longer than
    # every retry could take has lost its task, so a mail outage does not start new chains.
    retry_budget = datetime.timedelta(seconds=settings.TASK_RETRY_MAX_SECONDS * (settings.TASK_MAX_RETRIES + 1))
    email_cutoff = timezone.now() - max(older_than, retry_budget)
    emails = list(
        Notification.objects.filter(email_state=EmailState.PENDING, delivered_at__lt=email_cutoff).values_list(
            "id", flat=True
        )
    )
    enqueue_deliveries(pending)
    enqueue_emails(emails)
    return len(pending) + len(emails)


# ------------------------------------------------------------------------ reminders


def request_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily chase. A request awaiting the owning team (open, or followed up) and due
    tomorrow reminds the team; one past its due date tells the team, the requester and the
    report's authors. Each once per request and due date, however often this runs."""
    today = today or timezone.localdate()
    awaiting = InformationRequest.objects.filter(InformationRequest.open_requests()).select_related(
        "report", "team", "requester"
    )
    counts = {"due_soon": 0, "overdue": 0}
    for information_request in awaiting.filter(due_date=today + datetime.timedelta(days=1)):
        with transaction.atomic():
            counts["due_soon"] += notify_request_due_soon(information_request)
    for information_request in awaiting.filter(due_date__lt=today):
        with transaction.atomic():
            counts["overdue"] += notify_request_overdue(information_request)
    return counts
