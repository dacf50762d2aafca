"""Scoped reads of findings.

Rule: a person sees a finding when they can see what it is about (the claim; for a claim's
use in a pathway, the claim and the pathway; the line of defence; the chain step), by the scope functions
of `pathways.selectors` and `evidence.selectors`; external readers never see an internal
finding. Every count shown (open findings, those awaiting a disposition) is counted from
this scope.
"""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from evidence.selectors import defence_scope, step_scope
from pathways.access import Access, access_of
from pathways.models import Report
from pathways.selectors import NOTHING, any_of, claim_scope, pathway_scope, scoped
from reviewapp.enums import BLOCKING_SEVERITIES, CommentVisibility
from reviewapp.models import Finding


def finding_scope(access: Access, path: str = "") -> Q:
    claim, pathway, line = (
        claim_scope(access, f"{path}claim__"),
        pathway_scope(access, f"{path}pathway__"),
        defence_scope(access, f"{path}line__"),
    )
    on_claim = None
    if claim is not NOTHING:
        no_pathway = Q(**{f"{path}pathway__isnull": True})  # on the claim itself
        in_pathway = no_pathway if pathway is NOTHING else no_pathway | pathway  # or on its use in a pathway seen
        on_claim = Q(**{f"{path}claim__isnull": False}) & claim & in_pathway
    on_line = Q(**{f"{path}line__isnull": False}) & line if line is not NOTHING else None
    step = step_scope(access, f"{path}step__")
    on_step = Q(**{f"{path}step__isnull": False}) & step if step is not NOTHING else None
    about = any_of(on_claim, on_line, on_step)
    if about is NOTHING or not access.is_external:
        return about
    return about & Q(**{f"{path}visibility": CommentVisibility.SHARED})


def findings_visible_to(person) -> QuerySet[Finding]:
    return scoped(Finding, finding_scope, person)


def findings_in_report(person, report: Report) -> QuerySet[Finding]:
    """The report's findings this person may see, newest first, with what a list shows of each."""
    return (
        findings_visible_to(person)
        .filter(report=report)
        .select_related(
            "claim", "pathway", "line__pathway", "step__chain__pathway", "organisation", "raised_by", "disposed_by"
        )
    )


def finding_for_user(person, report: Report, pk: int) -> Finding:
    return get_object_or_404(findings_in_report(person, report), pk=pk)


def finding_counts(person, report: Report) -> dict:
    """How many findings of the report this person may see: in all, and major or critical
    ones still without a disposition (one query)."""
    return (
        findings_visible_to(access_of(person))
        .filter(report=report)
        .aggregate(
            total=Count("id"),
            awaiting=Count("id", filter=Q(disposition="")),
            blocking=Count("id", filter=Q(disposition="", severity__in=BLOCKING_SEVERITIES)),
        )
    )
