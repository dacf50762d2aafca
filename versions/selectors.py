"""Reading published versions. A report's versions (their names, dates and notes) are listed
to everyone who can see the report; what each holds is read through `reading.cut`."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from evidence.report_file import report_snapshot
from pathways.access import Access
from pathways.models import Report
from versions.models import ReportVersion
from versions.reading import cut, reader_on


def versions_of(report: Report) -> QuerySet[ReportVersion]:
    """The report's published versions, newest first (the document is not read)."""
    return (
        ReportVersion.objects.filter(report=report)
        .select_related("published_by")
        .defer("document", "ids")
        .order_by("-number")
    )


def version_for_user(access: Access, report: Report, number: int) -> ReportVersion:
    """Version `number` of a report the person can see, with its document; otherwise 404."""
    if reader_on(access, report.pk) is None:
        raise Http404("No such report.")
    return get_object_or_404(ReportVersion.objects.select_related("published_by"), report=report, number=number)


def version_reading(access: Access, version: ReportVersion) -> dict:
    """The version's report file as this person reads it (see `versions.reading`)."""
    reader = reader_on(access, version.report_id)
    if reader is None:
        raise Http404("No such report.")
    return cut(version.document, version.ids, reader)


def draft_reading(access: Access, report: Report) -> dict:
    """The working draft as this person reads it, cut by the same rules as a version, so
    that the two compare like for like."""
    reader = reader_on(access, report.pk)
    if reader is None:
        raise Http404("No such report.")
    document, ids = report_snapshot(report=report)
    return cut(json_ready(document), ids, reader)


def json_ready(document: dict) -> dict:
    """The document as a version keeps it (dates as ISO text), to compare with one."""
    report = document["report"]
    if report.get("evidence_cutoff") is not None:
        document = {**document, "report": {**report, "evidence_cutoff": report["evidence_cutoff"].isoformat()}}
    return document
