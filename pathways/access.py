"""What one person can reach, computed once per request (and once per task run), and what
they may do there.

`Access` is read in one query from the guardian tables, team membership and the person's
reviewer organisation: the reports they see whole, the pathways granted to them one by
one, their reading level, their roles per report, their organisation and their teams.
Every scope function (`*_visible_to`) filters on these sets, so a scope is a plain filter
on a few ids, or one join, never a scope function nested inside another.

The sets are per person and small (grants on tens of reports, not thousands): the one
place where ids are carried in Python; all that grows with the data stays in the database.
The object is built afresh for every request (`reviewapp.middleware.AccessMiddleware`) and
by every task when it runs, so a revoked grant takes effect on the person's next request.

`ReportAccess` is one person on one report, and the one place for what they may do there:
views answer 403, services refuse, templates show actions and tasks decide with it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.contrib.auth.models import Permission
from django.db import connection

from pathways.enums import (
    GRANTABLE_ROLES,
    PATHWAY_REVIEW_CODENAME,
    Clearance,
    Role,
    Sensitivity,
)
from pathways.models import (
    Claim,
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

ROLE_BY_CODENAME = {role.codename: role for role in GRANTABLE_ROLES}
DASHBOARD_ROLES = frozenset({Role.LEADERSHIP, Role.AUTHOR})
# The roles that see every information request of a report, whoever filed it.
REQUEST_OVERSEERS = frozenset({Role.AUTHOR, Role.LEADERSHIP})
# Who reports and triages warning signs: the internal staff who run the review.
WARNING_SIGN_HANDLERS = frozenset({Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER})
ROLE_ORDER = [Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER, Role.TEAM_MEMBER]
# Where the person is remembered on a user instance (see `access_of`).
_CACHE_ATTRIBUTE = "_access_for_request"


def allowed_roles(clearance: str) -> frozenset:
    """The grants that count for a person of this clearance: an external person's internal
    grant (made by hand, bypassing the commands) gives nothing."""
    if clearance == Clearance.EXTERNAL:
        return frozenset({Role.EXTERNAL_REVIEWER})
    return frozenset(GRANTABLE_ROLES)


@dataclass(frozen=True)
class Access:
    """What one person can reach. Build it with `access_of(user)`."""

    user: User | None
    level: str = Sensitivity.PUBLIC
    is_external: bool = True
    organisation: ReviewerOrganisation | None = None
    team_ids: frozenset = frozenset()
    # report id → the roles granted on it (to the person or a group of theirs) that count for their clearance
    granted_roles: Mapping = field(default_factory=dict)
    # report id → the pathways of it granted one by one
    pathway_grants: Mapping = field(default_factory=dict)
    # reports in which a team of theirs owns a claim or an evidence item (internal people only)
    team_report_ids: frozenset = frozenset()

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None

    @property
    def readable(self) -> list[str]:
        """The sensitivities this person reads."""
        return Sensitivity.at_or_below(self.level)

    @cached_property
    def whole_report_ids(self) -> frozenset:
        """Reports of which this person sees every pathway: by a role, or by owning-team membership."""
        return frozenset(self.granted_roles) | self.team_report_ids

    @cached_property
    def visible_report_ids(self) -> frozenset:
        """Reports this person may open: seen whole, or through some granted pathways."""
        return self.whole_report_ids | frozenset(self.pathway_grants)

    @cached_property
    def limited_report_ids(self) -> frozenset:
        """Reports this person sees only through pathways granted one by one."""
        return frozenset(self.pathway_grants) - self.whole_report_ids

    @cached_property
    def fingerprint(self) -> tuple:
        """Everything a scope reads, as one hashable value: two access objects with the same
        fingerprint get the same filters (`pathways.selectors.scoped` keys on it)."""
        return (
            self.user_id,
            self.level,
            self.is_external,
            self.organisation_id,
            tuple(sorted(self.team_ids)),
            tuple(sorted((report_id, tuple(sorted(roles))) for report_id, roles in self.granted_roles.items())),
            tuple(sorted((report_id, tuple(sorted(ids))) for report_id, ids in self.pathway_grants.items())),
            tuple(sorted(self.team_report_ids)),
        )

    @property
    def reads_everything(self) -> bool:
        """Reads every sensitivity (internal staff): no sensitivity filter is needed."""
        return self.level == Sensitivity.INTERNAL

    @cached_property
    def limited_pathway_ids(self) -> frozenset:
        """Pathways granted one by one in reports this person does not see whole (in a report
        seen whole, a pathway grant adds nothing)."""
        return frozenset(
            pathway_id
            for report_id, pathway_ids in self.pathway_grants.items()
            if report_id not in self.whole_report_ids
            for pathway_id in pathway_ids
        )

    def report_ids_with(self, roles) -> frozenset:
        """Reports on which this person holds one of `roles` by a grant."""
        roles = set(roles)
        return frozenset(report_id for report_id, held in self.granted_roles.items() if held & roles)

    def on(self, report) -> "ReportAccess":
        """This person on one report (a Report or its id)."""
        report_id = report if isinstance(report, int) else report.pk
        return ReportAccess(access=self, report_id=report_id)

    def sees_report(self, report) -> bool:
        report_id = report if isinstance(report, int) else report.pk
        return report_id in self.visible_report_ids


NOBODY = Access(user=None)


@dataclass(frozen=True)
class ReportAccess:
    """One person on one report: their roles there and what they may do."""

    access: Access
    report_id: int

    @property
    def level(self) -> str:
        return self.access.level

    @property
    def organisation(self) -> ReviewerOrganisation | None:
        return self.access.organisation

    @property
    def visible(self) -> bool:
        return self.report_id in self.access.visible_report_ids

    @property
    def sees_whole_report(self) -> bool:
        return self.report_id in self.access.whole_report_ids

    @cached_property
    def roles(self) -> frozenset:
        """The roles granted on the report; someone who sees it without one is an external
        reviewer granted some pathways, or an owning-team member."""
        granted = self.access.granted_roles.get(self.report_id, frozenset())
        if granted:
            return granted
        return frozenset({Role.EXTERNAL_REVIEWER if self.access.is_external else Role.TEAM_MEMBER})

    @property
    def primary_role(self) -> Role:
        return next(role for role in ROLE_ORDER if role in self.roles)

    @property
    def is_author(self) -> bool:
        return Role.AUTHOR in self.roles

    @property
    def is_leadership(self) -> bool:
        return Role.LEADERSHIP in self.roles

    # ------------------------------------------------------------------ what they may do

    @property
    def reviewing_organisation(self) -> ReviewerOrganisation | None:
        """The organisation this person files requests and records verdicts for on this report:
        theirs, when they hold the reviewer role of their clearance here (stress-tester for
        internal people; external reviewer, for the whole report or some pathways, for
        external people). None for everybody else."""
        if not self.visible or self.access.organisation is None:
            return None
        role = Role.EXTERNAL_REVIEWER if self.access.is_external else Role.STRESS_TESTER
        return self.access.organisation if role in self.roles else None

    @property
    def may_file_requests(self) -> bool:
        """Files requests, records verdicts on the conclusions and raises findings on the
        claims and lines of defence they can see, for their organisation."""
        return self.reviewing_organisation is not None

    may_record_verdicts = may_raise_findings = may_file_requests

    @property
    def may_edit(self) -> bool:
        """Edits the report's pathways, claims, evidence and conclusions, and moves it between draft and review."""
        return self.visible and self.is_author

    @property
    def may_open_dashboard(self) -> bool:
        """The sign-off dashboard and the recorded sign-offs."""
        return self.visible and bool(self.roles & DASHBOARD_ROLES)

    may_manage_people = may_open_dashboard  # the People page: grants, scope, revocation

    @property
    def may_sign_off(self) -> bool:
        return self.visible and self.is_leadership

    @property
    def may_read_internal_pages(self) -> bool:
        """Change histories and the audit log: internal material, for internal people who see the report."""
        return self.visible and not self.access.is_external

    @property
    def reads_roadmap(self) -> bool:
        """The mitigation roadmap: the developer's own plan, for internal staff who see the whole report."""
        return self.sees_whole_report and not self.access.is_external

    def may_update_roadmap_item(self, item) -> bool:
        """Moves a mitigation along (status, target date): the report's authors, and the team that owns it."""
        return self.reads_roadmap and (self.is_author or item.owner_team_id in self.access.team_ids)

    @property
    def handles_warning_signs(self) -> bool:
        """Reads the report's warning signs, reports them by the form and triages them."""
        return self.visible and not self.access.is_external and bool(self.roles & WARNING_SIGN_HANDLERS)

    @property
    def oversees_requests(self) -> bool:
        """Sees every information request on the report (about what they can see), whoever filed it."""
        return self.visible and not self.access.is_external and bool(self.roles & REQUEST_OVERSEERS)

    def may_answer(self, information_request) -> bool:
        """Answers and declines for the team the request is addressed to."""
        return self.visible and information_request.team_id in self.access.team_ids

    def may_act_as_requester(self, information_request) -> bool:
        """Follows up and closes, for the organisation that filed the request."""
        organisation_id = self.access.organisation_id
        return self.visible and organisation_id is not None and organisation_id == information_request.organisation_id

    def may_resolve(self, thread) -> bool:
        """Resolves and reopens a thread: the person who started it, the report's authors, stress-testers."""
        return self.visible and (
            thread.author_id == self.access.user_id or self.is_author or Role.STRESS_TESTER in self.roles
        )

    def may_edit_comment(self, comment) -> bool:
        return comment.author_id == self.access.user_id


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@lru_cache(maxsize=4)
def _grant_rows_sql(internal: bool, with_organisation: bool) -> str:
    """The access query, written once per shape. It is SQL rather than the ORM because every
    request runs it: the ORM took longer to compile its seven parts than PostgreSQL to run them.

    Rows, tagged by what they are:
    ("role", report id, —, codename)        a report permission, to the person or a group of theirs
    ("pathway", report id, pathway id, —)   a pathway granted one by one, likewise
    ("team", team id, —, —)                 an owning team they belong to
    ("owns", report id, —, —)               a report where such a team owns a claim or evidence item
    ("organisation", id, —, "kind|name")    the reviewer organisation they act for
    """
    evidence = Report._meta.get_field("evidence_items").related_model  # imports run evidence → pathways
    members, user_groups = _table(Team.members.through), _table(User.groups.through)
    permission = _table(Permission)
    parts = [
        f"""SELECT 'role'::text, g.content_object_id, NULL::bigint, p.codename::text
        FROM {_table(ReportUserObjectPermission)} g JOIN {permission} p ON p.id = g.permission_id
        WHERE g.user_id = %(user)s""",
        f"""SELECT 'role', g.content_object_id, NULL, p.codename
        FROM {_table(ReportGroupObjectPermission)} g JOIN {permission} p ON p.id = g.permission_id
        JOIN {user_groups} ug ON ug.group_id = g.group_id WHERE ug.user_id = %(user)s""",
        f"""SELECT 'pathway', pw.report_id, g.content_object_id, ''
        FROM {_table(PathwayUserObjectPermission)} g JOIN {permission} p ON p.id = g.permission_id
        JOIN {_table(Pathway)} pw ON pw.id = g.content_object_id
        WHERE g.user_id = %(user)s AND p.codename = %(pathway_codename)s""",
        f"""SELECT 'pathway', pw.report_id, g.content_object_id, ''
        FROM {_table(PathwayGroupObjectPermission)} g JOIN {permission} p ON p.id = g.permission_id
        JOIN {_table(Pathway)} pw ON pw.id = g.content_object_id
        JOIN {user_groups} ug ON ug.group_id = g.group_id
        WHERE ug.user_id = %(user)s AND p.codename = %(pathway_codename)s""",
        f"SELECT 'team', m.team_id, NULL, '' FROM {members} m WHERE m.user_id = %(user)s",
    ]
    if internal:
        # One probe of the (owner team, report) indexes per team and report: a team may own
        # thousands of evidence items, but in a few tens of reports.
        parts.append(
            f"""SELECT DISTINCT 'owns'::text, r.id, NULL::bigint, ''::text
            FROM {_table(Report)} r JOIN {members} m ON m.user_id = %(user)s
            WHERE EXISTS (SELECT 1 FROM {_table(Claim)} c WHERE c.owner_team_id = m.team_id AND c.report_id = r.id)
            OR EXISTS (SELECT 1 FROM {_table(evidence)} e WHERE e.owner_team_id = m.team_id AND e.report_id = r.id)"""
        )
    if with_organisation:
        parts.append(
            f"""SELECT 'organisation', o.id, NULL, o.kind || '|' || o.name
            FROM {_table(ReviewerOrganisation)} o WHERE o.id = %(organisation)s"""
        )
    return "\nUNION ALL\n".join(f"({part})" for part in parts)


