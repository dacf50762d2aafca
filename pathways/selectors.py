"""Scoped reads: every view, export, search and task asks these who may see what.

The rule:
- A person sees a report when they hold a role on it (a guardian permission on the
  report, to them or to one of their groups), when they may review some of its
  pathways, or, if internal, when a team they belong to owns a claim or an evidence
  item in it.
- Internal people with a role or team link see every pathway of the report. External
  reviewers see every pathway with a whole-report grant, otherwise only the pathways
  granted to them.
- Claims and evidence are further cut by sensitivity: internal people read
  everything, external people up to `reviewer`.

Each rule is written once, as a filter on the person's access object
(`pathways.access.Access`, computed once per request): `pathway_scope(access)` and the
like. `path` lets another model reach the same rule through a foreign key
(`claim_scope(access, "claim__")` on comments), so scopes compose by joins; none is a
subquery of another. The `*_visible_to(person)` functions are those filters applied, and
take a user or an access object.

Every scope has two parts. In the reports a person sees whole, it is a filter on the row's
own `report_id` (and, below internal level, on sensitivity): the database guarantees that
a row's report is the report of what it is about (a conclusion's pathway, a comment's or
a request's subject: composite foreign keys on (subject, report)), so no join is needed.
Only in the reports a person sees through granted pathways does the scope follow the links
from the granted pathways, by one join or an EXISTS.
"""

from collections import OrderedDict
from functools import reduce
from operator import or_

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, Func, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from pathways.access import Access, ReportAccess, access_of
from pathways.enums import PATHWAY_REVIEW_CODENAME, Role
from pathways.models import (
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    PathwayGroupObjectPermission,
    PathwayUserObjectPermission,
    Report,
    ReportGroupObjectPermission,
    ReportUserObjectPermission,
    User,
)

# A filter that matches nothing: Django sends no query that it must hold.
NOTHING = Q(pk__in=[])


def ids(values) -> list:
    """A person's id set as a sorted list, so the same access always writes the same SQL."""
    return sorted(values)


def any_of(*filters: Q | None) -> Q:
    """The filters given (None for one that does not apply) joined by OR; NOTHING when none applies."""
    present = [scope for scope in filters if scope is not None and scope is not NOTHING]
    return reduce(or_, present) if present else NOTHING


def report_scope(access: Access, path: str = "") -> Q:
    """Reports seen whole or through some granted pathways."""
    if not access.visible_report_ids:
        return NOTHING
    return Q(**{f"{path}id__in": ids(access.visible_report_ids)})


def pathway_scope(access: Access, path: str = "") -> Q:
    """Pathways of reports seen whole, and pathways granted one by one."""
    return any_of(
        Q(**{f"{path}report_id__in": ids(access.whole_report_ids)}) if access.whole_report_ids else None,
        Q(**{f"{path}id__in": ids(access.limited_pathway_ids)}) if access.limited_pathway_ids else None,
    )


def readable(access: Access, path: str = "") -> Q | None:
    """The sensitivities this person reads, as a filter; None for internal staff, who read
    all three (the only values the database allows)."""
    return None if access.reads_everything else Q(**{f"{path}sensitivity__in": access.readable})


def count_of(queryset) -> Subquery:
    """A COUNT of `queryset` as a subquery: correlated (with OuterRef), for annotating each
    row of an outer query, or not, for a count PostgreSQL runs once per query."""
    return Subquery(queryset.order_by().annotate(count=Func("pk", function="COUNT")).values("count"))


def in_reports(report_ids, path: str = "") -> Q | None:
    return Q(**{f"{path}report_id__in": ids(report_ids)}) if report_ids else None


def both(*filters: Q | None) -> Q | None:
    """The filters given (None for one that does not apply) joined by AND; None when none applies."""
    present = [scope for scope in filters if scope is not None]
    return reduce(lambda left, right: left & right, present) if present else None


def readable_in_scope(access: Access, path: str, through_granted_pathway) -> Q:
    """The rule claims and evidence share: at or below the reading level, and in a report
    seen whole or, in a report seen through granted pathways, reached from one of them.
    `through_granted_pathway(pathway_ids)` is the Exists that says how they are reached."""
    whole = in_reports(access.whole_report_ids, path)
    limited = None
    if access.limited_pathway_ids:
        limited = both(
            in_reports(access.limited_report_ids, path),
            Q(through_granted_pathway(ids(access.limited_pathway_ids))),
        )
    reach = any_of(whole, limited)
    if reach is NOTHING:
        return NOTHING
    sensitivity = readable(access, path)
    return reach if sensitivity is None else sensitivity & reach


