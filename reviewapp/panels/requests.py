"""The requests part of a subject page's right-hand column, and the report page's requests by
team: what a page shows of the information requests about what it shows."""

import datetime

from django.utils import timezone

from evidence.selectors import information_request_team_summary, information_requests_visible_to
from reviewapp import subjects
from reviewapp.forms.requests import RequestFileForm
from reviewapp.selectors.requests import with_due_dates

PANEL = "reviewapp/requests/_panel.html"


def local_today() -> datetime.date:
    return timezone.localdate()


def _duration_words(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return ""
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{round(hours)} hour{'s' if round(hours) != 1 else ''}"
    return f"{hours / 24:.1f} days"


def visible_requests(request, report):
    return (
        information_requests_visible_to(request.access)
        .filter(report=report)
        .select_related("team", "organisation", "pathway", "claim", "evidence", "chain_step__chain__pathway")
    )


def panel_context(request, *, report, scope, subject) -> dict:
    """Context for the requests part of the right-hand column of a pathway, claim or evidence page."""
    return {"request_panel": request_panel(request, report=report, scope=scope, subject=subject)}


def request_panel(request, *, report, scope, subject, form=None, notice="") -> dict:
    today = local_today()
    kind = subjects.kind_of(subject)
    subject_requests = visible_requests(request, report).filter(**{kind: subject})
    filing = scope.may_file_requests
    if filing and form is None:
        form = RequestFileForm(subject=subject, user=request.access, today=today)
    return {
        "subject": subject,
        "noun": subjects.NOUNS[kind],
        "file_url": subjects.url("request_file", report.slug, subject),
        "requests": with_due_dates(subject_requests, today),
        "may_file": filing,
        "form": form if filing else None,
        "notice": notice,
    }


def report_context(request, *, report, scope) -> dict:
    """Context for the report page: open and overdue requests per team, median time to first answer."""
    teams = list(information_request_team_summary(request.access, report=report, today=local_today()))
    for team in teams:
        team["median_words"] = _duration_words(team["median_first_answer"])
    return {"request_summary": teams}
