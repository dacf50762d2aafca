"""Redaction spans and Markdown rendering (pathways/text.py): no database, no settings."""

import re

import pytest

from pathways.text import (
    LEVELS,
    has_span_markup,
    level_allows,
    redact,
    render_markdown,
    render_plain,
    span_errors,
)

REVIEWER_SECRET = "REVIEWER-SECRET-31"
INTERNAL_SECRET = "INTERNAL-SECRET-77"
TEXT = (
    f"Monitoring caught [[reviewer]]{REVIEWER_SECRET}[[/reviewer]] attempts,\n"
    f"using [[internal]]{INTERNAL_SECRET}[[/internal]]."
)
XSS_INPUTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    '<iframe src="https://evil.example"></iframe>',
    "<a href='https://e.example' onclick='alert(1)'>x</a>",
    "[[internal]]<script>alert(1)</script>[[/internal]]",
    "[[reviewer]]<img src=x onerror=alert(1)>[[/reviewer]]",
    "[[internal]][x](javascript:alert(1))[[/internal]]",
]


def _tags(html: str) -> list[str]:
    return re.findall(r"<[^>]*>", html)


def test_levels_are_ordered_public_reviewer_internal():
    assert LEVELS == ("public", "reviewer", "internal")
    assert level_allows("internal", "reviewer")
    assert level_allows("reviewer", "reviewer")
    assert not level_allows("reviewer", "internal")
    assert not level_allows("public", "reviewer")


def test_an_unknown_level_is_an_error_not_a_quiet_answer():
    with pytest.raises(ValueError):
        level_allows("admin", "public")
    with pytest.raises(ValueError):
        redact("no spans", "Internal")


def test_a_public_reader_sees_neither_reviewer_nor_internal_text():
    assert redact(TEXT, "public") == "Monitoring caught [redacted] attempts,\nusing [redacted]."


def test_a_reviewer_sees_reviewer_text_but_not_internal_text():
    assert redact(TEXT, "reviewer") == f"Monitoring caught {REVIEWER_SECRET} attempts,\nusing [redacted]."


def test_an_internal_reader_sees_everything_without_markers():
    assert redact(TEXT, "internal") == (f"Monitoring caught {REVIEWER_SECRET} attempts,\nusing {INTERNAL_SECRET}.")


def test_a_redaction_does_not_reveal_the_length_of_the_span():
    short = redact("a [[internal]]x[[/internal]] b", "public")
    long = redact("a [[internal]]" + "x" * 500 + "\nmore[[/internal]] b", "public")
    assert short == long == "a [redacted] b"
    assert render_markdown("a [[internal]]x[[/internal]] b", "reviewer") == render_markdown(
        "a [[internal]]" + "x" * 500 + "[[/internal]] b", "reviewer"
    )


def test_keep_markers_keeps_the_included_spans_as_written():
    assert redact(TEXT, "internal", keep_markers=True) == TEXT
    assert redact(TEXT, "reviewer", keep_markers=True) == (
        f"Monitoring caught [[reviewer]]{REVIEWER_SECRET}[[/reviewer]] attempts,\nusing [redacted]."
    )


def test_a_reviewer_export_round_trips_for_a_reviewer():
    exported = redact(TEXT, "reviewer", keep_markers=True)
    assert span_errors(exported) == []
    assert redact(exported, "reviewer") == redact(TEXT, "reviewer")
    assert redact(exported, "public") == redact(TEXT, "public")


def test_an_unclosed_span_redacts_to_the_end_for_readers_below_it():
    assert redact(f"a [[internal]]{INTERNAL_SECRET}\n\nmore", "reviewer") == "a [redacted]"


def test_nested_or_mismatched_spans_fail_closed_at_the_highest_level():
    nested = f"[[reviewer]]a [[internal]]{INTERNAL_SECRET}[[/internal]] b[[/reviewer]] c"
    assert redact(nested, "reviewer") == "[redacted] c"
    assert redact("[[reviewer]]a[[/internal]] b", "public") == "[redacted] b"
    assert redact(nested, "internal") == f"a {INTERNAL_SECRET} b c"


def test_valid_spans_have_no_errors():
    assert span_errors(TEXT) == []
    assert span_errors("no spans, and [[ not a tag ]] nor [link]") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\n[[secret]]x", "unknown tag [[secret]] at line 2"),
        ("a [[/foo]]", "unknown tag [[/foo]] at line 1"),
        ("a\nb\n[[internal]]x", "unclosed [[internal]] span opened at line 3"),
        ("x[[/reviewer]]", "closing tag [[/reviewer]] at line 1 has no opening [[reviewer]]"),
        (
            "[[reviewer]]x\n[[/internal]]",
            "mismatched closing tag [[/internal]] at line 2: the open span is [[reviewer]] from line 1",
        ),
        (
            "[[internal]]a\n[[reviewer]]b[[/reviewer]][[/internal]]",
            "nested span: [[reviewer]] inside [[internal]] at line 2",
        ),
    ],
)
def test_each_span_error_says_what_and_where(text, message):
    assert span_errors(text) == [message]


