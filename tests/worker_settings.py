"""Settings of the Celery worker and beat that tests/integration start in subprocesses:
the test settings, with tasks sent to the broker instead of run in place, and emails
written one file each into TEST_MAIL_DIR, steered by files in TEST_MAIL_CONTROL_DIR
(tests/mail_backends.py). The database, broker and timings come from the environment
the test gives the subprocess (DATABASE_URL, CELERY_BROKER_URL, CELERY_VISIBILITY_TIMEOUT,
TASK_MAX_RETRIES, TASK_RETRY_BASE_SECONDS, OUTBOX_SWEEP_SECONDS)."""

import os

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
MAILERS = {
    "default": {
        "BACKEND": "tests.mail_backends.ControlledFileBackend",
        "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"], "control_dir": os.environ["TEST_MAIL_CONTROL_DIR"]},
    }
}
