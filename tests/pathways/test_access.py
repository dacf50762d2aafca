"""The scope functions that filter on the access object.

Each scope function is checked, for every persona, against a reference written here in
plain Python from the rule itself (the guardian tables, team membership, sensitivity),
over a world with a second report, a group grant, pathway grants, comments of both
visibilities, requests of two organisations, verdicts, notifications and audit entries.
The access object itself, revocation and the kept scopes: test_access_object.
"""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from evidence.models import ClaimEvidence, Evidence, InformationRequest
from evidence.selectors import evidence_visible_to, information_requests_visible_to
from pathways.access import compute_access
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
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to, reports_visible_to
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
    person = rich_world["ivan"] if persona_name == "ivan" else request.getfixturevalue(persona_name)
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
