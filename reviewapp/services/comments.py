"""Writes of comments: post a thread, reply, edit one's own, resolve and reopen a thread.

Each function is one transaction, writes its audit entry in it, and raises
`CommentError` with a message for the person at the keyboard when the action is refused
(nothing is saved then). Rules:

- A person comments on what they can see. Threads have one level of replies: a reply to
  a reply joins the same thread, under its first comment.
- Visibility is *shared* (reviewers read it) or *internal*. External reviewers' comments
  are always shared: an external reviewer asking for internal is refused. A reply to an
  internal comment is internal, whatever was asked for.
- `@username` mentions: everyone mentioned must be able to read the comment (see its
  subject, and be internal if the comment is internal), or nothing is saved.
- Mentions, and replies in a thread, notify people (`notify_comment`, same transaction).
- Edits are by the comment's author only and carry the version they started from; a
  save over a newer version raises `CommentConflict`, and the newer text stays.
- Resolving and reopening a thread is for the person who started it, the report's
  authors and the stress-testers (internal reviewers). Leadership and owning-team members
  resolve only threads they started; so do external reviewers.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pathways.access import access_of
from pathways.audit import field_changes, log_action
from pathways.models import User
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.services.notifications import notify_comment
from reviewapp.services.search import search_index_comment

MAX_TEXT_LENGTH = 20_000
MAX_MENTIONS = 20
# An @ that does not continue a word or an e-mail address, then a Django username.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+])")


class CommentError(ValueError):
    """A comment action that must not happen; the message says why. `field` names the
    form field the message belongs next to ("text"), or None for the form as a whole."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class CommentConflict(CommentError):
    """The comment changed since the editor opened it; `current` is the newer version."""

    def __init__(self, message: str, *, current: Comment):
        super().__init__(message)
        self.current = current


