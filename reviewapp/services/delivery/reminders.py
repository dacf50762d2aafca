"""The daily chase of information requests and of the roadmap's mitigations, written to
the outbox like any other event."""

import datetime

from django.db import transaction
from django.utils import timezone

from evidence.models import InformationRequest
from reviewapp.enums import ROADMAP_OPEN
from reviewapp.models import RoadmapItem
from reviewapp.services.notifications import (
    notify_request_due_soon,
    notify_request_overdue,
    notify_roadmap_due_soon,
    notify_roadmap_overdue,
)


def request_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily chase. A request awaiting the owning team (open, or followed up) and due
    tomorrow reminds the team; one past its due date tells the team, the requester and the
    report's authors. Each once per request and due date, however often this runs."""
    today = today or timezone.localdate()
    awaiting = InformationRequest.objects.filter(InformationRequest.open_requests()).select_related(
        "report", "team", "requester"
    )
    counts = {"due_soon": 0, "overdue": 0}
    for information_request in awaiting.filter(due_date=today + datetime.timedelta(days=1)):
        with transaction.atomic():
            counts["due_soon"] += notify_request_due_soon(information_request)
    for information_request in awaiting.filter(due_date__lt=today):
        with transaction.atomic():
            counts["overdue"] += notify_request_overdue(information_request)
    return counts


def roadmap_reminders(*, today: datetime.date | None = None) -> dict[str, int]:
    """The roadmap's chase, as for requests: an open mitigation due tomorrow reminds its
    team; one past its target date tells the team and the report's authors. Each once per
    item and target date (a new date starts the chase again)."""
    today = today or timezone.localdate()
    open_items = RoadmapItem.objects.filter(status__in=ROADMAP_OPEN).select_related("report", "owner_team")
    counts = {"roadmap_due_soon": 0, "roadmap_overdue": 0}
    for item in open_items.filter(target_date=today + datetime.timedelta(days=1)):
        with transaction.atomic():
            counts["roadmap_due_soon"] += notify_roadmap_due_soon(item)
    for item in open_items.filter(RoadmapItem.overdue_q(today)):
        with transaction.atomic():
            counts["roadmap_overdue"] += notify_roadmap_overdue(item)
    return counts
