"""A notification's way out of the outbox: rendered for its recipient and shown in the app,
then its email sent, at once or left for the daily digest, as they chose. Each step locks
its row and acts only on a row still in the state it expects, so a task run twice (a retry,
a redelivery after a worker died) shows and sends nothing twice."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from reviewapp.enums import Delivery, EmailState, NotificationState
from reviewapp.models import Notification
from reviewapp.services.delivery.texts import RENDERING_RELATED, email_text, render_for_recipient
from reviewapp.services.notifications import delivery_for
from reviewapp.tasks.queue import enqueue_emails


def _locked(notification_id: int, **state) -> Notification | None:
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related(*RENDERING_RELATED)
        .filter(pk=notification_id, **state)
        .first()
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
        subject, body = email_text(rendered, notification.report.title)
        send_mail(subject, body, None, [notification.recipient.email])
        notification.email_state, notification.emailed_at = EmailState.SENT, timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["email_state", "emailed_at", "last_error"])
        return "sent"
