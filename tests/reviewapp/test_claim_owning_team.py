"""A claim's owning team is an access decision: its members read the whole report. The editor
offers only the teams of this report, says what giving a claim to one means, refuses any other
team (a forged id changes nothing) and logs each change as an access change."""

from django.urls import reverse

from evidence.services.editing import claim_update_with_evidence
from pathways.models import AuditEntry, Claim
from pathways.services import EditRefused
from tests.factories import ClaimFactory, TeamFactory, member_of
from tests.reviewapp.test_authoring_claims import claim_post, claim_url


def other_reports_team():
    """A team that owns a claim in another report only."""
    team = TeamFactory(slug="elsewhere", name="Elsewhere Team")
    ClaimFactory(owner_team=team)
    return team


def test_the_editor_offers_the_report_s_own_teams_and_says_what_owning_means(client, world, author):
    elsewhere = other_reports_team()
    client.force_login(author)

    page = client.get(claim_url("claim_edit")).content.decode()

    select = page[page.index('name="owner_team"') :]
    select = select[: select.index("</select>")]
    assert f'value="{world.team.pk}"' in select and f'value="{world.other_team.pk}"' in select
    assert f'value="{elsewhere.pk}"' not in select and "Elsewhere Team" not in page
    assert "read this whole report, internal material included" in page


def test_another_report_s_team_posted_is_refused_and_nothing_changes(client, world, author):
    elsewhere = other_reports_team()
    client.force_login(author)

    response = client.post(claim_url("claim_edit"), claim_post(world, owner_team=elsewhere.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    claim = Claim.objects.get(pk=world.public_claim.pk)
    assert (claim.owner_team, claim.version) == (world.team, 1)
    assert not AuditEntry.objects.filter(action__in=["pathways.claim.changed", "pathways.access.team_given_claim"])


def test_the_service_refuses_another_report_s_team_too(world, author):
    elsewhere = other_reports_team()

    try:
        claim_update_with_evidence(claim=world.public_claim, editor=author, version=1, owner_team=elsewhere)
    except EditRefused as refused:
        assert "owns nothing in this report" in refused.errors["owner_team"][0]
    else:
        raise AssertionError("the service gave the claim to another report's team")
    assert Claim.objects.get(pk=world.public_claim.pk).owner_team == world.team
    assert not AuditEntry.objects.exists()


def test_giving_a_claim_to_another_team_of_the_report_is_logged_as_an_access_change(client, world, author):
    member_of(world.other_team, username="grace", first_name="Grace", last_name="Hopper")
    client.force_login(author)

    assert client.post(claim_url("claim_edit"), claim_post(world, owner_team=world.other_team.pk)).status_code == 302

    entry = AuditEntry.objects.get(action="pathways.access.team_given_claim")
    assert (entry.actor, entry.target_id) == (author, world.public_claim.pk)
    assert entry.data["changes"]["owner_team"] == {"before": "Security", "after": "Alignment Science"}
    assert entry.data["changes"]["readers_through_the_team"]["after"] == ["Grace Hopper"]
    shown = client.get(reverse("audit_entry", args=["pilot", entry.pk])).content.decode()
    assert "Claim given to another team" in shown and "Grace Hopper" in shown


def test_saving_without_changing_the_team_logs_no_access_change(client, world, author):
    client.force_login(author)

    assert client.post(claim_url("claim_edit"), claim_post(world, statement="Reworded.")).status_code == 302

    assert AuditEntry.objects.filter(action="pathways.claim.changed").count() == 1
    assert not AuditEntry.objects.filter(action="pathways.access.team_given_claim").exists()
