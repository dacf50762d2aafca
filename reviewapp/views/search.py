"""Search: within a report or across the reports a person sees, over claims, evidence,
pathways, conclusions, comments and information requests.

Every read goes through `reviewapp.selectors.search`, which filters by each kind's scope
and searches the text of the reader's level only. A report named in the URL that the
person cannot see answers 404, as its pages do; bad input (a query too long, a kind that
does not exist) is said next to the box, and nothing is searched.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from pathways.search import MARK_END, MARK_START, REDACTION
from pathways.selectors import report_for_user
from reviewapp.forms.search import SearchForm
from reviewapp.pages import is_htmx, paginate, reader_required
from reviewapp.selectors.search import COUNT_LIMIT, KINDS, Found, Hit, search

RESULTS = "reviewapp/search/results.html"
PER_PAGE = 20


_REDACTED_HTML = '<span class="redacted" title="Redacted: above your access level">redacted</span>'


def marked(text: str) -> SafeString:
    """Text as PostgreSQL marked it, escaped, each highlight a <mark> and each redaction the
    redacted bar: the marks are characters the stored text never holds otherwise, so after
    escaping they are PostgreSQL's and the redactions' alone."""
    pieces, opened = [], False
    for character in str(escape(text or "")):
        if character == MARK_START and not opened:
            pieces.append("<mark>")
            opened = True
        elif character == MARK_END and opened:
            pieces.append("</mark>")
            opened = False
        elif character == REDACTION:
            pieces.append(_REDACTED_HTML)
        elif character not in (MARK_START, MARK_END):
            pieces.append(character)
    if opened:
        pieces.append("</mark>")
    return mark_safe("".join(pieces))  # escaped above: the only markup is what is added here


_PAGES = {"claim": "claim_detail", "evidence": "evidence_detail", "pathway": "pathway_detail"}


def _url(hit: Hit) -> str:
    """The page of the thing found (a comment: its thread, on its subject's page)."""
    report = hit.report_slug
    if hit.kind in _PAGES:
        return reverse(_PAGES[hit.kind], args=[report, hit.slug])
    if hit.kind == "conclusion":
        if hit.slug:
            return reverse("pathway_detail", args=[report, hit.slug]) + "#conclusion"
        return reverse("report_detail", args=[report]) + "#overall-conclusion"
    if hit.kind == "request":
        return reverse("request_detail", args=[report, hit.subject_id])
    if hit.on_kind in _PAGES:
        page = reverse(_PAGES[hit.on_kind], args=[report, hit.on_slug])
    elif hit.on_slug:
        page = reverse("pathway_detail", args=[report, hit.on_slug])
    else:
        page = reverse("discussion", args=[report])
    return f"{page}?threads=all#comment-{hit.subject_id}"


def _heading(hit: Hit) -> SafeString:
    if hit.kind == "conclusion":
        return escape(f"Conclusion on {hit.context}" if hit.context else "The overall conclusion")
    if hit.kind == "comment":
        return escape(f"Comment on {hit.context}")
    return marked(hit.heading)


def shown(hit: Hit) -> dict:
    """A hit as the results list shows it."""
    return {
        "kind": KINDS[hit.kind],
        "url": _url(hit),
        "heading": _heading(hit),
        "snippet": marked(hit.snippet),
        "report_title": hit.report_title,
        "context": hit.context if hit.kind == "request" else "",
    }


def _count_label(count: int, *, more: bool = False) -> str:
    """ "23", or "1,000+" for a count that stopped at the limit."""
    return f"{COUNT_LIMIT:,}+" if count > COUNT_LIMIT else f"{count:,}{'+' if more else ''}"


def _report_named(request):
    """The report the search is kept to, found in the person's scope (404 when they cannot
    see it, as its pages answer), or None to search every report they see."""
    slug = request.GET.get("report", "")
    return report_for_user(request.access, slug) if slug else None


def _page_number(request) -> int:
    number = request.GET.get("page", "1")
    return int(number) if number.isdigit() and int(number) > 0 else 1


@require_GET
@reader_required
def search_results(request):
    report = _report_named(request)
    form = SearchForm(request.GET or None, report=report)
    context: dict = {"form": form, "report": report, "kinds": KINDS.values(), "count_limit": COUNT_LIMIT}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        text, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        context.update(text=text, kind=KINDS.get(kind))
        if kind:
            start = (_page_number(request) - 1) * PER_PAGE
            found = Found(request.access, text, kind=kind, report=report, start=start, stop=start + PER_PAGE)
            pages = paginate(request, found, PER_PAGE)
            counts = found.counts
            context.update(hits=[shown(hit) for hit in pages["page"].object_list], **pages)
        else:
            results = search(request.access, text, report=report)
            counts = results.counts
            context["groups"] = [
                {
                    "kind": KINDS[name],
                    "label": _count_label(counts[name]),
                    "hits": [shown(hit) for hit in hits],
                    "more": counts[name] > len(hits),
                }
                for name, hits in results.hits.items()
                if hits
            ]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("kind", None)
        context.update(
            counts=[
                {"kind": KINDS[name], "count": count, "label": _count_label(count)} for name, count in counts.items()
            ],
            total=_count_label(sum(counts.values()), more=any(count > COUNT_LIMIT for count in counts.values())),
            found_any=any(counts.values()),
            kind_query=query.urlencode(),
        )
    template = f"{RESULTS}#search-results" if is_htmx(request) else RESULTS
    return render(request, template, context)


urlpatterns = [path("search/", search_results, name="search")]
