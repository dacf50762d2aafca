"""How services hand work to the worker once a transaction has committed: the one module
beside the tasks that services import. The task modules import services only inside their
task bodies, so at import time the graph runs services → tasks.queue → tasks, never back."""

import logging
from collections.abc import Iterable

from reviewapp.tasks.exports import export_run
from reviewapp.tasks.notifications import notification_deliver, notification_email_send

logger = logging.getLogger(__name__)


def hand_to_worker(task, ids: Iterable[int], *, waiting: str) -> None:
    """`task.delay(id)` for each id. A broker that cannot be reached is logged, not raised:
    the row stays as it is (`waiting` says where, for the log) and a periodic sweep hands it
    over once the broker answers. Stops at the first refusal: the rest would wait alike."""
    for row_id in ids:
        try:
            task.delay(row_id)
        except Exception as error:  # noqa: BLE001 - kombu's OperationalError, a refused connection, a timeout …
            logger.warning("%s %s %s until the broker answers: %s", task.name, row_id, waiting, error)
            return


def enqueue_deliveries(notification_ids: Iterable[int]) -> None:
    """Deliver each notification in the app (and start its email, if it has one)."""
    hand_to_worker(notification_deliver, notification_ids, waiting="stays in the outbox")


def enqueue_emails(notification_ids: Iterable[int]) -> None:
    """Send each notification's email."""
    hand_to_worker(notification_email_send, notification_ids, waiting="waits for the outbox sweep")


def enqueue_exports(job_ids: Iterable[int]) -> None:
    """Make each export job's file."""
    hand_to_worker(export_run, job_ids, waiting="stays queued for the export sweep")
