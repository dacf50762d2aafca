"""Export tasks: make one export job's file (reviewapp/services/exports.py), and hand
the worker again the jobs whose task was lost."""

import datetime

from celery import shared_task
from django.conf import settings

from reviewapp.tasks.retrying import run_or_retry

RETRYING = {"bind": True, "acks_late": True, "max_retries": settings.TASK_MAX_RETRIES}


@shared_task(**RETRYING)
def export_run(self, job_id: int):
    from reviewapp.services import exports  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    # After the last retry the job is left failed, with the error, for an admin to retry.
    return run_or_retry(
        self,
        lambda: exports.export_job_run(job_id),
        give_up=lambda error: exports.export_job_failed(job_id, error),
    )


@shared_task(acks_late=True)
def export_jobs_sweep():
    from reviewapp.services import exports  # noqa: PLC0415 (a leaf: services reach tasks via tasks.queue)

    expired = exports.export_jobs_expire(older_than=datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS))
    handed_again = exports.export_jobs_sweep(
        queued_for=datetime.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS),
        running_for=datetime.timedelta(seconds=settings.EXPORT_STALLED_SECONDS),
    )
    return {"expired": expired, "handed_again": handed_again}