def test_html_redacts_before_rendering_so_no_secret_reaches_a_reader_below_it():
    public = render_markdown(TEXT, "public")
    reviewer = render_markdown(TEXT, "reviewer")
    assert REVIEWER_SECRET not in public and INTERNAL_SECRET not in public
    assert REVIEWER_SECRET in reviewer and INTERNAL_SECRET not in reviewer
    assert public.count('<span class="redacted" title="Redacted: above your access level">redacted</span>') == 2


def test_html_marks_included_spans_with_their_level():
    html = render_markdown(TEXT, "internal")
    assert (
        f'<span class="restricted restricted-reviewer" title="reviewer-only material">{REVIEWER_SECRET}</span>' in html
    )
    assert (
        f'<span class="restricted restricted-internal" title="internal-only material">{INTERNAL_SECRET}</span>' in html
    )
    assert "[[" not in html


def test_a_span_around_markup_is_marked_without_straddling_tags():
    html = render_markdown("[[internal]]**bold** and *more*[[/internal]] after", "internal")
    assert html == (
        '<p><strong><span class="restricted restricted-internal" title="internal-only material">bold</span></strong>'
        '<span class="restricted restricted-internal" title="internal-only material"> and </span>'
        '<em><span class="restricted restricted-internal" title="internal-only material">more</span></em>'
        " after</p>\n"
    )


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("text", XSS_INPUTS)
def test_untrusted_markdown_comes_out_inert(text, level):
    html = render_markdown(text, level).lower()
    for tag in _tags(html):
        assert re.fullmatch(r"</?(p|a|span|strong|em|code)\b[^>]*>", tag), tag
        assert not re.search(r"\son\w+\s*=", tag), tag
    assert "javascript:" not in " ".join(_tags(html))
    assert "data:" not in " ".join(_tags(html))
    assert "<script" not in html and "<iframe" not in html and "<img" not in html


def test_sentinel_characters_in_the_input_are_stripped():
    smuggled = "a \ue000forged\ue002 \ue003 \ue001x\ue004 b"
    html = render_markdown(smuggled, "internal")
    assert html == "<p>a forged  x b</p>\n"
    assert not re.search("[\ue000-\uf8ff]", render_markdown(TEXT + smuggled, "public"))


def test_stray_sentinels_after_rendering_cannot_unbalance_the_html():
    # A span opening in a link destination and closing in text leaves one sentinel in an attribute.
    html = render_markdown("[x](https://e.example/[[internal]]a) b[[/internal]] c", "internal")
    assert html.count("<span") == html.count("</span>")
    assert not re.search("[\ue000-\ue004]", html)


def test_tables_and_allowed_links_render():
    html = render_markdown("| a | b |\n|---|---|\n| [site](https://e.example) | [mail](mailto:x@e.example) |", "public")
    assert "<table>" in html and "<th>a</th>" in html
    assert '<a href="https://e.example" rel="noopener noreferrer nofollow">site</a>' in html
    assert '<a href="mailto:x@e.example" rel="noopener noreferrer nofollow">mail</a>' in html


def test_relative_and_other_scheme_links_lose_their_href():
    html = render_markdown("[a](/logout) [b](//evil.example) [c](ftp://e.example)", "public")
    assert "href" not in html


def test_plain_text_shows_included_spans_in_white_brackets_and_redactions_as_the_marker():
    assert render_plain(TEXT, "reviewer") == (f"Monitoring caught ⟦{REVIEWER_SECRET}⟧ attempts,\nusing [redacted].")
    assert render_plain(TEXT, "public") == redact(TEXT, "public")


def test_markdown_headings_sit_below_the_pages_own_headings():
    html = render_markdown("# Top\n\n## Second\n\n###### Deep", "public")
    assert "<h3>Top</h3>" in html and "<h4>Second</h4>" in html and "<h6>Deep</h6>" in html
    assert "<h1>" not in html and "<h2>" not in html


@pytest.mark.parametrize("tag", ["[[ internal ]]", "[[internal ]]", "[[/ reviewer]]", "[[ Reviewer]]"])
def test_a_tag_written_almost_right_is_an_error_not_plain_text(tag):
    errors = span_errors(f"before {tag} after")
    assert errors and "malformed tag" in errors[0] and "line 1" in errors[0]
    assert has_span_markup(tag)


@pytest.mark.parametrize("reference", ["&#xE003;", "&#xe000;x&#xE002;", "&#57347;", "&#X0E001;y&#57346;"])
def test_character_references_cannot_forge_a_redaction_bar_or_a_restricted_tint(reference):
    html = render_markdown(f"Plain {reference} text", "internal")
    assert "redacted" not in html and "restricted" not in html
