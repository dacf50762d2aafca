"""Export jobs: a document made in the background for the person who asked, and only for them.

Rules:
- A person exports a report they see, at a level no higher than their own: the report
  (cut to their scope, evidence/report_file/exporting.py) or the review record
  (reviewapp/review_record.py), as Markdown or PDF.
- The job is created in the request's transaction and handed to the worker when it
  commits. The run is idempotent: it locks the job row and acts only on a job still
  queued or running (a running one is a retry, or a redelivery after its worker died);
  a done or failed job is left alone. Progress is committed step by step, so the page
  that polls shows it.
- At run time the requester's access is checked again: revoked access, a report no longer
  visible or a level above their own now fails the job with a message saying so, and it is
  not retried (nothing would change).
- The file is written to EXPORTS_ROOT/<job id>/<file name> through a temporary file and a
  rename, so a download never sees half a file; EXPORTS_ROOT is served by no URL.
"""

import datetime
import hashlib
import os
import shutil
import tempfile
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from evidence.report_file import ExportDocument, report_export_document
from pathways.access import access_of, remember_access
from pathways.audit import log_action
from pathways.models import Report, User
from pathways.selectors import pathways_visible_to, reports_visible_to
from pathways.text import LEVELS, level_allows
from reviewapp.enums import ExportFormat, ExportKind, ExportState
from reviewapp.models import ExportJob
from reviewapp.review_record import review_record_export
from reviewapp.tasks.queue import enqueue_exports
from versions.exporting import version_export_document, version_file_name
from versions.selectors import versions_of

CONTENT_TYPES = {ExportFormat.MARKDOWN: "text/markdown; charset=utf-8", ExportFormat.PDF: "application/pdf"}
LIVE_STATES = [ExportState.QUEUED, ExportState.RUNNING]


class ExportRefused(Exception):
    """An export that may not be started; `field` names the choice that is wrong, if one is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class ExportAccessLost(Exception):
    """The requester may no longer read what the job would write: the job fails, without retries."""


def export_job_start(
    *, requester: User, report: Report, kind: str, fmt: str, level: str, version: int | None = None
) -> ExportJob:
    """Create an export job for `requester` and hand it to the worker on commit; with
    `version`, of that published version of the report rather than of the working draft.

    Refused (ExportRefused, nothing created) for an unknown kind, format, level or version,
    a level above the requester's reading level, a version of the review record (which is
    of the review as it stands), or a report out of their scope.
    """
    if kind not in ExportKind.values:
        raise ExportRefused(f"Unknown export '{kind}': choose the report or the review record.", field="kind")
    if fmt not in ExportFormat.values:
        raise ExportRefused(f"Unknown format '{fmt}': choose Markdown or PDF.", field="fmt")
    if level not in LEVELS:
        raise ExportRefused(f"Unknown level '{level}': choose one of {', '.join(LEVELS)}.", field="level")
    if not level_allows(requester.reading_level, level):
        raise ExportRefused(
            f"You read up to level {requester.reading_level}: an export at level {level} would hold "
            "material you may not see.",
            field="level",
        )
    if not reports_visible_to(requester).filter(pk=report.pk).exists():
        raise ExportRefused("You cannot export a report you cannot see.")
    published = None
    if version is not None:
        if kind != ExportKind.REPORT:
            raise ExportRefused(
                "A published version is exported as the report; the review record is of the review as it stands.",
                field="version",
            )
        published = versions_of(report).filter(number=version).first()
        if published is None:
            raise ExportRefused(f"This report has no published version {version}.", field="version")
    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=requester, report=report, kind=kind, fmt=fmt, level=level, published_version=published
        )
        log_action(
            report=report,
            actor=requester,
            action="reviewapp.export.started",
            target=job,
            data={"job": job.pk, "kind": kind, "format": fmt, "level": level, "version": version},
        )
        transaction.on_commit(lambda: enqueue_exports([job.pk]), robust=True)
    return job


def _progress(job_id: int, progress: int, step: str) -> None:
    """Record a step in its own transaction, so the page that polls sees it now."""
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING).update(progress=progress, step=step)


def _file_name(job: ExportJob) -> str:
    if job.published_version is not None:
        return version_file_name(job.published_version, slug=job.report.slug, level=job.level, fmt=job.fmt)
    what = "review-record" if job.kind == ExportKind.REVIEW_RECORD else "report"
    return f"{job.report.slug}-{what}-{job.level}.{job.fmt}"


def _still_allowed(job: ExportJob) -> str:
    """Why the requester may no longer have this export, or "" when they may."""
    requester = job.requester
    if not requester.is_active:
        return "Your account is no longer active."
    if not reports_visible_to(requester).filter(pk=job.report_id).exists():
        return "You no longer have access to this report, so the export was not made."
    if not level_allows(requester.reading_level, job.level):
        return f"You now read up to level {requester.reading_level}, below this export's level {job.level}."
    return ""


def _document(job: ExportJob) -> ExportDocument:
    if job.kind == ExportKind.REVIEW_RECORD:
        return review_record_export(report=job.report, reader=job.requester, level=job.level, fmt=job.fmt)
    if job.published_version is not None:
        return version_export_document(
            version=job.published_version, access=access_of(job.requester), level=job.level, fmt=job.fmt
        )
    return report_export_document(report=job.report, level=job.level, fmt=job.fmt, user=job.requester)


def _write_atomically(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(descriptor, "wb") as partial:
            partial.write(data)
            partial.flush()
            os.fsync(partial.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_scope_key(*, user: User, report: Report) -> str:
    """A fingerprint of what decides what this person's exports of the report hold, besides
    the level they choose: their reading level, their roles on the report, the pathways they
    see, their organisation and their teams. A file made under another key is not served:
    their access has narrowed (or changed) since it was made."""
    access = access_of(user)
    pathways = list(pathways_visible_to(access).filter(report=report).order_by("id").values_list("id", flat=True))
    teams = sorted(access.team_ids)
    roles = sorted(role.value for role in access.on(report).roles)
    raw = f"{access.level}|{roles}|{pathways}|{access.organisation_id}|{teams}"
    return hashlib.sha256(raw.encode()).hexdigest()


def export_path(job: ExportJob) -> Path:
    """Where a done job's file lives (EXPORTS_ROOT is never served by URL)."""
    return Path(settings.EXPORTS_ROOT) / job.file_path


