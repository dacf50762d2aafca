"""A version as each person reads it is what an export for them of the same state writes:
the Python cut of the version follows the scope functions, and no canary crosses it."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from evidence.report_file import report_document
from pathways.access import compute_access
from pathways.services import claim_update
from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN, REVIEWER_VISIBLE
from versions.reading import cut, reader_on
from versions.services import version_publish

READERS = ["author", "stress_tester", "external_reviewer", "leadership", "team_member"]


def as_json(document: dict) -> dict:
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


def reading(version, person) -> dict:
    reader = reader_on(compute_access(person), version.report_id)
    assert reader is not None
    return cut(version.document, version.ids, reader)


@pytest.mark.parametrize("persona", READERS)
def test_each_reader_reads_a_fresh_version_as_their_export_of_the_report(request, world, author, persona):
    person = request.getfixturevalue(persona)
    version = version_publish(report=world.report, author=author, name="11 February")

    expected = report_document(report=world.report, level=person.reading_level, user=person)
    assert reading(version, person) == as_json(expected)


def test_the_limited_external_reviewer_reads_none_of_the_canaries(world, author, external_reviewer):
    version = version_publish(report=world.report, author=author, name="11 February")

    text = json.dumps(reading(version, external_reviewer))
    assert not [canary for canary in [*ALL_CANARIES, "internal-only", "classifier-notes"] if canary in text]
    assert REVIEWER_VISIBLE in text
    assert [entry["slug"] for entry in reading(version, external_reviewer)["pathways"]] == ["exfiltration", "backdoors"]


def test_internal_staff_read_every_span(world, author, stress_tester):
    version = version_publish(report=world.report, author=author, name="11 February")
    assert CANARY_INTERNAL_SPAN in json.dumps(reading(version, stress_tester))


def test_a_reader_reads_the_version_as_published_not_as_the_draft_is_now(world, author, external_reviewer):
    version = version_publish(report=world.report, author=author, name="11 February")
    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, statement="Changed after publishing.")

    statements = [entry["statement"] for entry in reading(version, external_reviewer)["claims"]]
    assert "Large outbound transfers are detected." in statements
    assert "Changed after publishing." not in statements


def test_someone_who_cannot_see_the_report_reads_nothing_of_its_versions(world, author, outsider):
    version = version_publish(report=world.report, author=author, name="11 February")
    assert reader_on(compute_access(outsider), version.report_id) is None
