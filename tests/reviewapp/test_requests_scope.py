"""Who sees which information requests: the scope rule per persona, a subject leaving the
reader's level, another member of the organisation, and a team's requests on another report."""

import datetime

import pytest
from django.utils import timezone

from evidence.enums import RequestState
from evidence.selectors import information_requests_visible_to
from pathways.enums import Sensitivity
from pathways.services import access_grant
from reviewapp.services.requests import request_file
from tests.factories import ClaimFactory, ReportFactory, TeamFactory, UserFactory
from tests.reviewapp.matrix.requests import answer, file_request, follow_up

TODAY = timezone.localdate


@pytest.fixture
def requests_on_pilot(world, external_reviewer, stress_tester):
    return {
        "erin": file_request(world, external_reviewer, title="Erin asks"),
        "bob": file_request(world, stress_tester, title="Bob asks"),
        "bob_government": file_request(
            world, stress_tester, subject=world.out_of_scope, team=world.other_team, title="Bob asks about government"
        ),
        "bob_internal": file_request(
            world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Bob asks internally"
        ),
    }


@pytest.mark.parametrize(
    "persona_name,expected",
    [
        ("author", {"erin", "bob", "bob_government", "bob_internal"}),
        ("leadership", {"erin", "bob", "bob_government", "bob_internal"}),
        ("stress_tester", {"bob", "bob_government", "bob_internal"}),
        ("external_reviewer", {"erin"}),
        ("team_member", {"erin", "bob"}),
        ("outsider", set()),
    ],
)
def test_each_person_sees_the_requests_the_scope_rule_gives_them(request, requests_on_pilot, persona_name, expected):
    person = request.getfixturevalue(persona_name)
    seen = set(information_requests_visible_to(person).values_list("title", flat=True))
    titles = {key: information_request.title for key, information_request in requests_on_pilot.items()}
    assert seen == {titles[key] for key in expected}


def test_nobody_signed_out_sees_a_request(requests_on_pilot):
    from django.contrib.auth.models import AnonymousUser

    assert not information_requests_visible_to(AnonymousUser()).exists()


def test_a_request_whose_subject_leaves_the_readers_level_disappears_even_for_its_organisation(
    world, external_reviewer
):
    information_request = file_request(world, external_reviewer, subject=world.reviewer_claim)
    assert information_requests_visible_to(external_reviewer).filter(pk=information_request.pk).exists()
    world.reviewer_claim.sensitivity = Sensitivity.INTERNAL
    world.reviewer_claim.save()
    assert not information_requests_visible_to(external_reviewer).filter(pk=information_request.pk).exists()


def test_another_member_of_the_requesting_organisation_sees_and_acts_on_the_request(
    world, external_reviewer, team_member
):
    colleague = UserFactory(username="eve", clearance="external")
    access_grant(report=world.report, user=colleague, role="external_reviewer", org_name="Holdout Evaluators")
    information_request = file_request(world, external_reviewer)
    answer(information_request, team_member)
    assert information_requests_visible_to(colleague).filter(pk=information_request.pk).exists()
    follow_up(information_request, colleague)
    information_request.refresh_from_db()
    assert information_request.state == RequestState.FOLLOW_UP


def test_a_team_member_sees_only_their_teams_requests_on_another_report(world, team_member, stress_tester):
    other_report = ReportFactory(slug="other")
    access_grant(report=other_report, user=stress_tester, role="stress_tester", org_name="Stress-testing team")
    theirs = ClaimFactory(report=other_report, owner_team=world.team)
    elsewhere = ClaimFactory(report=other_report, owner_team=TeamFactory(slug="elsewhere"))
    mine = information_request_file_on(other_report, stress_tester, theirs, world.team)
    information_request_file_on(other_report, stress_tester, elsewhere, elsewhere.owner_team)
    assert list(information_requests_visible_to(team_member).filter(report=other_report)) == [mine]


def information_request_file_on(report, requester, claim, team):
    return request_file(
        report=report,
        requester=requester,
        subject=claim,
        team=team,
        title="Elsewhere",
        question="?",
        due_date=TODAY() + datetime.timedelta(days=3),
    )
