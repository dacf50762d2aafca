"""The subject of a comment or an information request: a pathway, a claim, an evidence item,
a conclusion (a pathway's, or the report's overall one) or, for a request, a detection
chain's step. One place says what kind of
thing a subject is, how it is named at a reader's level, where its page is, how a URL
names it and how that URL finds it again in the reader's scope.
Names are of plain fields (titles, statements), which hold no redaction spans.

A URL names a subject as its page does: `pathways/<slug>`, `claims/<slug>`,
`evidence/<slug>`, `pathways/<slug>/conclusion` and `conclusion` (the overall one), so
"file a request" and "post a comment" on a subject sit under the same path. A chain step
is named by its chain and id, `detection-chains/<slug>/steps/<id>`, under its own URL
name (the action's name with `_step`).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, re_path, reverse

from evidence.models import ChainStep, Evidence
from evidence.selectors import evidence_visible_to, steps_visible_to
from pathways.models import Claim, Conclusion, Pathway, Report
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to

# The kinds, as a comment's foreign keys name them, with their model and scope reader.
KINDS = {
    "pathway": (Pathway, pathways_visible_to),
    "claim": (Claim, claims_visible_to),
    "evidence": (Evidence, evidence_visible_to),
    "conclusion": (Conclusion, conclusions_visible_to),
    "chain_step": (ChainStep, steps_visible_to),
}
FIELDS = tuple(KINDS)
COMMENT_FIELDS = ("pathway", "claim", "evidence", "conclusion")  # a comment's subject fields
NOUNS = {
    "pathway": "pathway",
    "claim": "claim",
    "evidence": "evidence item",
    "conclusion": "conclusion",
    "chain_step": "detection chain step",
}
# The first segment of a subject's URL, per kind.
SEGMENTS = {"pathway": "pathways", "claim": "claims", "evidence": "evidence", "conclusion": "conclusion"}
_KIND_OF_SEGMENT = {segment: kind for kind, segment in SEGMENTS.items()}
_SLUG = "[-a-zA-Z0-9_]+"


def kind_of(subject) -> str:
    """ "pathway", "claim", "evidence" or "conclusion"."""
    for kind, (model, _) in KINDS.items():
        if isinstance(subject, model):
            return kind
    raise TypeError(f"{type(subject).__name__} is not the subject of a comment or a request")


def of(row):
    """The subject a comment or a request is about (the one of its subject fields it has)."""
    for field in FIELDS:
        if getattr(row, f"{field}_id", None):
            return getattr(row, field)
    raise ValueError(f"{type(row).__name__} {row.pk} has no subject")


def key_of(row) -> str:
    """ "claim-12" for a row about claim 12, from the ids alone (no query)."""
    for field in FIELDS:
        if getattr(row, f"{field}_id", None):
            return f"{field}-{getattr(row, f'{field}_id')}"
    raise ValueError(f"{type(row).__name__} {row.pk} has no subject")


def key(subject) -> str:
    """The same key, of the subject itself."""
    return f"{kind_of(subject)}-{subject.pk}"


def title(subject) -> str:
    """The subject's name in a list that already says what kind of thing it is: "Conclusion
    on Exfiltration", a claim's statement, an item's title (plain fields: no spans in them)."""
    kind = kind_of(subject)
    if kind == "conclusion":
        return f"Conclusion on {subject.pathway.title}" if subject.pathway_id else "The overall conclusion"
    if kind == "chain_step":
        return f"The {subject.get_role_display().lower()} step “{subject.text}” of “{subject.chain.scenario}”"
    return subject.statement if kind == "claim" else subject.title


def label(subject) -> str:
    """The subject named in a sentence: "the claim “…”", "the conclusion on Exfiltration"."""
    kind = kind_of(subject)
    if kind == "conclusion":
        return f"the conclusion on {subject.pathway.title}" if subject.pathway_id else "the overall conclusion"
    if kind == "chain_step":
        role = subject.get_role_display().lower()
        return f"the {role} step “{subject.text}” of the detection chain “{subject.chain.scenario}”"
    return f"the {NOUNS[kind]} “{title(subject)}”"


