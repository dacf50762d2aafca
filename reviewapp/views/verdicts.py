"""Verdicts on conclusions, the sign-off dashboard and sign-off decisions.

Verdicts show in each conclusion box (`reviewapp.panels.verdicts.conclusion_context`) and, compactly, in the pathway
column (`with_verdict_summary`); a conclusion's page of verdicts keeps their history. The
dashboard is leadership's, readable by authors: anyone else who sees the report gets 403.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from pathways.enums import ReportStatus
from pathways.selectors import conclusion_for_user, pathways_visible_to, report_for_user
from reviewapp.enums import SignOffDecision
from reviewapp.forms.verdicts import SignOffForm, VerdictForm
from reviewapp.pages import is_htmx, reader_required, report_page, require
from reviewapp.panels.verdicts import conclusion_context
from reviewapp.selectors.open_items import cycle_rows
from reviewapp.selectors.signoff import signoff_in_report, signoff_state, signoffs_for_report
from reviewapp.selectors.verdicts import verdict_for_user, verdicts_visible_to, with_verdict_summary
from reviewapp.services.signoff import APPROVING, SignOffError, signoff_record
from reviewapp.services.verdicts import VerdictError, verdict_reconfirm, verdict_record
from versions.selectors import with_published_version

# ------------------------------------------------------------------ verdicts


def _conclusion_location(report, conclusion) -> str:
    if conclusion.pathway_id:
        url = reverse("pathway_detail", args=[report.slug, conclusion.pathway.slug])
    else:
        url = reverse("report_detail", args=[report.slug])
    return f"{url}#verdicts-{conclusion.pk}"


def _conclusion_for(request, report, conclusion_id):
    return conclusion_for_user(request.access, report, pk=conclusion_id)


def _panel_response(request, *, report, scope, conclusion, form=None, notice="", error=""):
    conclusion_context(
        request, report=report, scope=scope, conclusions=[conclusion], form=form, notice=notice, error=error
    )
    context = {"report": report, "scope": scope, "level": scope.level, "panel": conclusion.verdict_panel}
    if conclusion.pathway_id:
        # The pathway column's summary of this pathway, swapped out of band.
        visible = pathways_visible_to(request.access).filter(pk=conclusion.pathway_id)
        context["nav_pathway"] = with_verdict_summary(visible).first()
    return render(request, "reviewapp/verdicts/_conclusion.html#verdict-panel", context)


@require_GET
@reader_required
def verdict_history(request, slug, conclusion_id):
    """A conclusion with its current verdicts, the form to record one, and every verdict
    ever recorded on it with the text it answered."""
    return _history_page(request, slug, conclusion_id)


def _history_page(request, slug, conclusion_id, *, form=None, error=""):
    context = report_page(request, slug)
    report, scope = context["report"], context["scope"]
    conclusion = _conclusion_for(request, report, conclusion_id)
    conclusion_context(request, report=report, scope=scope, conclusions=[conclusion], form=form, error=error)
    history = list(
        with_published_version(verdicts_visible_to(request.access).filter(conclusion=conclusion)).select_related(
            "organisation", "recorded_by"
        )
    )
    for verdict in history:
        verdict.conclusion = conclusion
    context.update(
        conclusion=conclusion,
        current_pathway=conclusion.pathway,
        history=history,
        subject=conclusion.pathway.title if conclusion.pathway_id else "the overall conclusion",
    )
    return render(request, "reviewapp/verdicts/history.html", context)


@require_POST
@reader_required
def verdict_record_view(request, slug, conclusion_id):
    report = report_for_user(request.access, slug)
    conclusion = _conclusion_for(request, report, conclusion_id)
    scope = request.access.on(report)
    organisation = scope.reviewing_organisation
    require(scope.may_record_verdicts, "Only reviewers record verdicts, for the organisation they act for.")
    form = VerdictForm(request.POST, conclusion=conclusion)
    error = ""
    if form.is_valid():
        try:
            verdict = verdict_record(
                conclusion=conclusion,
                recorder=request.user,
                position=form.cleaned_data["position"],
                rationale=form.cleaned_data["rationale"],
                revision=form.cleaned_data["revision"],
            )
        except VerdictError as refusal:
            error = str(refusal)
        else:
            notice = f"Recorded “{verdict.get_position_display()}” for {organisation.name}."
            if is_htmx(request):
                conclusion.refresh_from_db()
                return _panel_response(request, report=report, scope=scope, conclusion=conclusion, notice=notice)
            messages.success(request, notice)
            return redirect(_conclusion_location(report, conclusion))
    else:
        error = "Your verdict was not recorded: see below."
    if is_htmx(request):
        return _panel_response(request, report=report, scope=scope, conclusion=conclusion, form=form, error=error)
    # Without htmx, the conclusion's own page shows the form again with what was typed.
    return _history_page(request, slug, conclusion_id, form=form, error=error)


@require_POST
@reader_required
def verdict_reconfirm_view(request, slug, verdict_id):
    report = report_for_user(request.access, slug)
    verdict = verdict_for_user(request.access, report, verdict_id)
    conclusion = verdict.conclusion
    scope = request.access.on(report)
    organisation = scope.reviewing_organisation
    require(
        organisation is not None and organisation.pk == verdict.organisation_id,
        f"Only {verdict.organisation.name} can re-confirm its own verdict.",
    )
    notice = error = ""
    try:
        confirmed = verdict_reconfirm(verdict=verdict, recorder=request.user)
    except VerdictError as refusal:
        error = str(refusal)
    else:
        notice = f"Re-confirmed “{confirmed.get_position_display()}” against the current conclusion."
    if is_htmx(request):
        conclusion.refresh_from_db()
        return _panel_response(request, report=report, scope=scope, conclusion=conclusion, notice=notice, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_conclusion_location(report, conclusion))


# ------------------------------------------------------------------- sign-off


def _dashboard_page(request, slug) -> dict:
    context = report_page(request, slug, defence=True)
    require(context["scope"].may_open_dashboard, "The sign-off dashboard is for leadership and the report's authors.")
    return context


def _page_conclusions(context) -> list:
    """The report's conclusions as the page has them: each pathway's (from the column), then the overall one."""
    conclusions = []
    for pathway in context["pathways"]:
        conclusion = getattr(pathway, "conclusion", None)
        if conclusion is not None:
            conclusion.pathway = pathway
            conclusions.append(conclusion)
    return conclusions + ([context["overall"]] if context["overall"] else [])


def _dashboard_context(request, context, *, form=None, stage="form", refusal=None, error="") -> dict:
    report = context["report"]
    state = signoff_state(
        user=request.access, report=report, conclusions=_page_conclusions(context), with_predecessor=True
    )
    context.update(
        cycles=state.cycles,
        cycle_rows=cycle_rows(state.cycles),
        state=state,
        signoffs=signoffs_for_report(report=report),
        may_sign_off=context["scope"].may_sign_off,
        signed_off=report.status == ReportStatus.SIGNED_OFF,
        signing=state.signing,
        form=form or SignOffForm(),
        stage=stage,
        refusal=refusal or [],
        error=error,
    )
    return context


@require_GET
@reader_required
def signoff_dashboard(request, slug):
    context = _dashboard_context(request, _dashboard_page(request, slug))
    return render(request, "reviewapp/verdicts/dashboard.html", context)


@require_POST
@reader_required
def signoff_record_view(request, slug):
    """Two steps: the form (refused with the reasons while verdicts are missing or stale,
    unless overridden in writing), then a confirmation saying what will happen."""
    context = _dashboard_page(request, slug)
    report = context["report"]
    require(context["scope"].may_sign_off, "Only leadership records a sign-off decision.")
    form = SignOffForm(request.POST)
    stage, refusal, error = "form", [], ""
    if form.is_valid():
        data = form.cleaned_data
        state = signoff_state(user=request.access, report=report)
        if state.blocking_reasons and not data["override"]:
            refusal = state.blocking_reasons
            error = "The sign-off was not recorded: it waits for what is listed below."
        elif request.POST.get("step") == "edit":
            pass  # back to the form, with what was typed
        elif request.POST.get("step") != "confirm":
            stage = "confirm"
        else:
            try:
                signoff = signoff_record(
                    report=report,
                    decider=request.user,
                    decision=data["decision"],
                    note=data["note"],
                    override=data["override"],
                    override_reason=data["override_reason"],
                    version=data["version"],
                )
            except SignOffError as refused:
                error, refusal = str(refused), refused.reasons
            else:
                published = signoff.published_version
                messages.success(
                    request,
                    f"Recorded “{signoff.get_decision_display()}” on version {published.number}, “{published.name}”.",
                )
                url = reverse("signoff_detail", args=[report.slug, signoff.pk])
                return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)
    context = _dashboard_context(request, context, form=form, stage=stage, refusal=refusal, error=error)
    if stage == "confirm":
        decision = SignOffDecision(form.cleaned_data["decision"])
        context.update(decision=decision, approving=decision in APPROVING)
    template = "reviewapp/verdicts/dashboard.html"
    return render(request, template + "#signoff-form" if is_htmx(request) else template, context)


@require_GET
@reader_required
def signoff_detail(request, slug, signoff_id):
    """A recorded sign-off, shown from its frozen snapshot only."""
    context = _dashboard_page(request, slug)
    signoff = signoff_in_report(context["report"], signoff_id)
    context.update(signoff=signoff, snapshot=signoff.snapshot)
    return render(request, "reviewapp/verdicts/signoff_detail.html", context)


urlpatterns = [
    path("reports/<slug:slug>/conclusions/<int:conclusion_id>/verdicts/", verdict_history, name="verdict_history"),
    path(
        "reports/<slug:slug>/conclusions/<int:conclusion_id>/verdicts/record/",
        verdict_record_view,
        name="verdict_record",
    ),
    path("reports/<slug:slug>/verdicts/<int:verdict_id>/reconfirm/", verdict_reconfirm_view, name="verdict_reconfirm"),
    path("reports/<slug:slug>/dashboard/", signoff_dashboard, name="signoff_dashboard"),
    path("reports/<slug:slug>/sign-offs/", signoff_record_view, name="signoff_record"),
    path("reports/<slug:slug>/sign-offs/<int:signoff_id>/", signoff_detail, name="signoff_detail"),
]
