"""The search page: the box on every signed-in page, the results grouped by kind or one
kind a page at a time, each linking to its page, marked and escaped; what bad input gets;
and that nothing the external reviewer may not read reaches her through it."""

import pytest
from django.urls import reverse

from pathways.services import access_revoke
from reviewapp.selectors.search import KINDS
from reviewapp.services.search import search_index_rebuild
from tests.conftest import CANARY_INTERNAL_SPAN, REVIEWER_VISIBLE
from tests.factories import ClaimFactory, EvidenceFactory, ReportFactory
from tests.helpers import HTMX
from tests.reviewapp.test_comments_leaks import discussion  # noqa: F401 -- a fixture `everything` uses
from tests.reviewapp.test_requests_canaries import canary_requests  # noqa: F401 -- a fixture `everything` uses
from tests.reviewapp.test_search import indexed, zeppelin_everywhere  # noqa: F401 -- a fixture
from tests.reviewapp.test_search_canaries import (  # noqa: F401 -- a fixture
    SEARCH_CANARIES,
    everything,
    marmots,
    quoted_claim,
)


def _search(client, **params):
    return client.get(reverse("search"), params)


def test_every_kind_links_to_its_page(client, indexed, author):  # noqa: F811  # noqa: F811
    written = zeppelin_everywhere(indexed, author)
    client.force_login(author)
    page = _search(client, q="zeppelin").content.decode()
    for url in [
        reverse("claim_detail", args=["pilot", "file-permissions"]),
        reverse("evidence_detail", args=["pilot", "egress-review"]),
        reverse("pathway_detail", args=["pilot", "exfiltration"]),
        reverse("pathway_detail", args=["pilot", "exfiltration"]) + "#conclusion",
        reverse("claim_detail", args=["pilot", "egress-monitoring"]) + f"?threads=all#comment-{written['comment']}",
        reverse("request_detail", args=["pilot", written["request"]]),
    ]:
        assert f'href="{url}"' in page
    assert "Conclusion on Self-exfiltration" in page and "Comment on Large outbound transfers are detected." in page
    assert page.count("<mark>") >= len(KINDS)


def test_the_kind_filter_lists_one_kind_and_counts_the_others(client, indexed, author):  # noqa: F811
    world = indexed
    ClaimFactory(report=world.report, slug="okapi-claim", statement="The okapi claim.")
    EvidenceFactory(report=world.report, slug="okapi-evidence", title="Okapi evidence", owner_team=world.team)
    search_index_rebuild()
    client.force_login(author)
    page = _search(client, q="okapi", kind="claim").content.decode()
    assert reverse("claim_detail", args=["pilot", "okapi-claim"]) in page
    assert reverse("evidence_detail", args=["pilot", "okapi-evidence"]) not in page
    assert 'aria-current="page">Claims <span class="search-count">1</span>' in page
    assert "kind=evidence" in page  # the other kind, counted, one link away


def test_a_kind_lists_its_hits_a_page_at_a_time(client, indexed, author):  # noqa: F811
    world = indexed
    for number in range(25):
        ClaimFactory(report=world.report, slug=f"ibis-{number}", statement=f"Ibis claim {number}.")
    search_index_rebuild()
    client.force_login(author)
    first = _search(client, q="ibis", kind="claim").content.decode()
    second = _search(client, q="ibis", kind="claim", page=2).content.decode()
    past = _search(client, q="ibis", kind="claim", page=9).content.decode()
    assert first.count('class="search-hit"') == 20 and "Page 1 of 2" in first
    assert second.count('class="search-hit"') == 5 and "Page 2 of 2" in second
    assert past.count('class="search-hit"') == 5 and "Page 2 of 2" in past  # past the last: the last


@pytest.mark.parametrize(
    "params,message",
    [
        ({"q": "x" * 201}, "Search for at most 200 characters; this has 201."),
        ({"q": "egress", "kind": "widgets"}, "There is no kind of result called “widgets”"),
    ],
)
def test_bad_input_is_answered_next_to_the_box_and_nothing_is_searched(client, indexed, author, params, message):  # noqa: F811
    client.force_login(author)
    response = _search(client, **params)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was searched" in page and message in page
    assert 'class="search-hit"' not in page


