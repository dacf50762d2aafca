"""Findings: raised by reviewers on a claim, a claim's use in a pathway, a line of
defence or a detection chain's step; answered by the report's authors with a disposition. Every read goes through
`reviewapp.selectors.findings` (404 for what one cannot see); who may raise and answer is
the access object's (`may_raise_findings`, `may_edit`), checked again by the services."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evidence.models import ChainStep, LineOfDefence
from evidence.selectors import line_for_user, step_for_user
from pathways.selectors import claim_for_user, pathways_visible_to
from reviewapp.enums import BLOCKING_SEVERITIES, Disposition, Severity
from reviewapp.forms.findings import ON_THE_CLAIM, DispositionForm, FindingForm
from reviewapp.pages import paginate, reader_required, report_page, require
from reviewapp.selectors.findings import finding_counts, finding_for_user, findings_in_report
from reviewapp.selectors.roadmap import roadmap_item_from
from reviewapp.services.findings import FindingConflict, FindingRefused, finding_dispose, finding_raise

PER_PAGE = 50
STATES = {"awaiting": {"disposition": ""}, "answered": {"disposition__gt": ""}}


@require_GET
@reader_required
def finding_list(request, slug):
    """The report's findings the reader may see, newest first; filtered by state and severity."""
    context = report_page(request, slug)
    findings = findings_in_report(request.access, context["report"])
    state, severity = request.GET.get("state", ""), request.GET.get("severity", "")
    if state in STATES:
        findings = findings.filter(**STATES[state])
    if severity in Severity.values:
        findings = findings.filter(severity=severity)
    context.update(
        paginate(request, findings, PER_PAGE),
        counts=finding_counts(request.access, context["report"]),
        state=state if state in STATES else "",
        severity=severity if severity in Severity.values else "",
        severities=Severity.choices,
    )
    return render(request, "reviewapp/findings/list.html", context)


def _subject(request, context, kind: str, subject_slug: str):
    """(the claim, line or step; the pathways a claim's finding may be about, or None)."""
    report = context["report"]
    if kind == "claims":
        claim = claim_for_user(request.access, report, subject_slug)
        pathways = list(
            pathways_visible_to(request.access).filter(report=report, claim_links__claim=claim).order_by("position")
        )
        return claim, pathways
    if kind == "steps":
        chain_slug, step_id = subject_slug
        return step_for_user(request.access, report, chain_slug, step_id), None
    return line_for_user(request.access, report, subject_slug), None


@require_http_methods(["GET", "POST"])
@reader_required
def finding_on_claim(request, slug, claim_slug):
    return _new(request, slug, "claims", claim_slug)


@require_http_methods(["GET", "POST"])
@reader_required
def finding_on_line(request, slug, line_slug):
    return _new(request, slug, "lines", line_slug)


@require_http_methods(["GET", "POST"])
@reader_required
def finding_on_step(request, slug, chain_slug, step_id):
    return _new(request, slug, "steps", (chain_slug, step_id))


def _new(request, slug, kind, subject_slug):
    context = report_page(request, slug)
    subject, pathways = _subject(request, context, kind, subject_slug)
    scope = context["scope"]
    require(scope.may_raise_findings, "Only reviewers raise findings, for the organisation they act for.")
    form = FindingForm(request.POST or None, pathways=pathways, internal=not request.access.is_external)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        where = data.get("where") or ON_THE_CLAIM
        pathway = next((pathway for pathway in pathways or [] if pathway.slug == where), None)
        try:
            finding = finding_raise(
                raiser=request.user,
                subject=subject,
                pathway=pathway,
                kind=data["kind"],
                severity=data["severity"],
                text=data["text"],
                recommendation=data["recommendation"],
                visibility=data.get("visibility") or "shared",
            )
        except FindingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Your finding is recorded; the authors answer it with a disposition.")
            return redirect("finding_detail", slug=slug, pk=finding.pk)
    context.update(
        form=form,
        subject=subject,
        is_line=isinstance(subject, LineOfDefence),
        is_step=isinstance(subject, ChainStep),
        organisation=scope.reviewing_organisation,
    )
    return render(request, "reviewapp/findings/new.html", context)


def _detail(request, context, pk, *, form=None, status=200):
    finding = finding_for_user(request.access, context["report"], pk)
    if form is None and context["scope"].may_edit:
        form = DispositionForm(
            initial={"disposition": finding.disposition, "text": finding.disposition_text, "version": finding.version}
        )
    on_roadmap = None
    if finding.disposition == Disposition.MITIGATION_PLANNED:
        on_roadmap = roadmap_item_from(request.access, finding)
    context.update(finding=finding, form=form, blocking=finding.severity in BLOCKING_SEVERITIES, on_roadmap=on_roadmap)
    return render(request, "reviewapp/findings/detail.html", context, status=status)


@require_GET
@reader_required
def finding_detail(request, slug, pk):
    return _detail(request, report_page(request, slug), pk)


@require_POST
@reader_required
def finding_answer(request, slug, pk):
    context = report_page(request, slug)
    finding = finding_for_user(request.access, context["report"], pk)
    require(context["scope"].may_edit, "Only the report's authors answer findings.")
    form = DispositionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            finding_dispose(
                author=request.user,
                finding=finding,
                disposition=data["disposition"],
                text=data["text"],
                version=data["version"],
            )
        except FindingConflict as conflict:
            # The newer answer shows above; saving again from here saves over it knowingly.
            data = request.POST.copy()
            data["version"] = str(finding_for_user(request.access, context["report"], pk).version)
            form = DispositionForm(data)
            form.is_valid()
            form.add_error(None, str(conflict))
            return _detail(request, context, pk, form=form, status=409)
        except FindingRefused as refused:
            form.add_error(None, str(refused))
            return _detail(request, context, pk, form=form, status=400)
        messages.success(request, "Your answer to the finding is recorded.")
        return redirect("finding_detail", slug=slug, pk=pk)
    return _detail(request, context, pk, form=form, status=400)


urlpatterns = [
    path("reports/<slug:slug>/findings/", finding_list, name="finding_list"),
    path("reports/<slug:slug>/findings/<int:pk>/", finding_detail, name="finding_detail"),
    path("reports/<slug:slug>/findings/<int:pk>/answer/", finding_answer, name="finding_answer"),
    path("reports/<slug:slug>/claims/<slug:claim_slug>/findings/new/", finding_on_claim, name="finding_on_claim"),
    path(
        "reports/<slug:slug>/lines-of-defence/<slug:line_slug>/findings/new/", finding_on_line, name="finding_on_line"
    ),
    path(
        "reports/<slug:slug>/detection-chains/<slug:chain_slug>/steps/<int:step_id>/findings/new/",
        finding_on_step,
        name="finding_on_step",
    ),
]
