"""Sign-in that holds: throttling with lock-out and cool-off per account and per address, the
same answer for an unknown and a known username, sessions that end when idle, and a password
reset by email that tells no one whether an address has an account."""

import logging
import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from pathways.models import User
from reviewapp.middleware import SEEN_KEY, SIGNED_IN_KEY
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
LIMIT = 5  # SIGNIN_FAILURE_LIMIT's default


def sign_in(client, username, password, address="127.0.0.1", **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def person(db):
    return UserFactory(username="rowan", email="rowan@example.org")


def test_the_right_password_signs_in_and_is_logged_in_one_line(client, person, caplog):
    with caplog.at_level(logging.INFO, logger="reviewapp.accounts"):
        assert sign_in(client, "rowan", PASSWORD).status_code == 302
    assert signed_in(client)
    assert "signed in rowan from 127.0.0.1" in caplog.text
    assert User.objects.get(pk=person.pk).last_seen is not None


def test_an_account_is_locked_after_the_limit_and_its_right_password_refused(client, person, caplog):
    for _ in range(LIMIT - 1):
        assert sign_in(client, "rowan", "wrong").status_code == 200
    with caplog.at_level(logging.WARNING, logger="reviewapp.accounts"):
        locked = sign_in(client, "rowan", "wrong")
    assert locked.status_code == 429
    assert "locked out 'rowan'" in caplog.text

    refused = sign_in(client, "rowan", PASSWORD)

    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert not signed_in(client)


def test_the_account_lock_holds_from_another_address(client, person):
    for number in range(LIMIT):
        sign_in(client, "rowan", "wrong", address=f"10.0.0.{number}")

    assert sign_in(client, "rowan", PASSWORD, address="10.9.9.9").status_code == 429
    assert not signed_in(client)


def test_an_address_is_locked_after_failures_across_accounts(client, person):
    for number in range(LIMIT):
        sign_in(client, f"guess{number}", "wrong", address="203.0.113.7")

    assert sign_in(client, "rowan", PASSWORD, address="203.0.113.7").status_code == 429
    assert sign_in(client, "rowan", PASSWORD, address="198.51.100.1").status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, person):
    for _ in range(LIMIT):
        sign_in(client, "rowan", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, "rowan", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_success_clears_the_count(client, person):
    for _ in range(LIMIT - 1):
        sign_in(client, "rowan", "wrong")
    assert sign_in(client, "rowan", PASSWORD).status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        sign_in(client, "rowan", "wrong")
    assert sign_in(client, "rowan", PASSWORD).status_code == 302


def test_a_forged_forwarded_address_does_not_dodge_the_address_lock(client, person):
    for number in range(LIMIT):
        sign_in(client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert sign_in(client, "rowan", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


@override_settings(BEHIND_PROXY=True)
def test_behind_a_proxy_the_address_it_saw_is_the_one_counted(client, person):
    for _ in range(LIMIT):
        sign_in(client, "someone", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")

    assert (
        sign_in(client, "rowan", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 302
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def _page_without_token(response, username) -> str:
    """The page, less what differs on every response (tokens, nonces) and the name as typed."""
    page = response.content.decode().replace(f'value="{username}"', 'value="…"')
    page = re.sub(r'nonce="[^"]*"', "", page)
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def test_an_unknown_and_a_known_username_get_the_same_answer_and_both_run_the_hasher(client, person, monkeypatch):
    hashed = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *a, **k: hashed.append(1) or original(self, *a, **k))

    known = sign_in(client, "rowan", "wrong")
    known_hashes = len(hashed)
    unknown = sign_in(client, "nobody-by-this-name", "wrong")

    assert known.status_code == unknown.status_code == 200
    assert _page_without_token(known, "rowan") == _page_without_token(unknown, "nobody-by-this-name")
    assert known_hashes >= 1 and len(hashed) - known_hashes == known_hashes


def test_a_locked_unknown_username_looks_like_a_locked_known_one(client, person):
    for username in ("rowan", "nobody-by-this-name"):
        for _ in range(LIMIT):
            sign_in(client, username, "wrong", address=f"10.1.0.{len(username)}")
    known = sign_in(client, "rowan", PASSWORD, address="10.1.0.200")
    unknown = sign_in(client, "nobody-by-this-name", PASSWORD, address="10.1.0.201")

    assert known.status_code == unknown.status_code == 429
    assert _page_without_token(known, "rowan") == _page_without_token(unknown, "nobody-by-this-name")


def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, person):
    client.force_login(person)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 61 * 60
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not signed_in(client)
    assert "signed out after 60 minutes without activity" in client.get(response.url).content.decode()


def test_a_session_in_use_still_ends_after_the_most_hours(client, person):
    client.force_login(person)
    session = client.session
    session[SIGNED_IN_KEY] = int(time.time()) - 13 * 60 * 60
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302 and not signed_in(client)
    assert "a session lasts at most 12 hours" in client.get(response.url).content.decode()


def test_a_session_in_use_stays_and_last_seen_is_written_only_every_few_minutes(client, person):
    client.force_login(person)
    earlier = timezone.now() - timedelta(minutes=1)
    User.objects.filter(pk=person.pk).update(last_seen=earlier)

    assert client.get(reverse("home")).status_code == 200
    assert User.objects.get(pk=person.pk).last_seen == earlier, "seen a minute ago: not written again"

    session = client.session
    session[SEEN_KEY] = int(time.time()) - 10 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert User.objects.get(pk=person.pk).last_seen > earlier
    assert signed_in(client)


@override_settings(SITE_URL="https://review.example.org")
def test_a_password_reset_mails_a_single_use_link_built_on_the_site_address(client, person):
    response = client.post(reverse("password_reset"), {"email": "rowan@example.org"}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https://review\.example\.org(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    new = {"new_password1": "a-brand-new-passphrase-42", "new_password2": "a-brand-new-passphrase-42"}
    assert client.post(set_url, new).status_code == 302
    assert User.objects.get(pk=person.pk).check_password("a-brand-new-passphrase-42")

    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, person):
    known = client.post(reverse("password_reset"), {"email": "rowan@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "stranger@example.org"})

    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url
    assert [message.to for message in mail.outbox] == [["rowan@example.org"]]


def test_a_forged_reset_link_is_refused(client, person):
    page = client.get(reverse("password_reset_confirm", args=["MQ", "forged-token"])).content.decode()

    assert "This link does not work" in page
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)
