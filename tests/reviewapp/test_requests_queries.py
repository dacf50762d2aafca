"""No request page or fragment makes more queries as requests, threads and linked evidence
grow: each is measured with the requests grown once and again grown three times."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EvidenceFactory
from tests.helpers import query_count
from tests.reviewapp.matrix.requests import answer, close, file_request, follow_up


@pytest.fixture
def watched(world, external_reviewer, team_member):
    """The request whose detail page is measured: its thread grows with the rest."""
    return file_request(world, external_reviewer, title="Watched")


def grow(world, watched, external_reviewer, stress_tester, team_member, times):
    for _ in range(times):
        evidence = EvidenceFactory(report=world.report, owner_team=world.team)
        answer(watched, team_member, evidence_items=[evidence, world.public_evidence, world.internal_evidence])
        follow_up(watched, external_reviewer)
        for subject in (world.public_claim, world.in_scope, world.public_evidence):
            team = world.team
            for requester in (external_reviewer, stress_tester):
                information_request = file_request(world, requester, subject=subject, team=team)
                answer(information_request, team_member, evidence_items=[evidence])
        late = file_request(world, external_reviewer)
        late.due_date = timezone.localdate() - datetime.timedelta(days=4)
        late.save()
        done = file_request(world, stress_tester)
        close(done, stress_tester)
        file_request(world, stress_tester, subject=world.out_of_scope, team=world.other_team)


def _pages(watched):
    return [
        ("team_inbox", []),
        ("request_list", ["pilot"]),
        ("request_detail", ["pilot", watched.pk]),
        ("request_file", ["pilot", "claims", "egress-monitoring"]),
        ("request_file", ["pilot", "pathways", "exfiltration"]),
        ("report_detail", ["pilot"]),
        ("claim_detail", ["pilot", "egress-monitoring"]),
        ("pathway_detail", ["pilot", "exfiltration"]),
        ("evidence_detail", ["pilot", "egress-review"]),
    ]


def _count(client, url, htmx):
    # the stress-tester may not see the watched request
    return query_count(client, url, htmx=htmx, statuses=(200, 403, 404))


@pytest.mark.parametrize("reader", ["author", "external_reviewer", "team_member", "stress_tester"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_request_pages_do_not_grow_with_the_data(
    client, world, request, watched, external_reviewer, stress_tester, team_member, reader, htmx
):
    client.force_login(request.getfixturevalue(reader))
    grow(world, watched, external_reviewer, stress_tester, team_member, 1)
    small = {name + str(args): _count(client, reverse(name, args=args), htmx) for name, args in _pages(watched)}
    grow(world, watched, external_reviewer, stress_tester, team_member, 2)
    large = {name + str(args): _count(client, reverse(name, args=args), htmx) for name, args in _pages(watched)}
    assert small == large
    assert max(small.values()) <= 25, small


def test_the_team_members_answer_form_does_not_grow_with_the_evidence(client, world, watched, team_member):
    """The answer form lists every evidence item of the report as a checkbox."""
    client.force_login(team_member)
    url = reverse("request_detail", args=["pilot", watched.pk])
    EvidenceFactory(report=world.report, owner_team=world.team)
    small = _count(client, url, False)
    for _ in range(5):
        EvidenceFactory(report=world.report, owner_team=world.team)
    assert _count(client, url, False) == small
