"""Writes to reports and access. Each function is one transaction and raises
`AccessError` (with a message fit for the person at the keyboard) on bad input."""

from django.db import transaction
from guardian.shortcuts import assign_perm

from pathways.enums import (
    GRANTABLE_ROLES,
    PATHWAY_REVIEW_CODENAME,
    REVIEWER_ROLES,
    OrganisationKind,
    ReportStatus,
    Role,
)
from pathways.models import (
    Pathway,
    PathwayUserObjectPermission,
    Report,
    ReportUserObjectPermission,
    ReviewerOrganisation,
    Team,
    User,
)


class AccessError(ValueError):
    """A grant that must not happen; the message says why."""


def _organisation_for(*, user: User, role: Role, org_name: str) -> ReviewerOrganisation:
    kind = OrganisationKind.INTERNAL if role == Role.STRESS_TESTER else OrganisationKind.EXTERNAL
    organisation, _ = ReviewerOrganisation.objects.get_or_create(name=org_name, defaults={"kind": kind})
    if organisation.kind != kind:
        raise AccessError(
            f"'{organisation.name}' is an {organisation.get_kind_display().lower()}; "
            f"a {role.label.lower()} acts for an {OrganisationKind(kind).label.lower()}"
        )
    if user.organisation_id and user.organisation_id != organisation.id:
        raise AccessError(
            f"{user.username} already acts for '{user.organisation.name}'; a person acts for one reviewer organisation"
        )
    return organisation


@transaction.atomic
def access_grant(
    *, report: Report, user: User, role: str, org_name: str = "", pathway_slugs: list[str] | None = None
) -> None:
    """Give `user` a role on `report`. For an external reviewer, `pathway_slugs` limits them to
    those pathways, and a new grant replaces the earlier scope on this report."""
    try:
        role = Role(role)
    except ValueError:
        raise AccessError(f"unknown role '{role}': use one of {', '.join(r.value for r in GRANTABLE_ROLES)}")
    if role not in GRANTABLE_ROLES:
        raise AccessError(f"'{role.value}' is not granted: it follows from owning-team membership (add_team_member)")
    if user.clearance != role.clearance:
        raise AccessError(
            f"{user.username} has {user.get_clearance_display().lower()} clearance; "
            f"the {role.label.lower()} role is for {role.clearance.label.lower()} people"
        )
    if role in REVIEWER_ROLES and not org_name:
        raise AccessError(f"the {role.label.lower()} role needs --org: the reviewer organisation they act for")
    if role not in REVIEWER_ROLES and org_name:
        raise AccessError(f"--org is only for reviewer roles, not for {role.label.lower()}")
    if pathway_slugs and role != Role.EXTERNAL_REVIEWER:
        raise AccessError("--pathways limits external reviewers only")

    pathways = []
    if pathway_slugs:
        pathways = list(Pathway.objects.filter(report=report, slug__in=pathway_slugs))
        unknown = sorted(set(pathway_slugs) - {pathway.slug for pathway in pathways})
        if unknown:
            raise AccessError(f"report '{report.slug}' has no pathway {', '.join(repr(s) for s in unknown)}")

    if role in REVIEWER_ROLES:
        organisation = _organisation_for(user=user, role=role, org_name=org_name)
        if user.organisation_id != organisation.id:
            user.organisation = organisation
            user.save(update_fields=["organisation"])

    if role == Role.EXTERNAL_REVIEWER:
        _remove_external_scope(report=report, user=user)
        if pathways:
            for pathway in pathways:
                assign_perm(PATHWAY_REVIEW_CODENAME, user, pathway)
            return
    assign_perm(f"pathways.{role.codename}", user, report)


def _remove_external_scope(*, report: Report, user: User) -> None:
    ReportUserObjectPermission.objects.filter(
        user=user, content_object=report, permission__codename=Role.EXTERNAL_REVIEWER.codename
    ).delete()
    PathwayUserObjectPermission.objects.filter(user=user, content_object__report=report).delete()


@transaction.atomic
def access_revoke(*, report: Report, user: User) -> int:
    """Remove every grant this person holds on the report; returns how many were removed.
    Scope is read on every request, so this takes effect on their next one."""
    removed, _ = ReportUserObjectPermission.objects.filter(user=user, content_object=report).delete()
    removed_pathways, _ = PathwayUserObjectPermission.objects.filter(user=user, content_object__report=report).delete()
    return removed + removed_pathways


@transaction.atomic
def team_member_add(*, team: Team, user: User) -> bool:
    """Make an internal person a member of an owning team; returns False if they already were."""
    if user.is_external:
        raise AccessError(f"{user.username} has external clearance; owning teams are internal")
    if team.members.filter(pk=user.pk).exists():
        return False
    team.members.add(user)
    return True


ALLOWED_STATUS_CHANGES = {
    ReportStatus.DRAFT: {ReportStatus.IN_REVIEW},
    ReportStatus.IN_REVIEW: {ReportStatus.DRAFT},
}


@transaction.atomic
def report_status_change(*, report: Report, editor: User, status: str) -> Report:
    """Authors open a draft for review or take it back to draft. Sign-off is recorded by leadership."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if status not in ALLOWED_STATUS_CHANGES.get(report.status, set()):
        raise ValueError(
            f"a {ReportStatus(report.status).label.lower()} report cannot move to {ReportStatus(status).label.lower()}"
        )
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    return report
