"""The daily chase of information requests, written to the outbox like any other event."""

import datetime

from django.db import transaction
from django.utils import timezone

from evidence.models import InformationRequest
from reviewapp.services.notifications import notify_request_due_soon, notify_request_overdue


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
