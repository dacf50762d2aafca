"""The argument map of a report file already cut to its reader's level, for the printed
exports: each pathway's picture (`evidence.argument_map`) after the text, drawn from the
exported file itself, so it holds the same items and nothing more; no links, no verdicts or
findings (those belong to the review, not the report)."""

from collections import defaultdict

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from evidence.argument_map import LOAD_BEARING, Graph, Node, draw


def from_document(document: dict, pathway_slug: str | None = None) -> Graph:
    """The picture of a report file (already cut to its reader's level), of every pathway or
    of one; no links, no review marks. A claim's load-bearing count is over the whole file."""
    graph = Graph()
    resting: dict[str, int] = defaultdict(int)
    for pathway in document.get("pathways", []):
        for slug in pathway.get("claims", []):
            resting[slug] += 1
    listed = [pathway for pathway in document.get("pathways", []) if pathway_slug in (None, pathway["slug"])]
    claims = {claim["slug"]: claim for claim in document.get("claims", [])}
    evidence = {item["slug"]: item for item in document.get("evidence", [])}
    for pathway in listed:
        graph.add(Node("pathway", pathway["slug"], pathway["title"]))
    lines = [line for line in document.get("lines_of_defence", []) if ("pathway", line["pathway"]) in graph.nodes]
    lines_by_pathway: dict[str, list[dict]] = defaultdict(list)
    for line in lines:
        graph.add(Node("line", line["slug"], line["title"], strength=line.get("strength", "")))
        graph.link(("pathway", line["pathway"]), ("line", line["slug"]))
        lines_by_pathway[line["pathway"]].append(line)
    for pathway in listed:
        for slug in pathway.get("claims", []):
            claim = claims.get(slug)
            if claim is None:
                continue
            undermined = any(
                link["relation"] == "undermines" and link["evidence"] in evidence for link in claim.get("evidence", [])
            )
            graph.add(Node("claim", slug, claim["statement"], resting=resting[slug], undermined=undermined))
            under = [line["slug"] for line in lines_by_pathway[pathway["slug"]] if slug in line.get("claims", [])]
            graph.rest(pathway["slug"], slug, under)
    for slug, claim in claims.items():
        for link in claim.get("evidence", []):
            if ("claim", slug) in graph.nodes and link["evidence"] in evidence:
                graph.add(Node("evidence", link["evidence"], evidence[link["evidence"]]["title"]))
                graph.link(("claim", slug), ("evidence", link["evidence"]), link["relation"])
    for line in lines:
        for slug in line.get("evidence", []):
            if slug in evidence:
                graph.add(Node("evidence", slug, evidence[slug]["title"]))
                graph.link(("line", line["slug"]), ("evidence", slug))
    return graph


def document_figures(document: dict) -> SafeString:
    """For a printed export: each pathway's picture under its title, after the text."""
    figures = []
    for pathway in document.get("pathways", []):
        picture = draw(from_document(document, pathway["slug"]), title=f"The argument of {pathway['title']}")
        if picture:
            figures.append(
                f'<figure class="argument"><figcaption>{escape(pathway["title"])}</figcaption>{picture}</figure>'
            )
    if not figures:
        return mark_safe("")
    lead = (
        "<h4>The argument as a picture</h4><p>Each pathway, its lines of defence, the claims it rests on and "
        "the evidence cited, as far as this document includes them. A red edge marks a claim undermined by "
        f"evidence, a thick one a claim {LOAD_BEARING} or more pathways rest on.</p>"
    )
    return mark_safe(lead + "".join(figures))  # every text in the figures went through escape
