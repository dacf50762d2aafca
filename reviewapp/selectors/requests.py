"""Reads of information requests for the review's pages: the due-date marks a listed request
carries, and what the Inbox shows each person: the requests their teams owe an answer to,
the requests of the reviewer organisation they act for, and, for leadership, the overdue
requests on the reports they lead. Every read goes through `information_requests_visible_to`,
so the Inbox shows and counts nothing the person could not open."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from evidence.enums import DUE_SOON_DAYS, ONGOING_STATES, OPEN_STATES, RequestState
from evidence.models import InformationRequest
from evidence.selectors import information_requests_visible_to
from pathways.access import Access
from pathways.enums import Role

REQUESTS_PER_PAGE = 50
# The Inbox lists this many of each group of an organisation's requests, and of the overdue
# requests on the reports a person leads; each report's request list has them all.
SHOWN_PER_GROUP = 10
LISTED = ("team", "organisation", "report", "pathway", "claim", "evidence", "chain_step__chain__pathway")


def with_due_dates(information_requests, today: datetime.date) -> list:
    """The requests as a list, each with `days_overdue` (0 unless open and past due) and
    `due_soon` (open and due within DUE_SOON_DAYS)."""
    rows = list(information_requests)
    for information_request in rows:
        information_request.days_overdue = information_request.overdue_days(today)
        days_left = (information_request.due_date - today).days
        information_request.due_soon = information_request.is_open and 0 <= days_left <= DUE_SOON_DAYS
    return rows


@dataclass
class RequestGroup:
    key: str
    label: str
    count: int
    rows: list = field(default_factory=list)
    empty: str = ""


def team_requests(access: Access, team_ids, today: datetime.date) -> tuple[QuerySet, dict]:
    """The requests to these teams that are not closed or declined, earliest due first, and
    their counts: total, open (the team owes an answer), overdue, due soon."""
    live = information_requests_visible_to(access).filter(team_id__in=list(team_ids), state__in=ONGOING_STATES)
    is_open = InformationRequest.open_requests()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    counts = live.aggregate(
        total=Count("id"),
        open=Count("id", filter=is_open),
        overdue=Count("id", filter=InformationRequest.overdue_on(today)),
        due_soon=Count("id", filter=is_open & Q(due_date__gte=today, due_date__lte=soon)),
    )
    return live.select_related(*LISTED).order_by("due_date", "id"), counts


ORGANISATION_GROUPS = [
    ("answered", "Answered: waiting for you", "No answers waiting for you to follow up or close."),
    ("waiting", "Waiting for an answer", "No requests waiting for a team's answer."),
    ("ended", "Closed or declined", "None closed or declined yet."),
]


def organisation_requests(access: Access, today: datetime.date) -> list[RequestGroup]:
    """The requests of the reviewer organisation this person acts for, on the reports they
    see: answered and waiting for them, waiting for a team's answer (earliest due first),
    and closed or declined (latest first): the counts, and the first SHOWN_PER_GROUP of each,
    in two queries."""
    if access.organisation_id is None:
        return []
    ours = information_requests_visible_to(access).filter(organisation_id=access.organisation_id)
    counts = ours.aggregate(
        answered=Count("id", filter=Q(state=RequestState.ANSWERED)),
        waiting=Count("id", filter=Q(state__in=OPEN_STATES)),
        ended=Count("id", filter=~Q(state__in=ONGOING_STATES)),
    )
    group = Case(
        When(state=RequestState.ANSWERED, then=Value(0)),
        When(state__in=OPEN_STATES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    place = Window(RowNumber(), partition_by=[group], order_by=[F("closed_at").desc(nulls_last=True), "due_date", "id"])
    rows = with_due_dates(
        ours.annotate(group=group, place=place)
        .filter(place__lte=SHOWN_PER_GROUP)
        .select_related(*LISTED)
        .order_by("group", "place"),
        today,
    )
    return [
        RequestGroup(key, label, counts[key], [row for row in rows if row.group == number], empty)
        for number, (key, label, empty) in enumerate(ORGANISATION_GROUPS)
    ]


def overdue_on_led_reports(access: Access, today: datetime.date) -> RequestGroup | None:
    """For leadership: the overdue requests on the reports they lead, oldest due first (the
    first SHOWN_PER_GROUP, with the count of all, in one query); None for anyone else."""
    led = access.report_ids_with({Role.LEADERSHIP})
    if not led:
        return None
    overdue = information_requests_visible_to(access).filter(InformationRequest.overdue_on(today), report_id__in=led)
    rows = with_due_dates(
        overdue.annotate(total=Window(Count("id")))
        .select_related(*LISTED)
        .order_by("due_date", "id")[:SHOWN_PER_GROUP],
        today,
    )
    return RequestGroup(
        "led-overdue",
        "Overdue on the reports you lead",
        rows[0].total if rows else 0,
        rows,
        "Nothing is overdue on the reports you lead.",
    )