def test_an_empty_search_asks_for_words(client, indexed, author):  # noqa: F811
    client.force_login(author)
    for params in ({}, {"q": "   "}):
        page = _search(client, **params).content.decode()
        assert "Type a word or two above" in page and 'class="search-hit"' not in page


def test_common_words_alone_find_nothing_and_say_why(client, indexed, author):  # noqa: F811
    client.force_login(author)
    page = _search(client, q="the and of").content.decode()
    assert "Very common words (the, and, of) are not searched." in page


@pytest.mark.parametrize("slug", ["no-such-report", "second"])
def test_a_report_one_cannot_see_is_404(client, indexed, author, slug):  # noqa: F811
    ReportFactory(slug="second")
    client.force_login(author)
    assert _search(client, q="egress", report=slug).status_code == 404


def test_text_is_escaped_and_only_matches_are_marked(client, indexed, author):  # noqa: F811
    world = indexed
    ClaimFactory(report=world.report, slug="markup", statement='Kiwi <img src=x onerror=alert(1)> & "quoted" 3 < 4.')
    search_index_rebuild()
    client.force_login(author)
    page = _search(client, q="kiwi").content.decode()
    assert "<img src=x" not in page
    assert "<mark>Kiwi</mark> &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; 3 &lt; 4." in page


def test_the_results_are_a_fragment_for_htmx(client, indexed, author):  # noqa: F811
    client.force_login(author)
    fragment = client.get(reverse("search"), {"q": "egress"}, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="search-results"')
    assert "<html" not in fragment


def test_every_signed_in_page_has_the_search_box_and_a_report_page_searches_its_report(client, indexed, author):  # noqa: F811
    client.force_login(author)
    home = client.get(reverse("home")).content.decode()
    report = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert 'class="topbar-search"' in home and 'name="report"' not in home.split('class="topbar-search"')[1][:600]
    assert '<option value="pilot">This report</option><option value="">All reports</option>' in report


def _pages(client, term: str):
    base = reverse("search")
    for params in [{"q": term}, {"q": term, "report": "pilot"}, *({"q": term, "kind": kind} for kind in KINDS)]:
        yield params, client.get(base, params)
        yield {**params, "htmx": True}, client.get(base, params, **HTMX)


@pytest.mark.parametrize("canary", SEARCH_CANARIES)
def test_no_canary_reaches_the_external_reviewer_through_the_search_page(
    client,
    everything,  # noqa: F811
    external_reviewer,
    canary,
):
    client.force_login(external_reviewer)
    for term in [canary, canary.rsplit("-", 1)[-1]]:
        for params, response in _pages(client, term):
            body = response.content.decode()
            assert response.status_code == 200, params
            assert 'class="search-hit"' not in body and 'class="search-count"' not in body, params
            for other in SEARCH_CANARIES:
                if other != canary:
                    assert other not in body, (other, params)


def test_a_quoted_span_above_the_reviewer_is_the_redacted_bar(client, everything, external_reviewer):  # noqa: F811
    quoted_claim(everything)
    client.force_login(external_reviewer)
    page = _search(client, q="gannet passed").content.decode()
    bar = '<span class="redacted" title="Redacted: above your access level">redacted</span>'
    assert f"{REVIEWER_VISIBLE} and {bar} <mark>passed</mark> twice</p>" in page
    assert CANARY_INTERNAL_SPAN not in page


def test_the_page_counts_only_what_the_reviewer_may_read(client, world, external_reviewer):
    marmots(world)
    client.force_login(external_reviewer)
    page = _search(client, q="marmot").content.decode()
    assert "1 result for" in page and page.count('class="search-hit"') == 1
    assert "marmot-unseen" not in page and "marmot-internal" not in page


def test_another_report_is_404_to_the_external_reviewer(client, everything, external_reviewer):  # noqa: F811
    client.force_login(external_reviewer)
    assert _search(client, q="claim", report="elsewhere").status_code == 404


def test_a_revoked_grant_finds_nothing_from_the_next_request(client, everything, external_reviewer):  # noqa: F811
    client.force_login(external_reviewer)
    assert 'class="search-hit"' in _search(client, q="drills").content.decode()
    access_revoke(report=everything.report, user=external_reviewer)
    assert 'class="search-hit"' not in _search(client, q="drills").content.decode()
