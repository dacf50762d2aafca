"""The access object: what it holds for each kind of person, the grants that count for nothing, a
revocation taking effect on the next request or task run, and the scopes built once per access."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from pathways.access import NOBODY, access_of, compute_access, remember_access
from pathways.enums import Clearance, Role, Sensitivity
from pathways.models import Claim, Conclusion, Pathway
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to, reports_visible_to
from pathways.services import access_grant, access_revoke
from reviewapp.enums import NotificationKind, NotificationState
from reviewapp.models import Notification
from tests.factories import UserFactory
from tests.reviewapp.matrix.requests import file_request

# ------------------------------------------------------------- the object itself


def test_a_pathway_limited_reviewer_sees_two_pathways_and_acts_for_their_organisation(world, external_reviewer):
    access = compute_access(external_reviewer)
    assert access.whole_report_ids == frozenset()
    assert access.limited_pathway_ids == {world.in_scope.pk, world.also_in_scope.pk}
    assert access.visible_report_ids == {world.report.pk}
    on_report = access.on(world.report)
    assert on_report.roles == {Role.EXTERNAL_REVIEWER}
    assert on_report.reviewing_organisation.name == "Holdout Evaluators"
    assert on_report.may_file_requests and on_report.may_record_verdicts
    assert not (on_report.may_edit or on_report.may_open_dashboard or on_report.may_read_internal_pages)
    assert access.level == Sensitivity.REVIEWER


def test_a_team_member_reads_the_report_whole_at_internal_level_and_answers_for_the_team(world, team_member):
    access = compute_access(team_member)
    assert access.team_ids == {world.team.pk}
    assert access.whole_report_ids == {world.report.pk}
    on_report = access.on(world.report)
    assert on_report.roles == {Role.TEAM_MEMBER} and on_report.may_read_internal_pages
    assert not (on_report.may_file_requests or on_report.may_edit or on_report.may_sign_off)
    assert access.level == Sensitivity.INTERNAL


def test_an_external_persons_internal_grant_counts_for_nothing(world):
    erin = UserFactory(username="mallory", clearance=Clearance.EXTERNAL)
    assign_perm(f"pathways.{Role.AUTHOR.codename}", erin, world.report)  # bypassing the commands
    access = compute_access(erin)
    assert access.visible_report_ids == frozenset()
    assert not access.on(world.report).may_edit


def test_nobody_signed_in_reaches_nothing(world):
    assert access_of(None) is NOBODY
    inactive = UserFactory(username="gone", is_active=False)
    access_grant(report=world.report, user=inactive, role="author")
    assert compute_access(inactive) is NOBODY
    assert not reports_visible_to(inactive).exists() and not claims_visible_to(None).exists()


def test_a_remembered_user_keeps_one_object_and_any_other_instance_reads_afresh(world, author):
    remember_access(author)
    first = access_of(author)
    assert access_of(author) is first
    fresh = type(author).objects.get(pk=author.pk)
    assert access_of(fresh) is not access_of(fresh)


# -------------------------------------------------------------- revocation


def test_revoking_between_two_requests_narrows_the_next_one(client, world, author):
    client.force_login(author)
    assert client.get(f"/reports/{world.report.slug}/").status_code == 200
    access_revoke(report=world.report, user=author)
    assert client.get(f"/reports/{world.report.slug}/").status_code == 404
    assert client.get("/").content.decode().count(world.report.title) == 0


def test_a_request_computes_access_once_however_many_scopes_it_reads(client, world, author):
    client.force_login(author)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/reports/{world.report.slug}/pathways/{world.in_scope.slug}/").status_code == 200
    access_reads = [q["sql"] for q in queries.captured_queries if "pathways_reportuserobjectpermission" in q["sql"]]
    assert len(access_reads) == 1


def test_a_task_run_after_a_revocation_sees_the_narrowed_scope(world, external_reviewer, team_member):
    from reviewapp.services.delivery import notification_deliver

    information_request = file_request(world, external_reviewer, title="Egress at night")
    notification = Notification.objects.create(
        recipient=external_reviewer,
        kind=NotificationKind.REQUEST_ANSWERED,
        report=world.report,
        dedupe_key="after-revoke",
        information_request=information_request,
    )
    access_revoke(report=world.report, user=external_reviewer)
    assert notification_deliver(notification.pk) == NotificationState.SUPPRESSED
    notification.refresh_from_db()
    assert notification.subject == "" and notification.body == ""


def test_an_export_run_after_a_revocation_fails_without_a_file(world, external_reviewer):
    from reviewapp.enums import ExportState
    from reviewapp.models import ExportJob
    from reviewapp.services.exports import export_job_run

    job = ExportJob.objects.create(
        requester=external_reviewer, report=world.report, kind="report", fmt="md", level="reviewer"
    )
    access_revoke(report=world.report, user=external_reviewer)
    assert export_job_run(job.pk) == ExportState.FAILED
    job.refresh_from_db()
    assert "no longer have access" in job.last_error and job.file_path == ""


# -------------------------------------------------------------- built scopes kept per access


def test_a_scope_is_built_once_per_access_content_and_each_caller_gets_its_own_copy(world, author, external_reviewer):
    from pathways import selectors

    first = claims_visible_to(author)
    key = (Claim, selectors.claim_scope, None, access_of(author).fingerprint)
    assert key in selectors.SCOPED.entries
    narrowed = first.filter(slug="no-such-claim")
    again = claims_visible_to(type(author).objects.get(pk=author.pk))  # another instance, same access
    assert again.query is not first.query and again.query is not narrowed.query
    assert set(again) == set(first) and set(first) and not list(narrowed)
    assert access_of(external_reviewer).fingerprint != access_of(author).fingerprint
    assert set(claims_visible_to(external_reviewer)) < set(first)


def test_a_changed_grant_changes_the_fingerprint_and_so_the_filter(world, external_reviewer):
    before = access_of(external_reviewer)
    seen = set(pathways_visible_to(before))
    assert seen
    access_revoke(report=world.report, user=external_reviewer)
    after = compute_access(external_reviewer)
    assert after.fingerprint != before.fingerprint
    assert not set(pathways_visible_to(after)) & seen
    assert set(pathways_visible_to(before)) == seen  # the old content still means the old filter


def test_the_kept_scopes_stay_within_their_bound(world, author, monkeypatch):
    from pathways import selectors

    monkeypatch.setattr(selectors, "SCOPED", selectors.Kept(size=3))
    for visible_to in (reports_visible_to, pathways_visible_to, claims_visible_to, conclusions_visible_to):
        list(visible_to(author))
    list(pathways_visible_to(author))  # used again: now the newest
    assert len(selectors.SCOPED.entries) == 3
    assert [key[0] for key in selectors.SCOPED.entries] == [Claim, Conclusion, Pathway]
