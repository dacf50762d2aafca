"""The People page: the report's authors and leadership see who has access (role,
organisation, pathway scope, last seen) and give, narrow and take away access in the app;
every change is audited; bad input changes nothing; a fixed number of queries however many
people there are."""

import pytest
from django.urls import reverse

from pathways.access import access_of
from pathways.enums import Clearance, Role
from pathways.models import AuditEntry, PathwayUserObjectPermission, ReportUserObjectPermission, User
from pathways.people import access_grant, report_people
from tests.factories import PathwayFactory, UserFactory, member_of
from tests.helpers import query_count

PEOPLE = reverse("people", args=["pilot"])
GRANT = reverse("people_grant", args=["pilot"])


def holds(person, report) -> tuple:
    return (
        sorted(
            ReportUserObjectPermission.objects.filter(user=person, content_object=report).values_list(
                "permission__codename", flat=True
            )
        ),
        sorted(
            PathwayUserObjectPermission.objects.filter(user=person, content_object__report=report).values_list(
                "content_object__slug", flat=True
            )
        ),
    )


@pytest.fixture
def outsider_reviewer(db):
    return UserFactory(
        username="ola",
        first_name="Ola",
        last_name="Nordmann",
        clearance=Clearance.EXTERNAL,
        email="ola@reviewers.example",
    )


def test_the_page_lists_who_has_access_and_how_far(client, world, author, external_reviewer):
    member_of(world.team, username="sam", first_name="Sam", last_name="Team")
    client.force_login(author)

    page = client.get(PEOPLE).content.decode()

    assert str(author) in page and "Author" in page
    assert str(external_reviewer) in page and external_reviewer.organisation.name in page
    assert "Sam Team" in page and "Owning teams" in page
    assert "Give someone access" in page


