"""Export jobs: started from the Exports page, run by the task, followed by htmx polling, and
downloaded through a view that serves the file to its requester only."""

import io
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from pathways.models import AuditEntry
from pathways.services import access_grant, access_revoke
from reviewapp.celery import app as celery_app
from reviewapp.enums import ExportState
from reviewapp.models import ExportJob
from reviewapp.services import exports
from reviewapp.services.exports import ExportRefused, export_job_run, export_job_start, export_jobs_retry
from tests.conftest import (
    ALL_CANARIES,
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    REVIEWER_VISIBLE,
)
from tests.factories import ReportFactory
from tests.helpers import HTMX, query_count
from tests.reviewapp.matrix.exports import (
    CANARY_GOVERNMENT_REQUEST,
    CANARY_OVERRIDE_REASON,
    done_job,
    review_activity,
    start_job,
)

INTERNAL_ONLY = [CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_SPAN]
LEVELS = ["public", "reviewer", "internal"]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def downloaded_text(response) -> str:
    """The downloaded file's text: Markdown as it is, PDF extracted and with whitespace removed
    (WeasyPrint wraps lines where it likes)."""
    content = b"".join(response.streaming_content)
    if response["Content-Type"] == "application/pdf":
        assert content.startswith(b"%PDF-")
        return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    return content.decode("utf-8")


def found(text: str, words: str) -> bool:
    return words in text or squeezed(words) in text


def start(client, captured, slug="pilot", **choices):
    """POST the start form, running the job's task when the request's transaction commits."""
    data = {"kind": "report", "fmt": "md", "level": "public", **choices}
    with captured(execute=True):
        return client.post(reverse("export_start", args=[slug]), data)


def download(client, job, slug="pilot"):
    return client.get(reverse("export_download", args=[slug, job.pk]))


# ------------------------------------------------------------------- the whole way


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


# ------------------------------------------------------------------- refusals


def test_an_export_above_the_person_s_level_is_refused_and_nothing_is_created(
    client, world, external_reviewer, django_capture_on_commit_callbacks
):
    client.force_login(external_reviewer)

    response = start(client, django_capture_on_commit_callbacks, level="internal")

    assert response.status_code == 200
    assert b"Choose a level you may read: public, reviewer." in response.content
    assert b'id="level-error"' in response.content
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
    assert f'<p class="field-error" id="{field}-error">{message}'.encode() in response.content
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


# ------------------------------------------------------------------- the job and its task


def test_the_task_moves_the_job_through_its_steps_to_done(
    world, author, monkeypatch, django_capture_on_commit_callbacks
):
    steps = []
    real_progress = exports._progress

    def spy(job_id, progress, step):
        real_progress(job_id, progress, step)
        steps.append((ExportJob.objects.get(pk=job_id).progress, step))

    monkeypatch.setattr(exports, "_progress", spy)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start_job(world, author, fmt="pdf", level="reviewer")
    assert job.state == ExportState.QUEUED and len(callbacks) == 1

    job.refresh_from_db()
    assert steps == [(50, "Printing the PDF"), (90, "Saving the file")]
    assert (job.state, job.progress, job.attempts) == (ExportState.DONE, 100, 1)
    assert job.started_at <= job.finished_at
    assert job.redaction_summary["claims_above_level"] == 1


def test_running_a_done_job_again_changes_nothing(world, author):
    job = done_job(world, author, level="public")
    path = Path(settings.EXPORTS_ROOT) / job.file_path
    before = path.stat().st_mtime_ns

    assert export_job_run(job.pk) == ExportState.DONE

    job.refresh_from_db()
    assert job.attempts == 1 and path.stat().st_mtime_ns == before
    assert export_job_run(999999) == "missing"


def test_the_sweep_runs_jobs_whose_task_was_lost_and_leaves_the_rest(world, author):
    import datetime

    from django.utils import timezone

    lost = start_job(world, author, level="public")  # its on-commit hand-over never ran
    stalled = start_job(world, author, level="reviewer")
    ExportJob.objects.filter(pk=stalled.pk).update(
        state=ExportState.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    running = start_job(world, author, level="internal")
    ExportJob.objects.filter(pk=running.pk).update(state=ExportState.RUNNING, started_at=timezone.now())
    done = done_job(world, author, level="public")

    swept = exports.export_jobs_sweep(queued_for=datetime.timedelta(0), running_for=datetime.timedelta(minutes=15))

    assert swept == 2
    states = dict(ExportJob.objects.values_list("pk", "state"))
    assert states[lost.pk] == states[stalled.pk] == states[done.pk] == ExportState.DONE
    assert states[running.pk] == ExportState.RUNNING, "a job running now is left to its worker"


@contextmanager
def eager_retries():
    """Eager tasks run their retries at once, as a worker would after each backoff, but only
    when an eager task's errors are not propagated: a propagated Retry stops the chain."""
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.update(task_eager_propagates=False)
    try:
        yield
    finally:
        celery_app.conf.update(task_eager_propagates=before)


def test_a_job_failing_on_every_attempt_is_left_failed_and_an_admin_retry_runs_it_again(
    world, author, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(job):
        raise RuntimeError("the printer is on fire")

    with monkeypatch.context() as patched, eager_retries():
        patched.setattr(exports, "_document", broken)
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(world, author, level="public")

    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert job.attempts == settings.TASK_MAX_RETRIES + 1
    assert job.last_error == "The export could not be made (RuntimeError: the printer is on fire)."
    assert job.file_path == ""

    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_retry([job]) == 1

    job.refresh_from_db()
    assert (job.state, job.progress, job.last_error) == (ExportState.DONE, 100, "")
    assert export_jobs_retry([job]) == 0  # a done job is left as it is


def test_the_admin_retry_action_retries_failed_jobs(admin_client, world, author, django_capture_on_commit_callbacks):
    job = start_job(world, author, level="public")
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, last_error="Worker lost.")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:reviewapp_exportjob_changelist"),
            {"action": "retry_failed", "_selected_action": [job.pk]},
            follow=True,
        )

    assert b"1 failed export job(s) handed to the worker again." in response.content
    job.refresh_from_db()
    assert job.state == ExportState.DONE


# ------------------------------------------------------------------- the pages


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
    assert "Redaction summary: 4 passages redacted; 2 claims and 1 evidence item above level public left out." in done


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
