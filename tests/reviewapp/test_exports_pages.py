"""The exports pages: the levels offered, the report's link, starting and polling over htmx, a
failed job's message, query counts that do not grow, and finished exports deleted in time."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reviewapp.enums import ExportState
from reviewapp.models import ExportJob
from reviewapp.services import exports
from reviewapp.services.exports import export_job_run
from tests.helpers import HTMX, query_count
from tests.reviewapp.matrix.exports import done_job, start_job


def test_the_exports_page_offers_only_levels_the_person_may_read(client, world, external_reviewer):
    client.force_login(external_reviewer)

    body = client.get(reverse("export_list", args=["pilot"])).content.decode()

    assert 'value="public"' in body and 'value="reviewer"' in body
    assert 'value="internal"' not in body
    assert "No exports yet." in body


def test_the_report_page_links_to_its_exports(client, world, external_reviewer):
    client.force_login(external_reviewer)

    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()

    assert f'href="{reverse("export_list", args=["pilot"])}"' in body


def test_starting_over_htmx_returns_the_panel_with_the_new_job_polling(client, world, author):
    client.force_login(author)

    response = client.post(
        reverse("export_start", args=["pilot"]), {"kind": "report", "fmt": "pdf", "level": "public"}, **HTMX
    )

    job = ExportJob.objects.get()
    body = response.content.decode()
    assert "<html" not in body and "Started: report as PDF at level public." in body
    assert f'hx-get="{reverse("export_detail", args=["pilot", job.pk])}" hx-trigger="every 1s"' in body


def test_the_status_fragment_polls_while_the_job_runs_and_stops_when_it_is_done(client, world, author):
    job = start_job(world, author, level="public")
    url = reverse("export_detail", args=["pilot", job.pk])
    client.force_login(author)

    queued = client.get(url, **HTMX).content.decode()
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, progress=50, step="Writing the document")
    running = client.get(url, **HTMX).content.decode()
    export_job_run(job.pk)
    done = client.get(url, **HTMX).content.decode()

    for fragment in (queued, running, done):
        assert fragment.lstrip().startswith(f'<div id="export-job-{job.pk}"') and "<html" not in fragment
        assert "<script" not in fragment and "style=" not in fragment and "hx-on" not in fragment
    assert 'hx-trigger="every 1s"' in queued and "Waiting for the worker" in queued
    assert 'hx-trigger="every 1s"' in running
    assert '<progress id="export-progress-' in running and 'value="50"' in running and "Writing the document" in running
    assert "hx-trigger" not in done and "hx-get" not in done
    assert reverse("export_download", args=["pilot", job.pk]) in done
    assert (
        "Redaction summary: 5 passages redacted; 2 claims, 1 evidence item, 1 line of defence, 1 detection chain "
        "and 1 chain step above level public left out."
    ) in done


def test_a_failed_job_says_what_went_wrong_and_that_an_admin_can_retry(client, world, author):
    job = start_job(world, author, level="public")
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.FAILED, attempts=6, last_error="The export could not be made (OSError: disk full)."
    )
    client.force_login(author)

    page = client.get(reverse("export_detail", args=["pilot", job.pk])).content.decode()

    assert "The export failed after 6 attempts. The export could not be made (OSError: disk full)." in page
    assert "An admin can retry it" in page
    assert "hx-trigger" not in page.split('id="main"', 1)[1]


def _jobs(requester, world, count):
    for _ in range(count):
        job = start_job(world, requester, level="public")
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.DONE, progress=100, file_name="f.md", redaction_summary={"text": "Redaction summary: x."}
        )
    ExportJob.objects.create(requester=requester, report=world.report, kind="report", fmt="pdf", level="public")
    ExportJob.objects.create(
        requester=requester, report=world.report, kind="report", fmt="pdf", level="public", state=ExportState.FAILED
    )


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
def test_the_query_counts_do_not_grow_with_the_number_of_jobs(client, world, request, reader):
    person = request.getfixturevalue(reader)
    client.force_login(person)
    page = reverse("export_list", args=["pilot"])

    _jobs(person, world, 1)
    status = reverse("export_detail", args=["pilot", ExportJob.objects.latest("id").pk])
    small = (query_count(client, page, statuses=(200,)), query_count(client, status, htmx=True, statuses=(200,)))
    _jobs(person, world, 3)
    large = (query_count(client, page, statuses=(200,)), query_count(client, status, htmx=True, statuses=(200,)))

    assert small == large, f"exports page and status: {small} queries with one job, {large} with more"
    assert small[1] <= 6, f"the status fragment polled every second makes {small[1]} queries"


def test_finished_exports_are_deleted_with_their_files_after_the_retention_time(world, author):
    import datetime

    from django.utils import timezone

    old = done_job(world, author, level="public")
    recent = done_job(world, author, level="reviewer")
    running = start_job(world, author, level="internal")
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    old_file = Path(settings.EXPORTS_ROOT) / old.file_path
    assert old_file.is_file()

    assert exports.export_jobs_expire(older_than=datetime.timedelta(days=30)) == 1

    assert not old_file.exists() and not old_file.parent.exists()
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert (Path(settings.EXPORTS_ROOT) / recent.file_path).is_file()


def test_deleting_a_job_in_the_admin_deletes_its_file(admin_client, world, author):
    job = done_job(world, author, level="public")
    file = Path(settings.EXPORTS_ROOT) / job.file_path
    response = admin_client.post(
        "/admin/reviewapp/exportjob/", {"action": "delete_selected", "_selected_action": [job.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not ExportJob.objects.filter(pk=job.pk).exists() and not file.exists()