def claim_scope(access: Access, path: str = "") -> Q:
    """Claims at or below the reading level, in reports seen whole or resting on a granted
    pathway of their own report (a link row across reports counts for nothing)."""
    return readable_in_scope(
        access,
        path,
        lambda pathway_ids: Exists(
            PathwayClaim.objects.filter(
                claim_id=OuterRef(f"{path}id"),
                pathway_id__in=pathway_ids,
                pathway__report_id=OuterRef(f"{path}report_id"),
            )
        ),
    )


def conclusion_scope(access: Access, path: str = "") -> Q:
    """A pathway's conclusion goes with its pathway; the overall one with the report."""
    return any_of(
        in_reports(access.whole_report_ids, path),
        Q(**{f"{path}pathway_id__in": ids(access.limited_pathway_ids)}) if access.limited_pathway_ids else None,
        both(Q(**{f"{path}pathway__isnull": True}), in_reports(access.limited_report_ids, path))
        if access.limited_report_ids
        else None,
    )


class Kept:
    """A bounded memo (least recently used first out) for what is built from an access
    object's content alone, and so may be kept across requests keyed on its fingerprint."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()

    def get(self, key, build):
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        value = self.entries[key] = build()
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value


# Built scoped querysets, by (model, scope, shape, access fingerprint); see `scoped`.
SCOPED = Kept(size=2048)


def scoped(model, scope, person, shape=None) -> QuerySet:
    """`model.objects.filter(scope(access))`, built once per process for each access content
    (and, with `shape`, `shape(that queryset, access)`: annotations a page adds every time).

    Turning a scope's Q into a query (resolving each lookup path into joins) is the costly
    part of a scoped read: 5-20 ms for a pathway-limited reviewer's notification scope. The
    result depends on nothing but the model, the scope function, the shape and the access
    object's content, so it is kept, keyed on the access fingerprint, and each caller gets a
    clone. A changed grant changes the fingerprint, so a revocation is never served an old
    filter. The kept querysets are never evaluated (a clone is), and hold ids, not rows."""
    access = access_of(person)

    def build():
        built = model._default_manager.filter(scope(access))
        return shape(built, access) if shape is not None else built

    return SCOPED.get((model, scope, shape, access.fingerprint), build).all()


def reports_visible_to(person) -> QuerySet[Report]:
    """Reports this person may open: by a role, by some granted pathways, or by owning-team membership."""
    return scoped(Report, report_scope, person)


def pathways_visible_to(person) -> QuerySet[Pathway]:
    return scoped(Pathway, pathway_scope, person)


def claims_visible_to(person) -> QuerySet[Claim]:
    return scoped(Claim, claim_scope, person)


def conclusions_visible_to(person) -> QuerySet[Conclusion]:
    return scoped(Conclusion, conclusion_scope, person)


def report_for_user(person, slug: str) -> Report:
    """The report, or Http404 when it does not exist or is out of this person's scope."""
    return get_object_or_404(reports_visible_to(person), slug=slug)


# One lookup per object: the thing a URL names, in its report and in this person's scope,
# or Http404 — a slug of another report's claim finds nothing, as a missing one does.


def claim_for_user(person, report: Report, slug: str, *, pathway_ids: bool = False) -> Claim:
    """The claim, with its owning team; `pathway_ids`: with the ids of the pathways resting
    on it (every one of them: a page reads them against the pathways it shows)."""
    claims = claims_visible_to(person).filter(report=report).select_related("owner_team")
    if pathway_ids:
        claims = claims.annotate(
            pathway_ids=ArraySubquery(PathwayClaim.objects.filter(claim=OuterRef("pk")).values("pathway_id"))
        )
    return get_object_or_404(claims, slug=slug)


def conclusion_for_user(person, report: Report, *, pathway_slug: str | None = None, pk: int | None = None):
    """A pathway's conclusion (by the pathway's slug), a conclusion by id, or else the
    report's overall conclusion; with its pathway."""
    conclusions = conclusions_visible_to(person).filter(report=report).select_related("pathway")
    if pk is not None:
        return get_object_or_404(conclusions, pk=pk)
    if pathway_slug is not None:
        return get_object_or_404(conclusions, pathway__slug=pathway_slug)
    return get_object_or_404(conclusions, pathway=None)


def reader_scope(person, report: Report) -> ReportAccess:
    """This person on the report: their roles there and what they may do (no query)."""
    return access_of(person).on(report)


def people_with_roles(*, report: Report, roles, include_pathway_grants: bool = False) -> QuerySet[User]:
    """Active people holding one of `roles` on the report, directly or through a group, of
    the clearance each role is for (a grant the access rule ignores counts for nothing
    here either). With `include_pathway_grants`, external reviewers granted only some of
    its pathways count as holding the external-reviewer role. For choosing whom to tell of
    an event: what each may then read is decided again, under their own access."""
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
