"""Lines of defence on the pages: a pathway's lines with what they rest on and which others
they depend on, and the pathways with fewer than two independent lines flagged on the
report page and the dashboard; each reader sees only the lines, claims and evidence in
their scope, and the pages keep their query counts."""

import pytest
from django.urls import reverse

from evidence.models import LineOfDefence
from tests.conftest import CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_LINE, CANARY_OUT_OF_SCOPE
from tests.factories import LineOfDefenceFactory, TeamFactory
from tests.helpers import body, page_queries


def pathway_url(world, pathway=None) -> str:
    return reverse("pathway_detail", args=[world.report.slug, (pathway or world.in_scope).slug])


def section(html: str) -> str:
    start = html.index('id="lines-of-defence"')
    return html[start : html.index("</section>", start)]


def test_the_author_sees_each_line_what_it_rests_on_and_what_it_shares(client, world, author):
    client.force_login(author)

    lines = section(body(client, pathway_url(world)))

    assert "1 of 2 lines independent of one another" in lines
    assert "fewer than two independent lines" in lines
    assert "Egress alerting" in lines and CANARY_INTERNAL_LINE in lines
    assert "Automated monitoring · after deployment · owned by Security" in lines
    assert f'href="/reports/pilot/claims/{world.public_claim.slug}/"' in lines
    assert f'href="/reports/pilot/evidence/{world.internal_evidence.slug}/"' in lines
    assert 'not independent</span> of <a href="#line-internal-line">' in lines
    assert "both rest on claim internal-only." in lines


def test_an_external_reviewer_sees_only_the_public_line_and_what_they_may_read_under_it(
    client, world, external_reviewer
):
    client.force_login(external_reviewer)

    html = body(client, pathway_url(world))
    lines = section(html)

    assert "Egress alerting" in lines
    assert "1 of 1 line independent of one another" in lines
    assert "Independent of the other lines." in lines  # the internal line it shares a claim with is not theirs
    for secret in (CANARY_INTERNAL_LINE, CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, "internal-only"):
        assert secret not in html
    assert 'class="redacted"' in lines  # the internal span of the strength reason


def test_a_pathway_out_of_scope_shows_nothing_of_its_lines(client, world, external_reviewer):
    client.force_login(external_reviewer)

    assert client.get(pathway_url(world, world.out_of_scope)).status_code == 404
    report = body(client, reverse("report_detail", args=[world.report.slug]))
    assert CANARY_OUT_OF_SCOPE not in report and "Government review" not in report


def test_a_pathway_with_no_lines_says_so_and_tells_authors_how_to_add_them(client, world, author, external_reviewer):
    client.force_login(author)
    assert "manage.py import_report FILE --update" in section(body(client, pathway_url(world, world.also_in_scope)))
    client.force_login(external_reviewer)
    lines = section(body(client, pathway_url(world, world.also_in_scope)))
    assert "no lines of defence" in lines and "import_report" not in lines


def test_the_report_page_gives_each_pathway_its_independent_lines_and_flags_those_below_two(
    client, world, author, external_reviewer
):
    LineOfDefenceFactory(pathway=world.also_in_scope, owner_team=world.team, claims=[world.public_claim])
    LineOfDefenceFactory(pathway=world.also_in_scope, owner_team=TeamFactory(), evidence=[world.public_evidence])
    url = reverse("report_detail", args=[world.report.slug])
    client.force_login(author)

    rows = {row.split("</th>")[0]: row for row in body(client, url).split("<tr>")[2:]}

    cells = {
        title: row for title, row in rows.items() for name in ("Self-exfiltration", "Code backdoors") if name in title
    }
    exfiltration = next(row for title, row in cells.items() if "Self-exfiltration" in title)
    backdoors = next(row for title, row in cells.items() if "Code backdoors" in title)
    assert '1 of 2 <span class="flag flag-warning">' in exfiltration
    assert "2 of 2" in backdoors and "fewer than two" not in backdoors
    client.force_login(external_reviewer)
    assert "1 of 1" in body(client, url)


def test_the_dashboard_lists_the_pathways_with_fewer_than_two_independent_lines(client, world, author):
    client.force_login(author)
    url = reverse("signoff_dashboard", args=[world.report.slug])

    lines = section(body(client, url))

    # Self-exfiltration's two lines share a claim; Code backdoors has none; Government decisions one.
    assert "3 of 3 pathways rest on fewer than two independent lines of defence" in lines
    assert f'href="{pathway_url(world)}#lines-of-defence">Self-exfiltration</a>' in lines
    assert "1 independent line of defence</span>" in lines and "2 lines recorded" in lines
    assert "0 independent lines of defence</span>" in lines

    LineOfDefenceFactory(pathway=world.also_in_scope, owner_team=world.team, claims=[world.public_claim])
    LineOfDefenceFactory(pathway=world.also_in_scope, owner_team=TeamFactory(), evidence=[world.public_evidence])
    lines = section(body(client, url))
    assert "2 of 3 pathways rest on fewer than two" in lines and "Code backdoors" not in lines


@pytest.mark.parametrize("persona", ["author", "external_reviewer", "team_member"])
def test_lines_cost_the_pathway_and_report_pages_no_query_whatever_their_number(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    urls = [pathway_url(world), reverse("report_detail", args=[world.report.slug])]
    before = [len(page_queries(client, url)) for url in urls]
    for _ in range(3):
        LineOfDefenceFactory(
            pathway=world.in_scope,
            owner_team=TeamFactory(),
            claims=[world.public_claim],
            evidence=[world.public_evidence],
        )

    after = [len(page_queries(client, url)) for url in urls]

    assert LineOfDefence.objects.filter(pathway=world.in_scope).count() == 5
    assert before == after
