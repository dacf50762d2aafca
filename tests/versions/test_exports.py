"""Exports of a published version: what the draft's export wrote when the version was
published, for each person and level, and the same after the draft moves on; started from
the Exports page, refused for a version that does not exist or for the review record."""

import pytest
from django.urls import reverse

from evidence.report_file import report_export_document
from pathways.access import compute_access
from pathways.models import AuditEntry
from pathways.services import claim_update
from pathways.text import LEVELS
from reviewapp.models import ExportJob
from reviewapp.services.exports import ExportRefused, export_job_start
from tests.conftest import ALL_CANARIES, REVIEWER_VISIBLE
from tests.reviewapp.exporting import download, downloaded_text, start
from versions.exporting import version_export_document
from versions.services import version_publish

READERS = ["author", "stress_tester", "external_reviewer", "leadership", "team_member"]


def levels_of(person) -> list[str]:
    return LEVELS[: LEVELS.index(person.reading_level) + 1]


@pytest.fixture
def version(world, author):
    return version_publish(report=world.report, author=author, name="11 February")


@pytest.mark.parametrize("persona", READERS)
def test_a_version_exports_what_the_drafts_export_wrote_when_it_was_published(request, world, version, persona):
    person = request.getfixturevalue(persona)
    for level in levels_of(person):
        draft = report_export_document(report=world.report, level=level, fmt="yaml", user=person)
        exported = version_export_document(version=version, access=compute_access(person), level=level, fmt="yaml")
        assert exported.content == draft.content, (persona, level)
        assert exported.summary == draft.summary, (persona, level)


def test_a_version_export_stays_as_published_when_the_draft_changes(world, author, external_reviewer, version):
    before = version_export_document(
        version=version, access=compute_access(external_reviewer), level="reviewer", fmt="md"
    )
    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, statement="Changed after publishing.")

    after = version_export_document(
        version=version, access=compute_access(external_reviewer), level="reviewer", fmt="md"
    )
    assert after == before
    assert "Large outbound transfers are detected." in after.content
    assert "Changed after publishing." not in after.content
    assert "- **Published version:** 1, “11 February”, published" in after.content


def test_the_limited_external_reviewers_version_export_holds_no_canary(world, external_reviewer, version):
    exported = version_export_document(
        version=version, access=compute_access(external_reviewer), level="reviewer", fmt="md"
    )
    assert not [canary for canary in ALL_CANARIES if canary in exported.content]
    assert REVIEWER_VISIBLE in exported.content
    assert "only the pathways granted to the requester are included" in exported.summary["text"]


def test_a_version_export_refuses_a_level_above_the_readers_and_a_report_they_cannot_see(
    world, external_reviewer, outsider, version
):
    with pytest.raises(ValueError, match="above what the person may read"):
        version_export_document(version=version, access=compute_access(external_reviewer), level="internal", fmt="md")
    with pytest.raises(ValueError, match="cannot see this report"):
        version_export_document(version=version, access=compute_access(outsider), level="public", fmt="md")


def test_an_export_of_a_version_is_started_made_and_downloaded(
    client, world, author, external_reviewer, version, django_capture_on_commit_callbacks
):
    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, statement="Changed after publishing.")
    client.force_login(external_reviewer)
    page = client.get(reverse("export_list", args=["pilot"])).content.decode()
    assert "The working draft" in page and "Version 1, “11 February”" in page

    response = start(client, django_capture_on_commit_callbacks, version="1", level="reviewer")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.published_version == version
    assert job.file_name == "pilot-report-version-1-reviewer.md"
    assert AuditEntry.objects.get(action="reviewapp.export.started").data["version"] == 1
    text = downloaded_text(download(client, job))
    assert "Large outbound transfers are detected." in text and "Changed after publishing." not in text
    detail = client.get(reverse("export_detail", args=["pilot", job.pk])).content.decode()
    assert "version 1 “11 February”" in detail

    start(client, django_capture_on_commit_callbacks, level="reviewer")  # the working draft
    draft = ExportJob.objects.latest("id")
    assert draft.published_version is None and "Changed after publishing." in downloaded_text(download(client, draft))


def test_a_version_export_that_cannot_be_made_is_refused_and_starts_nothing(
    client, world, external_reviewer, version, django_capture_on_commit_callbacks
):
    client.force_login(external_reviewer)
    body = start(client, django_capture_on_commit_callbacks, version="7").content.decode()
    assert "Choose the working draft or one of the published versions." in body
    body = start(client, django_capture_on_commit_callbacks, version="1", kind="review_record").content.decode()
    assert "the review record is of the review as it stands" in body
    assert not ExportJob.objects.exists()
    with pytest.raises(ExportRefused, match="no published version 7"):
        export_job_start(
            requester=external_reviewer, report=world.report, kind="report", fmt="md", level="public", version=7
        )
    assert not ExportJob.objects.exists() and not AuditEntry.objects.filter(action="reviewapp.export.started").exists()


def test_without_versions_the_form_offers_none(client, world, external_reviewer):
    client.force_login(external_reviewer)
    page = client.get(reverse("export_list", args=["pilot"])).content.decode()
    assert "The working draft" not in page and 'name="version"' not in page
