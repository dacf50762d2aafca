"""What is left behind: a row failed for good after its last attempt (kept, with the error,
for an admin to see and retry), and rows whose hand-over to the worker failed or whose task
was lost, handed over again by the periodic sweep."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reviewapp.enums import EmailState, NotificationState
from reviewapp.models import Notification
from reviewapp.tasks.queue import enqueue_deliveries, enqueue_emails

logger = logging.getLogger(__name__)


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
