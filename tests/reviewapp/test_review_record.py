"""The review record: sign-off, every organisation's verdicts, dissents and reservations, and
the information-request log, as one reader may see it at one level, in Markdown and PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from pathways.services import access_revoke
from reviewapp.review_record import review_record_export, review_record_load
from tests.conftest import (
    ALL_CANARIES,
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    CANARY_OUT_OF_SCOPE,
    REVIEWER_VISIBLE,
)
from tests.helpers import assert_no_long_query
from tests.reviewapp.matrix.exports import (
    CANARY_GOVERNMENT_REQUEST,
    CANARY_OVERRIDE_REASON,
    INTERNAL_CLAIM_REQUEST,
    review_activity,
)

INTERNAL_ONLY = [CANARY_INTERNAL_SPAN, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_CLAIM, CANARY_OVERRIDE_REASON]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def record(reader, world, level, fmt="md") -> str:
    content = review_record_export(report=world.report, reader=reader, level=level, fmt=fmt).content
    return content if fmt == "md" else pdf_text(content)


def contains(text: str, words: str, fmt: str) -> bool:
    return (words if fmt == "md" else squeezed(words)) in text


@pytest.fixture
def review(world, request, author, stress_tester, external_reviewer, leadership, team_member):
    return review_activity(world, request.getfixturevalue)


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_the_external_reviewer_s_record_holds_nothing_out_of_scope_or_internal(world, review, external_reviewer, fmt):
    text = record(external_reviewer, world, "reviewer", fmt)

    for expected in [
        "Review record: Pilot report",
        "Not approved",  # the sign-off decision
        "Holdout Evaluators",
        "Drills are too few.",
        "Stress-testing team",  # another organisation's verdict on a conclusion they see
        f"We dissent: [redacted] and ⟦{REVIEWER_VISIBLE}⟧.",
        "How are transfers detected?",
        "Alarms fire within a minute. [redacted]",
        "Egress review",
    ]:
        assert contains(text, expected, fmt), expected
    # Leadership's note is for authors and leadership, as on the sign-off pages.
    for secret in [*ALL_CANARIES, CANARY_OVERRIDE_REASON, INTERNAL_CLAIM_REQUEST, "Government decisions", "Not yet."]:
        assert not contains(text, secret, fmt), secret


@pytest.mark.parametrize("fmt", ["md", "pdf"])
@pytest.mark.parametrize("level", ["public", "reviewer", "internal"])
def test_each_level_of_the_author_s_record_holds_what_that_level_may_see(world, review, author, level, fmt):
    text = record(author, world, level, fmt)

    # The author sees every pathway: the government pathway's verdict and request are in at every level.
    assert contains(text, CANARY_GOVERNMENT_REQUEST, fmt)
    assert contains(text, f"Fine. {CANARY_OUT_OF_SCOPE}", fmt)
    assert contains(text, REVIEWER_VISIBLE, fmt) == (level != "public")
    for internal in INTERNAL_ONLY:
        assert contains(text, internal, fmt) == (level == "internal"), internal
    assert contains(text, INTERNAL_CLAIM_REQUEST, fmt) == (level == "internal")


def test_dissents_and_reservations_have_a_section_of_their_own(world, review, stress_tester):
    text = record(stress_tester, world, "internal")

    section = text.split("## Dissents and reservations", 1)[1].split("## Information requests", 1)[0]
    assert "Stress-testing team: dissent on Overall conclusion" in section
    assert "Holdout Evaluators: concur with reservations on Pathway 1: Self-exfiltration" in section
    assert "Abstain" not in section and "Holds up." not in section


def test_a_verdict_given_on_an_earlier_text_is_marked_stale(world, review, external_reviewer):
    text = record(external_reviewer, world, "reviewer")

    abstention = text.split("Code backdoors (Low): Abstain", 1)[1].split("\n\n#", 1)[0]
    assert "**Stale:** given on revision 1 of the conclusion, which is now at revision 2." in abstention


def test_the_request_log_has_states_dates_and_the_thread(world, review, external_reviewer):
    text = record(external_reviewer, world, "reviewer")

    log = text.split("## Information requests", 1)[1]
    for expected in [
        "- **State:** Answered",
        "- **From:** Holdout Evaluators",
        "- **To:** Security",
        "- **Due:** ",
        "- **Filed:** ",
        "- **First answered:** ",
        "**Question**",
        "Which **drills** showed it?",
        "**Answer**",
    ]:
        assert expected in log


def test_the_redaction_summary_counts_redactions_and_requests_left_out(world, review, author):
    document = review_record_export(report=world.report, reader=author, level="reviewer", fmt="md")

    # The sign-off note, the dissent's rationale and the answer each lose an internal span.
    assert document.summary["redacted_spans"] == 3
    assert document.summary["requests_above_level"] == 1
    assert document.summary["text"] == (
        "Redaction summary: 3 passages redacted; 1 information request about material above level reviewer left out."
    )
    assert f"_{document.summary['text']}_" in document.content.splitlines()[2]


def test_an_owning_team_member_gets_no_sign_off_and_only_their_team_s_requests(world, review, team_member):
    text = record(team_member, world, "internal")

    assert "Sign-off decisions are shared with the report's authors, leadership and reviewers." in text
    assert CANARY_OVERRIDE_REASON not in text and "Not approved" not in text
    assert "How are transfers detected?" in text
    assert CANARY_GOVERNMENT_REQUEST not in text


def test_an_empty_review_says_so(world, external_reviewer):
    text = record(external_reviewer, world, "reviewer")

    assert "Leadership has not recorded a sign-off decision yet." in text
    assert "No organisation has recorded a verdict" in text
    assert "No organisation dissents" in text
    assert "No information requests in this record." in text


def test_a_record_above_the_reader_s_level_or_out_of_scope_is_refused(world, external_reviewer, outsider):
    with pytest.raises(ValueError, match="above what"):
        review_record_load(report=world.report, reader=external_reviewer, level="internal")
    with pytest.raises(ValueError, match="cannot see the report"):
        review_record_load(report=world.report, reader=outsider, level="public")
    access_revoke(report=world.report, user=external_reviewer)
    with pytest.raises(ValueError, match="cannot see the report"):
        review_record_load(report=world.report, reader=external_reviewer, level="reviewer")


def test_the_record_is_read_in_a_fixed_number_of_queries(
    world, review, external_reviewer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14) as queries:
        review_record_export(report=world.report, reader=external_reviewer, level="reviewer", fmt="md")
    assert_no_long_query(queries.captured_queries)
