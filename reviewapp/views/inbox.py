"""The Inbox: what each person has to act on or watch across the reports they see.

- Members of owning teams: the requests their teams owe an answer to (overdue, due soon,
  the rest), then the answered ones, which wait on the person who asked; and the evidence
  carried into the next model's report that their teams must confirm or replace.
- Reviewers (acting for a reviewer organisation): their organisation's requests, answered
  and waiting for them, waiting for a team's answer, and closed or declined.
- Leadership: the overdue requests on the reports they lead.
A person with several of these sees each part; someone with none is told where requests
come from, and what to ask for.
"""

from django.db.models import Count, Window
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from evidence.enums import DUE_SOON_DAYS
from evidence.selectors import carried_forward_to_teams, teams_of
from reviewapp.pages import paginate, reader_required
from reviewapp.selectors.requests import (
    REQUESTS_PER_PAGE,
    SHOWN_PER_GROUP,
    RequestGroup,
    organisation_requests,
    overdue_on_led_reports,
    team_requests,
    with_due_dates,
)

# The Inbox lists this many carried-forward items to confirm or replace; each report's
# evidence list shows them all.
CARRIED_SHOWN = 50


def _team_groups(rows: list, counts: dict) -> list[RequestGroup]:
    return [
        RequestGroup(
            "overdue", "Overdue", counts["overdue"], [row for row in rows if row.days_overdue], "Nothing overdue."
        ),
        RequestGroup(
            "due-soon",
            f"Due within {DUE_SOON_DAYS} days",
            counts["due_soon"],
            [row for row in rows if row.due_soon],
            f"Nothing due in the next {DUE_SOON_DAYS} days.",
        ),
        RequestGroup(
            "open",
            "Open",
            counts["open"] - counts["overdue"] - counts["due_soon"],
            [row for row in rows if row.is_open and not row.days_overdue and not row.due_soon],
            "No other open requests.",
        ),
        RequestGroup(
            "answered",
            "Answered, with the person who asked",
            counts["total"] - counts["open"],
            [row for row in rows if not row.is_open],
            "No answers waiting on the people who asked.",
        ),
    ]


@require_GET
@reader_required
def inbox(request):
    today = timezone.localdate()
    access = request.access
    context = {"today": today, "teams": [], "organisation_groups": [], "shown_per_group": SHOWN_PER_GROUP}
    if access.team_ids:
        teams = list(teams_of(access).order_by("name"))
        listed, counts = team_requests(access, [team.pk for team in teams], today)
        pages = paginate(request, listed, REQUESTS_PER_PAGE)
        rows = with_due_dates(pages["page"].object_list, today)
        context.update(teams=teams, team_groups=_team_groups(rows, counts), team_total=counts["total"], **pages)
        carried = list(carried_forward_to_teams(access).annotate(total=Window(Count("id")))[:CARRIED_SHOWN])
        context.update(carried=carried, carried_total=carried[0].total if carried else 0)
    organisation_groups = organisation_requests(access, today)
    if organisation_groups:
        context.update(organisation=access.organisation, organisation_groups=organisation_groups)
    context["led_overdue"] = overdue_on_led_reports(access, today)
    return render(request, "reviewapp/requests/inbox.html", context)


urlpatterns = [path("inbox/", inbox, name="team_inbox")]
