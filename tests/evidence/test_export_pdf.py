"""The report export as PDF, cut to a level and to a person's scope, with its redaction summary.

PDF text is read back with pypdf, with all whitespace taken out: WeasyPrint wraps lines
where it likes, and a canary split over two lines must still be found.
"""

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from evidence.report_file import report_export, report_export_document
from evidence.report_file.pdf import NoFetching, markdown_pdf
from tests.conftest import (
    ALL_CANARIES,
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    CANARY_OUT_OF_SCOPE,
    CANARY_OUT_OF_SCOPE_CLAIM,
    REVIEWER_VISIBLE,
)

INTERNAL_ONLY = [CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_SPAN]
# What each level adds to the one below it, as text a reader at that level finds in the export.
SEEN_FROM = {
    "public": ["Pilot report", "Large outbound transfers are detected.", "Egress review", "Self-exfiltration"],
    "reviewer": [REVIEWER_VISIBLE, "File permissions hold."],
    "internal": INTERNAL_ONLY,
}
LEVELS = ["public", "reviewer", "internal"]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), "not a PDF"
    return squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def seen_at(level: str) -> list[str]:
    return [text for below in LEVELS[: LEVELS.index(level) + 1] for text in SEEN_FROM[below]]


def hidden_at(level: str) -> list[str]:
    return [text for above in LEVELS[LEVELS.index(level) + 1 :] for text in SEEN_FROM[above]]


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_s_markdown_and_pdf_hold_what_a_reader_at_that_level_may_see(world, level):
    markdown = report_export(report=world.report, level=level, fmt="md")
    text = pdf_text(report_export(report=world.report, level=level, fmt="pdf"))

    for expected in seen_at(level):
        assert expected in markdown
        assert squeezed(expected) in text
    for secret in hidden_at(level):
        assert secret not in markdown
        assert squeezed(secret) not in text
    assert "[[" not in markdown and "[[" not in text


def test_the_pdf_says_at_the_top_what_level_it_is_and_what_was_left_out(world):
    text = pdf_text(report_export(report=world.report, level="public", fmt="pdf"))

    legend = squeezed("This is the report as a reader at level public sees it")
    summary = squeezed(
        "Redaction summary: 5 passages redacted; 2 claims, 1 evidence item, 1 line of defence, "
        "1 detection chain and 1 chain step above level public left out."
    )
    assert text.index(legend) < text.index(summary) < text.index(squeezed("Pilot report"), len(legend))
    assert squeezed("Summary with [redacted] and [redacted].") in text


@pytest.mark.parametrize(
    "level,redacted,claims,evidence,lines",
    [("public", 5, 2, 1, 1), ("reviewer", 3, 1, 1, 1), ("internal", 0, 0, 0, 0)],
)
def test_the_redaction_summary_counts_spans_and_items_left_out(world, level, redacted, claims, evidence, lines):
    document = report_export_document(report=world.report, level=level, fmt="md")

    assert document.summary["redacted_spans"] == redacted
    assert document.summary["claims_above_level"] == claims
    assert document.summary["evidence_above_level"] == evidence
    assert document.summary["lines_above_level"] == lines
    assert document.summary["limited_to_granted_pathways"] is False
    assert document.content.splitlines()[2] == f"_{document.summary['text']}_"


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_a_pathway_limited_reviewer_s_export_holds_only_their_pathways(world, external_reviewer, fmt):
    document = report_export_document(report=world.report, level="reviewer", fmt=fmt, user=external_reviewer)
    text = document.content if fmt == "md" else pdf_text(document.content)
    norm = (lambda words: words) if fmt == "md" else squeezed

    for expected in [
        "Self-exfiltration",
        "Code backdoors",
        REVIEWER_VISIBLE,
        "File permissions hold.",
        "Egress review",
    ]:
        assert norm(expected) in text
    for secret in ALL_CANARIES:
        assert norm(secret) not in text
    assert norm("Government decisions") not in text
    assert document.summary == {
        "level": "reviewer",
        "redacted_spans": 3,
        "claims_above_level": 0,
        "evidence_above_level": 0,
        "lines_above_level": 0,
        "chains_above_level": 0,
        "steps_above_level": 0,
        "limited_to_granted_pathways": True,
        "text": "Redaction summary: 3 passages redacted; only the pathways granted to the requester are "
        "included, with what rests on them.",
    }
    # How many pathways there are beyond theirs is not said anywhere: a count would tell them.
    assert "1 pathway" not in text and "3 pathways" not in text


def test_a_person_s_export_at_a_lower_level_counts_only_what_they_could_see(world, external_reviewer):
    document = report_export_document(report=world.report, level="public", fmt="md", user=external_reviewer)

    # The reviewer-level claim is in their scope; the internal claim and evidence are not counted.
    assert document.summary["claims_above_level"] == 1
    assert document.summary["evidence_above_level"] == 0
    assert REVIEWER_VISIBLE not in document.content


def test_a_person_s_export_above_their_own_level_is_refused(world, external_reviewer):
    with pytest.raises(ValueError, match="above what"):
        report_export(report=world.report, level="internal", fmt="pdf", user=external_reviewer)


def test_the_yaml_export_cut_to_a_person_leaves_out_what_they_cannot_see(world, external_reviewer):
    exported = report_export(report=world.report, level="reviewer", fmt="yaml", user=external_reviewer)

    assert "exfiltration" in exported and "government" not in exported
    for secret in [*ALL_CANARIES, CANARY_OUT_OF_SCOPE, CANARY_OUT_OF_SCOPE_CLAIM]:
        assert secret not in exported


def test_the_pdf_renderer_fetches_nothing():
    for url in ["http://example.org/tracker.png", "file:///etc/passwd", "data:text/css,body{}"]:
        with pytest.raises(ValueError, match="exports fetch nothing"):
            NoFetching().fetch(url)


def test_raw_html_and_images_in_the_markdown_do_not_reach_the_pdf():
    markdown = (
        "# Title\n\n<b>RAW-HTML-7</b>\n\n![chart](file:///etc/passwd) ![logo](https://example.org/logo.png)\n\n"
        "[a link](https://example.org/)\n"
    )

    text = pdf_text(markdown_pdf(markdown=markdown, level="internal", title="A test"))

    assert "Title" in text and "alink" in text
    assert "<b>RAW-HTML-7</b>" in text  # shown as the text it is, never taken as markup
    assert "root:" not in text  # no local file was read into the document


def test_export_report_writes_a_real_pdf_with_the_report_title(world, tmp_path):
    output = tmp_path / "pilot.pdf"

    call_command("export_report", "pilot", level="reviewer", format="pdf", output=str(output), stdout=StringIO())

    text = pdf_text(output.read_bytes())
    assert "Pilotreport" in text and squeezed(REVIEWER_VISIBLE) in text
    for secret in INTERNAL_ONLY:
        assert secret not in text


def test_export_report_refuses_pdf_without_an_output_file(world):
    with pytest.raises(CommandError, match="PDF is a binary format: give --output FILE"):
        call_command("export_report", "pilot", level="public", format="pdf", stdout=StringIO())
