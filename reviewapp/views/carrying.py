"""The next model's report: an author starts it from this one; the owning teams then
confirm or replace each evidence item carried into it (evidence/services/carrying.py);
Across models sets the reports of the chain side by side, and the timeline lists the turns
of one report's review loop.

- Starting it is for the report's authors; anyone else who sees the report gets 403.
- An item's decision page is for members of its owning team and the report's authors; it
  is looked up in the person's scope (404 otherwise), and an item not carried forward has
  no such page (404).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from evidence.enums import Carried
from evidence.selectors import evidence_for_user
from evidence.services.carrying import evidence_carry_confirm, evidence_carry_replace, report_start_next
from pathways.services import EditConflict, EditRefused
from reviewapp.forms.carrying import CarriedConfirmForm, CarriedReplaceForm, NextReportForm
from reviewapp.pages import reader_required, report_page, require
from reviewapp.selectors.across import across_models, report_chain
from reviewapp.selectors.timeline import report_timeline


def _add_errors(form, refused: EditRefused) -> None:
    for field, problems in refused.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@require_http_methods(["GET", "POST"])
@reader_required
def report_next(request, slug):
    """The form that starts the next model's report from this one, and starting it."""
    context = report_page(request, slug)
    report = context["report"]
    require(context["scope"].may_edit, "Only the report's authors start the next report from it.")
    form = NextReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = report_start_next(report=report, starter=request.user, **form.cleaned_data)
        except EditRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(
                request,
                f"Started “{created.title}” from this report: its evidence waits for the owning teams to "
                "confirm or replace it. Nobody else can see it yet: give access with grant_access.",
            )
            return redirect("report_detail", slug=created.slug)
    context.update(form=form)
    return render(request, "reviewapp/carrying/next.html", context)


@require_http_methods(["GET", "POST"])
@reader_required
def evidence_carried(request, slug, evidence_slug):
    """A carried-forward item: the owning team confirms it, or gives its new state."""
    context = report_page(request, slug)
    evidence = evidence_for_user(request.access, context["report"], evidence_slug)
    if evidence.carried == Carried.NOT_CARRIED:
        raise Http404("This evidence item was not carried forward.")
    scope = context["scope"]
    require(
        scope.may_edit or evidence.owner_team_id in request.access.team_ids,
        f"Only {evidence.owner_team.name} or the report's authors confirm or replace this item.",
    )
    initial = {"version": evidence.version, "title": evidence.title, "source": evidence.source}
    confirm, replace = CarriedConfirmForm(), CarriedReplaceForm(initial={**initial, "summary": evidence.summary})
    action = request.POST.get("action")
    if request.method == "POST" and evidence.carried == Carried.UNCONFIRMED:
        if action == "confirm":
            confirm = CarriedConfirmForm(request.POST)
            if confirm.is_valid():
                try:
                    evidence_carry_confirm(evidence=evidence, person=request.user, **confirm.cleaned_data)
                except EditRefused as refused:
                    _add_errors(confirm, refused)
                else:
                    messages.success(request, f"Confirmed “{evidence.title}” for {context['report'].model_name}.")
                    return redirect("evidence_detail", slug=slug, evidence_slug=evidence.slug)
        elif action == "replace":
            replace = CarriedReplaceForm(request.POST)
            if replace.is_valid():
                try:
                    evidence_carry_replace(evidence=evidence, person=request.user, **replace.cleaned_data)
                except EditConflict as conflict:
                    replace.restart_from(conflict.current.version)
                    replace.add_error(
                        None,
                        "Someone changed this item since you opened the page: read it again above. "
                        "What you typed is kept below; save again to replace the item with it.",
                    )
                    evidence = conflict.current
                except EditRefused as refused:
                    _add_errors(replace, refused)
                else:
                    messages.success(request, f"Replaced “{evidence.title}” for {context['report'].model_name}.")
                    return redirect("evidence_detail", slug=slug, evidence_slug=evidence.slug)
        else:
            messages.error(request, "Choose to confirm the item or to replace it.")
    context.update(evidence=evidence, confirm=confirm, replace=replace, action=action)
    return render(request, "reviewapp/carrying/carried.html", context)


@require_GET
@reader_required
def across_models_page(request, slug):
    """Each pathway's risk level and each organisation's verdicts along the chain of reports,
    model after model, among what the person may read."""
    context = report_page(request, slug)
    chain = report_chain(request.access, context["report"])
    context.update(chain=chain, rows=across_models(request.access, chain))
    return render(request, "reviewapp/carrying/across.html", context)


@require_GET
@reader_required
def report_timeline_page(request, slug):
    """Each turn of the review loop, oldest first, as the person may see it."""
    context = report_page(request, slug)
    visible = {pathway.pk for pathway in context["pathways"]}
    context.update(turns=report_timeline(request.access, context["report"], visible))
    return render(request, "reviewapp/carrying/timeline.html", context)


urlpatterns = [
    path("reports/<slug:slug>/timeline/", report_timeline_page, name="report_timeline"),
    path("reports/<slug:slug>/across-models/", across_models_page, name="across_models"),
    path("reports/<slug:slug>/next/", report_next, name="report_next"),
    path("reports/<slug:slug>/evidence/<slug:evidence_slug>/carried/", evidence_carried, name="evidence_carried"),
]
