"""The export job and its task: its steps to done, a run repeated, the sweep of jobs whose task
was lost, retries after failures and the admin's retry."""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from reviewapp.celery import app as celery_app
from reviewapp.enums import ExportState
from reviewapp.models import ExportJob
from reviewapp.services import exports
from reviewapp.services.exports import export_job_run, export_jobs_retry
from tests.reviewapp.matrix.exports import done_job, start_job


def test_the_task_moves_the_job_through_its_steps_to_done(
    world, author, monkeypatch, django_capture_on_commit_callbacks
):
    steps = []
    real_progress = exports._progress

    def spy(job_id, progress, step):
        real_progress(job_id, progress, step)
        steps.append((ExportJob.objects.get(pk=job_id).progress, step))

    monkeypatch.setattr(exports, "_progress", spy)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start_job(world, author, fmt="pdf", level="reviewer")
    assert job.state == ExportState.QUEUED and len(callbacks) == 1

    job.refresh_from_db()
    assert steps == [(50, "Printing the PDF"), (90, "Saving the file")]
    assert (job.state, job.progress, job.attempts) == (ExportState.DONE, 100, 1)
    assert job.started_at <= job.finished_at
    assert job.redaction_summary["claims_above_level"] == 1


def test_running_a_done_job_again_changes_nothing(world, author):
    job = done_job(world, author, level="public")
    path = Path(settings.EXPORTS_ROOT) / job.file_path
    before = path.stat().st_mtime_ns

    assert export_job_run(job.pk) == ExportState.DONE

    job.refresh_from_db()
    assert job.attempts == 1 and path.stat().st_mtime_ns == before
    assert export_job_run(999999) == "missing"


def test_the_sweep_runs_jobs_whose_task_was_lost_and_leaves_the_rest(world, author):
    import datetime

    from django.utils import timezone

    lost = start_job(world, author, level="public")  # its on-commit hand-over never ran
    stalled = start_job(world, author, level="reviewer")
    ExportJob.objects.filter(pk=stalled.pk).update(
        state=ExportState.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    running = start_job(world, author, level="internal")
    ExportJob.objects.filter(pk=running.pk).update(state=ExportState.RUNNING, started_at=timezone.now())
    done = done_job(world, author, level="public")

    swept = exports.export_jobs_sweep(queued_for=datetime.timedelta(0), running_for=datetime.timedelta(minutes=15))

    assert swept == 2
    states = dict(ExportJob.objects.values_list("pk", "state"))
    assert states[lost.pk] == states[stalled.pk] == states[done.pk] == ExportState.DONE
    assert states[running.pk] == ExportState.RUNNING, "a job running now is left to its worker"


@contextmanager
def eager_retries():
    """Eager tasks run their retries at once, as a worker would after each backoff, but only
    when an eager task's errors are not propagated: a propagated Retry stops the chain."""
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.update(task_eager_propagates=False)
    try:
        yield
    finally:
        celery_app.conf.update(task_eager_propagates=before)


def test_a_job_failing_on_every_attempt_is_left_failed_and_an_admin_retry_runs_it_again(
    world, author, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(job):
        raise RuntimeError("the printer is on fire")

    with monkeypatch.context() as patched, eager_retries():
        patched.setattr(exports, "_document", broken)
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(world, author, level="public")

    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert job.attempts == settings.TASK_MAX_RETRIES + 1
    assert job.last_error == "The export could not be made (RuntimeError: the printer is on fire)."
    assert job.file_path == ""

    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_retry([job]) == 1

    job.refresh_from_db()
    assert (job.state, job.progress, job.last_error) == (ExportState.DONE, 100, "")
    assert export_jobs_retry([job]) == 0  # a done job is left as it is


def test_the_admin_retry_action_retries_failed_jobs(admin_client, world, author, django_capture_on_commit_callbacks):
    job = start_job(world, author, level="public")
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, last_error="Worker lost.")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:reviewapp_exportjob_changelist"),
            {"action": "retry_failed", "_selected_action": [job.pk]},
            follow=True,
        )

    assert b"1 failed export job(s) handed to the worker again." in response.content
    job.refresh_from_db()
    assert job.state == ExportState.DONE
