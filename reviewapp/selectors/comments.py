"""Scoped reads of comments.

Rule: a person sees a comment when they can see its subject (the pathway, claim,
evidence item or conclusion it is on, by the scope functions of `pathways.selectors`
and `evidence.selectors`), except that external readers never see internal comments,
nor replies under an internal comment. Every count shown to a reader (threads,
replies, resolved threads) is counted from this scope, so it never includes what
the reader cannot see.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404

from evidence.selectors import evidence_scope, subject_scope
from pathways.access import Access, access_of
from pathways.models import Report
from pathways.selectors import (
    NOTHING,
    claim_scope,
    conclusion_scope,
    count_of,
    pathway_scope,
    scoped,
)
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.subjects import COMMENT_FIELDS as SUBJECT_FIELDS
from reviewapp.subjects import KINDS, key_of, kind_of


def comment_subject_scope(access: Access, path: str = "") -> Q:
    """Comments whose subject (pathway, claim, evidence item or conclusion) this person can see."""
    return subject_scope(
        access,
        path,
        {"pathway": pathway_scope, "claim": claim_scope, "evidence": evidence_scope, "conclusion": conclusion_scope},
    )


def comment_scope(access: Access, path: str = "") -> Q:
    """Comments whose subject this person can see, minus internal ones (and replies
    under internal ones) for external readers."""
    subject = comment_subject_scope(access, path)
    if subject is NOTHING or not access.is_external:
        return subject
    return subject & comment_level_scope(access, path)


def comment_level_scope(access: Access, path: str = "") -> Q:
    """The half of `comment_scope` that reads the comment alone: for external readers, no
    internal comment and no reply under one."""
    if not access.is_external:
        return Q()
    return Q(**{f"{path}visibility": CommentVisibility.SHARED}) & ~Q(
        **{f"{path}parent__visibility": CommentVisibility.INTERNAL}
    )


def comments_visible_to(person) -> QuerySet[Comment]:
    return scoped(Comment, comment_scope, person)


def thread_scope(access: Access) -> Q:
    """`comment_scope` for threads (top-level comments) alone: with no parent, the level half
    for external readers is the thread's own visibility, and no join to a parent is made."""
    subject = comment_subject_scope(access)
    if subject is NOTHING:
        return subject
    if not access.is_external:
        return subject & Q(parent=None)
    return subject & Q(parent=None, visibility=CommentVisibility.SHARED)


def comment_for(user, *, report: Report, comment_id: int, thread_only: bool = False) -> Comment:
    """A comment this person can see in this report (with its subject), or Http404."""
    comments = comments_visible_to(user).filter(report=report)
    if thread_only:
        comments = comments.filter(parent=None)
    return get_object_or_404(
        comments.select_related(
            "author__organisation", "parent", "pathway", "claim", "evidence", "conclusion__pathway"
        ),
        pk=comment_id,
    )


def comments_on(user, *, subjects: list, threads_per_subject: int | None = None) -> list[Comment]:
    """The comments this person can see on these subjects, threads and replies, in one query.

    With `threads_per_subject`, only the newest that many open threads of each subject, and
    the newest that many resolved ones, with all their replies: the threads are chosen from
    the visible top-level comments alone (a subject has a few hundred threads and several
    times as many replies), and only those threads are read whole. Every thread's first
    comment carries `threads_like_it`: how many threads of its kind (open, or resolved) its
    subject has that this person can see, so a panel can say how many it leaves out. Those
    counts are one small count per subject and kind, which PostgreSQL runs once per query."""
    if not subjects:
        return []
    access = access_of(user)
    # `comment_scope`, with its subject half read once per subject rather than for every
    # row: comments on a subject the person can see (each an EXISTS that PostgreSQL runs
    # once), which of them they may read.
    on_subjects, on_visible_subjects = Q(), Q()
    for subject in subjects:
        kind = kind_of(subject)
        _, visible_to = KINDS[kind]
        on_subjects |= Q(**{kind: subject})
        on_visible_subjects |= Q(**{kind: subject}) & Q(Exists(visible_to(access).filter(pk=subject.pk)))
    comments = Comment.objects.filter(on_visible_subjects, comment_level_scope(access))
    # The first comments of those subjects that the person may read (a first comment has
    # no parent, so the comment-level rule is its visibility alone), for choosing the
    # newest threads and counting them. Rows come only from `comments`, so a subject they
    # cannot see shows nothing, counts included.
    first_comments = Comment.objects.filter(parent=None)
    if access.is_external:
        first_comments = first_comments.filter(visibility=CommentVisibility.SHARED)
    if threads_per_subject is not None:
        newest = (
            first_comments.filter(on_subjects)
            .annotate(
                newest_first=Window(
                    RowNumber(),
                    partition_by=[F(f"{name}_id") for name in SUBJECT_FIELDS] + [_unresolved()],
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
            )
            .filter(newest_first__lte=threads_per_subject)
            .values("id")
        )
        # An array PostgreSQL computes once; each comment on the subjects is then kept or
        # dropped by its thread's id as it is read, before any join.
        comments = comments.filter(AnyOf(Coalesce("parent_id", "id"), ArraySubquery(newest)))
    counts = {}
    for index, subject in enumerate(subjects):
        kind = kind_of(subject)
        for is_open in (True, False):
            counts[(f"{kind}-{subject.pk}", is_open)] = name = f"threads_{index}_{'open' if is_open else 'resolved'}"
            of_kind = first_comments.filter(**{kind: subject}, resolved_at__isnull=is_open)
            comments = comments.annotate(**{name: count_of(of_kind)})
    listed = list(comments.select_related("author__organisation", "resolved_by").order_by("created_at", "id"))
    for comment in listed:
        if comment.parent_id is None:
            # Set here for the panels; not a field of the model, so the stubs do not know it.
            comment.threads_like_it = getattr(  # type: ignore[attr-defined]
                comment, counts[(key_of(comment), comment.resolved_at is None)]
            )
    return listed


class AnyOf(Func):
    """`column = ANY(array)`, true when the column's value is one of the array's."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def _unresolved():
    return ExpressionWrapper(Q(resolved_at__isnull=True), output_field=BooleanField())


def open_threads_in(person, *, report: Report, subject_type: str = "") -> QuerySet[Comment]:
    """Unresolved threads this person can see in the report, newest first: their ids alone,
    which the open-threads index holds with what the scope reads, for counting and
    choosing a page; `thread_rows` reads the page's threads whole."""
    threads = scoped(Comment, thread_scope, person).filter(report=report, parent=None, resolved_at=None)
    if subject_type:
        threads = threads.filter(**{f"{subject_type}__isnull": False})
    return threads.order_by("-created_at", "-id").values_list("pk", flat=True)


def thread_rows(person, thread_ids: QuerySet) -> QuerySet[Comment]:
    """The threads of a page of `open_threads_in` (a sliced queryset of their ids: the rows
    are read in the same query), newest first, each with the number of replies this person
    can see and its claim or evidence item loaded (the page has the pathways and conclusions)."""
    visible_replies = count_of(Comment.objects.filter(comment_scope(access_of(person)), parent_id=OuterRef("pk")))
    return (
        Comment.objects.filter(pk__in=thread_ids)
        .select_related("author__organisation", "claim", "evidence")
        .annotate(reply_count=visible_replies)
        .order_by("-created_at", "-id")
    )
