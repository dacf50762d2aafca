"""Reading published versions. A report's versions (their names, dates and notes) are listed
to everyone who can see the report; what each holds is read through `reading.cut`."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from evidence.report_file import report_snapshot
from pathways.access import Access
from pathways.models import Report
from pathways.selectors import Kept
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


def with_published_version(queryset: QuerySet) -> QuerySet:
    """Rows that refer to a published version (verdicts, sign-offs, exports), with the
    version's number and name joined in, and not its document."""
    return queryset.select_related("published_version").defer("published_version__document", "published_version__ids")


def latest_version(report: Report) -> ReportVersion | None:
    """The report's newest published version (without its document), or None."""
    return versions_of(report).first()


# A version never changes, so each reading of it (the version's row, and its document cut
# for one kind of reader) is kept per process: a report's version is read by many people at
# a handful of levels and scopes, and its document is the whole report. Bounded, as a
# reading can hold a large report.
READINGS = Kept(size=16)


def version_read(access: Access, report: Report, number: int) -> tuple[ReportVersion, dict]:
    """Version `number` of a report the person can see, and its report file as they read it
    (see `versions.reading`); otherwise 404. Read from the database only the first time
    this process cuts it for such a reader."""
    reader = reader_on(access, report.pk)
    if reader is None:
        raise Http404("No such report.")

    def read():
        version = get_object_or_404(ReportVersion.objects.select_related("published_by"), report=report, number=number)
        reading = cut(version.document, version.ids, reader)
        version.document = version.ids = None  # kept once, as the reading
        return version, reading

    return READINGS.get((report.pk, number, reader), read)


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
