"""The argument map's pages: the report's and a pathway's picture, each node a link, coloured
by verdicts, open findings and undermining evidence from what the reader may see; nothing of
internal or out-of-scope material reaches an external reviewer, not even in a count; the
picture in the PDF export; and the pages' query budget."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evidence.report_file.exporting import report_export
from reviewapp.services.findings import finding_dispose
from tests.conftest import (
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_LINE,
    CANARY_OUT_OF_SCOPE,
    CANARY_OUT_OF_SCOPE_CLAIM,
)
from tests.factories import (
    ClaimEvidenceFactory,
    ClaimFactory,
    EvidenceFactory,
    FindingFactory,
    PathwayFactory,
    VerdictFactory,
)
from tests.helpers import body, page_queries

CANARIES = [
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_LINE,
    CANARY_OUT_OF_SCOPE,
    CANARY_OUT_OF_SCOPE_CLAIM,
    "internal-only",
    "classifier-notes",
    "internal-line",
    "government",
    "gov-affordances",
    "gov-usage",
    "gov-review",
]


def map_url(world, pathway=None):
    if pathway is None:
        return reverse("argument_map", args=[world.report.slug])
    return reverse("pathway_argument_map", args=[world.report.slug, pathway])


def svg_of(page: str) -> str:
    found = re.search(r"<svg [^>]*class=\"argument-map\".*?</svg>", page, re.DOTALL)
    assert found, "no picture on the page"
    return found.group(0)


def node(svg: str, column: str, title_start: str) -> str:
    """The SVG of one node, found by its tooltip."""
    found = re.search(rf'<g class="map-node map-{column}"><title>{re.escape(title_start)}.*?</g>', svg, re.DOTALL)
    assert found, (column, title_start)
    return found.group(0)


def test_the_authors_map_links_every_item_and_marks_what_needs_attention(client, world, author, stress_tester):
    slug = world.report.slug
    VerdictFactory(conclusion=world.in_scope.conclusion, recorder=stress_tester, position="dissent", rationale="No.")
    FindingFactory(subject=world.public_claim, raiser=stress_tester)
    FindingFactory(subject=world.public_line, raiser=stress_tester)
    answered = FindingFactory(subject=world.public_claim, raiser=stress_tester, text="Answered one.")
    finding_dispose(author=author, finding=answered, disposition="refuted", text="It holds.", version=1)
    client.force_login(author)

    svg = svg_of(body(client, map_url(world)))

    for href in (
        reverse("pathway_detail", args=[slug, "exfiltration"]),
        reverse("pathway_detail", args=[slug, "exfiltration"]) + "#line-egress-alerting",
        reverse("claim_detail", args=[slug, "egress-monitoring"]),
        reverse("claim_detail", args=[slug, "internal-only"]),
        reverse("evidence_detail", args=[slug, "classifier-notes"]),
        reverse("pathway_detail", args=[slug, "government"]),
    ):
        assert f'<a href="{href}">' in svg, href
    exfiltration = node(svg, "pathway", "Self-exfiltration")
    assert 'stroke="#b3261e"' in exfiltration and "Stress-testing team: Dissent" in exfiltration
    assert "no verdict yet" in node(svg, "pathway", "Code backdoors")
    claim = node(svg, "claim", "Large outbound transfers are detected.")
    assert "undermined by evidence" in claim  # the internal classifier notes undermine it
    assert "1 open finding" in claim and ">1</text>" in claim  # the answered one is not counted
    assert "1 open finding" in node(svg, "line", "Egress alerting")


def test_an_external_reviewer_sees_only_their_pathways_and_level_in_the_picture(
    client, world, author, stress_tester, external_reviewer
):
    FindingFactory(subject=world.public_claim, raiser=stress_tester, visibility="internal")
    FindingFactory(subject=world.internal_claim, raiser=stress_tester)
    client.force_login(external_reviewer)

    for url in (map_url(world), map_url(world, "exfiltration")):
        page = body(client, url)
        svg = svg_of(page)
        for canary in CANARIES:
            assert canary not in page, (url, canary)
        claim = node(svg, "claim", "Large outbound transfers are detected.")
        # Its undermining evidence is internal, and so is the finding on it: neither shows.
        assert "undermined" not in claim and "open finding" not in claim
        assert svg.count("<circle") == 1  # the legend's: no badge on any node
    assert client.get(map_url(world, "government")).status_code == 404
    lede = re.search(r'<p class="lede">(.*?)</p>', body(client, map_url(world)), re.DOTALL).group(1)
    assert lede.startswith("2 pathways, 1 line of defence, 2 claims and 1 evidence item")


def test_a_pathway_map_draws_that_pathway_only(client, world, author):
    client.force_login(author)

    svg = svg_of(body(client, map_url(world, "backdoors")))

    titles = lambda column: [t.strip() for t in re.findall(rf'<g class="map-node map-{column}"><title>([^<·]*)', svg)]  # noqa: E731
    assert titles("pathway") == ["Code backdoors"]
    assert re.findall(r'<g class="map-node map-claim"><title>([^<·]*)', svg) == [
        "Large outbound transfers are detected. "
    ]
    assert "Egress alerting" not in svg  # a line of another pathway


def test_a_pathway_map_counts_the_findings_on_a_claim_and_on_its_use_there_only(client, world, author, stress_tester):
    FindingFactory(subject=world.public_claim, raiser=stress_tester, pathway=world.also_in_scope)
    client.force_login(author)
    claim = "Large outbound transfers are detected."

    assert "open finding" not in node(svg_of(body(client, map_url(world, "exfiltration"))), "claim", claim)
    assert "1 open finding" in node(svg_of(body(client, map_url(world, "backdoors"))), "claim", claim)
    assert "1 open finding" in node(svg_of(body(client, map_url(world))), "claim", claim)


def test_the_report_and_pathway_pages_lead_to_the_map(client, world, author, external_reviewer):
    client.force_login(external_reviewer)
    assert reverse("argument_map", args=[world.report.slug]) in body(client, reverse("report_detail", args=["pilot"]))
    pathway_page = body(client, reverse("pathway_detail", args=["pilot", "exfiltration"]))
    assert map_url(world, "exfiltration") in pathway_page


def _pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_export_draws_each_pathway_at_its_level(world):
    reviewer_pdf = _pdf_text(report_export(report=world.report, level="reviewer", fmt="pdf"))
    internal_pdf = _pdf_text(report_export(report=world.report, level="internal", fmt="pdf"))

    assert "Theargumentasapicture" in reviewer_pdf
    assert "Pathways(1)Linesofdefence(1)Claims(2)Evidence(1)" in reviewer_pdf  # exfiltration at reviewer level
    assert "Pathways(1)Linesofdefence(2)Claims(3)Evidence(2)" in internal_pdf
    assert CANARY_INTERNAL_LINE.replace("-", "") not in reviewer_pdf.replace("-", "")


# ------------------------------------------------------------------ query budgets


def grow(world, times):
    """Each time: a pathway with five claims, each with two evidence items (one undermining)."""
    for _ in range(times):
        pathway = PathwayFactory(report=world.report)
        for _ in range(5):
            claim = ClaimFactory(report=world.report, owner_team=world.team, pathways=[pathway, world.in_scope])
            ClaimEvidenceFactory(claim=claim, evidence=EvidenceFactory(report=world.report, owner_team=world.team))
            ClaimEvidenceFactory(
                claim=claim, evidence=EvidenceFactory(report=world.report, owner_team=world.team), relation="undermines"
            )


# Session, user, access, the report's column (with the lines of defence) and the bell;
# the map adds the open findings, the claims and their evidence.
EXPECTED = {"author": {"report": 8, "pathway": 8}, "external_reviewer": {"report": 8, "pathway": 8}}


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
def test_the_map_pages_keep_to_their_query_budget(client, world, request, reader):
    client.force_login(request.getfixturevalue(reader))
    for times in (1, 2):  # grown once, then three times
        grow(world, times)
        counted = {
            "report": len(page_queries(client, map_url(world))),
            "pathway": len(page_queries(client, map_url(world, "exfiltration"))),
        }
        assert counted == EXPECTED[reader], f"grown {1 + 2 * (times - 1)}×"
