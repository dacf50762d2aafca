"""Celery tasks. Each takes ids, calls a service that is idempotent (it locks its rows and
acts only on rows in the state it expects), acknowledges late, and is enqueued on commit."""

from reviewapp.tasks import exports, notifications  # noqa: F401  (registers the tasks)
