"""Authors' edits in place, with conflict detection.

Editing is for the report's authors. A person who can see the thing but is not an author
gets 403; a person who cannot see it gets 404.

Every edit form carries the version it started from. When someone else saved in between,
the service refuses and the form comes back as a conflict view: their saved text, a diff
from theirs to yours, and your text still in the form, now based on their version.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from evidence.enums import Relation
from evidence.models import ClaimEvidence
from evidence.selectors import claim_evidence_visible_to, evidence_for_user, evidence_visible_to, report_teams
from evidence.services.editing import claim_update_with_evidence, evidence_update
from pathways.models import AuditEntry, Team
from pathways.selectors import claim_for_user, conclusion_for_user, pathways_visible_to
from pathways.services import EditConflict, EditRefused, pathway_update
from reviewapp.diffs import FIELD_LABELS, as_text, text_diff
from reviewapp.forms.authoring import (
    ClaimEditForm,
    ConclusionEditForm,
    EvidenceEditForm,
    PathwayEditForm,
)
from reviewapp.pages import is_htmx, pathway_in, reader_required, report_page, require
from reviewapp.panels import verdicts
from reviewapp.services.verdicts import conclusion_revise

# ----------------------------------------------------------------------------- editing


def _author_only(context) -> None:
    require(context["scope"].may_edit, "Only the report's authors edit it.")


def _display(form, name: str, value) -> str:
    """A form value as the conflict view shows it: choice labels, names, one link per line."""
    field = form.fields[name]
    if name == "pathways":
        return "\n".join(sorted(pathway.title for pathway in value or []))
    if name == "evidence_links":
        return "\n".join(
            sorted(f"{Relation(relation).label.lower()}: {evidence.title}" for evidence, relation in value)
        )
    if isinstance(value, Team):
        return value.name
    if hasattr(field, "choices") and not hasattr(field, "queryset"):
        return str(dict(field.choices).get(value, value))
    return as_text(value)


def _conflict(form, error: EditConflict, saved: dict) -> dict:
    current = error.current
    last = (
        AuditEntry.objects.filter(
            report_id=current.report_id, target_type=current._meta.model_name, target_id=current.pk
        )
        .select_related("actor")
        .first()
    )
    fields = []
    for name, theirs in saved.items():
        theirs, yours = _display(form, name, theirs), _display(form, name, form.cleaned_data.get(name))
        if theirs != yours:
            fields.append(
                {"label": form.fields[name].label, "theirs": theirs, "yours": yours, "diff": text_diff(theirs, yours)}
            )
    return {
        "message": str(error),
        "version": error.current_version,
        "by": last.actor if last else None,
        "at": last.created_at if last else None,
        "fields": fields,
    }


def _edit(
    request,
    context,
    *,
    form,
    save: Callable[[dict], object],
    saved_values: Callable[[object], dict],
    section: Callable[[object], object],
    page_url: str,
    hold: bool = False,
    **frame,
):
    """The edit flow shared by every form: GET shows the form (a fragment for htmx, a page
    without); a valid POST saves and shows the section again (htmx) or redirects; a refusal
    puts its message next to the field; a conflict shows the conflict view. Text typed is
    never lost: on every path that does not save, the form comes back with it. With `hold`
    (a POST that asks for more of the form, such as an evidence search), nothing is saved
    and the form comes back as typed."""
    conflict = None
    if request.method == "POST" and not hold and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except EditConflict as error:
            conflict = _conflict(form, error, saved_values(error.current))
            form.restart_from(error.current_version)
        except EditRefused as error:
            for name, field_messages in error.errors.items():
                for message in field_messages:
                    form.add_error(name if name in form.fields else None, message)
        else:
            note = _saved_note(frame.get("number_name", "version"), saved, started=form.cleaned_data["version"])
            if is_htmx(request):
                context["saved_note"] = note
                response = section(saved)
                response["HX-Push-Url"] = page_url
                return response
            messages.success(request, note)
            return redirect(page_url)
    context.update(form=form, conflict=conflict, page_url=page_url, form_url=request.path, **frame)
    template = "reviewapp/authoring/edit.html"
    if is_htmx(request):
        template += "#edit-form"
    return render(request, template, context)


def _saved_note(number_name: str, saved, *, started: int) -> str:
    number = getattr(saved, number_name)
    if number == started:
        return "Nothing had changed, so nothing was saved."
    if number_name == "revision":
        return (
            f"Saved as revision {number}. Verdicts given on the earlier text are stale until "
            "their organisations confirm them again."
        )
    return f"Saved as version {number}."


@require_http_methods(["GET", "POST"])
@reader_required
def pathway_edit(request, slug, pathway_slug, section):
    if section not in PathwayEditForm.SECTIONS:
        raise Http404("No such part of a pathway.")
    context = report_page(request, slug)
    pathway = pathway_in(context, pathway_slug)
    _author_only(context)
    name = PathwayEditForm.SECTIONS[section]
    if request.method == "POST":
        form = PathwayEditForm(request.POST, section=section)
    else:
        form = PathwayEditForm(initial={"version": pathway.version, name: getattr(pathway, name)}, section=section)

    def section_response(saved):
        context["pathway"] = saved
        return render(request, f"reviewapp/pathway_detail.html#{section}", context)

    return _edit(
        request,
        context,
        form=form,
        save=lambda data: pathway_update(
            pathway=pathway, editor=request.user, version=data["version"], **{name: data[name]}
        ),
        saved_values=lambda current: {name: getattr(current, name)},
        section=section_response,
        page_url=reverse("pathway_detail", args=[slug, pathway.slug]),
        target_id=section,
        heading=FIELD_LABELS[name],
        subject_label=pathway.title,
        history_url=reverse("pathway_history", args=[slug, pathway.slug]),
    )


def _conclusion_edit(request, context, conclusion):
    _author_only(context)
    report = context["report"]
    if request.method == "POST":
        form = ConclusionEditForm(request.POST)
    else:
        form = ConclusionEditForm(
            initial={"version": conclusion.revision, "risk_level": conclusion.risk_level, "text": conclusion.text}
        )
    pathway = conclusion.pathway

    def section_response(saved):
        context.update(verdicts.conclusion_context(request, report=report, scope=context["scope"], conclusions=[saved]))
        if pathway is None:
            context["overall"] = saved
            return render(request, "reviewapp/report_detail.html#overall-conclusion", context)
        pathway.conclusion = saved
        context["pathway"] = pathway
        return render(request, "reviewapp/pathway_detail.html#conclusion", context)

    if pathway is None:
        page_url = reverse("report_detail", args=[report.slug])
        history_url = reverse("overall_conclusion_history", args=[report.slug])
        target_id, subject_label = "overall-conclusion", "Overall conclusion"
    else:
        page_url = reverse("pathway_detail", args=[report.slug, pathway.slug])
        history_url = reverse("conclusion_history", args=[report.slug, pathway.slug])
        target_id, subject_label = "conclusion", pathway.title
    return _edit(
        request,
        context,
        form=form,
        save=lambda data: conclusion_revise(
            conclusion=conclusion,
            editor=request.user,
            revision=data["version"],
            risk_level=data["risk_level"],
            text=data["text"],
        ),
        saved_values=lambda current: {"risk_level": current.risk_level, "text": current.text},
        section=section_response,
        page_url=page_url,
        target_id=target_id,
        heading="Overall conclusion" if pathway is None else "Conclusion",
        subject_label=subject_label,
        history_url=history_url,
        number_name="revision",
        conclusion_note="Changing the risk level or the text makes every verdict given on this conclusion stale "
        "until its organisation confirms it again.",
    )


@require_http_methods(["GET", "POST"])
@reader_required
def conclusion_edit(request, slug, pathway_slug):
    context = report_page(request, slug)
    conclusion = conclusion_for_user(request.access, context["report"], pathway_slug=pathway_slug)
    return _conclusion_edit(request, context, conclusion)


@require_http_methods(["GET", "POST"])
@reader_required
def overall_conclusion_edit(request, slug):
    context = report_page(request, slug)
    conclusion = conclusion_for_user(request.access, context["report"])
    return _conclusion_edit(request, context, conclusion)


def _claim_page_parts(request, claim) -> dict:
    """What the claim page's main column shows besides the claim, for swapping it back in."""
    return {
        "evidence_links": list(
            claim_evidence_visible_to(request.access)
            .filter(claim=claim)
            .select_related("evidence__owner_team")
            .order_by("relation", "position", "id")
        ),
        "resting_pathways": pathways_visible_to(request.access)
        .filter(claim_links__claim=claim)
        .select_related("conclusion")
        .order_by("position"),
    }


