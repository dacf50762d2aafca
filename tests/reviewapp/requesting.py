"""Steps the information request tests share: a request's page, what a refused action must
leave unchanged, and a request brought to a state the way people bring it there."""

from django.urls import reverse

from pathways.models import AuditEntry
from tests.reviewapp.matrix.requests import answer, close, decline, file_request, follow_up


def detail_url(information_request):
    return reverse("request_detail", args=[information_request.report.slug, information_request.pk])


def snapshot(information_request):
    """What any action changes: compared before and after one that must change nothing."""
    information_request.refresh_from_db()
    return (
        information_request.state,
        information_request.version,
        information_request.messages.count(),
        information_request.decline_reason,
        information_request.first_answered_at,
        information_request.closed_at,
        AuditEntry.objects.count(),
    )


def request_in_state(world, state, external_reviewer, team_member):
    """erin's request to Security, taken to `state` through the services the views call."""
    information_request = file_request(world, external_reviewer)
    if state in {"answered", "follow_up"}:
        answer(information_request, team_member)
    if state == "follow_up":
        follow_up(information_request, external_reviewer)
    if state == "closed":
        close(information_request, external_reviewer)
    if state == "declined":
        decline(information_request, team_member)
    information_request.refresh_from_db()
    return information_request
