"""The mitigation roadmap: what the review led the developer to plan, by pathway or by team,
overdue first. Internal staff who see the whole report read it (`reads_roadmap`; anyone
else gets 404, as if it did not exist); the report's authors put items on it and change
them; the owning team moves its items along. Reads go through `reviewapp.selectors.roadmap`,
changes through `reviewapp.services.roadmap`."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evidence.enums import Strength
from evidence.models import DetectionChain, LineOfDefence
from evidence.selectors import chain_for_user, line_for_user, report_teams
from pathways.models import Pathway
from reviewapp.enums import RoadmapStatus
from reviewapp.forms.roadmap import RoadmapItemForm, RoadmapMoveForm
from reviewapp.pages import reader_required, report_page, require
from reviewapp.selectors.findings import finding_for_user
from reviewapp.selectors.roadmap import (
    grouped,
    planned_findings,
    roadmap_in_report,
    roadmap_item_for_user,
)
from reviewapp.services.roadmap import (
    RoadmapConflict,
    RoadmapRefused,
    roadmap_item_create,
    roadmap_item_update,
    source_label,
    source_pathway_ids,
)

GROUPINGS = {"pathway": "By pathway", "team": "By team"}


def _roadmap_page(request, slug, **extras) -> dict:
    context = report_page(request, slug, **extras)
    if not context["scope"].reads_roadmap:
        raise Http404("No roadmap here.")
    return context


@require_GET
@reader_required
def roadmap(request, slug):
    """Every item under the pathways it would strengthen (or its team), overdue first; for the
    authors, what could still go on it: findings answered "mitigation planned", weak lines of
    defence and flagged detection chains that no item comes from yet."""
    context = _roadmap_page(request, slug, defence=True, chains=True)
    report, scope, today = context["report"], context["scope"], timezone.localdate()
    by = request.GET.get("by") if request.GET.get("by") in GROUPINGS else "pathway"
    items = roadmap_in_report(request.access, report, today)
    context.update(
        by=by,
        groupings=GROUPINGS,
        groups=grouped(items, by),
        counts={
            "total": len(items),
            "open": sum(1 for item in items if item.status != RoadmapStatus.DONE),
            "overdue": sum(1 for item in items if item.overdue_days),
        },
    )
    if scope.may_edit:
        lines_on = {item.line_id for item in items if item.line_id}
        chains_on = {item.chain_id for item in items if item.chain_id}
        context.update(
            candidate_findings=list(planned_findings(request.access, report)),
            candidate_lines=[
                (pathway, view.line)
                for pathway in context["pathways"]
                for view in pathway.defence.lines
                if view.line.strength == Strength.WEAK and view.line.pk not in lines_on
            ],
            candidate_chains=[
                (pathway, chain)
                for pathway in context["pathways"]
                for chain in pathway.chains
                if chain.flags and chain.id not in chains_on
            ],
        )
    return render(request, "reviewapp/roadmap/list.html", context)


def _source(request, report):
    """The finding, line or chain the item comes from, named in the query string (and in the
    form's hidden field once posted); 404 if the reader cannot see it."""
    named = request.POST if request.method == "POST" else request.GET
    if finding := named.get("finding"):
        if not finding.isdigit():
            raise Http404("No such finding.")
        return finding_for_user(request.access, report, int(finding))
    if line := named.get("line"):
        return line_for_user(request.access, report, line)
    if chain := named.get("chain"):
        return chain_for_user(request.access, report, chain)
    return None


def _source_field(source) -> tuple[str, str]:
    """The hidden field that names the source in the form."""
    if isinstance(source, LineOfDefence):
        return "line", source.slug
    if isinstance(source, DetectionChain):
        return "chain", source.slug
    return "finding", str(source.pk)


def _initial(source) -> dict:
    team = getattr(source, "owner_team_id", None)
    if team is None and getattr(source, "claim_id", None):
        team = source.claim.owner_team_id
    if team is None and getattr(source, "line_id", None):
        team = source.line.owner_team_id
    title = ""
    if getattr(source, "recommendation", ""):
        title = source.recommendation.strip().splitlines()[0][:300]
    return {
        "title": title,
        "owner_team": team,
        "status": RoadmapStatus.PROPOSED,
        "pathways": source_pathway_ids(source),
        "version": 0,
    }


def _item_form(report, data=None, *, team_id: int | None = None, **kwargs) -> RoadmapItemForm:
    return RoadmapItemForm(
        data,
        teams=report_teams(report, keeping=team_id),
        pathways=Pathway.objects.filter(report=report).order_by("position", "id"),
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
@reader_required
def roadmap_new(request, slug):
    context = _roadmap_page(request, slug)
    report = context["report"]
    source = _source(request, report)
    require(context["scope"].may_edit, "Only the report's authors put mitigations on the roadmap.")
    if source is None:
        messages.info(request, "Choose what to put on the roadmap: a planned finding, a weak line or a flagged chain.")
        return redirect("roadmap", slug=slug)
    form = _item_form(report, request.POST or None, initial=_initial(source))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = roadmap_item_create(
                    author=request.user,
                    report=report,
                    source=source,
                    pathways=list(data["pathways"]),
                    title=data["title"],
                    description=data["description"],
                    owner_team=data["owner_team"],
                    status=data["status"],
                    target_date=data["target_date"],
                )
            except RoadmapRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"“{item.title}” is on the roadmap; its owning team can move it along.")
                return redirect("roadmap_item", slug=slug, pk=item.pk)
    context.update(form=form, source_field=_source_field(source), source_label=source_label(source))
    return render(request, "reviewapp/roadmap/new.html", context, status=status)


def _edit_form(request, report, item, data=None):
    """The form this person gets for the item: all of it for an author, the move form for
    the owning team, none for anyone else."""
    scope = request.access.on(report)
    if scope.may_edit:
        initial = {
            "title": item.title,
            "description": item.description,
            "owner_team": item.owner_team_id,
            "status": item.status,
            "target_date": item.target_date,
            "pathways": [pathway.pk for pathway in item.pathways.all()],
            "version": item.version,
        }
        return _item_form(report, data, team_id=item.owner_team_id, initial=initial)
    if scope.may_update_roadmap_item(item):
        initial = {"status": item.status, "target_date": item.target_date, "version": item.version}
        return RoadmapMoveForm(data, initial=initial)
    return None


def _detail(request, context, item, *, form=None, status=200):
    context.update(item=item, form=form if form is not None else _edit_form(request, context["report"], item))
    return render(request, "reviewapp/roadmap/detail.html", context, status=status)


@require_GET
@reader_required
def roadmap_item(request, slug, pk):
    context = _roadmap_page(request, slug)
    today = timezone.localdate()
    item = roadmap_item_for_user(request.access, context["report"], pk, today)
    return _detail(request, context, item)


@require_POST
@reader_required
def roadmap_item_edit(request, slug, pk):
    context = _roadmap_page(request, slug)
    report, scope, today = context["report"], context["scope"], timezone.localdate()
    item = roadmap_item_for_user(request.access, report, pk, today)
    require(scope.may_update_roadmap_item(item), "Only the report's authors and the owning team change a mitigation.")
    form = _edit_form(request, report, item, request.POST)
    if not form.is_valid():
        return _detail(request, context, item, form=form, status=400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    pathways = list(data.pop("pathways")) if "pathways" in data else None
    try:
        roadmap_item_update(person=request.user, item=item, version=version, pathways=pathways, **data)
    except RoadmapConflict as conflict:
        # The newer state shows above; the form keeps what was typed, to save over it knowingly.
        item = roadmap_item_for_user(request.access, report, pk, today)
        posted = request.POST.copy()
        posted["version"] = str(item.version)
        form = _edit_form(request, report, item, posted)
        form.is_valid()
        form.add_error(None, str(conflict))
        return _detail(request, context, item, form=form, status=409)
    except RoadmapRefused as refused:
        form.add_error(None, str(refused))
        return _detail(request, context, item, form=form, status=400)
    messages.success(request, "The mitigation is saved.")
    return redirect("roadmap_item", slug=slug, pk=pk)


urlpatterns = [
    path("reports/<slug:slug>/roadmap/", roadmap, name="roadmap"),
    path("reports/<slug:slug>/roadmap/new/", roadmap_new, name="roadmap_new"),
    path("reports/<slug:slug>/roadmap/<int:pk>/", roadmap_item, name="roadmap_item"),
    path("reports/<slug:slug>/roadmap/<int:pk>/edit/", roadmap_item_edit, name="roadmap_item_edit"),
]
