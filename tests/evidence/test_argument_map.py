"""The argument map's drawing on small report files: what becomes a node and an edge, the
marks (load-bearing, undermined, a weak line), the layout (ordered, a row apart, never
overlapping, shared claims drawn once) and the escaping of every text."""

import itertools
import re

from evidence.argument_map import COLUMN_LIMIT, LABEL_CHARS, LOAD_BEARING, ROW, TOP, Graph, draw, layout, verdict_of
from evidence.report_file.figures import from_document


def _document(**extra):
    pathways = [
        {"slug": "exfiltration", "title": "Self-exfiltration", "claims": ["egress", "weights", "shared"]},
        {"slug": "backdoors", "title": "Code backdoors", "claims": ["review", "shared"]},
        {"slug": "rogue", "title": "Rogue deployment", "claims": ["shared"]},
    ]
    claims = [
        {
            "slug": "egress",
            "statement": "Large transfers are detected.",
            "evidence": [{"evidence": "drill", "relation": "supports"}],
        },
        {
            "slug": "weights",
            "statement": "Weights stay put.",
            "evidence": [{"evidence": "audit", "relation": "undermines"}],
        },
        {"slug": "shared", "statement": "The model cannot hide its reasoning.", "evidence": []},
        {
            "slug": "review",
            "statement": "Code is reviewed.",
            "evidence": [{"evidence": "drill", "relation": "context"}],
        },
    ]
    evidence = [{"slug": "drill", "title": "Egress drill"}, {"slug": "audit", "title": "Weights audit"}]
    lines = [
        {
            "slug": "alerting",
            "pathway": "exfiltration",
            "title": "Egress alerting",
            "strength": "weak",
            "claims": ["egress"],
            "evidence": ["audit"],
        },
    ]
    return {"pathways": pathways, "claims": claims, "evidence": evidence, "lines_of_defence": lines, **extra}


def _edges(graph: Graph) -> set[tuple[str, str, str]]:
    return {(f"{e.source[0]}:{e.source[1]}", f"{e.target[0]}:{e.target[1]}", e.relation) for e in graph.edges}


def test_a_report_file_becomes_pathways_lines_claims_and_evidence_linked_as_they_rest():
    graph = from_document(_document())

    assert [node.key for node in graph.column("pathway")] == ["exfiltration", "backdoors", "rogue"]
    assert [node.key for node in graph.column("line")] == ["alerting"]
    assert sorted(node.key for node in graph.column("claim")) == ["egress", "review", "shared", "weights"]
    assert sorted(node.key for node in graph.column("evidence")) == ["audit", "drill"]
    assert _edges(graph) == {
        ("pathway:exfiltration", "line:alerting", ""),
        ("line:alerting", "claim:egress", ""),  # through the line that rests on it
        ("pathway:exfiltration", "claim:weights", ""),  # no line rests on it: straight from the pathway
        ("pathway:exfiltration", "claim:shared", ""),
        ("pathway:backdoors", "claim:review", ""),
        ("pathway:backdoors", "claim:shared", ""),
        ("pathway:rogue", "claim:shared", ""),
        ("claim:egress", "evidence:drill", "supports"),
        ("claim:weights", "evidence:audit", "undermines"),
        ("claim:review", "evidence:drill", "context"),
        ("line:alerting", "evidence:audit", ""),
    }


def test_marks_load_bearing_undermined_and_strength():
    graph = from_document(_document())
    claims = {node.key: node for node in graph.column("claim")}

    assert LOAD_BEARING == 3
    assert claims["shared"].resting == 3 and claims["shared"].load_bearing
    assert not claims["egress"].load_bearing
    assert claims["weights"].undermined and not claims["egress"].undermined
    assert graph.column("line")[0].strength == "weak"
    svg = str(draw(graph, title="Map"))
    thick = re.findall(r'<g class="map-node map-(\w+)"><title>([^<]*)</title><rect [^>]*stroke-width="3"', svg)
    assert thick == [("claim", "The model cannot hide its reasoning. · load-bearing: 3 pathways rest on it")]
    assert 'stroke-dasharray="4 3"' in svg  # the undermining link


def test_one_pathway_draws_only_what_rests_on_it_but_counts_load_over_the_file():
    graph = from_document(_document(), "backdoors")

    assert [node.key for node in graph.column("pathway")] == ["backdoors"]
    assert graph.column("line") == []
    assert sorted(node.key for node in graph.column("claim")) == ["review", "shared"]
    assert [node.key for node in graph.column("evidence")] == ["drill"]
    assert {node.key: node.load_bearing for node in graph.column("claim")} == {"review": False, "shared": True}
    columns, _, _ = layout(graph)
    assert columns == ["pathway", "claim", "evidence"]  # no empty column for lines


def test_evidence_left_out_of_the_file_is_not_drawn_nor_marks_a_claim_undermined():
    document = _document()
    document["evidence"] = [item for item in document["evidence"] if item["slug"] != "audit"]  # above the level

    graph = from_document(document)

    assert [node.key for node in graph.column("evidence")] == ["drill"]
    assert not {node.key: node for node in graph.column("claim")}["weights"].undermined


