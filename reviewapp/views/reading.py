"""Pages for reading a report. Views stay thin: every read goes through a scope
function (pathways.selectors, evidence.selectors), so what a person cannot see is
never loaded, and an object out of scope answers 404."""

from django.contrib import messages
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from evidence.enums import Carried, Relation
from evidence.models import ClaimEvidence, Evidence
from evidence.selectors import (
    claim_evidence_visible_to,
    evidence_for_user,
    evidence_scope,
    evidence_visible_to,
    unconfirmed_in_report,
)
from pathways.enums import ReportStatus
from pathways.models import Claim, PathwayClaim
from pathways.selectors import (
    claim_for_user,
    claim_scope,
    claims_visible_to,
    count_of,
    pathway_scope,
    report_for_user,
    reports_visible_to,
)
from pathways.services import report_status_change
from reviewapp.forms.reading import ClaimFilterForm, ReportStatusForm
from reviewapp.pages import is_htmx, paginate, pathway_in, reader_required, report_page, require
from reviewapp.panels import requests, subject_panels, verdicts
from reviewapp.selectors.across import neighbours

# Rows a page of each list holds: a lab's report has hundreds of claims and thousands of evidence items.
CLAIMS_PER_PAGE = 50
EVIDENCE_PER_PAGE = 50


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@reader_required
def home(request):
    access = request.access
    reports = reports_visible_to(access).annotate(
        pathway_count=Count("pathways", filter=pathway_scope(access, "pathways__"), distinct=True)
    )
    return render(request, "reviewapp/home.html", {"reports": reports})


@require_GET
@reader_required
def report_detail(request, slug):
    context = report_page(request, slug, claim_counts=True, defence=True, chains=True)
    report, scope = context["report"], context["scope"]
    context["status_form"] = ReportStatusForm(report=report)
    context.update(requests.report_context(request, report=report, scope=scope))
    context["predecessor"], context["successor"] = neighbours(request.access, report)
    if report.predecessor_id:  # started from the previous model's report: what its teams must still confirm
        context["unconfirmed"] = unconfirmed_in_report(request.access, report)
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
    require(scope.may_edit, "Only the report's authors change its status.")
    form = ReportStatusForm(request.POST, report=report)
    if form.is_valid():
        changed = report_status_change(report=report, editor=request.user, status=form.cleaned_data["status"])
        messages.success(request, f"The report is now {ReportStatus(changed.status).label.lower()}.")
    else:
        messages.error(request, " ".join(form.errors.get("status", ["That status change is not possible."])))
    return redirect("report_detail", slug=report.slug)


@require_GET
@reader_required
def pathway_detail(request, slug, pathway_slug):
    context = report_page(request, slug, defence=True, chains=True)
    pathway = pathway_in(context, pathway_slug)
    access = request.access
    claim_links = (
        PathwayClaim.objects.filter(claim_scope(access, "claim__"), pathway=pathway)
        .select_related("claim__owner_team")
        .annotate(
            evidence_count=count_of(
                Evidence.objects.filter(evidence_scope(access), claim_links__claim=OuterRef("claim_id"))
            )
        )
    )
    context.update(pathway=pathway, current_pathway=pathway, claim_links=claim_links, defence=pathway.defence)
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=pathway))
    context.update(
        verdicts.conclusion_context(
            request, report=context["report"], scope=context["scope"], conclusions=[pathway.conclusion]
        )
    )
    return render(request, "reviewapp/pathway_detail.html", context)


def _claim_for_page(request, context, claim_slug) -> Claim:
    """The claim, with the ids of the pathways resting on it (read against the page's column)."""
    return claim_for_user(request.access, context["report"], claim_slug, pathway_ids=True)


def resting_pathways(context, claim) -> list:
    """The pathways of the page's column (those the reader sees) that rest on the claim, in order."""
    resting = set(claim.pathway_ids)
    return [pathway for pathway in context["pathways"] if pathway.pk in resting]


def _evidence_links(request, claim) -> list:
    return list(
        claim_evidence_visible_to(request.access)
        .filter(claim=claim)
        .select_related("evidence__owner_team")
        .order_by("relation", "position", "id")
    )


@require_GET
@reader_required
def claim_detail(request, slug, claim_slug):
    context = report_page(request, slug)
    claim = _claim_for_page(request, context, claim_slug)
    context.update(
        claim=claim, evidence_links=_evidence_links(request, claim), resting_pathways=resting_pathways(context, claim)
    )
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=claim))
    return render(request, "reviewapp/claim_detail.html", context)


