"""Scoped reads of comments.

Rule: a person sees a comment when they can see its subject (the pathway, claim,
evidence item or conclusion it is on, by the scope functions of `pathways.selectors`
and `evidence.selectors`), except that external readers never see internal comments,
nor replies under an internal comment. Every count shown to a reader (threads,
replies, resolved threads) is counted from this scope, so it never includes what
the reader cannot see.
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from evidence.models import Evidence
from evidence.selectors import evidence_visible_to
from pathways.models import Claim, Conclusion, Pathway, Report
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment

# The four kinds of thing a comment can be on: the name used in URLs and in the
# Comment field, the model, and the scope function that says who sees one.
SUBJECT_TYPES = {
    "pathway": (Pathway, pathways_visible_to),
    "claim": (Claim, claims_visible_to),
    "evidence": (Evidence, evidence_visible_to),
    "conclusion": (Conclusion, conclusions_visible_to),
}
SUBJECT_FIELDS = tuple(SUBJECT_TYPES)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def subject_type_of(subject) -> str:
    for name, (model, _) in SUBJECT_TYPES.items():
        if isinstance(subject, model):
            return name
    raise TypeError(f"comments are not kept on {type(subject).__name__}")


def comments_visible_to(user) -> QuerySet[Comment]:
    """Comments whose subject this person can see, minus internal ones (and replies
    under internal ones) for external readers."""
    if not _signed_in(user):
        return Comment.objects.none()
    comments = Comment.objects.filter(
        Q(pathway_id__in=pathways_visible_to(user).values("id"))
        | Q(claim_id__in=claims_visible_to(user).values("id"))
        | Q(evidence_id__in=evidence_visible_to(user).values("id"))
        | Q(conclusion_id__in=conclusions_visible_to(user).values("id"))
    )
    if user.is_external:
        comments = comments.filter(visibility=CommentVisibility.SHARED).exclude(
            parent__visibility=CommentVisibility.INTERNAL
        )
    return comments


def subject_visible_to(user, subject) -> bool:
    """Whether this person can see the pathway, claim, evidence item or conclusion."""
    _, visible_to = SUBJECT_TYPES[subject_type_of(subject)]
    return visible_to(user).filter(pk=subject.pk).exists()


def comment_subject_for(user, *, report: Report, subject_type: str, subject_id: int):
    """The subject named in a URL, in this report and in this person's scope, or Http404:
    a forged id (another report's claim, an out-of-scope pathway) finds nothing."""
    if subject_type not in SUBJECT_TYPES:
        raise Http404("No such kind of subject.")
    model, visible_to = SUBJECT_TYPES[subject_type]
    queryset = visible_to(user).filter(report=report)
    if model is Conclusion:
        queryset = queryset.select_related("pathway")
    return get_object_or_404(queryset, pk=subject_id)


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


def comments_on(user, *, subjects: list) -> list[Comment]:
    """Every comment this person can see on these subjects, threads and replies, in one query."""
    if not subjects:
        return []
    on_subjects = Q()
    for subject in subjects:
        on_subjects |= Q(**{subject_type_of(subject): subject})
    return list(
        comments_visible_to(user)
        .filter(on_subjects)
        .select_related("author__organisation", "resolved_by")
        .order_by("created_at", "id")
    )


def open_threads_in(user, *, report: Report, subject_type: str = "") -> QuerySet[Comment]:
    """Unresolved threads this person can see in the report, newest first, each with the
    number of replies they can see and its subject loaded."""
    threads = comments_visible_to(user).filter(report=report, parent=None, resolved_at=None)
    if subject_type:
        threads = threads.filter(**{f"{subject_type}__isnull": False})
    visible_replies = comments_visible_to(user).filter(report=report).values("id")
    return (
        threads.select_related("author__organisation", "pathway", "claim", "evidence", "conclusion__pathway")
        .annotate(reply_count=Count("replies", filter=Q(replies__id__in=visible_replies)))
        .order_by("-created_at", "-id")
    )
