"""Retries with backoff for tasks that talk to something that can fail for a while (a mail
server, the database in a failover), and a failed state at the end for admins to see."""

import random
from collections.abc import Callable

from django.conf import settings


def backoff_seconds(retries: int) -> float:
    """Exponential, capped, with jitter so retries of many rows do not arrive together."""
    base = settings.TASK_RETRY_BASE_SECONDS * (2**retries)
    return min(base, settings.TASK_RETRY_MAX_SECONDS) * random.uniform(0.8, 1.2)


def run_or_retry(task, work: Callable[[], object], *, give_up: Callable[[Exception], None]):
    """Run `work`; on an error, retry the task later, or after its last attempt call `give_up`
    with the error (which records the failure) instead of raising."""
    try:
        return work()
    except Exception as error:
        if task.request.retries >= task.max_retries:
            give_up(error)
            return None
        raise task.retry(exc=error, countdown=backoff_seconds(task.request.retries)) from error
