"""The search page makes a fixed number of queries, whatever it finds: the literal number
below, the same with the world grown once and three times, and none longer than 8 KB of
SQL. It is what every signed-in page costs (the session, the user, the access object, and
for a full page the bell) and one query per document table (arguments; evidence and
requests; comments), plus the report when the search is kept to one."""

import pytest
from django.urls import reverse

from reviewapp.selectors.search import search
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.search import search_index_rebuild
from tests.factories import ClaimEvidenceFactory, ClaimFactory, EvidenceFactory, PathwayFactory
from tests.helpers import page_queries
from tests.reviewapp.matrix.requests import answer, file_request

READERS = ["author", "external_reviewer", "team_member"]
WORD = "osprey"


def grow(world, people, times):
    """Each time, something of every kind that holds the word, for every reader: a claim on a
    granted pathway citing new evidence, a new pathway with its conclusion, threads shared
    and internal with replies, and requests of both organisations with answers."""
    for _ in range(times):
        claim = ClaimFactory(
            report=world.report, owner_team=world.team, statement=f"The {WORD} claim.", pathways=[world.in_scope]
        )
        evidence = EvidenceFactory(report=world.report, owner_team=world.team, title=f"{WORD.title()} evidence")
        ClaimEvidenceFactory(claim=claim, evidence=evidence)
        PathwayFactory(report=world.report, title=f"The {WORD} pathway", conclusion=f"Low, {WORD} aside.")
        for subject in (claim, world.in_scope, evidence):
            thread = comment_post(author=people["author"], subject=subject, text=f"An {WORD} thread.")
            comment_reply(author=people["external_reviewer"], parent=thread, text=f"An {WORD} reply.")
            comment_post(author=people["stress_tester"], subject=subject, text=f"{WORD} inside.", visibility="internal")
        for requester in (people["external_reviewer"], people["stress_tester"]):
            information_request = file_request(world, requester, subject=claim, title=f"About the {WORD}")
            answer(information_request, people["team_member"], text=f"The {WORD} answer.")
    search_index_rebuild()  # what the factories wrote, as an import writes it


def _pages(world):
    report = world.report.slug
    base = reverse("search")
    return [
        ("empty", base, False),
        ("everything", f"{base}?q={WORD}", False),
        ("everything fragment", f"{base}?q={WORD}", True),
        ("in the report", f"{base}?q={WORD}&report={report}", False),
        ("in the report fragment", f"{base}?q={WORD}&report={report}", True),
        ("comments", f"{base}?q={WORD}&kind=comment", False),
        ("requests in the report", f"{base}?q={WORD}&kind=request&report={report}", False),
        ("claims fragment", f"{base}?q={WORD}&kind=claim", True),
        ("bad kind", f"{base}?q={WORD}&kind=widgets", False),
    ]


# page label → queries, the same for every reader: 3 for the request (session, user,
# access), 1 for the bell on a full page, 1 for a report kept to, 3 for the search itself.
EXPECTED = {
    "empty": 4,
    "everything": 7,
    "everything fragment": 6,
    "in the report": 8,
    "in the report fragment": 7,
    "comments": 7,
    "requests in the report": 8,
    "claims fragment": 6,
    "bad kind": 4,
}


@pytest.mark.parametrize("reader", READERS)
def test_the_search_page_keeps_to_its_query_budget_as_the_data_grows(
    client, world, request, reader, author, stress_tester, external_reviewer, team_member
):
    people = {
        "author": author,
        "stress_tester": stress_tester,
        "external_reviewer": external_reviewer,
        "team_member": team_member,
    }
    person = people[reader]
    client.force_login(person)
    grow(world, people, 1)
    small = {label: len(page_queries(client, url, htmx=htmx)) for label, url, htmx in _pages(world)}
    found_small = sum(search(person, WORD).counts.values())
    grow(world, people, 2)
    large = {label: len(page_queries(client, url, htmx=htmx)) for label, url, htmx in _pages(world)}
    found_large = sum(search(person, WORD).counts.values())
    assert found_large > found_small > 0  # the pages grew with what they find
    assert small == large == EXPECTED
