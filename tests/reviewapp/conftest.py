"""Fixtures several review test modules share, beside the personas of tests/conftest.py."""

import pytest

from pathways.services import access_grant
from reviewapp.enums import Position
from tests.factories import ReportVersionFactory, UserFactory
from tests.reviewapp.matrix.verdicts import conclusion_of, given


@pytest.fixture
def second_author(world):
    """alina, another author of the pilot report: the other side of an edit conflict."""
    person = UserFactory(username="alina")
    access_grant(report=world.report, user=person, role="author")
    return person


@pytest.fixture
def verdicts_everywhere(world, stress_tester, external_reviewer):
    """Both organisations' verdicts on exfiltration, backdoors and the overall conclusion."""
    recorded = {}
    for pathway in ["exfiltration", "backdoors", None]:
        conclusion = conclusion_of(world, pathway)
        recorded[(pathway, "bob")] = given(stress_tester, conclusion, Position.DISSENT, f"Bob on {pathway}.")
        recorded[(pathway, "erin")] = given(external_reviewer, conclusion, Position.CONCUR)
    return recorded


@pytest.fixture
def signoff_version(world, author):
    """The version leadership decides on: a sign-off is of a published version."""
    return ReportVersionFactory(report=world.report, author=author, name="11 February")


@pytest.fixture
def reviewers(world, stress_tester, external_reviewer):
    """bob reviews every conclusion; erin exfiltration, backdoors and the overall conclusion."""
    return stress_tester, external_reviewer


@pytest.fixture
def all_concur(world, reviewers):
    bob, erin = reviewers
    for pathway in ["exfiltration", "backdoors", "government", None]:
        given(bob, conclusion_of(world, pathway))
        if pathway != "government":
            given(erin, conclusion_of(world, pathway), Position.CONCUR_WITH_RESERVATIONS, "Monitoring is thin.")