def page_url(report_slug: str, subject) -> str:
    """The page where the subject and its discussion are shown: a conclusion's is its
    pathway's page, the overall conclusion's the report's discussion."""
    kind = kind_of(subject)
    if kind == "conclusion":
        if subject.pathway_id:
            return reverse("pathway_detail", args=[report_slug, subject.pathway.slug])
        return reverse("discussion", args=[report_slug])
    if kind == "chain_step":
        pathway = reverse("pathway_detail", args=[report_slug, subject.chain.pathway.slug])
        return f"{pathway}#step-{subject.pk}"
    name = {"pathway": "pathway_detail", "claim": "claim_detail", "evidence": "evidence_detail"}[kind]
    return reverse(name, args=[report_slug, subject.slug])


def url_kwargs(subject) -> dict[str, str]:
    """How a URL names the subject (the `kind` segment and the slug it is found by)."""
    kind = kind_of(subject)
    if kind == "conclusion":
        return {"kind": "conclusion", "key": subject.pathway.slug} if subject.pathway_id else {"kind": "conclusion"}
    return {"kind": SEGMENTS[kind], "key": subject.slug}


def url(name: str, report_slug: str, subject) -> str:
    """The URL of an action (named by `url_patterns`) on this subject."""
    if kind_of(subject) == "chain_step":
        return reverse(
            f"{name}_step", kwargs={"slug": report_slug, "chain_slug": subject.chain.slug, "step_id": subject.pk}
        )
    return reverse(name, kwargs={"slug": report_slug, **url_kwargs(subject)})


def url_patterns(suffix: str, view, name: str, *, kinds: tuple[str, ...] = COMMENT_FIELDS) -> list[URLPattern]:
    """The patterns of an action on a subject, `reports/<slug>/<subject>/<suffix>`, for
    subjects of these kinds; all share one name, so `url()` reverses any of them."""
    report = rf"^reports/(?P<slug>{_SLUG})/"
    segments = "|".join(SEGMENTS[kind] for kind in kinds if kind in SEGMENTS and kind != "conclusion")
    patterns = []
    if segments:
        patterns.append(re_path(rf"{report}(?P<kind>{segments})/(?P<key>{_SLUG})/{suffix}$", view, name=name))
    if "conclusion" in kinds:
        patterns += [
            re_path(rf"{report}pathways/(?P<key>{_SLUG})/(?P<kind>conclusion)/{suffix}$", view, name=name),
            re_path(rf"{report}(?P<kind>conclusion)/{suffix}$", view, name=name),
        ]
    return patterns


def subject_for(person, report: Report, kind: str, key: str | None = None, *, pathways=None):
    """The subject a URL names, in this report and in this person's scope, or Http404: a
    slug of another report's claim or of a pathway out of scope finds nothing. `kind` is
    the URL's segment ("claims") or the kind itself ("claim"). `pathways`, the page's
    column of the pathways the person sees, finds a pathway with no query."""
    kind = _KIND_OF_SEGMENT.get(kind, kind)
    if kind not in SEGMENTS:  # a chain step has its own URLs (`step_for_user`)
        raise Http404("No such kind of subject.")
    if kind == "pathway" and pathways is not None:
        for pathway in pathways:
            if pathway.slug == key:
                return pathway
        raise Http404("No such pathway.")
    model, visible_to = KINDS[kind]
    subjects = visible_to(person).filter(report=report)
    if model is Conclusion:
        subjects = subjects.select_related("pathway")
        if key is None:
            return get_object_or_404(subjects, pathway=None)
        return get_object_or_404(subjects, pathway__slug=key)
    if key is None:
        raise Http404("No such subject.")
    if model is not Pathway:
        subjects = subjects.select_related("owner_team")
    return get_object_or_404(subjects, slug=key)


def visible_to(person, subject) -> bool:
    """Whether this person can see the subject (now: a recipient may have lost access)."""
    _, reader = KINDS[kind_of(subject)]
    return reader(person).filter(pk=subject.pk).exists()
