"""Tasks that deliver the outbox, send digests and reminders, and sweep what was left behind."""

import datetime

from celery import shared_task
from django.conf import settings

from reviewapp.tasks.retrying import run_or_retry

RETRYING = {"bind": True, "acks_late": True, "max_retries": settings.TASK_MAX_RETRIES}


@shared_task(**RETRYING)
def notification_deliver(self, notification_id: int):
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    return run_or_retry(
        self,
        lambda: delivery.notification_deliver(notification_id),
        give_up=lambda error: delivery.delivery_failed(notification_id, error, email=False),
    )


@shared_task(**RETRYING)
def notification_email_send(self, notification_id: int):
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    return run_or_retry(
        self,
        lambda: delivery.notification_email_send(notification_id),
        give_up=lambda error: delivery.delivery_failed(notification_id, error, email=True),
    )


@shared_task(**RETRYING)
def digest_send(self, user_id: int):
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    # Nothing to mark failed: the rows stay waiting for tomorrow's digest.
    return run_or_retry(self, lambda: delivery.digest_send(user_id), give_up=lambda error: None)


@shared_task(acks_late=True)
def digests_send():
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    for user_id in delivery.digest_recipients():
        digest_send.delay(user_id)


@shared_task(acks_late=True)
def request_reminders():
    """The daily chase: information requests, then the roadmap's mitigations."""
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    return delivery.request_reminders() | delivery.roadmap_reminders()


@shared_task(acks_late=True)
def outbox_sweep():
    from reviewapp.services import delivery  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    return delivery.outbox_sweep(older_than=datetime.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS))
