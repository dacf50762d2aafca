"""The search documents of comments, and the rebuild of every kind's (see `pathways.search`).

An internal comment, and a reply under one, is written for internal readers only: the
comment scope keeps it from external readers, and no reviewer-level row holds its text.
A comment's visibility never changes, so its documents are written when it is posted and
when its text is edited.
"""

from django.apps import apps as global_apps
from django.db import transaction

from evidence.search import search_index_evidence_and_requests
from pathways.enums import Sensitivity
from pathways.search import Searchable, documents_rebuild, documents_write, search_index_argument
from reviewapp.enums import CommentVisibility


def _comment_level(comment) -> str:
    parent_visibility = comment.parent.visibility if comment.parent_id else ""
    internal = CommentVisibility.INTERNAL in (comment.visibility, parent_visibility)
    return Sensitivity.INTERNAL if internal else Sensitivity.PUBLIC


COMMENTS = Searchable(
    "reviewapp.Comment",
    "reviewapp.CommentSearchDocument",
    "comment",
    ("text", "visibility", "parent_id", "parent__visibility"),
    title=lambda comment: "",
    body=lambda comment: comment.text,
    lowest_level=_comment_level,
)


def search_index_comment(comment) -> None:
    documents_write(COMMENTS, [comment])


@transaction.atomic
def search_index_rebuild(*, report_ids=None, apps=global_apps) -> int:
    """Write the search documents of everything (or of the reports `report_ids`): for the
    rows that existed before the documents did, and for data written around the services
    (the bench data, an edit in the admin). Returns the number of things indexed."""
    return (
        search_index_argument(report_ids=report_ids, apps=apps)
        + search_index_evidence_and_requests(report_ids=report_ids, apps=apps)
        + documents_rebuild(
            COMMENTS, report_ids=report_ids, apps=apps, prepare=lambda queryset: queryset.select_related("parent")
        )
    )
