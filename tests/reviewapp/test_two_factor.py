"""The second factor: external reviewers and anyone who may sign off reach nothing before they
give it (set it up the first time, with recovery codes shown once); a wrong code is refused
and throttled; a recovery code works once; internal people who do not sign off are not asked."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviewapp.two_factor import SESSION_KEY
from tests.helpers import HTMX, authenticator_code

REPORT = reverse("report_detail", args=["pilot"])
SETUP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")


def signed_in_by_password(client, person):
    client.force_login_password_only(person)


def set_up(client, person) -> list[str]:
    """Set up an authenticator as the person would; returns the recovery codes shown."""
    client.get(SETUP)
    response = client.post(SETUP, {"code": authenticator_code(TOTPDevice.objects.get(user=person)), "next": REPORT})
    assert response.status_code == 200
    return list(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))


@pytest.mark.parametrize("persona", ["external_reviewer", "leadership"], indirect=True)
def test_who_must_give_it_reaches_nothing_before_it(client, world, persona):
    signed_in_by_password(client, persona)

    for url in (REPORT, reverse("pathway_detail", args=["pilot", world.in_scope.slug]), reverse("search")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(SETUP), url
    fragment = client.get(reverse("claim_evidence", args=["pilot", "egress-monitoring"]), **HTMX)
    assert fragment["HX-Redirect"].startswith(SETUP)
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("persona", ["author", "stress_tester", "team_member"], indirect=True)
def test_internal_people_who_do_not_sign_off_are_not_asked(client, world, persona):
    signed_in_by_password(client, persona)

    assert client.get(REPORT).status_code == 200


def test_setting_it_up_shows_the_recovery_codes_once_and_opens_the_report(client, world, external_reviewer, caplog):
    signed_in_by_password(client, external_reviewer)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "Key:" in page

    with caplog.at_level(logging.INFO, logger="reviewapp.accounts"):
        codes = set_up(client, external_reviewer)

    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=external_reviewer).confirmed
    assert client.get(REPORT).status_code == 200
    assert "second factor given by" in caplog.text
    assert client.get(SETUP).status_code == 302, "set up once; then it is asked for, not set up again"


def test_a_wrong_code_is_refused_and_nothing_opens(client, world, external_reviewer):
    signed_in_by_password(client, external_reviewer)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 400 and "not the one the app shows" in response.content.decode()
    assert not TOTPDevice.objects.get(user=external_reviewer).confirmed
    assert client.get(REPORT).status_code == 302


def test_next_time_the_code_is_asked_for_and_a_recovery_code_works_once(client, world, external_reviewer):
    signed_in_by_password(client, external_reviewer)
    codes = set_up(client, external_reviewer)
    client.logout()

    signed_in_by_password(client, external_reviewer)
    asked = client.get(REPORT)
    assert asked.status_code == 302 and asked.url.startswith(VERIFY)
    assert client.post(VERIFY, {"code": codes[0], "next": REPORT}).url == REPORT
    assert client.get(REPORT).status_code == 200
    client.logout()

    signed_in_by_password(client, external_reviewer)
    reused = client.post(VERIFY, {"code": codes[0]})
    assert reused.status_code == 400 and "does not work" in reused.content.decode()
    assert client.get(REPORT).status_code == 302


def test_the_authenticator_s_next_code_opens_a_later_session(client, world, leadership):
    signed_in_by_password(client, leadership)
    set_up(client, leadership)
    client.logout()
    signed_in_by_password(client, leadership)

    device = TOTPDevice.objects.get(user=leadership)
    assert client.post(VERIFY, {"code": authenticator_code(device, steps_ahead=1), "next": REPORT}).status_code == 302
    assert client.get(REPORT).status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)  # a minute's wait after a failure: longer than the test
def test_wrong_codes_are_throttled(client, world, external_reviewer):
    signed_in_by_password(client, external_reviewer)
    set_up(client, external_reviewer)
    client.logout()
    signed_in_by_password(client, external_reviewer)
    device = TOTPDevice.objects.get(user=external_reviewer)

    client.post(VERIFY, {"code": "000000"})
    right_too_soon = client.post(VERIFY, {"code": authenticator_code(device, steps_ahead=1)})

    assert right_too_soon.status_code == 400, "after a failure the device waits before it checks again"
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1


def test_the_next_address_must_be_on_this_site(client, world, external_reviewer):
    signed_in_by_password(client, external_reviewer)
    codes = set_up(client, external_reviewer)
    client.logout()
    signed_in_by_password(client, external_reviewer)

    assert client.post(VERIFY, {"code": codes[1], "next": "https://evil.example/"}).url == "/"


@pytest.mark.parametrize("persona", ["author"], indirect=True)
def test_staff_give_it_too(client, world, persona):
    persona.is_staff = True
    persona.save(update_fields=["is_staff"])
    signed_in_by_password(client, persona)

    assert client.get(REPORT).url.startswith(SETUP)


def test_a_new_session_gets_a_new_key_to_set_up(client, world, external_reviewer):
    signed_in_by_password(client, external_reviewer)
    client.get(SETUP)
    first = TOTPDevice.objects.get(user=external_reviewer).key
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=external_reviewer).key == first, "the same session keeps its key"
    client.logout()

    signed_in_by_password(client, external_reviewer)
    client.get(SETUP)

    assert TOTPDevice.objects.get(user=external_reviewer).key != first
