"""Test settings: the real settings, with test-only defaults that keep the suite quick."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("HTTPS_ONLY", "0")
os.environ.setdefault("EMAIL_URL", "console:")

from reviewapp.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# A test database of this run's own, so that two runs at once (two terminals, two
# engineers on one machine) never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_review_{os.getpid()}"}  # noqa: F405

# Tasks run in the test process when their transaction commits (tests use
# django_capture_on_commit_callbacks); tests/integration runs a real worker and Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EXPORTS_ROOT = BASE_DIR / "var" / f"test-exports-{os.getpid()}"  # noqa: F405