def _claim_links(claim) -> dict:
    """The claim's pathways and evidence as the form holds them, for the conflict view."""
    return {
        "pathways": list(claim.pathways.all()),
        "evidence_links": [
            (link.evidence, link.relation)
            for link in ClaimEvidence.objects.filter(claim=claim).select_related("evidence")
        ],
    }


@require_http_methods(["GET", "POST"])
@reader_required
def claim_edit(request, slug, claim_slug):
    context = report_page(request, slug)
    report = context["report"]
    claim = claim_for_user(request.access, report, claim_slug)
    _author_only(context)
    choices = {
        "pathways": context["pathways"],
        "evidence_items": evidence_visible_to(request.access).filter(report=report),
        "teams": report_teams(report, keeping=claim.owner_team_id),
    }
    finding = request.method == "POST" and "find_evidence" in request.POST
    search = (request.POST if request.method == "POST" else request.GET).get("evidence_search", "")[:200]
    if request.method == "POST":
        form = ClaimEditForm(request.POST, **choices)
    else:
        initial = ClaimEditForm.initial_for(
            claim,
            pathway_ids=claim.pathway_links.values_list("pathway_id", flat=True),
            evidence_links=ClaimEvidence.objects.filter(claim=claim),
        )
        form = ClaimEditForm(initial=initial, **choices)
    text_fields = ("statement", "rationale", "category", "sensitivity", "owner_team")

    def save(data):
        return claim_update_with_evidence(
            claim=claim,
            editor=request.user,
            version=data["version"],
            pathways=list(data["pathways"]),
            evidence_links=data["evidence_links"],
            **{name: data[name] for name in text_fields},
        )

    def section_response(saved):
        context.update(claim=saved, **_claim_page_parts(request, saved))
        return render(request, "reviewapp/claim_detail.html#claim-main", context)

    return _edit(
        request,
        context,
        form=form,
        save=save,
        saved_values=lambda current: {
            **{name: getattr(current, name) for name in text_fields},
            **_claim_links(current),
        },
        section=section_response,
        page_url=reverse("claim_detail", args=[slug, claim.slug]),
        target_id="claim-main",
        heading="Claim",
        subject_label=claim.statement,
        history_url=reverse("claim_history", args=[slug, claim.slug]),
        hold=finding,
        links_editor=True,
        relations=Relation.choices,
        evidence_table=lambda: form.evidence_rows(search),
    )


