"""grant_access, revoke_access and add_team_member, as the README gives them."""

import pytest
from django.core.management import CommandError, call_command

from pathways.enums import Clearance
from pathways.models import PathwayUserObjectPermission, ReportUserObjectPermission, ReviewerOrganisation
from pathways.selectors import pathways_visible_to, reports_visible_to
from tests.factories import UserFactory


def grant(**options):
    call_command("grant_access", **options)


def test_it_grants_an_author_the_whole_report(world):
    alice = UserFactory(username="alice")
    grant(report="pilot", user="alice", role="author")
    assert list(reports_visible_to(alice)) == [world.report]
    assert pathways_visible_to(alice).count() == 3


def test_it_limits_an_external_reviewer_to_the_named_pathways(world):
    erin = UserFactory(username="erin", clearance=Clearance.EXTERNAL)
    grant(report="pilot", user="erin", role="external_reviewer", org="Holdout", pathways="exfiltration,backdoors")
    assert set(pathways_visible_to(erin).values_list("slug", flat=True)) == {"exfiltration", "backdoors"}
    erin.refresh_from_db()
    assert erin.organisation.name == "Holdout"
    assert ReviewerOrganisation.objects.get(name="Holdout").kind == "external"


def test_a_new_external_grant_replaces_the_earlier_scope(world):
    erin = UserFactory(username="erin", clearance=Clearance.EXTERNAL)
    grant(report="pilot", user="erin", role="external_reviewer", org="Holdout", pathways="exfiltration")
    grant(report="pilot", user="erin", role="external_reviewer", org="Holdout")
    assert pathways_visible_to(erin).count() == 3
    assert not PathwayUserObjectPermission.objects.filter(user=erin).exists()


@pytest.mark.parametrize(
    "clearance,options,message",
    [
        (Clearance.EXTERNAL, {"role": "author"}, "external clearance"),
        (Clearance.INTERNAL, {"role": "external_reviewer", "org": "Holdout"}, "internal clearance"),
        (Clearance.INTERNAL, {"role": "stress_tester"}, "needs --org"),
        (Clearance.INTERNAL, {"role": "leadership", "org": "Board"}, "--org is only for reviewer roles"),
        (
            Clearance.INTERNAL,
            {"role": "stress_tester", "org": "ST", "pathways": "exfiltration"},
            "limits external reviewers only",
        ),
        (
            Clearance.EXTERNAL,
            {"role": "external_reviewer", "org": "Holdout", "pathways": "exfiltration,nope"},
            "no pathway 'nope'",
        ),
    ],
)
def test_it_refuses_bad_grants_and_changes_nothing(world, clearance, options, message):
    UserFactory(username="pat", clearance=clearance)
    with pytest.raises(CommandError, match=message):
        grant(report="pilot", user="pat", **options)
    assert not ReportUserObjectPermission.objects.exists()
    assert not PathwayUserObjectPermission.objects.exists()
    assert not ReviewerOrganisation.objects.exists()


def test_it_refuses_an_unknown_user_or_report(world):
    UserFactory(username="pat")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        grant(report="pilot", user="ghost", role="author")
    with pytest.raises(CommandError, match="no report with slug 'nope'"):
        grant(report="nope", user="pat", role="author")


def test_it_refuses_an_unknown_role(world):
    UserFactory(username="pat")
    with pytest.raises(CommandError, match="invalid choice"):
        grant(report="pilot", user="pat", role="owner")


def test_an_organisation_kind_must_match_the_role(world):
    UserFactory(username="st")
    UserFactory(username="ext", clearance=Clearance.EXTERNAL)
    grant(report="pilot", user="st", role="stress_tester", org="Red Team")
    with pytest.raises(CommandError, match="internal stress-testing team"):
        grant(report="pilot", user="ext", role="external_reviewer", org="Red Team")


def test_a_person_acts_for_one_organisation(world):
    UserFactory(username="ext", clearance=Clearance.EXTERNAL)
    grant(report="pilot", user="ext", role="external_reviewer", org="Holdout")
    with pytest.raises(CommandError, match="already acts for 'Holdout'"):
        grant(report="pilot", user="ext", role="external_reviewer", org="Other Org")


def test_revoking_takes_effect_on_the_next_request(client, world, external_reviewer):
    client.force_login(external_reviewer)
    assert client.get("/reports/pilot/").status_code == 200
    call_command("revoke_access", report="pilot", user=external_reviewer.username)
    assert client.get("/reports/pilot/").status_code == 404
    assert client.get("/reports/pilot/pathways/exfiltration/").status_code == 404
    assert not PathwayUserObjectPermission.objects.filter(user=external_reviewer).exists()


def test_revoking_reports_when_there_was_nothing_to_remove(world, capsys):
    UserFactory(username="pat")
    call_command("revoke_access", report="pilot", user="pat")
    assert "held no grant" in capsys.readouterr().out


def test_a_team_member_reads_the_reports_where_the_team_owns_something(world):
    tom = UserFactory(username="tom")
    assert not reports_visible_to(tom).exists()
    call_command("add_team_member", team="security", user="tom")
    assert list(reports_visible_to(tom)) == [world.report]
    assert tom.reading_level == "internal"


def test_external_people_cannot_join_an_owning_team(world):
    UserFactory(username="ext", clearance=Clearance.EXTERNAL)
    with pytest.raises(CommandError, match="owning teams are internal"):
        call_command("add_team_member", team="security", user="ext")
    assert not world.team.members.exists()


def test_add_team_member_refuses_an_unknown_team(world):
    UserFactory(username="tom")
    with pytest.raises(CommandError, match="no team with slug 'nope'"):
        call_command("add_team_member", team="nope", user="tom")


def test_group_grants_count_like_personal_ones(world):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    group = Group.objects.create(name="Leadership group")
    lena = UserFactory(username="lena")
    lena.groups.add(group)
    assign_perm("pathways.role_leadership", group, world.report)
    assert list(reports_visible_to(lena)) == [world.report]
    assert pathways_visible_to(lena).count() == 3


def test_an_external_person_with_an_internal_role_permission_still_sees_nothing(world):
    from guardian.shortcuts import assign_perm

    ext = UserFactory(username="ext", clearance=Clearance.EXTERNAL)
    assign_perm("pathways.role_author", ext, world.report)  # bypassing the command's check
    assert not reports_visible_to(ext).exists()


def test_a_link_across_reports_gives_a_limited_reviewer_nothing(world, external_reviewer):
    from django.core.exceptions import ValidationError

    from pathways.models import PathwayClaim
    from pathways.selectors import claims_visible_to
    from tests.factories import ClaimFactory

    foreign = ClaimFactory(statement="A claim of another report")
    link = PathwayClaim(pathway=world.in_scope, claim=foreign)
    with pytest.raises(ValidationError, match="claims of its own report"):
        link.full_clean()
    link.save()  # a hand-made row, bypassing validation
    assert not claims_visible_to(external_reviewer).filter(pk=foreign.pk).exists()


def test_revoking_says_loudly_when_a_group_still_grants_access(world):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    group = Group.objects.create(name="Red team")
    pat = UserFactory(username="pat")
    pat.groups.add(group)
    assign_perm("pathways.role_stress_tester", group, world.report)
    assign_perm("pathways.role_author", pat, world.report)
    with pytest.raises(CommandError, match="still reaches pilot through group\\(s\\) 'Red team'"):
        call_command("revoke_access", report="pilot", user="pat")
    assert not ReportUserObjectPermission.objects.filter(user=pat).exists()
