"""Putting mitigations on the roadmap and moving them along.

Rules:
- A report's authors put an item on the roadmap from one of three things they can see: a
  finding answered "mitigation planned" (once per finding), a line of defence assessed
  weak, or a detection chain with a flag. It names an owning team (one that owns something
  in the report), a status, a target date (required once it is more than proposed, never
  in the past when set) and the pathways it would strengthen (at least one, of the report).
- The authors change anything of an item; members of its owning team move it along (status
  and target date). Each save carries the version it started from; a save over a newer one
  is refused and nothing is lost (the form keeps what was typed).
- Every change writes an audit entry. The daily chase (reviewapp.services.delivery.reminders)
  tells the owning team the day before an open item's target date, and the team and the
  authors once it is past.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from evidence.enums import Strength
from evidence.models import DetectionChain, LineOfDefence
from evidence.selectors import chains_visible_to, lines_visible_to, report_teams
from pathways.access import access_of
from pathways.audit import field_changes, log_action
from pathways.models import Pathway, Report, Team, User
from reviewapp.enums import Disposition, RoadmapStatus
from reviewapp.models import Finding, RoadmapItem
from reviewapp.selectors.findings import findings_visible_to
from reviewapp.selectors.roadmap import chain_flags_of, roadmap_visible_to

MAX_TEXT = 10_000
Source = Finding | LineOfDefence | DetectionChain


class RoadmapRefused(Exception):
    """An item or a change that may not be saved; the message says why."""


class RoadmapConflict(RoadmapRefused):
    """The item changed since the form was opened."""


def source_label(source: Source) -> str:
    """What an item came from, as a reader names it."""
    if isinstance(source, Finding):
        return f"{source.get_severity_display()} finding from {source.organisation.name}: {source.get_kind_display()}"
    if isinstance(source, LineOfDefence):
        return f"Weak line of defence “{source.title}”"
    return f"Detection chain “{source.scenario}”"


def source_pathway_ids(source: Source) -> list[int]:
    """The pathways an item from `source` would strengthen, to begin with."""
    if isinstance(source, Finding):
        if source.pathway_id:
            return [source.pathway_id]
        if source.claim is not None:
            return list(source.claim.pathways.order_by("position").values_list("id", flat=True))
        if source.line is not None:
            return [source.line.pathway_id]
        if source.step is not None:
            return [source.step.chain.pathway_id]
        return []
    return [source.pathway_id]


def _check_source(author: User, report: Report, source: Source) -> None:
    access = access_of(author)
    if isinstance(source, Finding):
        if not findings_visible_to(access).filter(pk=source.pk, report=report).exists():
            raise RoadmapRefused("You cannot see this finding.")
        if source.disposition != Disposition.MITIGATION_PLANNED:
            raise RoadmapRefused("Only a finding answered “mitigation planned” goes on the roadmap.")
        if RoadmapItem.objects.filter(finding=source).exists():
            raise RoadmapRefused("This finding is on the roadmap already.")
    elif isinstance(source, LineOfDefence):
        if not lines_visible_to(access).filter(pk=source.pk, report=report).exists():
            raise RoadmapRefused("You cannot see this line of defence.")
        if source.strength != Strength.WEAK:
            raise RoadmapRefused("Only a line of defence assessed weak goes on the roadmap.")
    else:
        if not chains_visible_to(access).filter(pk=source.pk, report=report).exists():
            raise RoadmapRefused("You cannot see this detection chain.")
        if not chain_flags_of(access, source):
            raise RoadmapRefused("Only a detection chain with a gap goes on the roadmap.")


def _checked(
    report: Report,
    *,
    title: str,
    description: str,
    owner_team: Team,
    status: str,
    target_date: datetime.date | None,
    pathways: list[Pathway],
    earlier_date: datetime.date | None = None,
    earlier_team_id: int | None = None,
) -> dict:
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise RoadmapRefused("Say what the mitigation is.")
    if len(title) > RoadmapItem.TITLE_LENGTH:
        raise RoadmapRefused("The title is too long: keep it to a line.")
    if len(description) > MAX_TEXT:
        raise RoadmapRefused(f"The description is {len(description):,} characters long; the limit is {MAX_TEXT:,}.")
    if status not in RoadmapStatus.values:
        raise RoadmapRefused("Choose proposed, planned, in progress or done.")
    if target_date is None and status != RoadmapStatus.PROPOSED:
        raise RoadmapRefused("Give a target date: a mitigation planned or under way has one.")
    if target_date is not None and target_date != earlier_date and target_date < timezone.localdate():
        raise RoadmapRefused("The target date is in the past: choose today or later.")
    if owner_team.pk != earlier_team_id and not report_teams(report).filter(pk=owner_team.pk).exists():
        raise RoadmapRefused("Choose a team that owns something in this report.")
    if not pathways:
        raise RoadmapRefused("Choose at least one pathway it would strengthen.")
    if any(pathway.report_id != report.pk for pathway in pathways):
        raise RoadmapRefused("Choose pathways of this report.")
    return {
        "title": title,
        "description": description,
        "owner_team": owner_team,
        "status": status,
        "target_date": target_date,
    }


@transaction.atomic
def roadmap_item_create(
    *, author: User, report: Report, source: Source, pathways: list[Pathway], **fields
) -> RoadmapItem:
    if not access_of(author).on(report).may_edit:
        raise RoadmapRefused("Only the report's authors put mitigations on the roadmap.")
    _check_source(author, report, source)
    values = _checked(report, pathways=pathways, **fields)
    item = RoadmapItem.objects.create(
        report=report,
        finding=source if isinstance(source, Finding) else None,
        line=source if isinstance(source, LineOfDefence) else None,
        chain=source if isinstance(source, DetectionChain) else None,
        source_label=source_label(source)[:400],
        created_by=author,
        **values,
    )
    item.pathways.set(pathways)
    log_action(
        report=report,
        actor=author,
        action="reviewapp.roadmap.added",
        target=item,
        data={
            "source": item.source_label,
            "team": item.owner_team.slug,
            "status": item.status,
            "target_date": item.target_date.isoformat() if item.target_date else None,
            "pathways": [pathway.slug for pathway in pathways],
        },
    )
    return item


def _audit_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Team):
        return value.slug
    return value


@transaction.atomic
def roadmap_item_update(
    *, person: User, item: RoadmapItem, version: int, pathways: list[Pathway] | None = None, **fields
) -> RoadmapItem:
    """Save `fields` (all of them for an author; status and target date for the owning team)
    over the item at the `version` the person read."""
    access = access_of(person)
    locked = (
        roadmap_visible_to(access)
        .select_for_update(of=("self",))
        .select_related("owner_team")
        .filter(pk=item.pk)
        .first()
    )
    if locked is None:
        raise RoadmapRefused("You cannot see this mitigation.")
    scope = access.on(locked.report_id)
    if not scope.may_update_roadmap_item(locked):
        raise RoadmapRefused("Only the report's authors and the owning team change a mitigation.")
    if not scope.may_edit and (pathways is not None or set(fields) - {"status", "target_date"}):
        raise RoadmapRefused("The owning team moves a mitigation along (status and date); the authors change the rest.")
    if version != locked.version:
        raise RoadmapConflict(
            "Someone changed this mitigation since you opened it; their change is shown above, and yours is kept "
            "below: save it again to replace theirs."
        )
    current_pathways = list(locked.pathways.order_by("position", "id"))
    merged = {
        "title": locked.title,
        "description": locked.description,
        "owner_team": locked.owner_team,
        "status": locked.status,
        "target_date": locked.target_date,
        **fields,
    }
    chosen = current_pathways if pathways is None else pathways
    values = _checked(
        locked.report, pathways=chosen, earlier_date=locked.target_date, earlier_team_id=locked.owner_team_id, **merged
    )
    changes = {
        name: {"before": _audit_value(change["before"]), "after": _audit_value(change["after"])}
        for name, change in field_changes(locked, values).items()
    }
    if {pathway.pk for pathway in chosen} != {pathway.pk for pathway in current_pathways}:
        changes["pathways"] = {
            "before": [pathway.slug for pathway in current_pathways],
            "after": [pathway.slug for pathway in chosen],
        }
        locked.pathways.set(chosen)
    if not changes:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    log_action(
        report=locked.report, actor=person, action="reviewapp.roadmap.changed", target=locked, data={"changes": changes}
    )
    return locked
