"""The kinds of thing search finds, each with its search documents, its scope and the
columns a hit of it needs (see `reviewapp.selectors.search`)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, F, Model, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Concat

from evidence.models import EvidenceSearchDocument
from evidence.selectors import evidence_scope, information_request_scope
from pathways.access import Access
from pathways.models import ArgumentSearchDocument
from pathways.selectors import NOTHING, claim_scope, conclusion_scope, ids, pathway_scope
from reviewapp.models import CommentSearchDocument
from reviewapp.selectors.comments import comment_scope


@dataclass(frozen=True)
class Kind:
    """One kind of thing search finds: its name (the URL's `kind`), its words, its search
    documents, the documents' field naming it, its scope, and what a hit needs to link to
    its page beyond its own id and report."""

    name: str
    label: str
    noun: str
    plural: str
    document: type[Model]
    field: str
    scope: Callable[[Access, str], Q]
    columns: Callable[[], dict]

    def documents(self, access: Access) -> Q:
        """The documents of things of this kind this person can see, at their reading level.
        The document's own report is filtered too (its scope filters the thing's), so that a
        common word is looked up among the documents of the person's reports only."""
        reach = self.scope(access, f"{self.field}__")
        if reach is NOTHING:
            return NOTHING
        own = Q(level=access.level, report_id__in=ids(access.visible_report_ids), **{f"{self.field}__isnull": False})
        return own & reach


# Every branch's columns, in this order, so that the branches of a statement line up.
COLUMNS = (
    "kind",
    "subject_id",
    "rank",
    "report_slug",
    "report_title",
    "slug",  # the thing's own, or a conclusion's pathway's
    "on_kind",  # where a comment is shown: its subject's kind and slug
    "on_slug",
    "context",  # a line under the title: the pathway of a conclusion, a comment's subject, a request's team
    "title_text",
    "body_text",
    "total",
)


def _own_slug(name: str) -> Callable[[], dict]:
    return lambda: {"slug": F(f"{name}__slug")}


def _conclusion_columns() -> dict:
    return {
        "slug": Coalesce(F("conclusion__pathway__slug"), Value(""), output_field=TextField()),
        "context": Coalesce(F("conclusion__pathway__title"), Value(""), output_field=TextField()),
    }


_COMMENT_SUBJECTS = ("claim", "evidence", "pathway", "conclusion")


def _comment_columns() -> dict:
    """Where a comment is shown (its subject's kind and slug; a conclusion's, its pathway's,
    none for the overall one), and the subject's name."""
    return {
        "on_kind": Case(
            *(When(**{f"comment__{name}__isnull": False}, then=Value(name)) for name in _COMMENT_SUBJECTS),
            default=Value(""),
        ),
        "on_slug": Coalesce(
            *(F(f"comment__{name}__slug") for name in ("claim", "evidence", "pathway", "conclusion__pathway")),
            Value(""),
            output_field=TextField(),
        ),
        "context": Coalesce(
            F("comment__claim__statement"),
            F("comment__evidence__title"),
            F("comment__pathway__title"),
            Concat(Value("Conclusion on "), F("comment__conclusion__pathway__title"), output_field=TextField()),
            Value("The overall conclusion"),
            output_field=TextField(),
        ),
    }


def _request_columns() -> dict:
    return {"context": F("information_request__team__name")}


KINDS = {
    kind.name: kind
    for kind in (
        Kind("claim", "Claims", "claim", "claims", ArgumentSearchDocument, "claim", claim_scope, _own_slug("claim")),
        Kind(
            "evidence",
            "Evidence",
            "evidence item",
            "evidence items",
            EvidenceSearchDocument,
            "evidence",
            evidence_scope,
            _own_slug("evidence"),
        ),
        Kind(
            "pathway",
            "Pathways",
            "pathway",
            "pathways",
            ArgumentSearchDocument,
            "pathway",
            pathway_scope,
            _own_slug("pathway"),
        ),
        Kind(
            "conclusion",
            "Conclusions",
            "conclusion",
            "conclusions",
            ArgumentSearchDocument,
            "conclusion",
            conclusion_scope,
            _conclusion_columns,
        ),
        Kind(
            "comment",
            "Comments",
            "comment",
            "comments",
            CommentSearchDocument,
            "comment",
            comment_scope,
            _comment_columns,
        ),
        Kind(
            "request",
            "Requests",
            "information request",
            "information requests",
            EvidenceSearchDocument,
            "information_request",
            information_request_scope,
            _request_columns,
        ),
    )
}
# The statements, one per document table, and the kinds each reads.
TABLES = {
    document: [kind for kind in KINDS.values() if kind.document is document]
    for document in (ArgumentSearchDocument, EvidenceSearchDocument, CommentSearchDocument)
}
