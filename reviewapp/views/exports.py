"""Export jobs: start, follow and download.

A job belongs to the person who asked for it: every job view looks it up among the
requester's own jobs on the report in the URL, so anybody else's job, a job of another
report, or a forged id answers 404, as does a report out of scope. The file is served only
through `export_download`, only when the job is done, and only while the requester still
sees the report at the job's level, with the access it was made under (`scope_key`);
EXPORTS_ROOT has no URL.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from pathways.selectors import report_for_user
from pathways.text import level_allows
from reviewapp.enums import ExportState
from reviewapp.forms.exports import ExportStartForm
from reviewapp.pages import is_htmx, reader_required, report_page
from reviewapp.selectors.exports import export_job_for_user, export_jobs_of
from reviewapp.services.exports import (
    CONTENT_TYPES,
    ExportRefused,
    export_download_log,
    export_job_start,
    export_path,
    export_scope_key,
)
from versions.selectors import versions_of

LIST = "reviewapp/exports/list.html"
DETAIL = "reviewapp/exports/detail.html"


def _form(request, report, data=None) -> ExportStartForm:
    return ExportStartForm(data, user=request.user, versions=list(versions_of(report)))


def _panel_context(request, report, *, form, notice="") -> dict:
    return {"form": form, "jobs": list(export_jobs_of(request.user, report)), "notice": notice}


@require_GET
@reader_required
def export_list(request, slug):
    """The start form (levels up to the person's own) and the person's own exports of the report."""
    context = report_page(request, slug)
    context.update(_panel_context(request, context["report"], form=_form(request, context["report"])))
    return render(request, LIST, context)


@require_POST
@reader_required
def export_start(request, slug):
    report = report_for_user(request.user, slug)
    form = _form(request, report, request.POST)
    notice = ""
    if form.is_valid():
        try:
            job = export_job_start(requester=request.user, report=report, **{"version": None, **form.cleaned_data})
        except ExportRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            of = f" of version {job.published_version.number}" if job.published_version else ""
            notice = (
                f"Started: {job.get_kind_display().lower()}{of} as {job.get_fmt_display()} at level {job.level}. "
                "It appears below, and you can download it when it is ready."
            )
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect("export_detail", slug=report.slug, job_id=job.pk)
            form = _form(request, report)
    if is_htmx(request):
        context = {"report": report, **_panel_context(request, report, form=form, notice=notice)}
        return render(request, f"{LIST}#export-panel", context)
    # Without htmx, the page again, with the choices made and the error next to the field.
    context = report_page(request, slug)
    context.update(_panel_context(request, report, form=form))
    return render(request, LIST, context)


@require_GET
@reader_required
def export_detail(request, slug, job_id):
    """One of the person's exports. For htmx, only its status fragment: it polls every second
    while the job is queued or running, and stops once it is done or failed."""
    if is_htmx(request):
        report = report_for_user(request.user, slug)
        job = export_job_for_user(request.user, report, job_id)
        return render(request, f"{DETAIL}#export-status", {"report": report, "job": job})
    context = report_page(request, slug)
    context["job"] = export_job_for_user(request.user, context["report"], job_id)
    return render(request, DETAIL, context)


@require_GET
@reader_required
def export_download(request, slug, job_id):
    """The file, as an attachment, to its requester only, only when done, only while they
    still see the report at the job's level; everything else is 404."""
    report = report_for_user(request.user, slug)
    job = export_job_for_user(request.user, report, job_id)
    if job.state != ExportState.DONE or not level_allows(request.user.reading_level, job.level):
        raise Http404("No such export to download.")
    if job.scope_key != export_scope_key(user=request.user, report=report):
        # Made under access the person no longer has exactly as then: it may hold what they
        # can no longer see. They can make it again.
        raise Http404("Your access to this report has changed since this export was made: start it again.")
    root = Path(settings.EXPORTS_ROOT).resolve()
    file = export_path(job).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise Http404("The export's file is gone: start it again.")
    export_download_log(job=job)
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.fmt]
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("reports/<slug:slug>/exports/", export_list, name="export_list"),
    path("reports/<slug:slug>/exports/start/", export_start, name="export_start"),
    path("reports/<slug:slug>/exports/<int:job_id>/", export_detail, name="export_detail"),
    path("reports/<slug:slug>/exports/<int:job_id>/download/", export_download, name="export_download"),
]
