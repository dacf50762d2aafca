"""Pages for reading a report. Views stay thin: every read goes through a scope
function (pathways.selectors, evidence.selectors), so what a person cannot see is
never loaded, and an object out of scope answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from evidence.enums import Relation
from evidence.models import ClaimEvidence
from evidence.selectors import claim_evidence_visible_to, evidence_visible_to
from pathways.enums import ReportStatus
from pathways.models import Claim, PathwayClaim
from pathways.selectors import (
    claims_visible_to,
    conclusions_visible_to,
    pathways_visible_to,
    report_for_user,
    reports_visible_to,
)
from pathways.services import report_status_change
from reviewapp.forms import ClaimFilterForm, ReportStatusForm
from reviewapp.views import requests, verdicts
from reviewapp.views.common import reader_required, report_page
from reviewapp.views.panels import subject_panels


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@reader_required
def home(request):
    reports = reports_visible_to(request.user).annotate(
        pathway_count=Count("pathways", filter=Q(pathways__in=pathways_visible_to(request.user)), distinct=True)
    )
    return render(request, "reviewapp/home.html", {"reports": reports})


@require_GET
@reader_required
def report_detail(request, slug):
    context = report_page(request, slug)
    report, scope = context["report"], context["scope"]
    context["overall"] = conclusions_visible_to(request.user).filter(report=report, pathway=None).first()
    context["status_form"] = ReportStatusForm(report=report)
    context.update(requests.report_context(request, report=report, scope=scope))
    if context["overall"]:
        context.update(
            verdicts.conclusion_context(request, report=report, scope=scope, conclusions=[context["overall"]])
        )
    return render(request, "reviewapp/report_detail.html", context)


@require_POST
@reader_required
def report_status(request, slug):
    """Authors move a report between draft and in review. Sign-off is leadership's, elsewhere."""
    context = report_page(request, slug)
    report, scope = context["report"], context["scope"]
    if not scope.is_author:
        raise PermissionDenied("Only the report's authors change its status.")
    form = ReportStatusForm(request.POST, report=report)
    if form.is_valid():
        report_status_change(report=report, editor=request.user, status=form.cleaned_data["status"])
        messages.success(request, f"The report is now {ReportStatus(report.status).label.lower()}.")
    else:
        messages.error(request, " ".join(form.errors.get("status", ["That status change is not possible."])))
    return redirect("report_detail", slug=report.slug)


@require_GET
@reader_required
def pathway_detail(request, slug, pathway_slug):
    context = report_page(request, slug)
    pathway = get_object_or_404(context["pathways"], slug=pathway_slug)
    claim_links = (
        PathwayClaim.objects.filter(pathway=pathway, claim__in=claims_visible_to(request.user))
        .select_related("claim__owner_team")
        .annotate(
            evidence_count=Count(
                "claim__evidence_links",
                filter=Q(claim__evidence_links__evidence__in=evidence_visible_to(request.user)),
            )
        )
    )
    context.update(pathway=pathway, current_pathway=pathway, claim_links=claim_links)
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=pathway))
    context.update(
        verdicts.conclusion_context(
            request, report=context["report"], scope=context["scope"], conclusions=[pathway.conclusion]
        )
    )
    return render(request, "reviewapp/pathway_detail.html", context)


def _claim_for_page(request, context, claim_slug) -> Claim:
    return get_object_or_404(
        claims_visible_to(request.user).filter(report=context["report"]).select_related("owner_team"),
        slug=claim_slug,
    )


def _evidence_links(request, claim) -> list:
    return list(
        claim_evidence_visible_to(request.user)
        .filter(claim=claim)
        .select_related("evidence__owner_team")
        .order_by("relation", "position", "id")
    )


