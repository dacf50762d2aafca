"""Who has access to a report, and the changes to it: grants, scope and revocation.

Rules:
- A role is a guardian permission on the report; an external reviewer limited to some
  pathways holds a permission on each of those pathways instead. A grant that does not fit
  the person's clearance is refused (internal roles are for internal people); clearance
  itself is set only by staff, in the admin.
- Every change a person makes in the app (`actor`) is one entry in the report's audit log
  (who, to whom, the roles and pathways before and after). The commands, run by staff
  with a shell, print what they did instead.
- `report_people` lists the people granted on a report directly, with their roles, their
  organisation, their pathway scope and when they were last seen, in two queries.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from guardian.shortcuts import assign_perm

from pathways.access import ROLE_BY_CODENAME, access_of, allowed_roles
from pathways.audit import log_action
from pathways.enums import GRANTABLE_ROLES, PATHWAY_REVIEW_CODENAME, REVIEWER_ROLES, OrganisationKind, Role
from pathways.models import (
    Pathway,
    PathwayGroupObjectPermission,
    PathwayUserObjectPermission,
    Report,
    ReportGroupObjectPermission,
    ReportUserObjectPermission,
    ReviewerOrganisation,
    Team,
    User,
)


class AccessError(ValueError):
    """A grant that must not happen; the message says why."""


@dataclass
class PersonOnReport:
    """One person granted on a report: `roles` as granted; `idle_roles`, the ones their
    clearance makes count for nothing; `pathways`, the pathways they are limited to (empty:
    the whole report)."""

    user: User
    roles: list[Role] = field(default_factory=list)
    idle_roles: list[Role] = field(default_factory=list)
    pathways: list[Pathway] = field(default_factory=list)
    scope_form: object = None  # the People page's form for an external reviewer's pathways

    @property
    def last_seen(self) -> datetime | None:
        return self.user.last_seen

    @property
    def scope_label(self) -> str:
        if self.pathways and not self.roles:
            return f"{len(self.pathways)} pathway{'s' if len(self.pathways) > 1 else ''}"
        return "The whole report"

    @property
    def pathway_titles(self) -> str:
        return "; ".join(pathway.title for pathway in self.pathways)

    @property
    def is_external_reviewer(self) -> bool:
        return self.user.is_external and (bool(self.pathways) or Role.EXTERNAL_REVIEWER in self.roles)


def report_people(report: Report) -> list[PersonOnReport]:
    """Everyone granted a role on the report or one of its pathways, by name (two queries)."""
    people: dict[int, PersonOnReport] = {}
    for grant in ReportUserObjectPermission.objects.filter(content_object=report).select_related(
        "user__organisation", "permission"
    ):
        role = ROLE_BY_CODENAME.get(grant.permission.codename)
        if role is None:
            continue
        person = people.setdefault(grant.user_id, PersonOnReport(user=grant.user))
        (person.roles if role in allowed_roles(grant.user.clearance) else person.idle_roles).append(role)
    for pathway_grant in (
        PathwayUserObjectPermission.objects.filter(
            content_object__report=report, permission__codename=PATHWAY_REVIEW_CODENAME
        )
        .select_related("user__organisation", "content_object")
        .order_by("content_object__position")
    ):
        person = people.setdefault(pathway_grant.user_id, PersonOnReport(user=pathway_grant.user))
        person.pathways.append(pathway_grant.content_object)
    return sorted(people.values(), key=lambda person: (str(person.user).lower(), person.user.username))


def report_groups(report: Report) -> list[tuple[Group, list[str]]]:
    """The groups granted on the report or its pathways, each with what it holds (labels)."""
    held: dict[int, tuple[Group, list[str]]] = {}
    for grant in ReportGroupObjectPermission.objects.filter(content_object=report).select_related(
        "group", "permission"
    ):
        role = ROLE_BY_CODENAME.get(grant.permission.codename)
        if role is not None:
            held.setdefault(grant.group_id, (grant.group, []))[1].append(role.label)
    for pathway_grant in PathwayGroupObjectPermission.objects.filter(content_object__report=report).select_related(
        "group", "content_object"
    ):
        title = pathway_grant.content_object.title
        held.setdefault(pathway_grant.group_id, (pathway_grant.group, []))[1].append(f"Pathway: {title}")
    return sorted(held.values(), key=lambda entry: entry[0].name)


def _holding(*, report: Report, user: User) -> dict:
    """What the person holds on the report, for the audit entry's before and after."""
    roles = sorted(
        ROLE_BY_CODENAME[codename].label
        for codename in ReportUserObjectPermission.objects.filter(user=user, content_object=report).values_list(
            "permission__codename", flat=True
        )
        if codename in ROLE_BY_CODENAME
    )
    pathways = list(
        PathwayUserObjectPermission.objects.filter(user=user, content_object__report=report)
        .order_by("content_object__position")
        .values_list("content_object__title", flat=True)
    )
    return {"roles": roles, "pathways": pathways}


