"""Reading warning signs. Their list and pages are for the report's internal staff who run
the review (`handles_warning_signs`; the views check it); what others learn of a confirmed
sign is what re-opened in their scope (reviewapp.selectors.timeline, the notifications)."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from monitoring.models import WarningSign
from pathways.models import Report


def signs_of(report: Report) -> QuerySet[WarningSign]:
    """The report's signs, newest first, with who reported and triaged them."""
    return (
        WarningSign.objects.filter(report=report)
        .select_related("source", "reported_by", "triaged_by")
        .annotate(claim_count=Count("claims", distinct=True), reopened_count=Count("reopenings", distinct=True))
        .order_by("-created_at", "-id")
    )


def sign_in_report(report: Report, pk) -> WarningSign:
    """One of the report's signs, or 404."""
    return get_object_or_404(signs_of(report), pk=pk)
