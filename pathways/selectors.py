"""Scoped reads: every view, export, search and task asks these who may see what.

The rule (DESIGN.md, "Access model"):
- A person sees a report when they hold a role on it (a guardian permission on the
  report, to them or to one of their groups), when they may review some of its
  pathways, or, if internal, when a team they belong to owns a claim or an evidence
  item in it.
- Internal people with a role or team link see every pathway of the report. External
  reviewers see every pathway with a whole-report grant, otherwise only the pathways
  granted to them.
- Claims and evidence are further cut by sensitivity: internal people read
  everything, external people up to `reviewer`.
Everything is built from subqueries, so a scope never turns into a Python list of ids.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from pathways.enums import PATHWAY_REVIEW_CODENAME, Clearance, Role, Sensitivity
from pathways.models import (
    AuditEntry,
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    PathwayGroupObjectPermission,
    PathwayUserObjectPermission,
    Report,
    ReportGroupObjectPermission,
    ReportUserObjectPermission,
    Team,
    User,
)

INTERNAL_ROLES = [Role.AUTHOR, Role.STRESS_TESTER, Role.LEADERSHIP]


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _role_codenames(user: User) -> list[str]:
    if user.clearance == Clearance.EXTERNAL:
        return [Role.EXTERNAL_REVIEWER.codename]
    return [role.codename for role in INTERNAL_ROLES] + [Role.EXTERNAL_REVIEWER.codename]


def _report_ids_by_grant(user: User, codenames: list[str]) -> QuerySet:
    direct = ReportUserObjectPermission.objects.filter(user=user, permission__codename__in=codenames)
    via_group = ReportGroupObjectPermission.objects.filter(group__user=user, permission__codename__in=codenames)
    return Report.objects.filter(
        Q(id__in=direct.values("content_object_id")) | Q(id__in=via_group.values("content_object_id"))
    ).values("id")


def _granted_pathway_ids(user: User) -> QuerySet:
    direct = PathwayUserObjectPermission.objects.filter(user=user, permission__codename=PATHWAY_REVIEW_CODENAME)
    via_group = PathwayGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=PATHWAY_REVIEW_CODENAME
    )
    return Pathway.objects.filter(
        Q(id__in=direct.values("content_object_id")) | Q(id__in=via_group.values("content_object_id"))
    ).values("id")


def whole_report_ids(user: User) -> QuerySet:
    """Reports of which this person sees every pathway."""
    granted = Q(id__in=_report_ids_by_grant(user, _role_codenames(user)))
    if user.clearance == Clearance.EXTERNAL:
        return Report.objects.filter(granted).values("id")
    teams = Team.objects.filter(members=user)
    owns = Q(claims__owner_team__in=teams) | Q(evidence_items__owner_team__in=teams)
    return Report.objects.filter(granted | Q(id__in=Report.objects.filter(owns).values("id"))).values("id")


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports this person may open: by a role, by some granted pathways, or by owning-team membership."""
    if not _signed_in(user):
        return Report.objects.none()
    by_pathway = Pathway.objects.filter(id__in=_granted_pathway_ids(user)).values("report_id")
    return Report.objects.filter(Q(id__in=whole_report_ids(user)) | Q(id__in=by_pathway))


def pathways_visible_to(user) -> QuerySet[Pathway]:
    """Pathways of reports seen whole, plus pathways granted one by one to a limited external reviewer."""
    if not _signed_in(user):
        return Pathway.objects.none()
    return Pathway.objects.filter(Q(report_id__in=whole_report_ids(user)) | Q(id__in=_granted_pathway_ids(user)))


def claims_visible_to(user) -> QuerySet[Claim]:
    """Claims at or below the person's reading level, in reports seen whole or resting under a visible pathway."""
    if not _signed_in(user):
        return Claim.objects.none()
    # Only links within one report count, whatever a hand-made row in the link table says.
    under_visible_pathway = PathwayClaim.objects.filter(
        pathway_id__in=_granted_pathway_ids(user), claim__report=F("pathway__report")
    ).values("claim_id")
    return Claim.objects.filter(sensitivity__in=Sensitivity.at_or_below(user.reading_level)).filter(
        Q(report_id__in=whole_report_ids(user)) | Q(id__in=under_visible_pathway)
    )