def _log_change(*, report: Report, actor: User | None, user: User, action: str, before: dict, after: dict) -> None:
    changed = [name for name in ("roles", "pathways") if before[name] != after[name]]
    changes = {name: {"before": before[name], "after": after[name]} for name in changed}
    if changes and actor is not None:
        log_action(report=report, actor=actor, action=action, target=user, data={"changes": changes})


def _organisation_for(*, user: User, role: Role, org_name: str) -> ReviewerOrganisation:
    kind = OrganisationKind.INTERNAL if role == Role.STRESS_TESTER else OrganisationKind.EXTERNAL
    organisation, _ = ReviewerOrganisation.objects.get_or_create(name=org_name, defaults={"kind": kind})
    if organisation.kind != kind:
        raise AccessError(
            f"'{organisation.name}' is an {organisation.get_kind_display().lower()}; "
            f"a {role.label.lower()} acts for an {OrganisationKind(kind).label.lower()}"
        )
    if user.organisation_id and user.organisation_id != organisation.id:
        assert user.organisation is not None  # organisation_id is set
        raise AccessError(
            f"{user.username} already acts for '{user.organisation.name}'; a person acts for one reviewer organisation"
        )
    return organisation


@transaction.atomic
def access_grant(
    *,
    report: Report,
    user: User,
    role: Role | str,
    org_name: str = "",
    pathway_slugs: list[str] | None = None,
    actor: User | None = None,
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
    if actor is not None:
        _may_grant(actor=actor, report=report, user=user, role=role, org_name=org_name)

    pathways = []
    if pathway_slugs:
        pathways = list(Pathway.objects.filter(report=report, slug__in=pathway_slugs))
        unknown = sorted(set(pathway_slugs) - {pathway.slug for pathway in pathways})
        if unknown:
            raise AccessError(f"report '{report.slug}' has no pathway {', '.join(repr(s) for s in unknown)}")

    User.objects.select_for_update().filter(pk=user.pk).first()  # one change to a person's access at a time
    before = _holding(report=report, user=user)
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
    else:
        assign_perm(f"pathways.{role.codename}", user, report)
    after = _holding(report=report, user=user)
    _log_change(report=report, actor=actor, user=user, action="pathways.access.granted", before=before, after=after)


def _may_grant(*, actor: User, report: Report, user: User, role: Role, org_name: str) -> None:
    """In the app, nobody changes their own access (an author cannot make themselves
    leadership and sign off their own report), and the leadership role, which signs off, is
    given only by leadership or staff; only staff put someone into an organisation that
    exists already."""
    if actor.pk == user.pk:
        raise AccessError("you cannot change your own access: ask another author or leader")
    if role in REVIEWER_ROLES and not actor.is_staff:
        # A reviewer records verdicts for their organisation: joining one that exists is
        # for staff, or the report's authors could speak for an outside reviewer.
        existing = ReviewerOrganisation.objects.filter(name=org_name).exclude(pk=user.organisation_id or 0).first()
        if existing is not None:
            raise AccessError(
                f"'{existing.name}' exists already: only staff add people to an organisation "
                "(a new reviewer from it is added by staff; or name a new organisation)"
            )
    if role == Role.LEADERSHIP and not actor.is_staff and Role.LEADERSHIP not in access_of(actor).on(report).roles:
        raise AccessError("only leadership or staff give the leadership role")


def _remove_external_scope(*, report: Report, user: User) -> None:
    ReportUserObjectPermission.objects.filter(
        user=user, content_object=report, permission__codename=Role.EXTERNAL_REVIEWER.codename
    ).delete()
    PathwayUserObjectPermission.objects.filter(user=user, content_object__report=report).delete()


@transaction.atomic
def access_revoke(*, report: Report, user: User, actor: User | None = None) -> int:
    """Remove every grant this person holds on the report; returns how many were removed.
    Scope is read on every request, so this takes effect on their next one."""
    before = _holding(report=report, user=user)
    removed, _ = ReportUserObjectPermission.objects.filter(user=user, content_object=report).delete()
    removed_pathways, _ = PathwayUserObjectPermission.objects.filter(user=user, content_object__report=report).delete()
    after: dict[str, list[str]] = {"roles": [], "pathways": []}
    _log_change(report=report, actor=actor, user=user, action="pathways.access.revoked", before=before, after=after)
    return removed + removed_pathways


def groups_granting(*, report: Report, user: User) -> list[str]:
    """Names of the person's groups that hold a grant on the report or one of its pathways:
    access that revoking the person's own grants leaves in place."""
    return list(
        Group.objects.filter(user=user)
        .filter(
            Q(id__in=ReportGroupObjectPermission.objects.filter(content_object=report).values("group_id"))
            | Q(id__in=PathwayGroupObjectPermission.objects.filter(content_object__report=report).values("group_id"))
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


@transaction.atomic
def team_member_add(*, team: Team, user: User) -> bool:
    """Make an internal person a member of an owning team; returns False if they already were."""
    if user.is_external:
        raise AccessError(f"{user.username} has external clearance; owning teams are internal")
    if team.members.filter(pk=user.pk).exists():
        return False
    team.members.add(user)
    return True
