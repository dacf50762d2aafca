"""Published versions: the list, publishing one (authors), and reading one.

A version is read as the person reads the report: cut to their level and scope from the
version's own document (`versions.reading`), never from the live rows, so a later edit of
the draft does not show in it. A version of a report the person cannot see, or a number
that does not exist, is 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from pathways.services import EditRefused
from reviewapp.diffs import change_rows
from reviewapp.forms.versions import VersionPublishForm
from reviewapp.pages import reader_required, report_page, require
from versions.changes import changes
from versions.selectors import draft_reading, version_read, versions_of
from versions.services import version_publish

LIST = "reviewapp/versions/list.html"


@require_http_methods(["GET", "POST"])
@reader_required
def version_list(request, slug):
    """Every published version of the report; for authors, the form that publishes one."""
    context = report_page(request, slug)
    report, scope = context["report"], context["scope"]
    form = VersionPublishForm()
    if request.method == "POST":
        require(scope.may_edit, "Only the report's authors publish versions of it.")
        form = VersionPublishForm(request.POST)
        if form.is_valid():
            try:
                version = version_publish(
                    report=report, author=request.user, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
                )
            except EditRefused as refused:
                for field, errors in refused.errors.items():
                    for error in errors:
                        form.add_error(None if field == "__all__" else field, error)
            else:
                messages.success(request, f"Published version {version.number}, “{version.name}”.")
                return redirect("version_detail", slug, version.number)
    context.update(versions=list(versions_of(report)), form=form)
    return render(request, LIST, context, status=400 if form.errors else 200)


def _version_page(request, slug, number) -> dict:
    context = report_page(request, slug)
    version, reading = version_read(request.access, context["report"], number)
    context.update(reading_version=version, document=reading)
    return context


def _pathway_rows(document: dict, only: str | None = None) -> list[dict]:
    """The version's pathways (or the one of slug `only`), each with its claims' entries."""
    claims = {entry["slug"]: entry for entry in document.get("claims", [])}
    return [
        {**entry, "claim_entries": [claims[slug] for slug in entry.get("claims", []) if slug in claims]}
        for entry in document.get("pathways", [])
        if only is None or entry["slug"] == only
    ]


@require_GET
@reader_required
def version_detail(request, slug, number):
    """The version's summary, overall conclusion and pathways, as the person reads them."""
    context = _version_page(request, slug, number)
    context["version_pathways"] = _pathway_rows(context["document"])
    return render(request, "reviewapp/versions/detail.html", context)


@require_GET
@reader_required
def version_pathway(request, slug, number, pathway_slug):
    """One pathway of the version: its argument, conclusion, claims and their evidence."""
    context = _version_page(request, slug, number)
    document = context["document"]
    found = _pathway_rows(document, only=pathway_slug)
    if not found:
        raise Http404("No such pathway in this version.")
    evidence = {entry["slug"]: entry for entry in document.get("evidence", [])}
    teams = {team["slug"]: team["name"] for team in document.get("teams", [])}
    claims = [
        {
            **claim,
            "team_name": teams.get(claim["owner_team"], claim["owner_team"]),
            "evidence_entries": [
                {**evidence[link["evidence"]], "relation": link.get("relation", "supports")}
                for link in claim.get("evidence", [])
                if link["evidence"] in evidence
            ],
        }
        for claim in found[0]["claim_entries"]
    ]
    context.update(version_pathway=found[0], version_claims=claims, live_url=_live_pathway_url(context, pathway_slug))
    return render(request, "reviewapp/versions/pathway.html", context)


KIND_LABELS = {
    "report": "Report",
    "conclusion": "Conclusion",
    "pathway": "Pathway",
    "claim": "Claim",
    "evidence": "Evidence",
    "line": "Line of defence",
    "chain": "Detection chain",
}


@require_GET
@reader_required
def version_changes(request, slug, number):
    """What changed since version `number`, to the working draft or to a later version
    (`?to=`), as the person reads both: item by item, each changed field as a word diff."""
    context = _version_page(request, slug, number)
    report, since = context["report"], context["reading_version"]
    to = request.GET.get("to", "draft")
    if to == "draft":
        to_version, after = None, draft_reading(request.access, report)
    elif to.isdigit() and int(to) != since.number:
        to_version, after = version_read(request.access, report, int(to))
    else:
        raise Http404("No such version to compare with.")
    found = changes(context["document"], after, context["level"])
    context.update(
        to_version=to_version,
        changes=[
            {"change": change, "kind_label": KIND_LABELS[change.kind], "rows": change_rows(change.fields)}
            for change in found
        ],
    )
    return render(request, "reviewapp/versions/changes.html", context)


def _live_pathway_url(context, pathway_slug) -> str | None:
    """The pathway's page in the working draft, while the reader still sees it there."""
    if any(pathway.slug == pathway_slug for pathway in context["pathways"]):
        return reverse("pathway_detail", args=[context["report"].slug, pathway_slug])
    return None


urlpatterns = [
    path("reports/<slug:slug>/versions/", version_list, name="version_list"),
    path("reports/<slug:slug>/versions/<int:number>/", version_detail, name="version_detail"),
    path("reports/<slug:slug>/versions/<int:number>/changes/", version_changes, name="version_changes"),
    path(
        "reports/<slug:slug>/versions/<int:number>/pathways/<slug:pathway_slug>/",
        version_pathway,
        name="version_pathway",
    ),
]
