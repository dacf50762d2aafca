"""Publishing a version: what it keeps, who may, what is refused, and that it never changes."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from evidence.report_file import report_document, report_snapshot
from pathways.models import AuditEntry, Conclusion, PathwayClaim
from pathways.services import EditRefused, claim_update, conclusion_update, pathway_update
from tests.conftest import CANARY_INTERNAL_SPAN
from tests.factories import ClaimEvidenceFactory, ClaimFactory, PathwayClaimFactory, UserFactory
from versions.models import ReportVersion, VersionImmutable
from versions.services import version_publish


def as_json(document: dict) -> dict:
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


def test_a_version_keeps_the_whole_report_at_the_internal_level_with_its_ids(world, author):
    version = version_publish(report=world.report, author=author, name="11 February", note="For external review.")

    version.refresh_from_db()
    assert (version.number, version.name, version.note, version.published_by) == (
        1,
        "11 February",
        "For external review.",
        author,
    )
    assert version.document == as_json(report_document(report=world.report))
    assert CANARY_INTERNAL_SPAN in version.document["report"]["summary"]  # the markers are kept
    assert version.ids["pathways"] == {
        "exfiltration": world.in_scope.pk,
        "backdoors": world.also_in_scope.pk,
        "government": world.out_of_scope.pk,
    }
    assert version.ids["claims"]["internal-only"] == world.internal_claim.pk
    assert version.ids["evidence"]["classifier-notes"] == world.internal_evidence.pk
    entry = AuditEntry.objects.get(action="versions.version.published")
    assert (entry.report, entry.actor, entry.data) == (world.report, author, {"version": 1, "name": "11 February"})


def test_versions_are_numbered_in_turn(world, author):
    first = version_publish(report=world.report, author=author, name="11 February")
    second = version_publish(report=world.report, author=author, name="3 March")
    assert (first.number, second.number) == (1, 2)


def test_a_published_version_never_changes_when_the_draft_does(world, author):
    version = version_publish(report=world.report, author=author, name="11 February")
    kept = ReportVersion.objects.get(pk=version.pk).document

    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, statement="Outbound transfers are stopped.")
    pathway_update(pathway=world.in_scope, editor=author, version=world.in_scope.version, argument="A new argument.")

    assert ReportVersion.objects.get(pk=version.pk).document == kept
    assert report_document(report=world.report)["claims"][0]["statement"] == "Outbound transfers are stopped."
    version.name = "Renamed"
    with pytest.raises(VersionImmutable):
        version.save()
    assert ReportVersion.objects.get(pk=version.pk).name == "11 February"


@pytest.mark.parametrize("persona", ["stress_tester", "external_reviewer", "leadership", "team_member", "outsider"])
def test_only_authors_publish(request, world, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(EditRefused):
        version_publish(report=world.report, author=person, name="11 February")
    assert not ReportVersion.objects.exists()
    assert not AuditEntry.objects.filter(action="versions.version.published").exists()


@pytest.mark.parametrize(
    ("name", "field_error"),
    [("", "Name the version"), ("   ", "Name the version"), ("x" * 101, "Keep the name to 100 characters")],
)
def test_a_version_needs_a_short_name(world, author, name, field_error):
    with pytest.raises(EditRefused) as refused:
        version_publish(report=world.report, author=author, name=name)
    assert field_error in refused.value.errors["name"][0]
    assert not ReportVersion.objects.exists()


def test_two_versions_of_a_report_cannot_share_a_name(world, author):
    version_publish(report=world.report, author=author, name="11 February")
    with pytest.raises(EditRefused) as refused:
        version_publish(report=world.report, author=author, name="11 february")
    assert "already called" in refused.value.errors["name"][0]
    assert ReportVersion.objects.count() == 1


def test_staff_read_versions_in_the_admin_and_can_neither_add_change_nor_delete_them(client, world, author):
    version = version_publish(report=world.report, author=author, name="11 February")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    base = "/admin/versions/reportversion"

    assert client.get(f"{base}/").status_code == 200
    page = client.get(f"{base}/{version.pk}/change/")
    assert page.status_code == 200 and "11 February" in page.content.decode()
    assert client.get(f"{base}/add/").status_code == 403
    assert client.post(f"{base}/{version.pk}/change/", {"name": "Renamed"}).status_code == 403
    assert client.post(f"{base}/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReportVersion.objects.get(pk=version.pk).name == "11 February"


def test_the_snapshot_is_the_internal_report_file_with_every_link_in_order(world, author):
    second = ClaimFactory(report=world.report, slug="second-on-exfiltration", owner_team=world.team)
    PathwayClaimFactory(pathway=world.in_scope, claim=second, position=0)
    ClaimEvidenceFactory(claim=world.reviewer_claim, evidence=world.public_evidence, relation="context")
    conclusion_update(
        conclusion=Conclusion.objects.get(pathway=world.in_scope),
        editor=author,
        revision=1,
        risk_level="low",
        text="Low.",
    )
    document, ids = report_snapshot(report=world.report)
    assert document == report_document(report=world.report)
    assert ids["claims"]["second-on-exfiltration"] == second.pk
    in_order = PathwayClaim.objects.filter(pathway=world.in_scope).order_by("position", "id")
    assert document["pathways"][0]["claims"] == [link.claim.slug for link in in_order]
    assert "second-on-exfiltration" in document["pathways"][0]["claims"]
