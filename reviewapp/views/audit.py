"""Change histories and the audit log.

They are internal material: earlier texts keep their [[internal]] spans, and entries name
internal items. Internal staff who can see the report (authors, stress-testers, leadership,
owning-team members) read them. An external reviewer, though they see the report, gets 404,
not 403: as with any internal item, the app does not confirm to them that the page exists.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from evidence.selectors import evidence_for_user
from pathways.models import AuditEntry
from pathways.selectors import claim_for_user, conclusion_for_user
from reviewapp.diffs import change_rows
from reviewapp.forms.authoring import (
    AuditFilterForm,
    action_label,
)
from reviewapp.pages import is_htmx, pathway_in, reader_required, report_page
from reviewapp.selectors.audit import audit_entries_visible_to, audit_entry_for_user, with_target_keys

ENTRIES_PER_PAGE = 50


def _internal_page(request, slug) -> dict:
    """The report page frame for the internal pages (histories, audit log): 404 for externals."""
    context = report_page(request, slug)
    if not context["scope"].may_read_internal_pages:
        raise Http404("Change histories and the audit log are internal.")
    return context


def _history(request, context, *, subject, heading, page_url, subject_label):
    entries = (
        audit_entries_visible_to(request.access)
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
    pathway = pathway_in(context, pathway_slug)
    page_url = reverse("pathway_detail", args=[slug, pathway.slug])
    return _history(
        request, context, subject=pathway, heading="Pathway", page_url=page_url, subject_label=pathway.title
    )


@require_GET
@reader_required
def conclusion_history(request, slug, pathway_slug):
    context = _internal_page(request, slug)
    conclusion = conclusion_for_user(request.access, context["report"], pathway_slug=pathway_slug)
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
    conclusion = conclusion_for_user(request.access, context["report"])
    page_url = reverse("report_detail", args=[slug])
    return _history(
        request, context, subject=conclusion, heading="Overall conclusion", page_url=page_url, subject_label="Report"
    )


@require_GET
@reader_required
def claim_history(request, slug, claim_slug):
    context = _internal_page(request, slug)
    claim = claim_for_user(request.access, context["report"], claim_slug)
    page_url = reverse("claim_detail", args=[slug, claim.slug])
    return _history(request, context, subject=claim, heading="Claim", page_url=page_url, subject_label=claim.statement)


@require_GET
@reader_required
def evidence_history(request, slug, evidence_slug):
    context = _internal_page(request, slug)
    evidence = evidence_for_user(request.access, context["report"], evidence_slug)
    page_url = reverse("evidence_detail", args=[slug, evidence.slug])
    return _history(
        request, context, subject=evidence, heading="Evidence item", page_url=page_url, subject_label=evidence.title
    )


def target_url(report, entry) -> str | None:
    """Where the entry's target is read, while it exists."""
    kind, key = entry.target_type, entry.target_key
    if kind == "report":
        return reverse("report_detail", args=[report.slug])
    if key is None:
        return None
    if kind == "informationrequest":
        return reverse("request_detail", args=[report.slug, int(key)])
    if kind == "roadmapitem":
        return reverse("roadmap_item", args=[report.slug, int(key)])
    if kind == "conclusion":
        return (
            reverse("pathway_detail", args=[report.slug, key]) if key else reverse("report_detail", args=[report.slug])
        )
    return reverse(f"{kind}_detail", args=[report.slug, key])


@require_GET
@reader_required
def audit_log(request, slug):
    context = _internal_page(request, slug)
    report = context["report"]
    entries = audit_entries_visible_to(request.access).filter(report=report)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        entries = form.filter(entries)
    entries = with_target_keys(entries.select_related("actor"))
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "label": action_label(entry.action),
            "target_url": target_url(report, entry),
            "has_changes": bool(isinstance(entry.data, dict) and entry.data.get("changes")),
        }
        for entry in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context.update(form=form, page=page, rows=rows, filter_query=query.urlencode())
    template = "reviewapp/authoring/audit_log.html"
    if is_htmx(request):
        template += "#audit-results"
    return render(request, template, context)


@require_GET
@reader_required
def audit_entry(request, slug, entry_id):
    context = _internal_page(request, slug)
    report = context["report"]
    entry = audit_entry_for_user(request.access, report, entry_id)
    context.update(view=_entry_view(entry), target_url=target_url(report, entry))
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