def export_job_run(job_id: int) -> str:
    """Make the job's file. Idempotent; returns the state the job ends in. Errors other than
    lost access propagate, for the task to retry."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("requester", "report", "published_version")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return "missing"
        if job.state not in LIVE_STATES:
            return job.state
        job.state = ExportState.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.progress, job.step, job.last_error = 10, "Checking what you may see", ""
        job.save(update_fields=["state", "attempts", "started_at", "progress", "step", "last_error"])
    remember_access(job.requester)  # read afresh now, once for this run
    refusal = _still_allowed(job)
    if refusal:
        export_job_failed(job_id, ExportAccessLost(refusal))
        return ExportState.FAILED
    _progress(job_id, 50, "Writing the document" if job.fmt == ExportFormat.MARKDOWN else "Printing the PDF")
    scope_key = export_scope_key(user=job.requester, report=job.report)
    document = _document(job)
    _progress(job_id, 90, "Saving the file")
    file_name = _file_name(job)
    relative = f"{job.pk}/{file_name}"
    _write_atomically(Path(settings.EXPORTS_ROOT) / relative, document.content)
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job_id)
        if locked.state != ExportState.RUNNING:
            return locked.state  # another run finished it first, with the same file
        locked.state, locked.progress, locked.step = ExportState.DONE, 100, "Ready"
        locked.file_name, locked.file_path = file_name, relative
        locked.redaction_summary = document.summary
        locked.scope_key = scope_key
        locked.finished_at = timezone.now()
        locked.save()
    return ExportState.DONE


def export_job_failed(job_id: int, error: BaseException) -> None:
    """Leave the job failed with what went wrong (after its last retry, or at once when the
    requester lost access); an admin can retry it."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state == ExportState.DONE:
            return
        if isinstance(error, ExportAccessLost):
            message = str(error)
        else:
            message = f"The export could not be made ({type(error).__name__}: {error})."[:1000]
        job.state, job.last_error, job.step = ExportState.FAILED, message, "Failed"
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "last_error", "step", "finished_at"])


def export_jobs_retry(jobs) -> int:
    """Put failed jobs back in the queue and hand them to the worker on commit; others are
    left as they are. Returns how many were retried."""
    ids = [job.pk for job in jobs]
    with transaction.atomic():
        failed = list(
            ExportJob.objects.select_for_update()
            .filter(pk__in=ids, state=ExportState.FAILED)
            .values_list("pk", flat=True)
        )
        ExportJob.objects.filter(pk__in=failed).update(
            state=ExportState.QUEUED, progress=0, step="Queued again by an admin", last_error="", finished_at=None
        )
        for job_id in failed:
            transaction.on_commit(partial(enqueue_exports, [job_id]), robust=True)
    return len(failed)


def export_download_log(*, job: ExportJob) -> None:
    """Note in the audit log that the requester downloaded their file."""
    log_action(
        report=job.report,
        actor=job.requester,
        action="reviewapp.export.downloaded",
        target=job,
        data={"job": job.pk, "kind": job.kind, "format": job.fmt, "level": job.level},
    )


def export_jobs_sweep(*, queued_for: datetime.timedelta, running_for: datetime.timedelta) -> int:
    """Hand the worker again the jobs whose task was lost: still queued after `queued_for`
    (the broker was down when they were started), or running for longer than `running_for`
    (their worker died; the filesystem broker of `make run` does not hand its task out again).
    A job run twice writes the same file and ends done once."""
    now = timezone.now()
    stuck = list(
        ExportJob.objects.filter(
            Q(state=ExportState.QUEUED, created_at__lt=now - queued_for)
            | Q(state=ExportState.RUNNING, started_at__lt=now - running_for)
        ).values_list("id", flat=True)
    )
    enqueue_exports(stuck)
    return len(stuck)


def export_jobs_delete(jobs) -> int:
    """Delete the jobs and their files (the folder EXPORTS_ROOT/<id>/). Returns how many."""
    root = Path(settings.EXPORTS_ROOT).resolve()
    count = 0
    for job in jobs:
        folder = (root / str(job.pk)).resolve()
        if folder.is_relative_to(root) and folder != root:
            shutil.rmtree(folder, ignore_errors=True)
        job.delete()
        count += 1
    return count


def export_jobs_expire(*, older_than: datetime.timedelta) -> int:
    """Forget exports finished (done or failed) longer ago than `older_than`, files and all:
    a document made for one reader at one moment is not kept for ever."""
    expired = ExportJob.objects.filter(
        state__in=[ExportState.DONE, ExportState.FAILED], finished_at__lt=timezone.now() - older_than
    )
    return export_jobs_delete(expired)
