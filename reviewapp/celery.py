"""The Celery app: the worker and the scheduler (Celery's own beat) run the tasks in
`reviewapp.tasks`. Settings come from Django's, under the `CELERY_` prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")

app = Celery("reviewapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
