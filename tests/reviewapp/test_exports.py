"""Export jobs the whole way, from the Exports page through the task to the download: what each
level's and each reviewer organisation's export holds, the file's type and place, the audit log."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pathways.models import AuditEntry
from reviewapp.enums import ExportState
from reviewapp.models import ExportJob
from tests.conftest import (
    ALL_CANARIES,
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    REVIEWER_VISIBLE,
)
from tests.reviewapp.exporting import download, downloaded_text, found, start
from tests.reviewapp.matrix.exports import CANARY_GOVERNMENT_REQUEST, CANARY_OVERRIDE_REASON, review_activity, start_job

INTERNAL_ONLY = [CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_SPAN]
LEVELS = ["public", "reviewer", "internal"]


@pytest.mark.parametrize("fmt", ["md", "pdf"])
@pytest.mark.parametrize("level", LEVELS)
def test_each_level_s_report_export_holds_exactly_what_that_level_may_see(
    client, world, author, django_capture_on_commit_callbacks, level, fmt
):
    client.force_login(author)

    response = start(client, django_capture_on_commit_callbacks, level=level, fmt=fmt)

    job = ExportJob.objects.get(requester=author)
    assert response.status_code == 302 and response["Location"] == reverse("export_detail", args=["pilot", job.pk])
    assert (job.state, job.progress, job.step) == (ExportState.DONE, 100, "Ready")
    response = download(client, job)
    assert response.status_code == 200
    text = downloaded_text(response)
    assert found(text, "Pilot report") and found(text, "Self-exfiltration")
    assert found(text, "Government decisions")  # the author sees every pathway
    assert found(text, REVIEWER_VISIBLE) == (level != "public")
    for internal in INTERNAL_ONLY:
        assert found(text, internal) == (level == "internal")
    assert found(text, job.redaction_summary["text"])


@pytest.mark.parametrize("kind", ["report", "review_record"])
@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_the_external_reviewer_s_exports_carry_no_canary(
    client, world, request, external_reviewer, django_capture_on_commit_callbacks, kind, fmt
):
    review_activity(world, request.getfixturevalue)
    client.force_login(external_reviewer)

    start(client, django_capture_on_commit_callbacks, kind=kind, fmt=fmt, level="reviewer")

    job = ExportJob.objects.get(requester=external_reviewer)
    assert job.state == ExportState.DONE
    text = downloaded_text(download(client, job))
    assert found(text, REVIEWER_VISIBLE) and found(text, "Self-exfiltration")
    for secret in [*ALL_CANARIES, CANARY_OVERRIDE_REASON, CANARY_GOVERNMENT_REQUEST, "Government decisions"]:
        assert not found(text, secret), secret


@pytest.mark.parametrize("reviewer", ["stress_tester", "external_reviewer"])
def test_each_reviewer_organisation_can_download_its_review_record(
    client, world, request, reviewer, django_capture_on_commit_callbacks
):
    review_activity(world, request.getfixturevalue)
    person = request.getfixturevalue(reviewer)
    client.force_login(person)

    start(client, django_capture_on_commit_callbacks, kind="review_record", fmt="pdf", level="reviewer")

    job = ExportJob.objects.get(requester=person)
    response = download(client, job)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pilot-review-record-reviewer.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = downloaded_text(response)
    assert found(text, f"Review record: {world.report.title}")
    assert found(text, person.organisation.name)
    assert found(text, "Dissents and reservations")


def test_a_markdown_download_is_text_markdown(client, world, author, django_capture_on_commit_callbacks):
    client.force_login(author)
    start(client, django_capture_on_commit_callbacks, level="reviewer")

    response = download(client, ExportJob.objects.get())

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pilot-report-reviewer.md"'


def test_the_file_lives_under_the_private_exports_folder(world, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(world, author, fmt="pdf", level="internal")
    job.refresh_from_db()

    path = Path(settings.EXPORTS_ROOT) / job.file_path
    assert job.file_path == f"{job.pk}/pilot-report-internal.pdf"
    assert path.read_bytes().startswith(b"%PDF-")
    assert not list(path.parent.glob(".partial-*"))  # written through a temporary file, renamed


def test_starting_and_downloading_are_in_the_audit_log(client, world, author, django_capture_on_commit_callbacks):
    client.force_login(author)
    start(client, django_capture_on_commit_callbacks, level="reviewer")
    job = ExportJob.objects.get()

    download(client, job)

    entries = AuditEntry.objects.filter(report=world.report, action__startswith="reviewapp.export.")
    assert list(entries.order_by("id").values_list("action", "actor", "target_id")) == [
        ("reviewapp.export.started", author.pk, job.pk),
        ("reviewapp.export.downloaded", author.pk, job.pk),
    ]
    assert entries.first().data == {"job": job.pk, "kind": "report", "format": "md", "level": "reviewer"}
