"""Canaries for search: what the external reviewer may not read — internal claims and
evidence, internal spans, the pathway outside her grant and what rests on it, internal
comments and the replies under them, another organisation's requests, an internal span in
an answer, another report — is never found, quoted in a snippet or counted when she
searches, in every report, within the report or in a kind's list (the page's own checks
are in test_search_pages). Each canary is found by someone who may read it, so the checks
can fail."""

import pytest

from evidence.models import EvidenceSearchDocument
from pathways.models import ArgumentSearchDocument
from pathways.search import REDACTION
from pathways.services import access_grant, access_revoke
from reviewapp.models import CommentSearchDocument
from reviewapp.selectors.search import KINDS, search
from reviewapp.services.search import search_index_rebuild
from tests.conftest import (
    ALL_CANARIES,
    CANARY_INTERNAL_CHAIN,
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_LINE,
    CANARY_INTERNAL_SPAN,
    CANARY_INTERNAL_STEP,
    CANARY_OUT_OF_SCOPE,
    CANARY_OUT_OF_SCOPE_CLAIM,
    REVIEWER_VISIBLE,
)
from tests.factories import ClaimFactory, ReportFactory
from tests.reviewapp.test_comments_leaks import (  # noqa: F401 -- a fixture
    CANARY_INTERNAL_ASIDE,
    CANARY_INTERNAL_COMMENT,
    CANARY_INTERNAL_REPLY,
    CANARY_RESOLVED_INTERNAL,
    COMMENT_CANARIES,
    discussion,
)
from tests.reviewapp.test_requests_canaries import (  # noqa: F401 -- a fixture
    CANARY_ANSWER_SPAN,
    CANARY_REQUEST_OTHER_ORG,
    CANARY_REQUEST_OUT_OF_SCOPE,
    canary_requests,
)

CANARY_OTHER_REPORT = "CANARY-OTHER-REPORT-b7e4"
SEARCH_CANARIES = [
    *ALL_CANARIES,
    *COMMENT_CANARIES,
    CANARY_REQUEST_OUT_OF_SCOPE,
    CANARY_REQUEST_OTHER_ORG,
    CANARY_ANSWER_SPAN,
    CANARY_OTHER_REPORT,
]


@pytest.fixture
def everything(world, discussion, canary_requests, author, stress_tester, team_member):  # noqa: F811
    """The world, its threads and requests, and a report erin has no grant on, all indexed."""
    other = ReportFactory(slug="elsewhere", title="Elsewhere")
    ClaimFactory(report=other, slug="elsewhere-claim", statement=f"Another report's claim {CANARY_OTHER_REPORT}")
    access_grant(report=other, user=author, role="author")
    search_index_rebuild()
    return world


def _terms(canary: str) -> list[str]:
    """The canary whole, and its one distinctive part (its last, hexadecimal, piece)."""
    return [canary, canary.rsplit("-", 1)[-1]]


@pytest.mark.parametrize("canary", SEARCH_CANARIES)
def test_no_canary_is_found_shown_or_counted_for_the_external_reviewer(everything, external_reviewer, canary):
    for term in _terms(canary):
        for report in (None, everything.report):
            results = search(external_reviewer, term, report=report)
            assert results.counts == dict.fromkeys(KINDS, 0), (term, results.counts)
            assert not any(results.hits.values())
        for kind in KINDS:
            results = search(external_reviewer, term, kinds=[kind], start=0, stop=20)
            assert results.counts == dict.fromkeys(KINDS, 0) and not any(results.hits.values())


# Who may read each canary, and so finds it: the checks above are not vacuous.
READERS = {
    CANARY_INTERNAL_CLAIM: "author",
    CANARY_INTERNAL_EVIDENCE: "author",
    CANARY_INTERNAL_SPAN: "author",
    CANARY_OUT_OF_SCOPE: "author",
    CANARY_OUT_OF_SCOPE_CLAIM: "author",
    **dict.fromkeys(COMMENT_CANARIES, "stress_tester"),
    CANARY_REQUEST_OUT_OF_SCOPE: "stress_tester",
    CANARY_REQUEST_OTHER_ORG: "stress_tester",
    CANARY_ANSWER_SPAN: "team_member",
    CANARY_OTHER_REPORT: "author",
}


