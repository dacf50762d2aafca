"""Scoped reads of the mitigation roadmap.

Rule: the roadmap is the developer's own plan. Internal staff who see a report whole read
all of its items (`ReportAccess.reads_roadmap`); nobody else reads any, nor learns how many
there are. Every list and count here goes through `roadmap_scope`.

"Overdue" has one meaning, `RoadmapItem.overdue_q`: past the target date and not done.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from evidence.chains import ChainFlags, chain_rows, pathway_chains
from evidence.models import DetectionChain
from pathways.access import Access, access_of
from pathways.models import Pathway, Report
from pathways.selectors import NOTHING, in_reports, scoped
from reviewapp.enums import Disposition, RoadmapStatus
from reviewapp.models import Finding, RoadmapItem
from reviewapp.selectors.findings import findings_in_report


def roadmap_scope(access: Access, path: str = "") -> Q:
    if access.is_external:
        return NOTHING
    return in_reports(access.whole_report_ids, path) or NOTHING


def roadmap_visible_to(person) -> QuerySet[RoadmapItem]:
    return scoped(RoadmapItem, roadmap_scope, person)


def _in_report(person, report: Report, today: datetime.date) -> QuerySet[RoadmapItem]:
    overdue = Case(When(RoadmapItem.overdue_q(today), then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        roadmap_visible_to(person)
        .filter(report=report)
        .select_related("owner_team", "finding__organisation", "line__pathway", "chain__pathway")
        .prefetch_related(Prefetch("pathways", queryset=Pathway.objects.order_by("position", "id")))
        .annotate(overdue_first=overdue)
        .order_by("overdue_first", "target_date", "id")
    )


def roadmap_in_report(person, report: Report, today: datetime.date) -> list[RoadmapItem]:
    """The report's items this person may read, overdue first (most overdue at the top),
    then by target date, undated last; with their team, source and pathways (two queries),
    each with `overdue_days` as of `today`."""
    items = list(_in_report(person, report, today))
    for item in items:
        item.overdue_days = item.days_overdue(today)
    return items


def roadmap_item_for_user(person, report: Report, pk: int, today: datetime.date) -> RoadmapItem:
    """One item of the report, as `roadmap_in_report` reads it, or Http404."""
    item = get_object_or_404(_in_report(person, report, today), pk=pk)
    item.overdue_days = item.days_overdue(today)
    return item


def roadmap_item_from(person, finding: Finding) -> RoadmapItem | None:
    """The roadmap item a finding became, if the person may read the roadmap (one query, or
    none for anyone who may not)."""
    access = access_of(person)
    if not access.on(finding.report_id).reads_roadmap:
        return None
    return roadmap_visible_to(access).filter(finding=finding).first()


def roadmap_counts(person, report: Report, today: datetime.date) -> dict:
    """How many items the person may read: in all, still open, and overdue (one query;
    zeros for anyone who may not read the roadmap, without asking the database)."""
    access = access_of(person)
    if not access.on(report).reads_roadmap:
        return {"total": 0, "open": 0, "overdue": 0}
    return (
        roadmap_visible_to(access)
        .filter(report=report)
        .aggregate(
            total=Count("id"),
            open=Count("id", filter=~Q(status=RoadmapStatus.DONE)),
            overdue=Count("id", filter=RoadmapItem.overdue_q(today)),
        )
    )


@dataclass
class Group:
    """The items under one heading of the roadmap: a pathway or a team."""

    key: str
    title: str
    items: list = field(default_factory=list)
    linked: bool = True  # the heading leads to the pathway's page (not for items naming none)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue_days)


def grouped(items: list[RoadmapItem], by: str) -> list[Group]:
    """Items (in `roadmap_in_report`'s order) under each pathway they would strengthen, in
    the report's order, or under their team, by name; an item appears under every pathway
    it names. Groups with an overdue item come first."""
    groups: dict[tuple[int, str, str], Group] = {}
    for item in items:
        if by == "team":
            team = item.owner_team
            keys = [(0, team.name, team.slug, team.name)]
        else:
            keys = [(pathway.position, "", pathway.slug, pathway.title) for pathway in item.pathways.all()]
        # An item whose pathways were all taken out of the report since: listed last, not lost.
        linked = bool(keys) or by == "team"
        keys = keys or [(2**31, "", "no-pathway", "No pathway any more")]
        for position, name, key, title in keys:
            group = groups.setdefault((position, name, key), Group(key=key, title=title, linked=linked))
            group.items.append(item)
    ordered = [groups[key] for key in sorted(groups)]
    return sorted(ordered, key=lambda group: group.overdue == 0)


# ----------------------------------------------------------- what can go on the roadmap


def planned_findings(person, report: Report) -> QuerySet[Finding]:
    """Findings the person may read, answered "mitigation planned" and not yet on the roadmap."""
    return findings_in_report(person, report).filter(
        disposition=Disposition.MITIGATION_PLANNED, roadmap_item__isnull=True
    )


def chain_flags_of(access: Access, chain: DetectionChain) -> ChainFlags:
    """A chain's flags as this person sees its steps (one query)."""
    rows = (
        Pathway.objects.filter(pk=chain.pathway_id)
        .annotate(rows=chain_rows(access))
        .values_list("rows", flat=True)
        .first()
    )
    view = next((view for view in pathway_chains(rows) if view.id == chain.pk), None)
    return view.flags if view is not None else ChainFlags()
