"""What every view shares: the login check that knows htmx, and the report page frame."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Func, OuterRef, Subquery
from django.http import Http404, HttpRequest
from django_htmx.http import HttpResponseClientRedirect

from pathways.models import Claim
from pathways.selectors import claim_scope, pathways_visible_to, report_for_user
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


def report_page(request, slug: str, *, claim_counts: bool = False) -> dict:
    """What every report page shares: the report (or 404), the reader on it (`scope`) and
    the pathway column, each pathway with its risk level and its verdicts; one query, as
    the column carries its report (a second only when the reader sees no pathway of it).
    With `claim_counts`, each pathway also counts the claims resting on it that the reader
    can see (`claim_count`)."""
    access = request.access
    pathways = (
        pathways_visible_to(access)
        .filter(report__slug=slug)
        .select_related("report", "conclusion")
        .order_by("position", "id")
    )
    if claim_counts:
        resting = Claim.objects.filter(claim_scope(access), pathway_links__pathway=OuterRef("pk"))
        pathways = pathways.annotate(claim_count=count_of(resting))
    pathways = list(with_verdict_summary(pathways))
    report = pathways[0].report if pathways else report_for_user(access, slug)
    for pathway in pathways:
        pathway.report = report
    scope = access.on(report)
    return {"report": report, "scope": scope, "level": scope.level, "pathways": pathways}


def count_of(queryset) -> Subquery:
    """A correlated COUNT of `queryset`, for annotating each row of an outer query."""
    return Subquery(queryset.order_by().annotate(count=Func("pk", function="COUNT")).values("count"))


def pathway_in(context: dict, pathway_slug: str):
    """The pathway of the page's column with this slug, or Http404: the column holds every
    pathway of the report that the reader can see."""
    for pathway in context["pathways"]:
        if pathway.slug == pathway_slug:
            return pathway
    raise Http404("No such pathway.")


def require(allowed: bool, message: str) -> None:
    """403 with this message unless the person may (they can see the thing: otherwise 404 came first)."""
    if not allowed:
        raise PermissionDenied(message)
