"""People's text stays inert in Markdown exports: raw HTML a reviewer or author typed is
escaped, so a viewer that renders Markdown with HTML shows it as text and runs nothing."""

import pytest
from markdown_it import MarkdownIt

from evidence.report_file import report_export
from pathways.text import inert_html, render_markdown
from reviewapp.review_record import review_record_export
from tests.factories import ClaimFactory, FindingFactory, PathwayClaimFactory, PathwayFactory, author_of

SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    "text",
    [
        f"Before {SCRIPT} after",
        f"`{IMAGE}` in a code span",
        f"\\`{IMAGE}` after an escaped backtick",
        f"``{IMAGE}` an uneven backtick run",
        f"```x`\n{IMAGE}\n``` a fence that is not one",
        f"```\ncode\n```x\n{IMAGE}\n``` a closing line that is not one",
        f"note\u2028```\n{IMAGE}",
        f"<https://example.org onerror=alert(1)> {IMAGE}",
    ],
)
def test_no_raw_html_survives_whatever_surrounds_it(text):
    inert = inert_html(text)

    assert "<" not in inert
    rendered = MarkdownIt("commonmark", {"html": True}).render(inert)
    assert "<img" not in rendered and "<script" not in rendered


def test_escaped_text_reads_the_same_once_rendered():
    assert render_markdown(inert_html(f"a {SCRIPT} b"), "internal") == render_markdown(f"a {SCRIPT} b", "internal")


def test_the_report_s_markdown_export_carries_no_live_html(db):
    pathway = PathwayFactory(title=f"Exfiltration {IMAGE}")
    claim = ClaimFactory(report=pathway.report, statement=f"Claim {SCRIPT}", rationale=f"Because {IMAGE}.")
    PathwayClaimFactory(pathway=pathway, claim=claim)

    exported = report_export(report=pathway.report, level="internal", fmt="md")

    assert "Claim &lt;script>alert('x')&lt;/script>" in exported
    assert "Because &lt;img src=x onerror=" in exported
    assert "<script" not in exported and "<img" not in exported


def test_the_review_record_s_markdown_export_carries_no_live_html(db):
    claim = ClaimFactory()
    FindingFactory(subject=claim, text=f"Weak {SCRIPT}", recommendation=f"Fix {IMAGE}")
    author = author_of(claim.report)

    exported = review_record_export(report=claim.report, reader=author, level="internal", fmt="md").content

    assert "Weak &lt;script>" in exported and "Fix &lt;img" in exported
    assert "<script" not in exported and "<img" not in exported