@require_http_methods(["GET", "POST"])
@reader_required
def evidence_edit(request, slug, evidence_slug):
    context = report_page(request, slug)
    evidence = evidence_for_user(request.access, context["report"], evidence_slug)
    _author_only(context)
    names = ("title", "kind", "sensitivity", "source", "summary")
    if request.method == "POST":
        form = EvidenceEditForm(request.POST)
    else:
        form = EvidenceEditForm(
            initial={"version": evidence.version, **{name: getattr(evidence, name) for name in names}}
        )

    def section_response(saved):
        context["evidence"] = saved
        return render(request, "reviewapp/evidence_detail.html#evidence-text", context)

    return _edit(
        request,
        context,
        form=form,
        save=lambda data: evidence_update(
            evidence=evidence, editor=request.user, version=data["version"], **{name: data[name] for name in names}
        ),
        saved_values=lambda current: {name: getattr(current, name) for name in names},
        section=section_response,
        page_url=reverse("evidence_detail", args=[slug, evidence.slug]),
        target_id="evidence-text",
        heading="Evidence item",
        subject_label=evidence.title,
        history_url=reverse("evidence_history", args=[slug, evidence.slug]),
    )


urlpatterns = [
    path("reports/<slug:slug>/pathways/<slug:pathway_slug>/edit/<slug:section>/", pathway_edit, name="pathway_edit"),
    path("reports/<slug:slug>/pathways/<slug:pathway_slug>/conclusion/edit/", conclusion_edit, name="conclusion_edit"),
    path("reports/<slug:slug>/conclusion/edit/", overall_conclusion_edit, name="overall_conclusion_edit"),
    path("reports/<slug:slug>/claims/<slug:claim_slug>/edit/", claim_edit, name="claim_edit"),
    path("reports/<slug:slug>/evidence/<slug:evidence_slug>/edit/", evidence_edit, name="evidence_edit"),
]
