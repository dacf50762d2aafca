"""Settings come from the environment, are production-safe with DEBUG off, and refuse bad values."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, reviewapp.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
    "['DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
    "'ALLOWED_HOSTS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_PRELOAD']}))"
)
BASE_ENV = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "PATH": os.environ["PATH"]}


def load_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True, timeout=60
    )


PRODUCTION = {
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "review.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
}


def test_debug_off_is_https_only_by_default():
    result = load_settings(**PRODUCTION)
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["review.example.org"]
    assert values["SECURE_HSTS_PRELOAD"] is True


def test_the_forwarded_protocol_is_believed_only_behind_a_configured_proxy():
    assert json.loads(load_settings(**PRODUCTION).stdout)["SECURE_PROXY_SSL_HEADER"] is None
    behind = json.loads(load_settings(**PRODUCTION, BEHIND_PROXY="1").stdout)
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_deploy_check_is_clean_on_a_production_configuration():
    # Some model checks ask the database what it supports: the one these tests run against.
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT']}/{database['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**BASE_ENV, **PRODUCTION, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_https_only_can_be_turned_off_for_a_local_trial():
    values = json.loads(load_settings(SECRET_KEY="s3cret", HTTPS_ONLY="0", EMAIL_URL="console:").stdout)
    assert values["SECURE_SSL_REDIRECT"] is None and values["SESSION_COOKIE_SECURE"] is None


@pytest.mark.parametrize(
    "env,message",
    [
        ({}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "x", "DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///db.sqlite3"}, "PostgreSQL is the only supported database"),
        ({"SECRET_KEY": "x", "EMAIL_URL": "pigeon://coop"}, "EMAIL_URL='pigeon://coop'"),
        ({"SECRET_KEY": "x", "CELERY_BROKER_URL": "amqp://guest@localhost//"}, "use redis://host:6379/0"),
        ({"SECRET_KEY": "x", "TASK_MAX_RETRIES": "lots"}, "TASK_MAX_RETRIES='lots' is not a whole number"),
        ({"SECRET_KEY": "x", "REMINDER_INTERVAL_SECONDS": "1h"}, "REMINDER_INTERVAL_SECONDS='1h' is not a whole"),
    ],
)
def test_bad_configuration_stops_start_up_with_a_message(env, message):
    result = load_settings(**{"EMAIL_URL": "console:", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_without_a_way_to_send_mail_does_not_start():
    result = load_settings(SECRET_KEY="x")
    assert result.returncode != 0
    assert "EMAIL_URL must be set when DEBUG is off" in result.stderr


BROKER_PROBE = (
    "import json, reviewapp.settings as s; print(json.dumps({'url': s.CELERY_BROKER_URL, "
    "'options': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'acks_late': s.CELERY_TASK_ACKS_LATE, "
    "'reject_on_worker_lost': s.CELERY_TASK_REJECT_ON_WORKER_LOST}))"
)


def _broker(**env):
    result = subprocess.run(
        [sys.executable, "-c", BROKER_PROBE],
        cwd=ROOT,
        env={**BASE_ENV, "SECRET_KEY": "x", "EMAIL_URL": "console:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_without_a_broker_url_celery_uses_files_that_need_no_server():
    values = _broker(CELERY_FILESYSTEM_DIR="/tmp/rrr-celery")
    assert values["url"] == "filesystem://"
    assert values["options"]["data_folder_in"] == values["options"]["data_folder_out"] == "/tmp/rrr-celery/queue"
    assert values["acks_late"] and values["reject_on_worker_lost"]


def test_with_redis_a_lost_task_is_handed_out_again_after_the_visibility_timeout():
    values = _broker(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CELERY_VISIBILITY_TIMEOUT="30")
    assert values["url"] == "redis://127.0.0.1:6379/0" and values["options"] == {"visibility_timeout": 30}


def test_the_wsgi_application_freezes_what_it_loaded_for_the_collector():
    script = "import gc, reviewapp.wsgi; print(gc.get_freeze_count())"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 10_000  # Django, the app and its URL patterns