def test_the_layout_keeps_each_column_in_order_a_row_apart_and_inside_the_picture():
    pathways = [{"slug": f"p{n}", "title": f"Pathway {n}", "claims": [f"c{n}a", f"c{n}b"]} for n in range(9)]
    claims = [
        {
            "slug": f"c{n}{x}",
            "statement": f"Claim {n}{x}",
            "evidence": [{"evidence": f"e{n}{x}", "relation": "supports"}],
        }
        for n in range(9)
        for x in "ab"
    ]
    evidence = [{"slug": f"e{n}{x}", "title": f"Evidence {n}{x}"} for n in range(9) for x in "ab"]
    graph = from_document({"pathways": pathways, "claims": claims, "evidence": evidence})

    _, width, height = layout(graph)

    for column in ("pathway", "claim", "evidence"):
        heights = [node.y for node in sorted(graph.column(column), key=lambda node: node.y)]
        assert heights[0] >= TOP
        assert all(later - earlier >= ROW - 1e-6 for earlier, later in itertools.pairwise(heights))
        assert heights[-1] < height
    # Each pathway's claims sit together, below the previous pathway's: the edges do not cross.
    claims_by_y = [node.key for node in sorted(graph.column("claim"), key=lambda node: node.y)]
    assert claims_by_y == [f"c{n}{x}" for n in range(9) for x in "ab"]
    pathway_y = [node.y for node in graph.column("pathway")]
    assert pathway_y == sorted(pathway_y)
    assert width > 0 and all(node.x + 1 < width for node in graph.nodes.values())


def test_every_text_is_escaped_and_long_labels_are_cut_with_the_whole_in_the_tooltip():
    long = "A claim whose statement runs far past what fits in one box of the picture"
    document = {
        "pathways": [{"slug": "p", "title": '<script>alert("x")</script>', "claims": ["c"]}],
        "claims": [{"slug": "c", "statement": long, "evidence": []}],
        "evidence": [],
    }
    svg = str(draw(from_document(document), title="The <map>"))

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title>The &lt;map&gt;</title>" in svg
    shown = re.findall(r'font-weight="normal" fill="#1d232b">([^<]*)</text>', svg)
    assert shown == [long[: LABEL_CHARS - 1].rstrip() + "…"]
    assert f"<title>{long}</title>" in svg  # the tooltip is the label in full, nothing more


def test_nothing_to_draw_draws_nothing():
    assert str(draw(Graph(), title="Empty")) == ""
    assert str(draw(from_document({"pathways": [], "claims": [], "evidence": []}), title="Empty")) == ""


def test_a_conclusions_colour_is_its_worst_current_verdict():
    assert verdict_of([]) == "none"
    assert verdict_of(["abstain"]) == "none"
    assert verdict_of(["concur", "abstain"]) == "concur"
    assert verdict_of(["concur", "concur_with_reservations"]) == "reservations"
    assert verdict_of(["concur_with_reservations", "dissent", "concur"]) == "dissent"


def _crowded(claims=100, shared=(0, 7, 42)):
    """Two pathways; `claims` claims under the first, those in `shared` under both; each
    claim cites an evidence item of its own, and every claim cites a common one."""
    slugs = [f"c{n}" for n in range(claims)]
    pathways = [
        {"slug": "one", "title": "One", "claims": slugs},
        {"slug": "two", "title": "Two", "claims": [slugs[n] for n in shared]},
    ]
    links = lambda n: [{"evidence": f"e{n}", "relation": "supports"}, {"evidence": "common", "relation": "supports"}]  # noqa: E731
    return {
        "pathways": pathways,
        "claims": [{"slug": f"c{n}", "statement": f"Claim {n}", "evidence": links(n)} for n in range(claims)],
        "evidence": [{"slug": "common", "title": "Common"}]
        + [{"slug": f"e{n}", "title": f"E{n}"} for n in range(claims)],
    }


def test_a_crowded_column_keeps_the_claims_most_relied_on_and_says_how_many_more():
    graph = from_document(_crowded())
    svg = str(draw(graph, title="Crowded", more_href={"claim": "/claims/?pathway=one", "evidence": "/evidence/"}))

    claims = graph.boxes("claim")
    assert len(claims) == COLUMN_LIMIT + 1 and graph.total("claim") == 100
    kept = [node.key for node in graph.column("claim")]
    others = [f"c{n}" for n in range(100) if n not in (0, 7, 42)][: COLUMN_LIMIT - 3]
    assert set(kept) == {"c0", "c7", "c42", *others}  # the shared ones first, then in the file's order
    more = [node for node in claims if node.more]
    assert [(node.label, node.href) for node in more] == [("+ 40 more claims", "/claims/?pathway=one")]
    evidence = {node.key for node in graph.boxes("evidence")}
    # The evidence of claims left out goes with them; the common item, cited by all, stays.
    assert "common" in evidence and "e99" not in evidence and len(evidence) == COLUMN_LIMIT + 1
    assert "+ 1 more evidence item" in svg and '<a href="/evidence/">' in svg
    assert "Claims (100)" in svg  # the head counts every claim
    assert "Evidence (61)" in svg  # and the evidence of the claims drawn
    assert "cites 2 evidence items" in svg


def test_a_column_within_the_limit_is_drawn_whole():
    graph = from_document(_crowded(claims=COLUMN_LIMIT - 1))
    draw(graph, title="Not crowded")
    assert not any(node.more for node in graph.nodes.values()) and graph.left_out == {}
    assert len(graph.boxes("claim")) == COLUMN_LIMIT - 1
