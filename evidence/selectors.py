"""Scoped reads of evidence.

Rule: an evidence item is visible when its sensitivity is at or below the person's
reading level and either they see its report whole, or it backs a claim they can see
(so a pathway-limited external reviewer sees the evidence of their pathways' claims).
"""

from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet

from evidence.enums import RequestState
from evidence.models import ClaimEvidence, Evidence, InformationRequest
from pathways.enums import Role, Sensitivity
from pathways.models import Report, ReportGroupObjectPermission, ReportUserObjectPermission, Team
from pathways.selectors import claims_visible_to, pathways_visible_to, whole_report_ids


def evidence_visible_to(user) -> QuerySet[Evidence]:
    if not (user and user.is_authenticated and user.is_active):
        return Evidence.objects.none()
    backing_visible_claims = ClaimEvidence.objects.filter(
        claim__in=claims_visible_to(user), evidence__report=F("claim__report")
    ).values("evidence_id")
    return Evidence.objects.filter(sensitivity__in=Sensitivity.at_or_below(user.reading_level)).filter(
        Q(report_id__in=whole_report_ids(user)) | Q(id__in=backing_visible_claims)
    )


def claim_evidence_visible_to(user) -> QuerySet[ClaimEvidence]:
    """Links between a claim and an evidence item, shown only where the person may read both."""
    return ClaimEvidence.objects.filter(claim__in=claims_visible_to(user), evidence__in=evidence_visible_to(user))


class Median(Aggregate):
    """PostgreSQL's median of a duration (or number): percentile_cont(0.5)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


LIVE_REQUEST_STATES = [RequestState.OPEN, RequestState.ANSWERED, RequestState.FOLLOW_UP]


def _reports_run_by(user) -> QuerySet:
    """Reports on which this (internal) person is an author or leadership, directly or through a group."""
    codenames = [Role.AUTHOR.codename, Role.LEADERSHIP.codename]
    direct = ReportUserObjectPermission.objects.filter(user=user, permission__codename__in=codenames)
    via_group = ReportGroupObjectPermission.objects.filter(group__user=user, permission__codename__in=codenames)
    return Report.objects.filter(
        Q(id__in=direct.values("content_object_id")) | Q(id__in=via_group.values("content_object_id"))
    ).values("id")


def information_requests_visible_to(user) -> QuerySet[InformationRequest]:
    """Information requests this person may read.

    Rule: authors and leadership of a report see every request on it; reviewers see the
    requests of their own reviewer organisation; members of an owning team see the
    requests addressed to their team. In every case only requests whose subject (the
    pathway, claim or evidence item asked about) the person can see, through
    `pathways_visible_to`, `claims_visible_to` and `evidence_visible_to` — so an
    out-of-scope pathway or an item above their level hides the request, its thread and
    its counts. External people are never authors, leadership or team members.
    """
    if not (user and user.is_authenticated and user.is_active):
        return InformationRequest.objects.none()
    about_visible_subject = (
        Q(pathway_id__in=pathways_visible_to(user).values("id"))
        | Q(claim_id__in=claims_visible_to(user).values("id"))
        | Q(evidence_id__in=evidence_visible_to(user).values("id"))
    )
    reader = Q(team_id__in=Team.objects.filter(members=user).values("id"))
    if user.organisation_id:
        reader |= Q(organisation_id=user.organisation_id)
    if not user.is_external:
        reader |= Q(report_id__in=_reports_run_by(user))
    return InformationRequest.objects.filter(about_visible_subject).filter(reader)


def information_request_team_summary(user, *, report, today) -> QuerySet:
    """Per owning team, of the requests on `report` this person may see (and no other):
    how many are open (not closed or declined), how many of those are past their due
    date, and the median time from filing to the first answer. Rows are dicts with
    team__slug, team__name, open_count, overdue_count and median_first_answer."""
    live = Q(state__in=LIVE_REQUEST_STATES)
    return (
        information_requests_visible_to(user)
        .filter(report=report)
        .values("team__slug", "team__name")
        .annotate(
            open_count=Count("id", filter=live),
            overdue_count=Count("id", filter=live & Q(due_date__lt=today)),
            median_first_answer=Median(
                F("first_answered_at") - F("created_at"), filter=Q(first_answered_at__isnull=False)
            ),
        )
        .order_by("team__name")
    )


def teams_of(user) -> QuerySet[Team]:
    """The owning teams this person is a member of."""
    if not (user and user.is_authenticated and user.is_active):
        return Team.objects.none()
    return Team.objects.filter(members=user)
