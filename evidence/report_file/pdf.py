"""Markdown documents (the report export, the review record) printed as PDF with WeasyPrint.

Rules:
- The Markdown goes through the project's safe renderer (`pathways.text.render_markdown`:
  raw HTML off, nh3, links only to http, https and mailto) at the document's level, so a
  stray span marker is redacted there too, and no tag the renderer does not allow reaches
  WeasyPrint. The document arrives already redacted; rendering never widens it.
- WeasyPrint fetches nothing: no network, no file. Every URL it would load (an image, a
  stylesheet, a font) is refused, so a document cannot make the worker call out, read a
  local file into a PDF, or wait on a slow host. The stylesheet is ours and inline.
- Fonts are the machine's own (fontconfig); DejaVu covers the ⟦ ⟧ around restricted text.
"""

from django.utils.html import escape
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from pathways.text import render_markdown

PRINT_CSS = """
@page {
  size: A4;
  margin: 22mm 20mm 24mm;
  @bottom-left { content: string(document-title); font-size: 8pt; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; }
}
html { font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
body { margin: 0; }
/* The renderer moves headings down two levels (# is h3): h3 is the document's title. */
h3, h4, h5, h6 { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; line-height: 1.2; break-after: avoid; }
h3 { font-size: 19pt; margin: 0 0 8pt; string-set: document-title content(); }
h4 { font-size: 14pt; margin: 18pt 0 6pt; border-bottom: 0.5pt solid #999; padding-bottom: 2pt; }
h5 { font-size: 11.5pt; margin: 12pt 0 4pt; }
h6 { font-size: 10.5pt; margin: 10pt 0 4pt; }
p, li { orphans: 2; widows: 2; }
ul, ol { padding-left: 16pt; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: 6pt; }
blockquote { margin: 0 0 0 8pt; padding-left: 8pt; border-left: 2pt solid #bbb; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 0.5pt solid #999; padding: 3pt 4pt; text-align: left; vertical-align: top; }
a { color: #123f7a; text-decoration: none; }
/* Included restricted spans, when the renderer marks them; the Markdown shows them in ⟦ ⟧. */
.restricted { text-decoration: underline dotted; }
.redacted { background: #222; color: #fff; padding: 0 2pt; }
/* The first two paragraphs are the legend and the redaction summary: set apart, above the title. */
body > p:nth-child(-n+2) { font-size: 9pt; color: #333; background: #f1f1f1; margin: 0; padding: 3pt 6pt; }
body > p:nth-child(2) { margin-bottom: 14pt; }
figure.argument { margin: 10pt 0 16pt; break-inside: avoid; }
figure.argument figcaption { font-family: "DejaVu Sans", sans-serif; font-weight: bold; font-size: 10pt; }
figure.argument svg { width: 100%; height: auto; }
"""


class NoFetching(URLFetcher):
    """Refuses every URL: a printed export loads nothing from anywhere."""

    def fetch(self, url, headers=None):
        raise ValueError(f"exports fetch nothing; refused {url[:80]!r}")


def markdown_pdf(*, markdown: str, level: str, title: str, figures: str = "") -> bytes:
    """The Markdown document as PDF bytes, rendered safely at `level` with our print stylesheet;
    `figures`, the project's own escaped SVG (`evidence.argument_map.document_figures`), after it."""
    body = render_markdown(markdown, level) + figures
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )
    fetcher = NoFetching()
    stylesheet = CSS(string=PRINT_CSS, url_fetcher=fetcher)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
