"""People's text stays inert in Markdown exports: raw HTML a reviewer or author typed is
escaped, so a viewer that renders Markdown with HTML shows it as text and runs nothing."""

from evidence.report_file import report_export
from pathways.text import inert_html, render_markdown
from reviewapp.review_record import review_record_export
from tests.factories import ClaimFactory, FindingFactory, PathwayClaimFactory, PathwayFactory, author_of

SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'


def test_raw_html_is_escaped_outside_code_and_autolinks():
    text = f"Before {SCRIPT} and `{IMAGE}` and <https://example.org/a>\n\n```\n{SCRIPT}\n```\n{IMAGE}\n"

    inert = inert_html(text)

    assert "&lt;script>" in inert and "&lt;img src=x" in inert
    assert f"`{IMAGE}`" in inert, "code spans are shown as written"
    assert f"```\n{SCRIPT}\n```" in inert, "fenced code is shown as written"
    assert "<https://example.org/a>" in inert, "an autolink stays a link"
    outside_code = inert.replace(f"`{IMAGE}`", "").replace(f"```\n{SCRIPT}\n```", "").replace("<https://", "")
    assert "<" not in outside_code


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
