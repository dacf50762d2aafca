"""Fixtures several review test modules share, beside the personas of tests/conftest.py."""

import pytest

from pathways.services import access_grant
from tests.factories import UserFactory


@pytest.fixture
def second_author(world):
    """alina, another author of the pilot report: the other side of an edit conflict."""
    person = UserFactory(username="alina")
    access_grant(report=world.report, user=person, role="author")
    return person
