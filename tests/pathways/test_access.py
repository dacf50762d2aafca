"""The access object and the scope functions that filter on it.

Each scope function is checked, for every persona, against a reference written here in
plain Python from the rule itself (the guardian tables, team membership, sensitivity),
over a world with a second report, a group grant, pathway grants, comments of both
visibilities, requests of two organisations, verdicts, notifications and audit entries.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from evidence.models import ClaimEvidence, Evidence, InformationRequest
from evidence.selectors import evidence_visible_to, information_requests_visible_to
from pathways.access import NOBODY, access_of, compute_access, remember_access
from pathways.enums import PATHWAY_REVIEW_CODENAME, Clearance, Role, Sensitivity
from pathways.models import (
    AuditEntry,
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    PathwayGroupObjectPermission,
    PathwayUserObjectPermission,
    Report,
    ReportGroupObjectPermission,
    ReportUserObjectPermission,
)
from pathways.selectors import (
    claims_visible_to,
    conclusions_visible_to,
    pathways_visible_to,
    reports_visible_to,
)
from pathways.services import access_grant, access_revoke
from reviewapp.enums import CommentVisibility, NotificationKind, NotificationState
from reviewapp.models import Comment, Notification, Verdict
from reviewapp.selectors.audit import audit_entries_visible_to
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.selectors.notifications import notifications_visible_to
from reviewapp.selectors.verdicts import verdicts_visible_to
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.verdicts import verdict_record
from tests.conftest import PERSONAS
from tests.factories import ClaimFactory, EvidenceFactory, PathwayFactory, ReportFactory, TeamFactory, UserFactory
from tests.reviewapp.matrix.requests import file_request

SIGNED_IN_PERSONAS = [persona for persona in PERSONAS if persona != "anonymous"]


@pytest.fixture
def rich_world(world, author, stress_tester, external_reviewer, leadership, team_member, outsider):
    """The shared world, and around it: a second report in which Security (tom's team)
    owns a claim, read by lena through a group's grant and by an internal person with only
    a pathway grant (through a group); comments of both visibilities on every kind of
    subject; requests of two organisations; verdicts; a notification for everyone about
    each of these; and the audit entries all of this wrote."""
    other = ReportFactory(slug="other", title="Other report")
    other_pathway = PathwayFactory(report=other, slug="other-path", title="Other pathway", position=1)
    second_pathway = PathwayFactory(report=other, slug="second-path", title="Second pathway", position=2)
    ClaimFactory(report=other, slug="security-owned", owner_team=world.team, pathways=[other_pathway])
    hidden_claim = ClaimFactory(
        report=other, slug="elsewhere", owner_team=TeamFactory(slug="elsewhere"), pathways=[second_pathway]
    )
    EvidenceFactory(report=other, slug="other-evidence", owner_team=world.other_team)
    leaders = Group.objects.create(name="Other leaders")
    leadership.groups.add(leaders)
    assign_perm(f"pathways.{Role.LEADERSHIP.codename}", leaders, other)
    ivan = UserFactory(username="ivan", clearance=Clearance.INTERNAL)
    readers = Group.objects.create(name="Pathway readers")
    ivan.groups.add(readers)
    assign_perm(PATHWAY_REVIEW_CODENAME, readers, second_pathway)

    comment_post(author=author, subject=world.public_claim, text="Shared on a claim.", visibility="shared")
    internal = comment_post(author=author, subject=world.in_scope, text="Internal.", visibility="internal")
    comment_reply(author=stress_tester, parent=internal, text="Internal reply.")
    comment_post(author=stress_tester, subject=world.out_of_scope, text="Out of scope.", visibility="shared")
    comment_post(author=author, subject=world.internal_claim, text="On an internal claim.", visibility="shared")
    comment_post(author=external_reviewer, subject=world.public_evidence, text="Evidence.", visibility="")
    comment_post(author=author, subject=world.out_of_scope.conclusion, text="Government.", visibility="shared")
    comment_post(author=leadership, subject=hidden_claim, text="Elsewhere.", visibility="shared")

    file_request(world, external_reviewer, title="Holdout asks")
    file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Stress-testers ask")
    file_request(world, stress_tester, subject=world.out_of_scope, team=world.other_team, title="Government")

    for conclusion, recorder in [
        (world.in_scope.conclusion, external_reviewer),
        (world.in_scope.conclusion, stress_tester),
        (world.out_of_scope.conclusion, stress_tester),
    ]:
        verdict_record(conclusion=conclusion, recorder=recorder, position="concur", rationale="", revision=1)

    people = [author, stress_tester, external_reviewer, leadership, team_member, outsider, ivan]
    subjects = (
        [{"information_request": request} for request in InformationRequest.objects.all()]
        + [{"comment": comment} for comment in Comment.objects.all()]
        + [{"verdict": verdict} for verdict in Verdict.objects.all()]
    )
    for person in people:
        for number, subject in enumerate(subjects):
            report = next(iter(subject.values())).report if "verdict" not in subject else world.report
            Notification.objects.get_or_create(
                recipient=person,
                dedupe_key=f"test:{number}",
                defaults={
                    "kind": NotificationKind.MENTION,
                    "report": report,
                    "state": NotificationState.DELIVERED,
                    "rendered_level": person.reading_level,
                    **subject,
                },
            )
    return {"other": other, "ivan": ivan}


# ------------------------------------------------------------------ the reference


def _granted(user):
    """(report roles, pathway grants) from the guardian tables, directly and through groups."""
    groups = list(user.groups.values_list("id", flat=True))
    report_rows = list(
        ReportUserObjectPermission.objects.filter(user=user).values_list("content_object_id", "permission__codename")
    ) + list(
        ReportGroupObjectPermission.objects.filter(group_id__in=groups).values_list(
            "content_object_id", "permission__codename"
        )
    )
    allowed = {Role.EXTERNAL_REVIEWER.codename}
    if user.clearance == Clearance.INTERNAL:
        allowed |= {Role.AUTHOR.codename, Role.STRESS_TESTER.codename, Role.LEADERSHIP.codename}
    roles = {}
    for report_id, codename in report_rows:
        if codename in allowed:
            roles.setdefault(report_id, set()).add(codename)
    pathway_ids = set(
        PathwayUserObjectPermission.objects.filter(user=user, permission__codename=PATHWAY_REVIEW_CODENAME).values_list(
            "content_object_id", flat=True
        )
    ) | set(
        PathwayGroupObjectPermission.objects.filter(
            group_id__in=groups, permission__codename=PATHWAY_REVIEW_CODENAME
        ).values_list("content_object_id", flat=True)
    )
    return roles, pathway_ids


class Reference:
    """Who sees what, by the rule, computed row by row."""

    def __init__(self, user):
        self.user = user
        roles, self.pathway_grants = _granted(user)
        teams = set(user.teams.values_list("id", flat=True))
        self.teams = teams
        owned = set()
        if user.clearance == Clearance.INTERNAL:
            owned = {claim.report_id for claim in Claim.objects.all() if claim.owner_team_id in teams}
            owned |= {evidence.report_id for evidence in Evidence.objects.all() if evidence.owner_team_id in teams}
        self.roles = roles
        self.whole = set(roles) | owned
        self.readable = Sensitivity.at_or_below(user.reading_level)

    def report(self, report):
        granted_pathway = Pathway.objects.filter(pk__in=self.pathway_grants, report=report).exists()
        return report.pk in self.whole or granted_pathway

    def pathway(self, pathway):
        return pathway.report_id in self.whole or pathway.pk in self.pathway_grants

    def claim(self, claim):
        if claim.sensitivity not in self.readable:
            return False
        if claim.report_id in self.whole:
            return True
        links = PathwayClaim.objects.filter(claim=claim, pathway__report_id=claim.report_id)
        return any(link.pathway_id in self.pathway_grants for link in links)

    def evidence(self, evidence):
        if evidence.sensitivity not in self.readable:
            return False
        if evidence.report_id in self.whole:
            return True
        links = ClaimEvidence.objects.filter(evidence=evidence, claim__report_id=evidence.report_id)
        return any(self.claim(link.claim) for link in links)

    def conclusion(self, conclusion):
        if conclusion.pathway_id is None:
            return self.report(conclusion.report)
        return self.pathway(conclusion.pathway)

    def subject_of(self, thing):
        for name in ("pathway", "claim", "evidence", "conclusion"):
            subject = getattr(thing, name, None)
            if subject is not None:
                return getattr(self, name)(subject)
        return False

    def comment(self, comment):
        if not self.subject_of(comment):
            return False
        if self.user.clearance == Clearance.EXTERNAL:
            internal = CommentVisibility.INTERNAL
            return comment.visibility != internal and (comment.parent is None or comment.parent.visibility != internal)
        return True

    def information_request(self, information_request):
        if not self.subject_of(information_request):
            return False
        overseer = {Role.AUTHOR.codename, Role.LEADERSHIP.codename} & self.roles.get(
            information_request.report_id, set()
        )
        return (
            information_request.team_id in self.teams
            or (self.user.organisation_id and information_request.organisation_id == self.user.organisation_id)
            or (self.user.clearance == Clearance.INTERNAL and bool(overseer))
        )

    def verdict(self, verdict):
        return self.conclusion(verdict.conclusion)

    def notification(self, notification):
        if notification.recipient_id != self.user.pk or notification.state != NotificationState.DELIVERED:
            return False
        if notification.rendered_level not in self.readable or not self.report(notification.report):
            return False
        for name in ("information_request", "comment", "verdict"):
            target = getattr(notification, name)
            if target is not None and not getattr(self, name)(target):
                return False
        return True

    def audit_entry(self, entry):
        if self.user.clearance == Clearance.EXTERNAL or not self.report(entry.report):
            return False
        whole = entry.report_id in self.whole
        roles = self.roles.get(entry.report_id, set())
        overseer = bool({Role.AUTHOR.codename, Role.LEADERSHIP.codename} & roles)
        models = {
            "pathway": Pathway,
            "claim": Claim,
            "evidence": Evidence,
            "conclusion": Conclusion,
            "comment": Comment,
            "verdict": Verdict,
            "informationrequest": InformationRequest,
        }
        if entry.target_type in ("", "report"):
            return True
        if entry.target_type in models:
            if whole and entry.target_type != "informationrequest":
                return True
            if entry.target_type == "informationrequest" and overseer:
                return True
            target = models[entry.target_type].objects.filter(pk=entry.target_id).first()
            name = "information_request" if entry.target_type == "informationrequest" else entry.target_type
            return target is not None and getattr(self, name)(target)
        if entry.target_type == "signoff":
            return overseer
        if entry.target_type == "exportjob":
            return overseer or entry.actor_id == self.user.pk
        return False


SCOPES = [
    ("report", Report, reports_visible_to),
    ("pathway", Pathway, pathways_visible_to),
    ("claim", Claim, claims_visible_to),
    ("evidence", Evidence, evidence_visible_to),
    ("conclusion", Conclusion, conclusions_visible_to),
    ("comment", Comment, comments_visible_to),
    ("information_request", InformationRequest, information_requests_visible_to),
    ("verdict", Verdict, verdicts_visible_to),
    ("notification", Notification, notifications_visible_to),
    ("audit_entry", AuditEntry, audit_entries_visible_to),
]


@pytest.mark.parametrize("name,model,visible_to", SCOPES, ids=[name for name, _, _ in SCOPES])
@pytest.mark.parametrize("persona_name", [*SIGNED_IN_PERSONAS, "ivan"])
def test_each_scope_matches_the_rule_for_each_persona(request, rich_world, persona_name, name, model, visible_to):
    if persona_name == "ivan":
        person = rich_world["ivan"]
    else:
        person = request.getfixturevalue(persona_name)
    reference = Reference(person)
    expected = {row.pk for row in model.objects.all() if getattr(reference, name)(row)}
    access = compute_access(person)
    assert set(visible_to(access).values_list("pk", flat=True)) == expected
    assert set(visible_to(person).values_list("pk", flat=True)) == expected
    assert model.objects.exists()


def test_the_world_gives_each_scope_something_to_hide_and_to_show(
    rich_world, external_reviewer, team_member, stress_tester
):
    """The comparison above means something only if the scopes cut: for each kind of
    thing, some persona sees some rows of it and not others."""
    people = [external_reviewer, team_member, stress_tester, rich_world["ivan"]]
    for name, model, _ in SCOPES:
        rows = list(model.objects.all())
        cuts = []
        for person in people:
            reference = Reference(person)
            seen = [getattr(reference, name)(row) for row in rows]
            cuts.append(any(seen) and not all(seen))
        assert any(cuts), name


# ------------------------------------------------------------- the object itself


def test_the_access_object_is_read_in_one_query(world, rich_world, leadership, django_assert_num_queries):
    with django_assert_num_queries(1):
        access = compute_access(leadership)
    other = rich_world["other"]
    assert access.whole_report_ids == {world.report.pk, other.pk}
    assert access.granted_roles[other.pk] == {Role.LEADERSHIP}
    assert access.on(other).may_open_dashboard and access.on(other).may_sign_off
    assert not access.on(other).may_edit


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
