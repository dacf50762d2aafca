"""Export jobs are their requester's own: nobody sees another's, not even that it exists."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pathways.models import Report
from reviewapp.models import ExportJob
from versions.selectors import with_published_version


def export_jobs_of(person, report: Report) -> QuerySet[ExportJob]:
    """The person's own export jobs on this report, newest first."""
    return with_published_version(ExportJob.objects.filter(requester=person, report=report)).order_by(
        "-created_at", "-id"
    )


def export_job_for_user(person, report: Report, pk) -> ExportJob:
    """One of the person's own jobs on this report, or 404 when it is another's or elsewhere."""
    return get_object_or_404(export_jobs_of(person, report), pk=pk)
