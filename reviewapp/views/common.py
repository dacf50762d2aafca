"""What every view shares: the login check that knows htmx, and the report page frame."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import HttpRequest
from django_htmx.http import HttpResponseClientRedirect

from pathways.selectors import claims_visible_to, pathways_visible_to, reader_scope, report_for_user
from reviewapp.views import verdicts


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


def report_page(request, slug: str) -> dict:
    """What every report page shares: the report (or 404), the reader's scope and the
    pathway column, each pathway with its risk level and the claims this reader can see."""
    report = report_for_user(request.user, slug)
    scope = reader_scope(request.user, report)
    visible_claims = claims_visible_to(request.user)
    pathways = (
        pathways_visible_to(request.user)
        .filter(report=report)
        .select_related("conclusion")
        .annotate(claim_count=Count("claim_links", filter=Q(claim_links__claim__in=visible_claims)))
    )
    pathways = verdicts.annotate_pathways(pathways, user=request.user)
    return {"report": report, "scope": scope, "level": scope.level, "pathways": pathways}