@require_GET
@reader_required
def claim_evidence(request, slug, claim_slug):
    """The claim's evidence, for expanding in place on a pathway page. Without htmx the
    whole claim page answers, which lists the same evidence."""
    if not is_htmx(request):
        return claim_detail(request, slug, claim_slug)
    report = report_for_user(request.access, slug)
    claim = _claim_for_page(request, {"report": report}, claim_slug)
    context = {
        "report": report,
        "claim": claim,
        "evidence_links": _evidence_links(request, claim),
        "level": request.access.level,
    }
    return render(request, "reviewapp/claim_detail.html#evidence-list", context)


@require_GET
@reader_required
def claim_index(request, slug):
    context = report_page(request, slug)
    report = context["report"]
    access = request.access
    form = ClaimFilterForm(request.GET or None, pathways=context["pathways"], report=report, user=access)
    claims = (
        claims_visible_to(access)
        .filter(report=report)
        .select_related("owner_team")
        .prefetch_related(
            Prefetch(
                "pathway_links",
                queryset=PathwayClaim.objects.filter(pathway_scope(access, "pathway__")).select_related("pathway"),
                to_attr="visible_pathway_links",
            )
        )
    )
    if form.is_valid():
        claims = form.filter(claims)
    pages = paginate(request, claims.order_by("position", "id"), CLAIMS_PER_PAGE)
    context.update(form=form, claims=pages["page"].object_list, **pages)
    template = "reviewapp/claim_index.html"
    if is_htmx(request):
        template += "#claim-results"
    return render(request, template, context)


@require_GET
@reader_required
def load_bearing(request, slug):
    """Claims ranked by how many (visible) pathway conclusions rest on them, with a flag
    where (visible) evidence undermines them."""
    context = report_page(request, slug)
    access = request.access
    visible_pathway_ids = [pathway.pk for pathway in context["pathways"]]
    undermining = Evidence.objects.filter(
        evidence_scope(access), claim_links__claim=OuterRef("pk"), claim_links__relation=Relation.UNDERMINES
    )
    claims = (
        claims_visible_to(access)
        .filter(report=context["report"])
        .select_related("owner_team")
        .annotate(
            resting_count=count_of(
                PathwayClaim.objects.filter(claim=OuterRef("pk"), pathway_id__in=visible_pathway_ids)
            ),
            undermined=Exists(undermining),
        )
        .filter(resting_count__gt=0)
        .order_by("-resting_count", "-undermined", "position", "id")
        .prefetch_related(
            Prefetch(
                "pathway_links",
                queryset=PathwayClaim.objects.filter(pathway_id__in=visible_pathway_ids)
                .select_related("pathway__conclusion")
                .order_by("pathway__position"),
                to_attr="visible_pathway_links",
            )
        )
    )
    pages = paginate(request, claims, CLAIMS_PER_PAGE)
    context.update(claims=pages["page"].object_list, **pages)
    return render(request, "reviewapp/load_bearing.html", context)


@require_GET
@reader_required
def evidence_index(request, slug):
    context = report_page(request, slug)
    access = request.access
    evidence_items = evidence_visible_to(access).filter(report=context["report"])
    waiting = request.GET.get("carried") == Carried.UNCONFIRMED
    if waiting:
        evidence_items = evidence_items.filter(carried=Carried.UNCONFIRMED)
    evidence_items = (
        evidence_items.select_related("owner_team")
        .order_by("position", "id")
        .annotate(
            claim_count=count_of(Claim.objects.filter(claim_scope(access), evidence_links__evidence=OuterRef("pk")))
        )
    )
    pages = paginate(request, evidence_items, EVIDENCE_PER_PAGE)
    context.update(evidence_items=pages["page"].object_list, waiting=waiting, **pages)
    return render(request, "reviewapp/evidence_index.html", context)


@require_GET
@reader_required
def evidence_detail(request, slug, evidence_slug):
    context = report_page(request, slug)
    access = request.access
    evidence = evidence_for_user(access, context["report"], evidence_slug)
    claim_links = (
        ClaimEvidence.objects.filter(claim_scope(access, "claim__"), evidence=evidence)
        .select_related("claim")
        .order_by("relation", "claim__position")
    )
    may_decide = context["scope"].may_edit or evidence.owner_team_id in access.team_ids
    context.update(evidence=evidence, claim_links=claim_links, may_decide_carried=may_decide)
    context.update(subject_panels(request, report=context["report"], scope=context["scope"], subject=evidence))
    return render(request, "reviewapp/evidence_detail.html", context)