def conclusions_visible_to(user) -> QuerySet[Conclusion]:
    """A pathway's conclusion goes with its pathway; the overall one with the report."""
    if not _signed_in(user):
        return Conclusion.objects.none()
    return Conclusion.objects.filter(
        Q(pathway__isnull=True, report_id__in=reports_visible_to(user).values("id"))
        | Q(pathway_id__in=pathways_visible_to(user).values("id"))
    )


def report_for_user(user, slug: str) -> Report:
    """The report, or Http404 when it does not exist or is out of this person's scope."""
    return get_object_or_404(reports_visible_to(user), slug=slug)


@dataclass(frozen=True)
class ReaderScope:
    """What one person is on one report: for the reading-as banner and for permission checks."""

    roles: frozenset
    level: str
    organisation: object
    visible_pathways: int
    total_pathways: int

    @property
    def primary_role(self):
        order = [Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER, Role.TEAM_MEMBER]
        return next((role for role in order if role in self.roles), None)

    @property
    def is_author(self) -> bool:
        return Role.AUTHOR in self.roles

    @property
    def is_leadership(self) -> bool:
        return Role.LEADERSHIP in self.roles

    @property
    def sees_all_pathways(self) -> bool:
        return self.visible_pathways == self.total_pathways


def reader_scope(user: User, report: Report) -> ReaderScope:
    """The roles this person holds on the report and how much of it they see (three queries)."""
    codenames = set(
        ReportUserObjectPermission.objects.filter(user=user, content_object=report).values_list(
            "permission__codename", flat=True
        )
    ) | set(
        ReportGroupObjectPermission.objects.filter(group__user=user, content_object=report).values_list(
            "permission__codename", flat=True
        )
    )
    allowed = set(_role_codenames(user))
    roles = {role for role in Role if role != Role.TEAM_MEMBER and role.codename in codenames & allowed}
    if not roles:
        # Seen without a role: a limited external reviewer (pathway grants) or an owning-team member.
        roles.add(Role.EXTERNAL_REVIEWER if user.clearance == Clearance.EXTERNAL else Role.TEAM_MEMBER)
    counts = Pathway.objects.filter(report=report).aggregate(
        total=Count("id"),
        visible=Count("id", filter=Q(id__in=pathways_visible_to(user).values("id"))),
    )
    return ReaderScope(
        roles=frozenset(roles),
        level=user.reading_level,
        organisation=user.organisation,
        visible_pathways=counts["visible"],
        total_pathways=counts["total"],
    )


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Audit entries of the reports this person sees, for internal people only: entries hold
    internal material (earlier texts with their internal spans, names of internal items), so
    an external reviewer sees none, whatever their scope."""
    if not _signed_in(user) or user.is_external:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(report__in=reports_visible_to(user))


def people_with_roles(*, report: Report, roles, include_pathway_grants: bool = False) -> QuerySet[User]:
    """Active people holding one of `roles` on the report, directly or through a group, of
    the clearance each role is for (a grant the access rule ignores counts for nothing
    here either). With `include_pathway_grants`, external reviewers granted only some of
    its pathways count as holding the external-reviewer role. For telling people of
    events: what each may then read is decided again, under their own scope."""
    held = Q()
    for role in roles:
        codename = role.codename
        direct = ReportUserObjectPermission.objects.filter(content_object=report, permission__codename=codename)
        via_group = ReportGroupObjectPermission.objects.filter(content_object=report, permission__codename=codename)
        by_grant = Q(id__in=direct.values("user_id")) | Q(groups__in=via_group.values("group_id"))
        if include_pathway_grants and role == Role.EXTERNAL_REVIEWER:
            by_grant |= Q(id__in=_users_granted_pathways_of(report))
        held |= by_grant & Q(clearance=role.clearance)
    if not held:
        return User.objects.none()
    return User.objects.filter(held, is_active=True).distinct()


def _users_granted_pathways_of(report: Report) -> QuerySet:
    direct = PathwayUserObjectPermission.objects.filter(
        content_object__report=report, permission__codename=PATHWAY_REVIEW_CODENAME
    ).values("user_id")
    via_group = PathwayGroupObjectPermission.objects.filter(
        content_object__report=report, permission__codename=PATHWAY_REVIEW_CODENAME
    ).values("group_id")
    return User.objects.filter(Q(id__in=direct) | Q(groups__in=via_group)).values("id")
