"""The argument as a picture: the report's pathways (or one of them) → lines of defence →
claims → evidence, drawn on the server as SVG from what the reader may see
(`reviewapp.selectors.argument`), each node a link to its page."""

from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from evidence.argument_map import COLUMN_LIMIT, LOAD_BEARING, draw
from reviewapp.pages import pathway_in, reader_required, report_page
from reviewapp.selectors.argument import argument_graph


def _page(request, context: dict, drawn: list, *, title: str, pathway_slug: str = ""):
    slug = context["report"].slug
    claims = reverse("claim_index", args=[slug]) + (f"?pathway={pathway_slug}" if pathway_slug else "")
    more = {"claim": claims, "evidence": reverse("evidence_index", args=[slug])}
    graph = argument_graph(request.access, context["report"], context["pathways"], drawn, more_claims_href=claims)
    picture = draw(graph, title=title, more_href=more)  # condenses a crowded column
    counts = {column: graph.total(column) for column in ("pathway", "line", "claim", "evidence")}
    context.update(
        picture=picture,
        picture_title=title,
        counts=counts,
        condensed=bool(graph.left_out),
        left_out_claims=graph.left_out.get("claim", 0),
        column_limit=COLUMN_LIMIT,
        load_bearing=LOAD_BEARING,
    )
    return render(request, "reviewapp/argument.html", context)


@require_GET
@reader_required
def argument_map(request, slug):
    """Every pathway the reader sees, with its lines of defence, claims and evidence."""
    context = report_page(request, slug, defence=True)
    return _page(request, context, context["pathways"], title=f"The argument of {context['report'].title}")


@require_GET
@reader_required
def pathway_argument_map(request, slug, pathway_slug):
    """One pathway's part of the picture."""
    context = report_page(request, slug, defence=True)
    pathway = pathway_in(context, pathway_slug)
    context.update(pathway=pathway, current_pathway=pathway)
    return _page(request, context, [pathway], title=f"The argument of “{pathway.title}”", pathway_slug=pathway.slug)


urlpatterns = [
    path("reports/<slug:slug>/argument/", argument_map, name="argument_map"),
    path(
        "reports/<slug:slug>/pathways/<slug:pathway_slug>/argument/", pathway_argument_map, name="pathway_argument_map"
    ),
]
