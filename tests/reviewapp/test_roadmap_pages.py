"""The roadmap's pages: the list by pathway and by team (overdue first), what the authors
can still put on it, the form that puts an item there and the one that changes it (each
refusing bad input with a clear error and writing nothing; a stale save answered 409,
keeping what was typed), the links that lead to it, and its query budget."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.enums import Strength
from evidence.models import LineOfDefence
from reviewapp.enums import RoadmapStatus
from reviewapp.models import RoadmapItem
from reviewapp.services.findings import finding_dispose
from reviewapp.services.roadmap import roadmap_item_update
from tests.factories import (
    ChainStepFactory,
    DetectionChainFactory,
    FindingFactory,
    LineOfDefenceFactory,
    PathwayFactory,
    RoadmapItemFactory,
    TeamFactory,
)
from tests.helpers import body, page_queries

TODAY = timezone.localdate()
SOON = TODAY + datetime.timedelta(days=9)


@pytest.fixture
def weak_line(world):
    LineOfDefence.objects.filter(pk=world.public_line.pk).update(strength=Strength.WEAK)
    world.public_line.refresh_from_db()
    return world.public_line


def item_on(world, author, line, **fields):
    return RoadmapItemFactory(source=line, author=author, owner_team=world.team, **fields)


def overdue(item, days=4):
    RoadmapItem.objects.filter(pk=item.pk).update(target_date=TODAY - datetime.timedelta(days=days))


def form(world, **changes):
    return {
        "title": "Log every outbound channel",
        "description": "Extend the coverage review.",
        "owner_team": world.team.pk,
        "status": "planned",
        "target_date": SOON.isoformat(),
        "pathways": [world.in_scope.pk],
        "version": 0,
        **changes,
    }


def roadmap_url(world, by=""):
    return reverse("roadmap", args=[world.report.slug]) + (f"?by={by}" if by else "")


def test_the_roadmap_lists_items_by_pathway_and_by_team_overdue_first(client, world, author, leadership, weak_line):
    on_time = item_on(world, author, weak_line, title="On time")
    late = item_on(world, author, weak_line, title="Running late", pathways=[world.in_scope, world.also_in_scope])
    overdue(late)
    client.force_login(leadership)

    by_pathway = body(client, roadmap_url(world))

    assert "2 items, 2 not done, <strong>1 overdue</strong>" in by_pathway
    assert by_pathway.index("Running late") < by_pathway.index("On time")
    assert "Overdue · 4 days" in by_pathway and by_pathway.count("Running late") == 2  # under both its pathways
    assert "Weak line of defence “Egress alerting”" in by_pathway
    assert "Could go on the roadmap" not in by_pathway  # the authors' part
    by_team = body(client, roadmap_url(world, "team"))
    assert 'Security <span class="meta">(2, 1 overdue)</span>' in by_team and by_team.count("Running late") == 1
    assert on_time.title in by_team


def test_the_authors_see_what_could_still_go_on_it_and_put_it_there(client, world, author, stress_tester, weak_line):
    finding = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    finding_dispose(author=author, finding=finding, disposition="mitigation_planned", text="", version=1)
    client.force_login(author)
    page = body(client, roadmap_url(world))
    new = reverse("roadmap_new", args=[world.report.slug])
    for query in (f"finding={finding.pk}", "line=egress-alerting", "chain=internal-chain"):
        assert f'href="{new}?{query}"' in page
    assert f'href="{new}?chain=weights-bucket"' not in page  # complete: nothing to mitigate

    opened = body(client, f"{new}?finding={finding.pk}")
    assert "Run the drill again with a second team." in opened  # the recommendation, as a first title
    assert f'value="{world.in_scope.pk}" checked' not in opened  # a finding on the claim: its pathways
    response = client.post(new, {**form(world), "finding": finding.pk})

    item = RoadmapItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "roadmap_item", args=[world.report.slug, item.pk]
    )
    assert item.finding == finding and item.created_by == author
    page = body(client, roadmap_url(world))
    assert f"{new}?finding={finding.pk}" not in page
    assert "On the roadmap: <a" in body(client, reverse("finding_detail", args=[world.report.slug, finding.pk]))


@pytest.mark.parametrize(
    "change, error",
    [
        pytest.param({"title": ""}, "Say what it is.", id="no-title"),
        pytest.param({"status": "abandoned"}, "Select a valid choice", id="bad-status"),
        pytest.param({"target_date": ""}, "Give a target date", id="planned-without-date"),
        pytest.param({"target_date": "2026-13-40"}, "Enter a valid date", id="bad-date"),
        pytest.param({"target_date": "2020-01-01"}, "The target date is in the past", id="past-date"),
        pytest.param({"pathways": []}, "Choose at least one pathway", id="no-pathway"),
        pytest.param({"pathways": ["999999"]}, "Select a valid choice", id="forged-pathway"),
        pytest.param({"owner_team": "999999"}, "Select a valid choice", id="forged-team"),
        pytest.param({"description": "x" * 10_001}, "at most 10000 characters", id="too-long"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_writes_nothing(client, world, author, weak_line, change, error):
    client.force_login(author)

    response = client.post(
        reverse("roadmap_new", args=[world.report.slug]), {**form(world, **change), "line": "egress-alerting"}
    )

    assert response.status_code == 400 and error in response.content.decode()
    assert not RoadmapItem.objects.exists()


def test_a_line_that_is_not_weak_or_no_source_at_all_is_explained(client, world, author):
    client.force_login(author)
    new = reverse("roadmap_new", args=[world.report.slug])
    response = client.post(new, {**form(world), "line": "egress-alerting"})
    assert response.status_code == 400 and "Only a line of defence assessed weak" in response.content.decode()
    response = client.get(new, follow=True)
    assert response.redirect_chain[-1][0] == roadmap_url(world)
    assert "Choose what to put on the roadmap" in response.content.decode()
    assert not RoadmapItem.objects.exists()


def test_the_owning_team_moves_its_item_with_the_short_form(client, world, author, team_member, weak_line):
    item = item_on(world, author, weak_line)
    url = reverse("roadmap_item", args=[world.report.slug, item.pk])
    client.force_login(team_member)
    page = body(client, url)
    assert 'name="status"' in page and 'name="title"' not in page and "As Security, you say where it stands" in page

    response = client.post(
        reverse("roadmap_item_edit", args=[world.report.slug, item.pk]),
        {"status": "in_progress", "target_date": SOON.isoformat(), "version": 1, "title": "Ignored"},
    )

    title = item.title
    item.refresh_from_db()
    assert response.status_code == 302 and (item.status, item.title, item.version) == ("in_progress", title, 2)


def test_a_stale_save_is_answered_409_keeping_what_was_typed(client, world, author, team_member, weak_line):
    item = item_on(world, author, weak_line)
    roadmap_item_update(person=team_member, item=item, version=1, status=RoadmapStatus.IN_PROGRESS)
    client.force_login(author)

    response = client.post(
        reverse("roadmap_item_edit", args=[world.report.slug, item.pk]),
        {**form(world, title="My new title", status="done"), "version": 1},
    )

    page = response.content.decode()
    assert response.status_code == 409 and "Someone changed this mitigation" in page
    assert 'value="My new title"' in page and 'name="version" value="2"' in page
    item.refresh_from_db()
    assert item.status == "in_progress" and item.title != "My new title"


def test_an_item_whose_team_owns_nothing_here_any_more_keeps_it_when_edited(client, world, author, weak_line):
    item = item_on(world, author, weak_line)
    gone = TeamFactory(slug="disbanded", name="Disbanded team")  # owns nothing in the report
    RoadmapItem.objects.filter(pk=item.pk).update(owner_team=gone)
    client.force_login(author)
    page = body(client, reverse("roadmap_item", args=[world.report.slug, item.pk]))
    assert f'<option value="{gone.pk}" selected>Disbanded team</option>' in page

    response = client.post(
        reverse("roadmap_item_edit", args=[world.report.slug, item.pk]),
        form(world, title="A fixed typo", owner_team=gone.pk, version=1),
    )

    item.refresh_from_db()
    assert response.status_code == 302 and (item.title, item.owner_team_id) == ("A fixed typo", gone.pk)


def test_an_item_whose_pathways_were_all_taken_out_is_still_listed(client, world, author, weak_line):
    item = item_on(world, author, weak_line, title="Orphaned mitigation")
    item.pathways.clear()
    client.force_login(author)
    page = body(client, roadmap_url(world))
    heading = page[page.index("No pathway any more") - 200 : page.index("No pathway any more")]
    assert "Orphaned mitigation" in page and "<a href" not in heading.split("<h2")[-1]
    assert "1 item, 1 not done" in page


def test_the_pathway_and_dashboard_lead_to_the_roadmap(client, world, author, leadership, weak_line):
    overdue(item_on(world, author, weak_line))
    client.force_login(author)
    pathway = body(client, reverse("pathway_detail", args=[world.report.slug, world.in_scope.slug]))
    new = reverse("roadmap_new", args=[world.report.slug])
    assert f'href="{new}?line=egress-alerting"' in pathway and f'href="{new}?chain=internal-chain"' in pathway
    assert f'href="{roadmap_url(world)}"' in pathway  # the report's navigation
    client.force_login(leadership)
    assert f'href="{new}?line' not in body(
        client, reverse("pathway_detail", args=[world.report.slug, world.in_scope.slug])
    )
    dashboard = body(client, reverse("signoff_dashboard", args=[world.report.slug]))
    assert "1 mitigation not done yet, <strong>1 past its target date</strong>" in dashboard


def test_an_external_reviewer_meets_no_trace_of_the_roadmap(client, world, author, external_reviewer, weak_line):
    item = item_on(world, author, weak_line, title="Secret mitigation plan")
    overdue(item)
    client.force_login(external_reviewer)
    slug = world.report.slug
    for url in (
        roadmap_url(world),
        roadmap_url(world, "team"),
        reverse("roadmap_item", args=[slug, item.pk]),
        reverse("roadmap_new", args=[slug]) + "?line=egress-alerting",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("roadmap_item_edit", args=[slug, item.pk]), form(world)).status_code == 404
    for url in (
        reverse("report_detail", args=[slug]),
        reverse("pathway_detail", args=[slug, world.in_scope.slug]),
        reverse("home"),
        reverse("notification_list"),
    ):
        page = body(client, url)
        assert "roadmap" not in page.lower() and "Secret mitigation" not in page, url


# ------------------------------------------------------------------ query budgets


def grow(world, author, reviewer, times):
    """Each time: a pathway with a weak line and a flagged chain, a planned finding, and
    three items on the roadmap (one overdue) for two pathways."""
    for _ in range(times):
        pathway = PathwayFactory(report=world.report)
        line = LineOfDefenceFactory(pathway=pathway, owner_team=world.team, strength=Strength.WEAK)
        chain = DetectionChainFactory(pathway=pathway)
        ChainStepFactory(chain=chain, role="signal", owner_team=world.team)
        finding = FindingFactory(subject=world.public_claim, raiser=reviewer)
        finding_dispose(author=author, finding=finding, disposition="mitigation_planned", text="", version=1)
        for n in range(3):
            item = RoadmapItemFactory(
                source=line, author=author, owner_team=world.team, pathways=[pathway, world.in_scope]
            )
            if n == 0:
                overdue(item)


# page: (author, team member). Every page: session, user, access, the report's column and
# the bell; the roadmap adds its items and their pathways, and for the authors the planned
# findings (weak lines and flagged chains come in the column); an item's form reads the
# report's teams and pathways.
EXPECTED = {
    "roadmap": (8, 7),
    "roadmap by team": (8, 7),
    "item": (9, 7),
    "new": (8, None),
}


def _pages(world, item, reader):
    slug = world.report.slug
    pages = {
        "roadmap": roadmap_url(world),
        "roadmap by team": roadmap_url(world, "team"),
        "item": reverse("roadmap_item", args=[slug, item.pk]),
    }
    if reader == "author":
        pages["new"] = reverse("roadmap_new", args=[slug]) + "?line=egress-alerting"
    return pages


@pytest.mark.parametrize("reader", ["author", "team_member"])
def test_the_roadmap_pages_keep_to_their_query_budget(client, world, author, stress_tester, weak_line, request, reader):
    item = item_on(world, author, weak_line)
    client.force_login(request.getfixturevalue(reader))
    column = ["author", "team_member"].index(reader)
    expected = {label: counts[column] for label, counts in EXPECTED.items() if counts[column] is not None}
    for times in (1, 2):  # grown once, then three times
        grow(world, author, stress_tester, times)
        counted = {label: len(page_queries(client, url)) for label, url in _pages(world, item, reader).items()}
        assert counted == expected, f"grown {1 + 2 * (times - 1)}×"
