"""Saving a checked report file's items in place (`evidence.report_file.importing`): an
item keeps its primary key, its `version` goes up only when its content changes, and new
items and links are created together."""

from django.db import models

from evidence.models import (
    ChainStepEvidence,
    ClaimEvidence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    Evidence,
    LineOfDefence,
)
from pathways.models import Claim, Pathway, PathwayClaim, Report


def changed(instance: models.Model, values: dict) -> bool:
    """Set `values` on `instance` (unsaved); True when any of them differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def item_update[Item: (Pathway, Claim, Evidence, LineOfDefence, DetectionChain)](
    item: Item, *, position: int, content: dict, links_changed: bool = False
) -> Item:
    """Update an existing item in place, raising its version if its content changed."""
    content_changed = changed(item, content) or links_changed
    if content_changed:
        item.version += 1
    if changed(item, {"position": position}) or content_changed:
        item.save()
    return item


def items_save[Item: (Pathway, Claim, Evidence, LineOfDefence, DetectionChain)](
    model: type[Item], *, existing: dict, report: Report, rows: list[tuple]
) -> dict[str, Item]:
    """`rows`: (slug, position, content, links_changed) in order. Existing items are updated
    one by one; new ones are created together, in one statement."""
    items: dict[str, Item] = {}
    new: list[Item] = []
    for slug, position, content, links_changed in rows:
        if slug in existing:
            items[slug] = item_update(existing[slug], position=position, content=content, links_changed=links_changed)
        else:
            items[slug] = model(report=report, slug=slug, position=position, **content)
            new.append(items[slug])
    model.objects.bulk_create(new)
    return items


class Links:
    """Link rows brought to what the file wants, with the new ones created together."""

    def __init__(self, model: type[ClaimEvidence | PathwayClaim | DefenceClaim | DefenceEvidence | ChainStepEvidence]):
        self.model = model
        self.new: list = []

    def bring(self, *, owner: dict, current: list, target: str, wanted: list[dict]) -> None:
        """One pathway's claim links, or one claim's evidence links, to `wanted`, in place.
        `current`: the owner's links now; `target` names the field each link is matched on
        ("evidence_id"); positions follow the order of `wanted`."""
        by_target = {getattr(link, target): link for link in current}
        wanted_targets = {values[target] for values in wanted}
        for target_id, link in by_target.items():
            if target_id not in wanted_targets:
                link.delete()
        for position, values in enumerate(wanted):
            values = {**values, "position": position}
            link = by_target.get(values[target])
            if link is None:
                self.new.append(self.model(**owner, **values))
            elif changed(link, values):
                link.save()

    def save(self) -> None:
        self.model.objects.bulk_create(self.new)