# Lines of defence and detection chains are not among the kinds search finds: their
# canaries are found by nobody.
NOT_SEARCHED = (CANARY_INTERNAL_LINE, CANARY_INTERNAL_STEP, CANARY_INTERNAL_CHAIN)
SEARCHED_CANARIES = [canary for canary in SEARCH_CANARIES if canary not in NOT_SEARCHED]


@pytest.mark.parametrize("canary", SEARCHED_CANARIES)
def test_someone_who_may_read_a_canary_finds_it(everything, request, canary):
    reader = request.getfixturevalue(READERS[canary])
    assert sum(search(reader, canary).counts.values()) >= 1


# Text no reviewer may read whatever their grants: internal items, spans and comments.
INTERNAL_TEXT = [
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    CANARY_ANSWER_SPAN,
    CANARY_INTERNAL_COMMENT,
    CANARY_INTERNAL_REPLY,
    CANARY_INTERNAL_ASIDE,
    CANARY_RESOLVED_INTERNAL,
]


def test_no_document_a_reviewer_reads_holds_internal_text(everything):
    documents = [ArgumentSearchDocument, EvidenceSearchDocument, CommentSearchDocument]
    reviewer_text = [
        title + body
        for document in documents
        for title, body in document.objects.filter(level="reviewer").values_list("title", "body")
    ]
    internal_text = [
        title + body
        for document in documents
        for title, body in document.objects.filter(level="internal").values_list("title", "body")
    ]
    for canary in INTERNAL_TEXT:
        assert not any(canary in text for text in reviewer_text), canary
        assert any(canary in text for text in internal_text), canary


def quoted_claim(world):
    """A claim on the reviewer's pathway whose rationale holds a reviewer span and an internal one."""
    claim = ClaimFactory(
        report=world.report,
        slug="quoted",
        statement="A quoted claim.",
        rationale=f"The gannet drill [[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]] and "
        f"[[internal]]{CANARY_INTERNAL_SPAN}[[/internal]] passed twice.",
        pathways=[world.in_scope],
    )
    search_index_rebuild()
    return claim


def test_a_claim_found_by_the_reviewer_is_quoted_with_its_internal_span_redacted(everything, external_reviewer):
    claim = quoted_claim(everything)
    [hit] = search(external_reviewer, "gannet passed", kinds=["claim"]).hits["claim"]
    assert hit.subject_id == claim.pk
    assert f"{REVIEWER_VISIBLE} and {REDACTION} \ue010passed\ue011" in hit.snippet
    assert CANARY_INTERNAL_SPAN not in hit.snippet


def marmots(world):
    """The word in a claim on the reviewer's pathway, one on the pathway outside her grant, an internal one."""
    for slug, pathway in [("seen", world.in_scope), ("unseen", world.out_of_scope)]:
        ClaimFactory(report=world.report, slug=f"marmot-{slug}", statement="The marmot claim.", pathways=[pathway])
    ClaimFactory(report=world.report, slug="marmot-internal", statement="Marmot.", sensitivity="internal")
    search_index_rebuild()


def test_a_word_shared_with_hidden_things_counts_only_the_visible(world, author, external_reviewer):
    marmots(world)
    assert search(external_reviewer, "marmot").counts["claim"] == 1
    assert search(author, "marmot").counts["claim"] == 3


def test_a_revoked_grant_finds_nothing_from_then_on(everything, external_reviewer):
    assert search(external_reviewer, "drills").counts["claim"] == 1
    access_revoke(report=everything.report, user=external_reviewer)
    assert search(external_reviewer, "drills").counts == dict.fromkeys(KINDS, 0)
