"""Canaries for the audit log: an entry is shown only to someone who may see what it is
about. Another organisation's information request, a comment and a verdict on a pathway
outside a person's scope never reach an internal reader who cannot see them — not in the
log's list, its filters or its count, and an entry's own page answers 404."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from guardian.shortcuts import assign_perm

from pathways.audit import ACTIONS
from pathways.enums import PATHWAY_REVIEW_CODENAME, Clearance
from pathways.models import AuditEntry
from pathways.services import access_grant, team_member_add
from reviewapp.services.comments import comment_post
from reviewapp.services.verdicts import verdict_record
from tests.factories import UserFactory
from tests.reviewapp.matrix.requests import file_request

CANARY_OTHER_ORG_REQUEST = "CANARY-AUDIT-OTHER-ORG-REQUEST-5e1d"
CANARY_OUT_OF_SCOPE_COMMENT = "CANARY-AUDIT-OUT-OF-SCOPE-COMMENT-0b7a"
CANARY_ORGANISATION = "CANARY-AUDIT-ORGANISATION-c4c4"
CANARIES = [CANARY_OTHER_ORG_REQUEST, CANARY_OUT_OF_SCOPE_COMMENT, CANARY_ORGANISATION]


@pytest.fixture
def alignment_member(world):
    """A member of Alignment Science, which owns claims in the report but is not asked here."""
    person = UserFactory(username="ada")
    team_member_add(team=world.other_team, user=person)
    return person


@pytest.fixture
def pathway_reader(world):
    """An internal person who reads one pathway only, through a group's pathway grant."""
    person = UserFactory(username="ivan", clearance=Clearance.INTERNAL)
    group = Group.objects.create(name="Exfiltration readers")
    person.groups.add(group)
    assign_perm(PATHWAY_REVIEW_CODENAME, group, world.in_scope)
    return person


@pytest.fixture
def hidden_activity(world, author, external_reviewer, team_member):
    """Holdout's request to Security; a comment and a verdict on the government pathway."""
    request = file_request(world, external_reviewer, title=f"Holdout asks {CANARY_OTHER_ORG_REQUEST}")
    comment = comment_post(
        author=author, subject=world.out_of_scope, text=f"On government {CANARY_OUT_OF_SCOPE_COMMENT}", visibility=""
    )
    reviewer = UserFactory(username="gwen", clearance=Clearance.EXTERNAL)
    access_grant(
        report=world.report,
        user=reviewer,
        role="external_reviewer",
        org_name=CANARY_ORGANISATION,
        pathway_slugs=["government"],
    )
    verdict = verdict_record(
        conclusion=world.out_of_scope.conclusion, recorder=reviewer, position="dissent", rationale="No.", revision=1
    )
    return {
        "request": AuditEntry.objects.get(action="evidence.request.filed", target_id=request.pk),
        "comment": AuditEntry.objects.get(action="reviewapp.comment.posted", target_id=comment.pk),
        "verdict": AuditEntry.objects.get(action="reviewapp.verdict.recorded", target_id=verdict.pk),
    }


def _log(client, query=""):
    return client.get(reverse("audit_log", args=["pilot"]) + query)


def _assert_no_canary(body, canaries):
    for canary in canaries:
        assert canary not in body


@pytest.mark.parametrize("persona_name", ["stress_tester", "alignment_member"])
def test_another_organisations_request_is_not_in_the_log_of_someone_who_cannot_see_it(
    client, request, hidden_activity, persona_name
):
    person = request.getfixturevalue(persona_name)
    client.force_login(person)
    for query in ["", "?action=evidence.request", "?action=evidence.request.filed", "?page=1"]:
        response = _log(client, query)
        assert response.status_code == 200
        _assert_no_canary(response.content.decode(), [CANARY_OTHER_ORG_REQUEST])
    entry = hidden_activity["request"]
    assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 404
    body = _log(client).content.decode()
    end_of_filters = body.index("</form>", body.index('name="action"'))
    filters, results = body[:end_of_filters], body[end_of_filters:]
    assert "Request filed" not in results
    # The filter offers every action the app writes, whatever the log holds: its options say nothing of it.
    assert all(f'value="{action}"' in filters for action in ACTIONS)


def test_the_count_leaves_out_what_the_reader_cannot_see(client, hidden_activity, stress_tester, author):
    client.force_login(author)
    assert "3 entries" in _log(client).content.decode()  # the author sees every one
    client.force_login(stress_tester)
    assert "2 entries" in _log(client).content.decode()  # not Holdout's request


def test_the_requesters_own_side_and_the_owning_team_see_the_request_entry(
    client, hidden_activity, external_reviewer, team_member, author, leadership
):
    entry = hidden_activity["request"]
    for person in (team_member, author, leadership):
        client.force_login(person)
        assert CANARY_OTHER_ORG_REQUEST in _log(client).content.decode()
        assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 200
    client.force_login(external_reviewer)  # the audit log is internal material: not even their own
    assert _log(client).status_code == 404


def test_a_reader_of_one_pathway_sees_no_entry_about_other_pathways(client, hidden_activity, pathway_reader):
    client.force_login(pathway_reader)
    response = _log(client)
    assert response.status_code == 200
    body = response.content.decode()
    _assert_no_canary(body, CANARIES)
    assert "0 entries" in body
    for entry in hidden_activity.values():
        assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 404


def test_a_reader_of_one_pathway_sees_the_entries_about_it(client, world, author, pathway_reader):
    comment = comment_post(author=author, subject=world.in_scope, text="On exfiltration.", visibility="")
    entry = AuditEntry.objects.get(action="reviewapp.comment.posted", target_id=comment.pk)
    client.force_login(pathway_reader)
    assert "1 entry" in _log(client).content.decode()
    assert client.get(reverse("audit_entry", args=["pilot", entry.pk])).status_code == 200
