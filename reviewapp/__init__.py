# The Celery app is loaded with Django so that `shared_task`s bind to it and
# `transaction.on_commit(task.delay)` publishes through the configured broker.
from reviewapp.celery import app as celery_app

__all__ = ["celery_app"]
