"""No page's query count grows with the data: each page is measured with the world
grown once and again with it grown three times, for an internal and an external reader."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.enums import Relation
from tests.factories import ClaimEvidenceFactory, ClaimFactory, EvidenceFactory, PathwayFactory

PAGES = [
    ("home", []),
    ("report_detail", ["pilot"]),
    ("pathway_detail", ["pilot", "exfiltration"]),
    ("claim_index", ["pilot"]),
    ("claim_detail", ["pilot", "egress-monitoring"]),
    ("claim_evidence", ["pilot", "egress-monitoring"]),
    ("load_bearing", ["pilot"]),
    ("evidence_index", ["pilot"]),
    ("evidence_detail", ["pilot", "egress-review"]),
]


def grow(world, times):
    """Add pathways, claims resting on several pathways, and evidence of every relation."""
    for _ in range(times):
        pathway = PathwayFactory(report=world.report)
        claim = ClaimFactory(report=world.report, owner_team=world.team, pathways=[world.in_scope, pathway])
        ClaimEvidenceFactory(claim=claim, evidence=world.public_evidence)
        for relation in Relation:
            evidence = EvidenceFactory(report=world.report, owner_team=world.other_team)
            ClaimEvidenceFactory(claim=claim, evidence=evidence, relation=relation)
            ClaimEvidenceFactory(claim=world.public_claim, evidence=evidence, relation=relation)


def count_queries(client, url, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
@pytest.mark.parametrize("name,args", PAGES, ids=[name for name, _ in PAGES])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_query_count_does_not_grow_with_the_data(client, world, request, reader, name, args, htmx):
    client.force_login(request.getfixturevalue(reader))
    url = reverse(name, args=args)
    grow(world, 1)
    small = count_queries(client, url, htmx)
    grow(world, 2)
    large = count_queries(client, url, htmx)
    assert small == large, f"{name}: {small} queries with the data grown once, {large} with it grown three times"
    # The check that matters is the one above; this ceiling only catches a page that went astray.
    assert small <= 25, f"{name} makes {small} queries"
