"""The pages of published versions: publishing from the list, reading a version and its
pathways as each person reads them, bad input, 404 out of scope, and query budgets."""

import pytest

from pathways.services import claim_update
from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN, REVIEWER_VISIBLE
from tests.factories import ClaimFactory, PathwayFactory
from tests.helpers import page_queries
from versions.models import ReportVersion
from versions.selectors import READINGS
from versions.services import version_publish

VERSION_PAGES = [
    "/reports/pilot/versions/",
    "/reports/pilot/versions/1/",
    "/reports/pilot/versions/1/pathways/exfiltration/",
    "/reports/pilot/versions/1/changes/",
    "/reports/pilot/versions/1/changes/?to=2",
]


def published(world, author, name="11 February") -> ReportVersion:
    return version_publish(report=world.report, author=author, name=name)


def test_an_author_publishes_from_the_list_and_lands_on_the_version(client, world, author):
    client.force_login(author)
    assert "No version of this report has been published yet" in client.get("/reports/pilot/versions/").content.decode()

    response = client.post("/reports/pilot/versions/", {"name": "11 February", "note": "For the external review."})

    version = ReportVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == "/reports/pilot/versions/1/"
    page = client.get(response["Location"]).content.decode()
    assert "<strong>version 1, “11 February”</strong>, as published" in page
    assert "For the external review." in page and "Self-exfiltration" in page
    listing = client.get("/reports/pilot/versions/").content.decode()
    assert "1 · 11 February" in listing and "Publish version 2" in listing
    assert version.name == "11 February"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": ""}, "Name the version"),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"name": "v", "note": "n" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_bad_publish_form_says_why_and_publishes_nothing(client, world, author, data, error):
    client.force_login(author)
    response = client.post("/reports/pilot/versions/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_a_second_version_of_the_same_name_is_refused_beside_the_field(client, world, author):
    published(world, author)
    client.force_login(author)
    response = client.post("/reports/pilot/versions/", {"name": "11 February"})
    assert response.status_code == 400
    assert "already called “11 February”" in response.content.decode()
    assert ReportVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["stress_tester", "external_reviewer", "leadership", "team_member"])
def test_only_authors_may_publish_and_others_are_not_offered_it(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))
    assert "Publish the working draft" not in client.get("/reports/pilot/versions/").content.decode()
    assert client.post("/reports/pilot/versions/", {"name": "Mine"}).status_code == 403
    assert not ReportVersion.objects.exists()


def test_someone_who_cannot_see_the_report_gets_404_for_all_of_its_versions(client, world, author, outsider):
    published(world, author)
    client.force_login(outsider)
    for url in (
        "/reports/pilot/versions/",
        "/reports/pilot/versions/1/",
        "/reports/pilot/versions/1/pathways/exfiltration/",
    ):
        assert client.get(url).status_code == 404
    assert client.post("/reports/pilot/versions/", {"name": "Mine"}).status_code == 404
    assert ReportVersion.objects.count() == 1


def test_a_forged_number_or_a_pathway_not_in_the_version_is_404(client, world, author):
    published(world, author)
    PathwayFactory(report=world.report, slug="added-later", title="Added later", position=4)
    client.force_login(author)
    assert client.get("/reports/pilot/versions/2/").status_code == 404
    assert client.get("/reports/pilot/versions/1/pathways/added-later/").status_code == 404
    assert client.get("/reports/pilot/versions/1/pathways/no-such/").status_code == 404
    assert client.get("/reports/pilot/pathways/added-later/").status_code == 200  # it is in the draft


def test_the_limited_external_reviewer_reads_their_pathways_of_a_version_and_no_canary(
    client, world, author, external_reviewer
):
    published(world, author)
    client.force_login(external_reviewer)
    pages = [
        client.get(url)
        for url in (
            "/reports/pilot/versions/1/",
            "/reports/pilot/versions/1/pathways/exfiltration/",
            "/reports/pilot/versions/1/pathways/backdoors/",
        )
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    text = "".join(page.content.decode() for page in pages)
    assert not [canary for canary in ALL_CANARIES if canary in text]
    assert REVIEWER_VISIBLE in text and "Large outbound transfers are detected." in text
    assert client.get("/reports/pilot/versions/1/pathways/government/").status_code == 404


def test_internal_staff_read_the_version_s_internal_material(client, world, author, stress_tester):
    published(world, author)
    client.force_login(stress_tester)
    page = client.get("/reports/pilot/versions/1/pathways/exfiltration/").content.decode()
    assert CANARY_INTERNAL_SPAN in page and "Internal claim" in page


def test_a_version_shows_what_was_published_after_the_draft_changes(client, world, author, external_reviewer):
    published(world, author)
    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, statement="Changed after publishing.")
    client.force_login(external_reviewer)
    version_page = client.get("/reports/pilot/versions/1/pathways/exfiltration/").content.decode()
    draft_page = client.get("/reports/pilot/pathways/exfiltration/").content.decode()
    assert "Large outbound transfers are detected." in version_page and "Changed after publishing." not in version_page
    assert "Changed after publishing." in draft_page
    assert "the <strong>working draft</strong><span" in draft_page


def cold_queries(client, url) -> int:
    """The page's queries when this process has not read the version before."""
    READINGS.entries.clear()
    return len(page_queries(client, url))


def test_a_version_read_again_is_not_read_from_the_database_again(client, world, author, external_reviewer):
    published(world, author)
    client.force_login(external_reviewer)
    cold = cold_queries(client, "/reports/pilot/versions/1/")
    warm = client.get("/reports/pilot/versions/1/pathways/exfiltration/")  # the same reading: kept
    assert warm.status_code == 200 and "Large outbound transfers are detected." in warm.content.decode()
    assert len(page_queries(client, "/reports/pilot/versions/1/")) == cold - 1
    client.force_login(author)  # another kind of reader: their own reading, read afresh
    assert len(page_queries(client, "/reports/pilot/versions/1/")) == cold
    assert "Internal claim" in client.get("/reports/pilot/versions/1/pathways/exfiltration/").content.decode()


def grow(world, times: int) -> None:
    for n in range(times * 5):
        ClaimFactory(report=world.report, slug=f"grown-{times}-{n}", owner_team=world.team, pathways=[world.in_scope])


@pytest.mark.parametrize("persona", ["author", "external_reviewer"])
def test_version_pages_keep_to_their_query_budget_as_the_data_grows(request, client, world, author, persona):
    person = request.getfixturevalue(persona)
    client.force_login(person)
    urls = VERSION_PAGES
    grow(world, 1)
    published(world, author)
    version_publish(report=world.report, author=author, name="3 March")
    small = [cold_queries(client, url) for url in urls]
    grow(world, 3)
    version_publish(report=world.report, author=author, name="1 April")
    large = [cold_queries(client, url) for url in urls]
    assert small == large == [6, 6, 6, 10, 7]
