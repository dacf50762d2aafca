"""Sensitivity levels, redaction spans and Markdown rendering for report text.

Rules (spec/report-format.md, "Markdown and redaction"):

- Levels are ordered ``public`` < ``reviewer`` < ``internal``.
- A Markdown field may mark spans ``[[reviewer]]...[[/reviewer]]`` and
  ``[[internal]]...[[/internal]]``. Spans do not nest; an unknown, unclosed, stray or
  mismatched tag is an import error (``span_errors``).
- A reader below a span's level sees exactly ``[redacted]``: neither the text nor its length.
- Redaction is applied to the text before rendering, so no redacted byte reaches the HTML.
- Markdown is untrusted: raw HTML is not rendered, links are limited to http, https and mailto.

Bad input never crashes redaction, and fails closed: an unclosed span runs to the end of the
text, and spans nested or mismatched are merged into one span at the highest level involved.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

LEVELS = ("public", "reviewer", "internal")
SPAN_LEVELS = LEVELS[1:]
REDACTED = "[redacted]"

_TAG = re.compile(r"\[\[(/?)([A-Za-z_][\w-]*)\]\]")
# Anything that looks like a tag but is not written exactly as one (`[[ internal ]]`, `[[/ Reviewer]]`).
_TAG_LIKE = re.compile(r"\[\[\s*/?\s*[A-Za-z_][\w-]*\s*\]\]")

# Private-use sentinels carried through markdown-it and nh3, replaced in the final HTML.
_OPEN = {"reviewer": "\ue000", "internal": "\ue001"}
_CLOSE = "\ue002"
_REDACTED_MARK = "\ue003"
_SENTINELS = re.compile("[\ue000-\ue004]")
# Character references that markdown-it would decode into a sentinel (`&#xE003;`, `&#57347;`).
_SENTINEL_REFERENCES = re.compile(r"&#(?:[xX]0*[eE]00[0-4]|0*5734[4-8]);")
_LEVEL_OF_OPEN = {sentinel: level for level, sentinel in _OPEN.items()}
_RESTRICTED_OPEN = {
    level: f'<span class="restricted restricted-{level}" title="{level}-only material">' for level in SPAN_LEVELS
}

_REDACTED_HTML = '<span class="redacted" title="Redacted: above your access level">redacted</span>'
_HTML_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "del",
}  # fmt: skip
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def level_allows(reader_level: str, item_level: str) -> bool:
    """True when a reader at ``reader_level`` may read material at ``item_level``.

    Unknown levels raise ValueError: a typo must not quietly widen or narrow access.
    """
    return LEVELS.index(reader_level) >= LEVELS.index(item_level)


def has_span_markup(text: str) -> bool:
    """True when ``text`` holds anything tag-like, well formed or not: for plain-text fields, where
    no span is ever redacted and so none may be written."""
    return bool(_TAG_LIKE.search(text))


def span_errors(text: str) -> list[str]:
    """Every problem with the redaction spans of ``text``, as messages naming tag and line."""
    errors: list[str] = [
        f"malformed tag {match.group()} at line {_line_of(text, match.start())}: write [[reviewer]] or [[internal]]"
        for match in _TAG_LIKE.finditer(text)
        if not _TAG.fullmatch(match.group())
    ]
    open_spans: list[tuple[str, int]] = []  # a stack, so one nesting mistake is one error
    for match in _TAG.finditer(text):
        closing, name, line = match.group(1) == "/", match.group(2), _line_of(text, match.start())
        if name not in SPAN_LEVELS:
            errors.append(f"unknown tag {match.group()} at line {line}")
        elif not closing:
            if open_spans:
                outer = open_spans[-1][0]
                errors.append(f"nested span: [[{name}]] inside [[{outer}]] at line {line}")
            open_spans.append((name, line))
        elif not open_spans:
            errors.append(f"closing tag [[/{name}]] at line {line} has no opening [[{name}]]")
        else:
            opened, opened_line = open_spans.pop()
            if opened != name:
                errors.append(
                    f"mismatched closing tag [[/{name}]] at line {line}: "
                    f"the open span is [[{opened}]] from line {opened_line}"
                )
    errors.extend(f"unclosed [[{name}]] span opened at line {line}" for name, line in open_spans)
    return errors


def redact(text: str, reader_level: str, *, keep_markers: bool = False) -> str:
    """``text`` as a reader at ``reader_level`` sees it.

    A span above the reader's level becomes ``[redacted]``. A span at or below it keeps its
    inner text, and with ``keep_markers`` its markers as written (for the YAML export, which
    must import back to the same report). Stray closing tags are dropped; unknown tags are
    left as text (``span_errors`` reports them).
    """
    return _substitute(text, reader_level, lambda span: span.raw if keep_markers else span.inner, REDACTED)


def render_plain(text: str, reader_level: str) -> str:
    """Markdown for the Markdown export, as a reader at ``reader_level`` sees it.

    Redacted spans become ``[redacted]``. Included spans become their inner text in white
    square brackets, ``⟦like this⟧``: subtle, Markdown-neutral, and unlike ``*`` or ``<mark>``
    it cannot change the document's structure. The caller adds a one-line legend, such as
    "Text in ⟦ ⟧ is not in the public version."
    """
    return _substitute(text, reader_level, lambda span: f"⟦{span.inner}⟧", REDACTED)


def inert_html(markdown: str) -> str:
    """Markdown in which no raw HTML can be live: every ``<`` becomes ``&lt;``, which Markdown
    shows as ``<`` and never reads as a tag, in prose and code alike (code shows the entity,
    a small cost for a rule with no exceptions to get wrong). What the pages do for people's
    text (they render no raw HTML) then holds in any viewer of an exported file."""
    return markdown.replace("<", "&lt;")


# Rendered texts kept per process: the same argument, rationale or comment is read again and
# again, and the result depends on nothing but the text and the level. Bounded by entries, and
# texts longer than RENDER_CACHE_MAX_TEXT are rendered afresh each time.
RENDER_CACHE_ENTRIES = 4096
RENDER_CACHE_MAX_TEXT = 50_000


def render_markdown(text: str, reader_level: str) -> str:
    """Safe HTML for ``text`` as a reader at ``reader_level`` sees it (the caller marks it safe);
    see `_render_markdown`."""
    if len(text) > RENDER_CACHE_MAX_TEXT:
        return _render_markdown(text, reader_level)
    return _render_markdown_cached(text, reader_level)


def _render_markdown(text: str, reader_level: str) -> str:
    """Safe HTML for ``text`` as a reader at ``reader_level`` sees it.

    Steps: strip the sentinel characters from the input; redact on the text, leaving sentinels
    where spans open, close or were redacted; render with markdown-it (CommonMark with tables
    and strikethrough, raw HTML off); sanitise with nh3 (document tags only, ``a href`` only for
    http, https and mailto, ``rel="noopener noreferrer nofollow"``); then turn each redaction
    into a "redacted" bar and wrap each included span's text in
    ``<span class="restricted restricted-LEVEL">``, so readers see what outsiders do not.
    Headings move down two levels (``#`` becomes ``<h3>``): the text sits under the page's
    own ``<h1>`` and a section's ``<h2>``.
    """
    text = _SENTINEL_REFERENCES.sub("", _SENTINELS.sub("", text))
    marked = _substitute(text, reader_level, lambda span: _OPEN[span.level] + span.inner + _CLOSE, _REDACTED_MARK)
    html = nh3.clean(
        _markdown.render(marked),
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
    )
    return _HEADING.sub(_demote_heading, _replace_sentinels(html))


_render_markdown_cached = lru_cache(maxsize=RENDER_CACHE_ENTRIES)(_render_markdown)
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _demote_heading(match: re.Match) -> str:
    return f"<{match[1]}h{min(int(match[2]) + 2, 6)}>"


@dataclass(frozen=True)
class _Span:
    level: str
    raw: str  # as written, markers included
    inner: str  # the text between the markers, any inner markers removed


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _strip_tags(text: str) -> str:
    return _TAG.sub(lambda match: "" if match.group(2) in SPAN_LEVELS else match.group(), text)


def _parse(text: str) -> list[str | _Span]:
    """Split ``text`` into plain strings and spans, failing closed on malformed spans.

    A span runs from an opening tag until its depth returns to zero (or to the end of the
    text), and takes the highest level opened within it.
    """
    pieces: list[str | _Span] = []
    position, depth, start, level = 0, 0, 0, "public"
    for match in _TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2)
        if name not in SPAN_LEVELS:
            continue
        if depth == 0:
            pieces.append(text[position : match.start()])
            position = match.end()  # a stray closing tag is dropped here
            if not closing:
                depth, start, level = 1, match.start(), name
            continue
        depth += -1 if closing else 1
        if not closing and LEVELS.index(name) > LEVELS.index(level):
            level = name
        if depth == 0:
            inner = _strip_tags(text[position : match.start()])
            pieces.append(_Span(level, text[start : match.end()], inner))
            position = match.end()
    if depth:
        pieces.append(_Span(level, text[start:], _strip_tags(text[position:])))
    else:
        pieces.append(text[position:])
    return pieces


def _substitute(text: str, reader_level: str, included: Callable[[_Span], str], redacted: str) -> str:
    if reader_level not in LEVELS:  # raise even on text without spans
        raise ValueError(f"unknown reader level {reader_level!r}")
    return "".join(
        (included(piece) if level_allows(reader_level, piece.level) else redacted)
        if isinstance(piece, _Span)
        else piece
        for piece in _parse(text)
    )


def _replace_sentinels(html: str) -> str:
    """Replace sentinels in sanitised HTML, never producing unbalanced markup.

    Sentinels inside tags are dropped. An opening sentinel counts only when a closing one
    follows before the next opening one; stray ones are dropped. Each restricted span is
    wrapped text run by text run, so it never straddles a tag.
    """
    parts = _HTML_TAG.split(html)  # text runs at even indexes, tags at odd ones
    matched, pending = set(), None
    for i in range(0, len(parts), 2):
        for match in _SENTINELS.finditer(parts[i]):
            if match.group() in _LEVEL_OF_OPEN:
                pending = (i, match.start())
            elif match.group() == _CLOSE and pending:
                matched |= {pending, (i, match.start())}
                pending = None
    out, level = [], None

    def emit(segment: str) -> None:
        if level and segment.strip():  # whitespace between tags stays bare: <tr> takes no <span>
            segment = f"{_RESTRICTED_OPEN[level]}{segment}</span>"
        out.append(segment)

    for i, part in enumerate(parts):
        if i % 2:
            out.append(_SENTINELS.sub("", part))
            continue
        last = 0
        for match in _SENTINELS.finditer(part):
            emit(part[last : match.start()])
            last = match.end()
            if match.group() == _REDACTED_MARK:
                out.append(_REDACTED_HTML)
            elif (i, match.start()) in matched:
                level = _LEVEL_OF_OPEN.get(match.group())
        emit(part[last:])
    return "".join(out)