@require_GET
@reader_required
def claim_detail(request, slug, claim_slug):
    context = report_page(request, slug)
    claim = _claim_for_page(request, context, claim_slug)
    resting_pathways = (
        pathways_visible_to(request.user)
        .filter(claim_links__claim=claim)
        .select_related("conclusion")
        .order_by("position")
    )
    context.update(claim=claim, evidence_links=_evidence_links(request, claim), resting_pathways=resting_pathways)
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=claim))
    return render(request, "reviewapp/claim_detail.html", context)


@require_GET
@reader_required
def claim_evidence(request, slug, claim_slug):
    """The claim's evidence, for expanding in place on a pathway page. Without htmx the
    whole claim page answers, which lists the same evidence."""
    if not request.htmx or request.htmx.history_restore_request:
        return claim_detail(request, slug, claim_slug)
    report = report_for_user(request.user, slug)
    claim = _claim_for_page(request, {"report": report}, claim_slug)
    context = {
        "report": report,
        "claim": claim,
        "evidence_links": _evidence_links(request, claim),
        "level": request.user.reading_level,
    }
    return render(request, "reviewapp/claim_detail.html#evidence-list", context)


@require_GET
@reader_required
def claim_index(request, slug):
    context = report_page(request, slug)
    report = context["report"]
    form = ClaimFilterForm(request.GET or None, pathways=context["pathways"], report=report, user=request.user)
    claims = (
        claims_visible_to(request.user)
        .filter(report=report)
        .select_related("owner_team")
        .prefetch_related(
            Prefetch(
                "pathway_links",
                queryset=PathwayClaim.objects.filter(pathway__in=pathways_visible_to(request.user)).select_related(
                    "pathway"
                ),
                to_attr="visible_pathway_links",
            )
        )
    )
    if form.is_valid():
        claims = form.filter(claims)
    context.update(form=form, claims=claims)
    template = "reviewapp/claim_index.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#claim-results"
    return render(request, template, context)


@require_GET
@reader_required
def load_bearing(request, slug):
    """Claims ranked by how many (visible) pathway conclusions rest on them, with a flag
    where (visible) evidence undermines them."""
    context = report_page(request, slug)
    visible_pathways = pathways_visible_to(request.user).filter(report=context["report"])
    undermining = claim_evidence_visible_to(request.user).filter(claim=OuterRef("pk"), relation=Relation.UNDERMINES)
    claims = (
        claims_visible_to(request.user)
        .filter(report=context["report"])
        .select_related("owner_team")
        .annotate(
            resting_count=Count("pathway_links", filter=Q(pathway_links__pathway__in=visible_pathways)),
            undermined=Exists(undermining),
        )
        .filter(resting_count__gt=0)
        .order_by("-resting_count", "-undermined", "position", "id")
        .prefetch_related(
            Prefetch(
                "pathway_links",
                queryset=PathwayClaim.objects.filter(pathway__in=visible_pathways)
                .select_related("pathway__conclusion")
                .order_by("pathway__position"),
                to_attr="visible_pathway_links",
            )
        )
    )
    context["claims"] = claims
    return render(request, "reviewapp/load_bearing.html", context)


@require_GET
@reader_required
def evidence_index(request, slug):
    context = report_page(request, slug)
    context["evidence_items"] = (
        evidence_visible_to(request.user)
        .filter(report=context["report"])
        .select_related("owner_team")
        .annotate(claim_count=Count("claim_links", filter=Q(claim_links__claim__in=claims_visible_to(request.user))))
    )
    return render(request, "reviewapp/evidence_index.html", context)


@require_GET
@reader_required
def evidence_detail(request, slug, evidence_slug):
    context = report_page(request, slug)
    evidence = get_object_or_404(
        evidence_visible_to(request.user).filter(report=context["report"]).select_related("owner_team"),
        slug=evidence_slug,
    )
    claim_links = (
        ClaimEvidence.objects.filter(evidence=evidence, claim__in=claims_visible_to(request.user))
        .select_related("claim")
        .order_by("relation", "claim__position")
    )
    context.update(evidence=evidence, claim_links=claim_links)
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=evidence))
    return render(request, "reviewapp/evidence_detail.html", context)