def _grant_rows(user: User) -> list[tuple]:
    """One query: every row the access object is made of (see `_grant_rows_sql`)."""
    sql = _grant_rows_sql(user.clearance != Clearance.EXTERNAL, bool(user.organisation_id))
    params = {"user": user.pk, "organisation": user.organisation_id, "pathway_codename": PATHWAY_REVIEW_CODENAME}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def compute_access(user) -> Access:
    """The person's access now, read from the database (one query); NOBODY when signed out or inactive."""
    if not _signed_in(user):
        return NOBODY
    allowed = allowed_roles(user.clearance)
    granted_roles: dict[int, set] = {}
    pathway_grants: dict[int, set] = {}
    team_ids, team_report_ids = set(), set()
    organisation = None
    for tag, first, second, name in _grant_rows(user):
        if tag == "role":
            role = ROLE_BY_CODENAME.get(name)
            if role in allowed:
                granted_roles.setdefault(first, set()).add(role)
        elif tag == "pathway":
            pathway_grants.setdefault(first, set()).add(second)
        elif tag == "team":
            team_ids.add(first)
        elif tag == "owns":
            team_report_ids.add(first)
        elif tag == "organisation":
            kind, _, org_name = name.partition("|")
            organisation = ReviewerOrganisation(pk=first, name=org_name, kind=kind)
    return Access(
        user=user,
        level=user.reading_level,
        is_external=user.clearance == Clearance.EXTERNAL,
        organisation=organisation,
        team_ids=frozenset(team_ids),
        granted_roles={report_id: frozenset(roles) for report_id, roles in granted_roles.items()},
        pathway_grants={report_id: frozenset(ids) for report_id, ids in pathway_grants.items()},
        team_report_ids=frozenset(team_report_ids),
    )


def access_of(person) -> Access:
    """The access object of a person (a User, the request's lazy user, None) or an Access
    passed through. A user instance marked by `remember_access` keeps the object it was
    given for its lifetime (the request's user, a task's recipient); any other instance is
    read afresh each time, so code that changes grants and asks again sees the change."""
    if isinstance(person, Access):
        return person
    if person is None or not getattr(person, "is_authenticated", False):
        return NOBODY
    remembered = getattr(person, _CACHE_ATTRIBUTE, None)
    if isinstance(remembered, Access):
        return remembered
    access = compute_access(person)
    if remembered is True:
        setattr(person, _CACHE_ATTRIBUTE, access)
    return access


def remember_access(user) -> None:
    """Compute this user's access once, on first use, and keep it on the instance: for the
    user of one request, or of one task run. Never for an instance that outlives them."""
    if user is not None and getattr(user, "is_authenticated", False) and not hasattr(user, _CACHE_ATTRIBUTE):
        setattr(user, _CACHE_ATTRIBUTE, True)
