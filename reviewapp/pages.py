"""What every view shares: the login check that knows htmx, and the report page frame."""

import functools
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404, HttpRequest
from django.utils.dateparse import parse_datetime
from django_htmx.http import HttpResponseClientRedirect

from evidence.chains import chain_rows, pathway_chains
from evidence.lines import defence_rows, pathway_defence
from monitoring.models import Reopening
from pathways.models import Claim, Conclusion, Pathway
from pathways.selectors import claim_scope, count_of, pathway_scope, report_for_user, scoped
from reviewapp.selectors.verdicts import with_verdict_summary


def reader_required(view):
    """login_required that, for an htmx request whose session expired, answers with
    HX-Redirect so the login page replaces the whole page, not a fragment."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return bool(getattr(request, "htmx", False)) and not request.htmx.history_restore_request


def report_page(request, slug: str, *, claim_counts: bool = False, defence: bool = False, chains: bool = False) -> dict:
    """What every report page shares: the report (or 404), the reader on it (`scope`) and
    the pathway column, each pathway with its risk level and its verdicts; one query, as
    the column carries its report (a second only when the reader sees no pathway of it).
    With `claim_counts`, each pathway also counts the claims resting on it that the reader
    can see (`claim_count`); with `defence`, each pathway carries the independence of its
    lines of defence as the reader sees them (`defence`: `evidence.lines.PathwayDefence`);
    with `chains`, its detection chains and their flags (`chains`: a list of
    `evidence.chains.ChainView`), all in the same query."""
    access = request.access
    pathways = list(
        scoped(Pathway, pathway_scope, access, _column_shape(claim_counts, defence, chains)).filter(report__slug=slug)
    )
    if pathways:
        report, overall = pathways[0].report, _conclusion_from(pathways[0].overall_conclusion, pathways[0].report)
    else:
        report = report_for_user(access, slug)
        overall = Conclusion.objects.filter(report=report, pathway=None).first()
    for pathway in pathways:
        pathway.report = report
        if defence:
            pathway.defence = pathway_defence(pathway.defence_rows)
        if chains:
            pathway.chains = pathway_chains(pathway.chain_rows)
            pathway.flagged_chains = sum(1 for chain in pathway.chains if chain.flags)
    scope = access.on(report)
    return {"report": report, "scope": scope, "level": scope.level, "pathways": pathways, "overall": overall}


@functools.cache
def _column_shape(claim_counts: bool, defence: bool, chains: bool):
    """The column's query shape for these extras: one function per combination, so that
    `scoped` keeps each built query once."""

    def shape(pathways: QuerySet[Pathway], access) -> QuerySet[Pathway]:
        column = _column(pathways, access)
        if claim_counts:
            resting = Claim.objects.filter(claim_scope(access), pathway_links__pathway=OuterRef("pk"))
            column = column.annotate(claim_count=count_of(resting))
        if defence:
            column = column.annotate(defence_rows=defence_rows(access))
        if chains:
            column = column.annotate(chain_rows=chain_rows(access))
        return column

    return shape


def _column(pathways: QuerySet[Pathway], access) -> QuerySet[Pathway]:
    """The pathway column's query, but for the report: built once per reader's access (see
    `scoped`), as its annotations cost more to build than to run."""
    overall = Conclusion.objects.filter(report_id=OuterRef("report_id"), pathway=None).values(
        json=JSONObject(**{name: name for name in OVERALL_FIELDS})
    )
    # When a confirmed warning sign re-opened the conclusion and the authors have not revised it since.
    reopened = Reopening.objects.filter(
        conclusion__pathway=OuterRef("pk"), revision=OuterRef("conclusion__revision")
    ).order_by("-created_at")
    return (
        with_verdict_summary(pathways.select_related("report", "conclusion"))
        .annotate(overall_conclusion=Subquery(overall[:1]), reopened_at=Subquery(reopened.values("created_at")[:1]))
        .order_by("position", "id")
    )


# The overall conclusion rides along with the column (the report's, which the reader sees with it).
OVERALL_FIELDS = ("id", "risk_level", "text", "revision", "updated_at")


def _conclusion_from(values: dict | None, report) -> Conclusion | None:
    if values is None:
        return None
    conclusion = Conclusion(
        id=values["id"],
        report=report,
        pathway=None,
        risk_level=values["risk_level"],
        text=values["text"],
        revision=values["revision"],
        updated_at=parse_datetime(values["updated_at"]),
    )
    conclusion._state.adding, conclusion._state.db = False, "default"
    return conclusion


def pathway_in(context: dict, pathway_slug: str):
    """The pathway of the page's column with this slug, or Http404: the column holds every
    pathway of the report that the reader can see."""
    for pathway in context["pathways"]:
        if pathway.slug == pathway_slug:
            return pathway
    raise Http404("No such pathway.")


def paginate(request, items, per_page: int) -> dict:
    """The page of `items` asked for (`?page=`; a page past the end shows the last one) and
    the list's other query parameters, for the pager's links."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "filter_query": query.urlencode()}


def require(allowed: bool, message: str) -> None:
    """403 with this message unless the person may (they can see the thing: otherwise 404 came first)."""
    if not allowed:
        raise PermissionDenied(message)
