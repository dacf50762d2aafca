"""Steps the comment tests share: the URLs of comment actions, starting a thread, reading a page."""

from django.urls import reverse

from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.services.comments import comment_post


def post_url(subject):
    return subjects.url("comment_post", "pilot", subject)


def action_url(name, comment):
    return reverse(name, args=["pilot", comment.pk])


def start_thread(author, subject, text="A thread.", visibility=CommentVisibility.SHARED):
    return comment_post(author=author, subject=subject, text=text, visibility=visibility)


def page_of(client, name, *args):
    return client.get(reverse(name, args=["pilot", *args])).content.decode()
