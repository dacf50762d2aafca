"""Exports refused: a level above the person's own, bad choices, a report out of scope; and a
file served to its requester only, and only while the access it was made under holds."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pathways.services import access_grant, access_revoke
from reviewapp.enums import ExportState
from reviewapp.models import ExportJob
from reviewapp.services.exports import ExportRefused, export_job_run, export_job_start
from tests.factories import ReportFactory
from tests.helpers import HTMX
from tests.reviewapp.exporting import download, downloaded_text, start
from tests.reviewapp.matrix.exports import (
    done_job,
    start_job,
)


def test_an_export_above_the_person_s_level_is_refused_and_nothing_is_created(
    client, world, external_reviewer, django_capture_on_commit_callbacks
):
    client.force_login(external_reviewer)

    response = start(client, django_capture_on_commit_callbacks, level="internal")

    assert response.status_code == 200
    assert b"Choose a level you may read: public, reviewer." in response.content
    assert b'id="id_level_error"' in response.content
    assert not ExportJob.objects.exists()
    with pytest.raises(ExportRefused, match="read up to level reviewer") as refusal:
        export_job_start(requester=external_reviewer, report=world.report, kind="report", fmt="pdf", level="internal")
    assert refusal.value.field == "level"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "choices,field,message",
    [
        ({"kind": "everything"}, "kind", "Choose the report or the review record."),
        ({"fmt": "docx"}, "fmt", "Choose Markdown or PDF."),
        ({"level": "secret"}, "level", "Choose a level you may read"),
        ({"level": ""}, "level", "Choose a level."),
    ],
)
def test_bad_choices_are_refused_next_to_the_field_and_create_nothing(
    client, world, author, django_capture_on_commit_callbacks, choices, field, message
):
    client.force_login(author)

    response = start(client, django_capture_on_commit_callbacks, **choices)

    assert response.status_code == 200
    assert f'<p class="field-error" id="id_{field}_error">{message}'.encode() in response.content
    assert not ExportJob.objects.exists()


def test_bad_choices_over_htmx_come_back_in_the_panel(client, world, author):
    client.force_login(author)

    response = client.post(reverse("export_start", args=["pilot"]), {"kind": "report", "fmt": "odt"}, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="export-panel"') and "<html" not in body
    assert "Choose Markdown or PDF." in body and "Choose a level." in body
    assert re.search(r'<input [^>]*value="report"[^>]*checked', body)  # what was chosen is kept
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "kind,fmt,level,field",
    [("everything", "md", "public", "kind"), ("report", "docx", "public", "fmt"), ("report", "md", "top", "level")],
)
def test_the_service_refuses_unknown_choices(world, author, kind, fmt, level, field):
    with pytest.raises(ExportRefused) as refusal:
        export_job_start(requester=author, report=world.report, kind=kind, fmt=fmt, level=level)

    assert refusal.value.field == field
    assert not ExportJob.objects.exists()


def test_the_service_refuses_a_report_out_of_scope(world, outsider):
    with pytest.raises(ExportRefused, match="cannot see"):
        export_job_start(requester=outsider, report=world.report, kind="report", fmt="md", level="public")
    assert not ExportJob.objects.exists()


def test_nobody_else_can_see_or_download_a_person_s_export(client, world, author, stress_tester, external_reviewer):
    job = done_job(world, stress_tester, level="public")
    for other in (author, external_reviewer):
        client.force_login(other)
        assert download(client, job).status_code == 404
        assert client.get(reverse("export_detail", args=["pilot", job.pk])).status_code == 404
        assert client.get(reverse("export_detail", args=["pilot", job.pk]), **HTMX).status_code == 404
        assert f"export-job-{job.pk}" not in client.get(reverse("export_list", args=["pilot"])).content.decode()
    client.force_login(stress_tester)
    assert download(client, job).status_code == 200


def test_a_job_asked_for_under_another_report_or_a_forged_id_is_404(client, world, author):
    access_grant(report=ReportFactory(slug="second"), user=author, role="author")
    job = done_job(world, author, level="public")
    client.force_login(author)

    assert download(client, job, slug="second").status_code == 404
    assert client.get(reverse("export_detail", args=["second", job.pk])).status_code == 404
    assert client.get(reverse("export_detail", args=["pilot", job.pk + 1000])).status_code == 404
    assert client.get(f"/reports/pilot/exports/{job.pk}x/download/").status_code == 404
    assert download(client, job).status_code == 200


def test_a_job_not_yet_done_cannot_be_downloaded(client, world, author):
    job = start_job(world, author, level="public")
    client.force_login(author)

    assert download(client, job).status_code == 404


def test_a_person_whose_access_was_revoked_cannot_download_their_file(client, world, external_reviewer):
    job = done_job(world, external_reviewer)
    client.force_login(external_reviewer)
    assert download(client, job).status_code == 200

    access_revoke(report=world.report, user=external_reviewer)

    assert download(client, job).status_code == 404


def test_a_file_made_before_the_person_s_access_narrowed_is_no_longer_served(client, world, external_reviewer):
    """Erin exports both her pathways; one is then withdrawn. The file still holds it, so it
    is not served any more; a new export holds only what she sees now."""
    job = done_job(world, external_reviewer, level="reviewer")
    client.force_login(external_reviewer)
    assert "Self-exfiltration" in downloaded_text(download(client, job))

    access_revoke(report=world.report, user=external_reviewer)
    access_grant(
        report=world.report,
        user=external_reviewer,
        role="external_reviewer",
        org_name="Holdout Evaluators",
        pathway_slugs=["backdoors"],
    )

    assert download(client, job).status_code == 404
    again = done_job(world, external_reviewer, level="reviewer")
    content = downloaded_text(download(client, again))
    assert "Code backdoors" in content and "Self-exfiltration" not in content


def test_a_job_whose_requester_lost_access_before_it_ran_fails_saying_why(world, external_reviewer):
    job = start_job(world, external_reviewer)
    access_revoke(report=world.report, user=external_reviewer)

    assert export_job_run(job.pk) == ExportState.FAILED

    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert job.last_error == "You no longer have access to this report, so the export was not made."
    assert job.file_path == "" and not (Path(settings.EXPORTS_ROOT) / str(job.pk)).exists()
