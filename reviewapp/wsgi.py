"""The WSGI application (gunicorn serves `reviewapp.wsgi`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the app, its URL patterns) lives as long as the process.
# Frozen, the collector no longer walks it on every full collection: a full collection
# walked some hundred thousand objects and cost a page about 5 ms on average.
from django.urls import get_resolver  # noqa: E402 (after the settings are set up)

get_resolver().reverse_dict  # noqa: B018 (populates the URL patterns before the freeze)
gc.freeze()