def mentioned_usernames(text: str) -> list[str]:
    """The usernames after an @ in the text, each once, in the order written."""
    return list(dict.fromkeys(MENTION.findall(text or "")))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CommentError("Write something before posting.", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise CommentError(
            f"A comment is at most {MAX_TEXT_LENGTH:,} characters; this one has {len(text):,}.", field="text"
        )
    return text


def _visibility_for(*, author: User, visibility: str) -> str:
    visibility = visibility or CommentVisibility.SHARED
    if visibility not in CommentVisibility.values:
        raise CommentError("Choose who may read the comment: shared with reviewers, or internal only.")
    if author.is_external and visibility == CommentVisibility.INTERNAL:
        raise CommentError(
            "Nothing was posted: comments by external reviewers are always shared with the report's "
            "authors and reviewers; internal comments are for internal staff only."
        )
    return CommentVisibility(visibility)


def _mentioned_people(*, text: str, subject, visibility: str) -> list[User]:
    """The people mentioned, each of whom can read the comment; otherwise CommentError naming them."""
    usernames = mentioned_usernames(text)
    if not usernames:
        return []
    if len(usernames) > MAX_MENTIONS:
        raise CommentError(f"Mention at most {MAX_MENTIONS} people in one comment.", field="text")
    people = {person.username: person for person in User.objects.filter(username__in=usernames, is_active=True)}
    noun = subjects.NOUNS[subjects.kind_of(subject)]
    cannot_see_subject, external = [], []
    for username in usernames:
        person = people.get(username)
        if person is None or not subjects.visible_to(person, subject):
            cannot_see_subject.append(f"@{username}")
        elif visibility == CommentVisibility.INTERNAL and person.is_external:
            external.append(f"@{username}")
    reasons = []
    if cannot_see_subject:
        reasons.append(f"{', '.join(cannot_see_subject)} cannot see this {noun} (or has no account here)")
    if external:
        reasons.append(f"{', '.join(external)} cannot read internal comments")
    if reasons:
        advice = " Remove the mention, or post a shared comment if reviewers may read it." if external else ""
        raise CommentError(
            "Nothing was saved: everyone you mention must be able to read the comment, and "
            + "; ".join(reasons)
            + "."
            + advice,
            field="text",
        )
    return [people[username] for username in usernames]


@transaction.atomic
def comment_post(*, author: User, subject, text: str, visibility: str = "") -> Comment:
    """Start a thread on a pathway, claim, evidence item or conclusion."""
    visibility = _visibility_for(author=author, visibility=visibility)
    text = _clean_text(text)
    if not subjects.visible_to(author, subject):
        raise CommentError("You can comment only on what you can see.")
    mentioned = _mentioned_people(text=text, subject=subject, visibility=visibility)
    subject_type = subjects.kind_of(subject)
    comment = Comment.objects.create(
        report_id=subject.report_id, author=author, visibility=visibility, text=text, **{subject_type: subject}
    )
    comment.mentions.set(mentioned)
    search_index_comment(comment)
    notify_comment(comment, mentioned)
    log_action(
        report=subject.report,
        actor=author,
        action="reviewapp.comment.posted",
        target=comment,
        data={
            "subject_type": subject_type,
            "subject_id": subject.pk,
            "visibility": str(visibility),  # the choice's value
            "mentions": [person.username for person in mentioned],
        },
    )
    return comment


@transaction.atomic
def comment_reply(*, author: User, parent: Comment, text: str, visibility: str = "") -> Comment:
    """Reply in the thread of `parent`; a reply to a reply joins the same thread."""
    if not comments_visible_to(author).filter(pk=parent.pk).exists():
        raise CommentError("You can reply only to comments you can see.")
    thread = Comment.objects.select_for_update().get(pk=parent.parent_id or parent.pk)
    if thread.resolved_at:
        raise CommentError("This thread is resolved. Reopen it to reply, or start a new thread.")
    if CommentVisibility.INTERNAL in (parent.visibility, thread.visibility):
        # An answer to an internal comment stays internal.
        if author.is_external:
            raise CommentError("You can reply only to comments you can see.")
        visibility = CommentVisibility.INTERNAL
    else:
        visibility = _visibility_for(author=author, visibility=visibility)
    text = _clean_text(text)
    subject = subjects.of(thread)
    mentioned = _mentioned_people(text=text, subject=subject, visibility=visibility)
    subject_type = subjects.kind_of(subject)
    reply = Comment.objects.create(
        report_id=thread.report_id,
        parent=thread,
        author=author,
        visibility=visibility,
        text=text,
        **{subject_type: subject},
    )
    reply.mentions.set(mentioned)
    search_index_comment(reply)
    notify_comment(reply, mentioned)
    log_action(
        report=thread.report,
        actor=author,
        action="reviewapp.comment.posted",
        target=reply,
        data={
            "subject_type": subject_type,
            "subject_id": subject.pk,
            "visibility": CommentVisibility(visibility).value,
            "reply_to": parent.pk,
            "thread": thread.pk,
            "mentions": [person.username for person in mentioned],
        },
    )
    return reply


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, text: str, version: int) -> Comment:
    """Change the text of one's own comment, if nobody saved a newer version meanwhile."""
    current = Comment.objects.select_for_update().get(pk=comment.pk)
    if current.author_id != editor.id:
        raise PermissionDenied("Only the person who wrote a comment edits it.")
    if current.version != version:
        raise CommentConflict(
            "Not saved: this comment was changed after you opened it (perhaps in another tab). "
            "Your text is kept below; compare it with the current text and save again.",
            current=current,
        )
    text = _clean_text(text)
    mentioned = _mentioned_people(text=text, subject=subjects.of(current), visibility=current.visibility)
    changes = field_changes(current, {"text": text})
    if not changes:
        return current
    current.text = text
    current.version += 1
    current.edited_at = timezone.now()
    current.save(update_fields=["text", "version", "edited_at"])
    current.mentions.set(mentioned)
    search_index_comment(current)
    notify_comment(current, mentioned)  # only people newly mentioned hear of it
    log_action(
        report=current.report,
        actor=editor,
        action="reviewapp.comment.edited",
        target=current,
        data={"changes": changes, "version": current.version, "mentions": [p.username for p in mentioned]},
    )
    return current


def _set_resolution(*, thread: Comment, actor: User, resolve: bool) -> Comment:
    if thread.parent_id:
        raise CommentError("Only a whole thread is resolved or reopened, from its first comment.")
    if not access_of(actor).on(thread.report_id).may_resolve(thread):
        raise PermissionDenied("Only the thread's author, the report's authors and stress-testers resolve threads.")
    current = Comment.objects.select_for_update().get(pk=thread.pk)
    if resolve and current.resolved_at:
        raise CommentError("This thread is already resolved.")
    if not resolve and not current.resolved_at:
        raise CommentError("This thread is already open.")
    current.resolved_at = timezone.now() if resolve else None
    current.resolved_by = actor if resolve else None
    current.save(update_fields=["resolved_at", "resolved_by"])
    log_action(
        report=current.report,
        actor=actor,
        action="reviewapp.comment.resolved" if resolve else "reviewapp.comment.reopened",
        target=current,
    )
    return current


@transaction.atomic
def comment_resolve(*, thread: Comment, actor: User) -> Comment:
    return _set_resolution(thread=thread, actor=actor, resolve=True)


@transaction.atomic
def comment_reopen(*, thread: Comment, actor: User) -> Comment:
    return _set_resolution(thread=thread, actor=actor, resolve=False)