def test_an_author_gives_an_external_reviewer_one_pathway_and_it_is_audited(client, world, author, outsider_reviewer):
    client.force_login(author)
    data = {
        "person": "ola@reviewers.example",
        "role": "external_reviewer",
        "organisation": "Outside Reviewers",
        "pathways": [world.in_scope.pk],
    }

    response = client.post(GRANT, data)

    assert response.status_code == 302
    assert "is now external reviewer" in client.get(PEOPLE).content.decode()
    assert holds(outsider_reviewer, world.report) == ([], [world.in_scope.slug])
    reach = access_of(outsider_reviewer).on(world.report)
    assert reach.visible and not reach.sees_whole_report
    entry = AuditEntry.objects.get(action="pathways.access.granted", actor=author)
    assert (entry.actor, entry.target_type, entry.target_id) == (author, "user", outsider_reviewer.pk)
    assert entry.data["changes"]["pathways"] == {"before": [], "after": [world.in_scope.title]}
    shown = client.get(reverse("audit_entry", args=["pilot", entry.pk])).content.decode()
    assert "Access given or changed" in shown and world.in_scope.title in shown


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"person": "nobody-here"}, "No active account has that username or address."),
        ({"role": "author", "organisation": ""}, "has external clearance; the author role is for internal people"),
        ({"organisation": ""}, "reviews for an organisation: name it"),
        ({"role": "leadership", "organisation": "Board"}, "Only reviewers act for an organisation"),
        (
            {"role": "stress_tester", "organisation": "X", "pathways": ["PATHWAY"]},
            "Only external reviewers are limited",
        ),
        ({"pathways": ["999999"]}, "Select a valid choice"),
        ({"role": "owner"}, "Select a valid choice"),
    ],
)
def test_a_bad_grant_says_why_and_changes_nothing(client, world, author, outsider_reviewer, overrides, message):
    client.force_login(author)
    data = {"person": "ola", "role": "external_reviewer", "organisation": "Outside Reviewers", **overrides}
    data["pathways"] = [world.in_scope.pk if value == "PATHWAY" else value for value in data.get("pathways", [])]

    response = client.post(GRANT, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert holds(outsider_reviewer, world.report) == ([], [])
    assert not AuditEntry.objects.filter(action__startswith="pathways.access", actor=author).exists()


def test_another_report_s_pathway_cannot_be_granted(client, world, author, outsider_reviewer):
    elsewhere = PathwayFactory()
    client.force_login(author)

    response = client.post(
        GRANT, {"person": "ola", "role": "external_reviewer", "organisation": "Outside", "pathways": [elsewhere.pk]}
    )

    assert response.status_code == 400
    assert holds(outsider_reviewer, world.report) == ([], [])
    assert not PathwayUserObjectPermission.objects.filter(user=outsider_reviewer).exists()


def limit_to_one_pathway(world, person):
    access_grant(
        report=world.report,
        user=person,
        role=Role.EXTERNAL_REVIEWER,
        org_name="Outside",
        pathway_slugs=[world.in_scope.slug],
    )


def test_an_external_reviewer_s_pathways_are_changed_in_place(client, world, leadership, outsider_reviewer):
    limit_to_one_pathway(world, outsider_reviewer)
    client.force_login(leadership)
    url = reverse("people_scope", args=["pilot", outsider_reviewer.pk])

    assert client.post(url, {"pathways": [world.in_scope.pk, world.also_in_scope.pk]}).status_code == 302
    assert holds(outsider_reviewer, world.report)[1] == sorted([world.in_scope.slug, world.also_in_scope.slug])

    assert client.post(url, {"pathways": []}).status_code == 302
    assert holds(outsider_reviewer, world.report) == (["role_external_reviewer"], [])
    assert access_of(outsider_reviewer).on(world.report).sees_whole_report
    assert AuditEntry.objects.filter(action="pathways.access.granted", actor=leadership).count() == 2


def test_a_forged_pathway_in_a_scope_change_changes_nothing(client, world, author, outsider_reviewer):
    limit_to_one_pathway(world, outsider_reviewer)
    client.force_login(author)

    client.post(reverse("people_scope", args=["pilot", outsider_reviewer.pk]), {"pathways": [PathwayFactory().pk]})

    assert holds(outsider_reviewer, world.report) == ([], [world.in_scope.slug])


def test_taking_access_away_works_on_the_next_page_and_is_audited(client, world, author, stress_tester):
    client.force_login(author)

    assert client.post(reverse("people_revoke", args=["pilot", stress_tester.pk])).status_code == 302

    assert holds(stress_tester, world.report) == ([], [])
    assert not access_of(stress_tester).on(world.report).visible
    entry = AuditEntry.objects.get(action="pathways.access.revoked", actor=author)
    assert entry.data["changes"]["roles"] == {"before": ["Stress-tester"], "after": []}
    client.force_login(stress_tester)
    assert client.get(reverse("report_detail", args=["pilot"])).status_code == 404


def test_no_one_takes_away_their_own_access(client, world, author):
    client.force_login(author)

    client.post(reverse("people_revoke", args=["pilot", author.pk]))

    assert holds(author, world.report)[0] == ["role_author"]
    assert "cannot take away your own access" in client.get(PEOPLE).content.decode()


def test_access_changes_are_read_by_those_who_manage_people_only(
    client, world, author, stress_tester, outsider_reviewer
):
    access_grant(
        report=world.report, user=outsider_reviewer, role=Role.EXTERNAL_REVIEWER, org_name="Outside", actor=author
    )
    log = reverse("audit_log", args=["pilot"])
    client.force_login(author)
    assert "Ola Nordmann" in client.get(log).content.decode()
    client.force_login(stress_tester)
    assert "Ola Nordmann" not in client.get(log).content.decode()


def test_only_the_managers_see_the_people_link(client, world, author, stress_tester):
    report = reverse("report_detail", args=["pilot"])
    client.force_login(author)
    assert f'href="{PEOPLE}"' in client.get(report).content.decode()
    client.force_login(stress_tester)
    assert f'href="{PEOPLE}"' not in client.get(report).content.decode()


def _grant_many(world, count):
    for number in range(count):
        person = UserFactory(username=f"reviewer-{count}-{number}", clearance=Clearance.EXTERNAL)
        access_grant(
            report=world.report,
            user=person,
            role=Role.EXTERNAL_REVIEWER,
            org_name=f"Org {number}",
            pathway_slugs=[world.in_scope.slug, world.also_in_scope.slug][: 1 + number % 2],
        )
        member_of(world.team)


@pytest.mark.parametrize("scale", [1, 3])
def test_the_page_makes_the_same_queries_however_many_people(client, world, author, scale):
    _grant_many(world, 4 * scale)
    client.force_login(author)

    assert len(report_people(world.report)) >= 4 * scale
    assert query_count(client, PEOPLE) == 12


def test_no_one_changes_their_own_access(client, world, author):
    client.force_login(author)

    response = client.post(GRANT, {"person": author.username, "role": "leadership"})

    assert response.status_code == 400 and "cannot change your own access" in response.content.decode()
    assert holds(author, world.report)[0] == ["role_author"]


def test_only_leadership_or_staff_give_the_leadership_role(client, world, author, leadership):
    newcomer = UserFactory(username="newcomer-internal", clearance=Clearance.INTERNAL)
    client.force_login(author)
    refused = client.post(GRANT, {"person": "newcomer-internal", "role": "leadership"})
    assert (
        refused.status_code == 400 and "Only leadership or staff give the leadership role" in refused.content.decode()
    )
    assert holds(newcomer, world.report) == ([], [])

    client.force_login(leadership)
    assert client.post(GRANT, {"person": "newcomer-internal", "role": "leadership"}).status_code == 302
    assert holds(newcomer, world.report)[0] == ["role_leadership"]


def test_the_page_lists_the_teams_that_read_the_report_by_what_they_own(client, world, author):
    from tests.factories import LineOfDefenceFactory, TeamFactory

    lines_only = TeamFactory(slug="lines-only", name="Lines Only Team")
    LineOfDefenceFactory(report=world.report, pathway=world.in_scope, owner_team=lines_only)
    client.force_login(author)

    page = client.get(PEOPLE).content.decode()

    teams = page[page.index('id="teams-heading"') :]
    assert "Security" in teams and "Lines Only Team" not in teams


def test_only_staff_add_someone_to_an_organisation_that_exists(client, world, author, external_reviewer):
    newcomer = UserFactory(username="impostor", clearance=Clearance.EXTERNAL)
    organisation = external_reviewer.organisation.name
    client.force_login(author)

    refused = client.post(GRANT, {"person": "impostor", "role": "external_reviewer", "organisation": organisation})

    assert refused.status_code == 400 and "only staff add people to an organisation" in refused.content.decode()
    assert holds(newcomer, world.report) == ([], []) and User.objects.get(pk=newcomer.pk).organisation is None
    author.is_staff = True
    author.save(update_fields=["is_staff"])
    assert (
        client.post(
            GRANT, {"person": "impostor", "role": "external_reviewer", "organisation": organisation}
        ).status_code
        == 302
    )
