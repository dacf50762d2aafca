"""Change histories and the audit log.

They are internal material: earlier texts keep their [[internal]] spans, and entries name
internal items. Internal staff who can see the report (authors, stress-testers, leadership,
owning-team members) read them. An external reviewer, though they see the report, gets 404,
not 403: as with any internal item, the app does not confirm to them that the page exists.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from evidence.selectors import evidence_visible_to, information_requests_visible_to
from pathways.models import AuditEntry
from pathways.selectors import (
    audit_entries_visible_to,
    claims_visible_to,
    conclusions_visible_to,
    pathways_visible_to,
)
from reviewapp.diffs import change_rows
from reviewapp.forms_authoring import (
    AuditFilterForm,
    action_label,
)
from reviewapp.views.common import reader_required, report_page

ENTRIES_PER_PAGE = 50


def _internal_page(request, slug) -> dict:
    """The report page frame for the internal pages (histories, audit log): 404 for externals."""
    context = report_page(request, slug)
    if request.user.is_external:
        raise Http404("Change histories and the audit log are internal.")
    return context


def _history(request, context, *, subject, heading, page_url, subject_label):
    entries = (
        audit_entries_visible_to(request.user)
        .filter(report=context["report"], target_type=subject._meta.model_name, target_id=subject.pk)
        .select_related("actor")
    )
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        entries=[_entry_view(entry) for entry in page],
        heading=heading,
        page_url=page_url,
        subject_label=subject_label,
    )
    return render(request, "reviewapp/authoring/history.html", context)


def _entry_view(entry: AuditEntry) -> dict:
    data = entry.data if isinstance(entry.data, dict) else {}
    changes = data.get("changes") if isinstance(data.get("changes"), dict) else {}
    numbers = data.get("version") or data.get("revision") or {}
    return {
        "entry": entry,
        "label": action_label(entry.action),
        "changes": change_rows(changes),
        "number_name": "revision" if "revision" in data else "version",
        "numbers": numbers if isinstance(numbers, dict) else {},
    }


@require_GET
@reader_required
def pathway_history(request, slug, pathway_slug):
    context = _internal_page(request, slug)
    pathway = get_object_or_404(pathways_visible_to(request.user).filter(report=context["report"]), slug=pathway_slug)
    page_url = reverse("pathway_detail", args=[slug, pathway.slug])
    return _history(
        request, context, subject=pathway, heading="Pathway", page_url=page_url, subject_label=pathway.title
    )


@require_GET
@reader_required
def conclusion_history(request, slug, pathway_slug):
    context = _internal_page(request, slug)
    conclusion = get_object_or_404(
        conclusions_visible_to(request.user).filter(report=context["report"]).select_related("pathway"),
        pathway__slug=pathway_slug,
    )
    page_url = reverse("pathway_detail", args=[slug, pathway_slug])
    return _history(
        request,
        context,
        subject=conclusion,
        heading="Conclusion",
        page_url=page_url,
        subject_label=conclusion.pathway.title,
    )


@require_GET
@reader_required
def overall_conclusion_history(request, slug):
    context = _internal_page(request, slug)
    conclusion = get_object_or_404(conclusions_visible_to(request.user).filter(report=context["report"], pathway=None))
    page_url = reverse("report_detail", args=[slug])
    return _history(
        request, context, subject=conclusion, heading="Overall conclusion", page_url=page_url, subject_label="Report"
    )


@require_GET
@reader_required
def claim_history(request, slug, claim_slug):
    context = _internal_page(request, slug)
    claim = get_object_or_404(claims_visible_to(request.user).filter(report=context["report"]), slug=claim_slug)
    page_url = reverse("claim_detail", args=[slug, claim.slug])
    return _history(request, context, subject=claim, heading="Claim", page_url=page_url, subject_label=claim.statement)


@require_GET
@reader_required
def evidence_history(request, slug, evidence_slug):
    context = _internal_page(request, slug)
    evidence = get_object_or_404(evidence_visible_to(request.user).filter(report=context["report"]), slug=evidence_slug)
    page_url = reverse("evidence_detail", args=[slug, evidence.slug])
    return _history(
        request, context, subject=evidence, heading="Evidence item", page_url=page_url, subject_label=evidence.title
    )


def _target_urls(user, report, entries) -> dict:
    """(target type, id) → URL for the targets of these entries that this reader can see,
    one query per kind of target."""
    ids: dict[str, set] = {}
    for entry in entries:
        if entry.target_id is not None:
            ids.setdefault(entry.target_type, set()).add(entry.target_id)
    urls = {}
    if "pathway" in ids:
        for pathway_slug, pk in (
            pathways_visible_to(user).filter(report=report, id__in=ids["pathway"]).values_list("slug", "pk")
        ):
            urls["pathway", pk] = reverse("pathway_detail", args=[report.slug, pathway_slug])
    if "claim" in ids:
        for claim_slug, pk in (
            claims_visible_to(user).filter(report=report, id__in=ids["claim"]).values_list("slug", "pk")
        ):
            urls["claim", pk] = reverse("claim_detail", args=[report.slug, claim_slug])
    if "evidence" in ids:
        for evidence_slug, pk in (
            evidence_visible_to(user).filter(report=report, id__in=ids["evidence"]).values_list("slug", "pk")
        ):
            urls["evidence", pk] = reverse("evidence_detail", args=[report.slug, evidence_slug])
    if "conclusion" in ids:
        conclusions = conclusions_visible_to(user).filter(report=report, id__in=ids["conclusion"])
        for pathway_slug, pk in conclusions.values_list("pathway__slug", "pk"):
            args = [report.slug, pathway_slug] if pathway_slug else [report.slug]
            urls["conclusion", pk] = reverse("pathway_detail" if pathway_slug else "report_detail", args=args)
    if "informationrequest" in ids:
        visible_requests = information_requests_visible_to(user).filter(report=report, id__in=ids["informationrequest"])
        for pk in visible_requests.values_list("pk", flat=True):
            urls["informationrequest", pk] = reverse("request_detail", args=[report.slug, pk])
    if "report" in ids:
        urls["report", report.pk] = reverse("report_detail", args=[report.slug])
    return urls


@require_GET
@reader_required
def audit_log(request, slug):
    context = _internal_page(request, slug)
    report = context["report"]
    entries = audit_entries_visible_to(request.user).filter(report=report)
    form = AuditFilterForm(request.GET or None, entries=entries)
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries.select_related("actor"), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    urls = _target_urls(request.user, report, page)
    rows = [
        {
            "entry": entry,
            "label": action_label(entry.action),
            "target_url": urls.get((entry.target_type, entry.target_id)),
            "has_changes": bool(isinstance(entry.data, dict) and entry.data.get("changes")),
        }
        for entry in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context.update(form=form, page=page, rows=rows, filter_query=query.urlencode())
    template = "reviewapp/authoring/audit_log.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#audit-results"
    return render(request, template, context)


@require_GET
@reader_required
def audit_entry(request, slug, entry_id):
    context = _internal_page(request, slug)
    report = context["report"]
    entry = get_object_or_404(
        audit_entries_visible_to(request.user).filter(report=report).select_related("actor"), pk=entry_id
    )
    context.update(
        view=_entry_view(entry),
        target_url=_target_urls(request.user, report, [entry]).get((entry.target_type, entry.target_id)),
    )
    return render(request, "reviewapp/authoring/audit_entry.html", context)


urlpatterns = [
    path("reports/<slug:slug>/pathways/<slug:pathway_slug>/history/", pathway_history, name="pathway_history"),
    path(
        "reports/<slug:slug>/pathways/<slug:pathway_slug>/conclusion/history/",
        conclusion_history,
        name="conclusion_history",
    ),
    path("reports/<slug:slug>/conclusion/history/", overall_conclusion_history, name="overall_conclusion_history"),
    path("reports/<slug:slug>/claims/<slug:claim_slug>/history/", claim_history, name="claim_history"),
    path("reports/<slug:slug>/evidence/<slug:evidence_slug>/history/", evidence_history, name="evidence_history"),
    path("reports/<slug:slug>/audit/", audit_log, name="audit_log"),
    path("reports/<slug:slug>/audit/<int:entry_id>/", audit_entry, name="audit_entry"),
]
