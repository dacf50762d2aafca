"""POST /api/warning-signs/: what a monitoring system may report, with which token, and that
every refusal writes nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from monitoring.models import WarningSign, WarningSignSource
from monitoring.services import token_hash
from pathways.models import AuditEntry
from tests.factories import ClaimFactory, ReportFactory
from tests.monitoring.conftest import new_token

URL = "/api/warning-signs/"
SIGN = {
    "report": "pilot",
    "title": "Weights copied to a scratch bucket",
    "description": "The egress monitor saw a 40 GB transfer to an unlisted bucket.",
    "severity": "high",
    "observed_at": "2026-11-30T14:05:00Z",
    "claims": ["egress-monitoring"],
    "source_ref": "EGRESS-4411",
}


def post(client, body, token="", **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(URL, data, content_type="application/json", **headers)


def nothing_written():
    return not WarningSign.objects.exists() and not AuditEntry.objects.filter(action__startswith="monitoring.")


def test_a_sign_is_reported_with_a_token(client, world, token):
    response = post(client, SIGN, token)
    assert response.status_code == 201
    sign = WarningSign.objects.get()
    assert response.json() == {"id": sign.pk}
    assert (sign.title, sign.severity, sign.sensitivity, sign.source_ref) == (
        SIGN["title"],
        "high",
        "internal",
        "EGRESS-4411",
    )
    assert sign.observed_at.isoformat() == "2026-11-30T14:05:00+00:00"
    assert [claim.slug for claim in sign.claims.all()] == ["egress-monitoring"]
    assert sign.source.name == "egress-monitor" and sign.state == "new"
    entry = AuditEntry.objects.get(action="monitoring.warning_sign.reported")
    assert (entry.report, entry.target_id, entry.data["source"]) == (world.report, sign.pk, "egress-monitor")
    assert WarningSignSource.objects.get().last_used_at is not None


def test_a_retried_post_with_the_same_key_creates_nothing_new(client, world, token):
    first = post(client, SIGN, token, HTTP_IDEMPOTENCY_KEY="run-7-sign-1")
    again = post(client, SIGN, token, HTTP_IDEMPOTENCY_KEY="run-7-sign-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert WarningSign.objects.count() == 1
    other = post(client, SIGN, token, HTTP_IDEMPOTENCY_KEY="run-7-sign-2")
    assert other.status_code == 201 and other.json() != first.json()
    changed = post(client, {**SIGN, "severity": "low"}, token, HTTP_IDEMPOTENCY_KEY="run-7-sign-1")
    assert changed.status_code == 409 and changed.json()["field"] == "Idempotency-Key"
    assert WarningSign.objects.count() == 2


@pytest.mark.parametrize(
    "body,field",
    [
        (b"{not json", "body"),
        (b"\xff\xfe", "body"),
        ([SIGN], "body"),
        ({**SIGN, "colour": "red"}, "colour"),
        ({key: value for key, value in SIGN.items() if key != "title"}, "title"),
        ({**SIGN, "claims": ["no-such-claim"]}, "claims"),
        ({**SIGN, "claims": ["other-claim"]}, "claims"),
        ({**SIGN, "claims": "egress-monitoring"}, "claims"),
        ({**SIGN, "severity": "catastrophic"}, "severity"),
        ({**SIGN, "observed_at": "last Tuesday"}, "observed_at"),
        ({**SIGN, "observed_at": "2026-11-30T14:05:00"}, "observed_at"),
        ({**SIGN, "observed_at": "2999-01-01T00:00:00Z"}, "observed_at"),
        ({**SIGN, "observed_at": 1764511500}, "observed_at"),
        ({**SIGN, "sensitivity": "public"}, "sensitivity"),
        ({**SIGN, "title": ["a", "list"]}, "title"),
        ({**SIGN, "title": "  "}, "title"),
        ({**SIGN, "title": "x" * 301}, "title"),
        ({**SIGN, "title": "Drift [[internal]]codename[[/internal]]"}, "title"),
        ({**SIGN, "report": "no-such-report"}, "report"),
        ({**SIGN, "description": "A NUL \u0000 byte"}, "description"),
        ({**SIGN, "report": "pilot\u0000"}, "report"),
        ({**SIGN, "claims": ["egress-monitoring\u0000"]}, "claims"),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_writes_nothing(client, world, token, body, field):
    ClaimFactory(report=ReportFactory(slug="elsewhere"), slug="other-claim")
    response = post(client, body, token)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["error"]
    assert nothing_written()


def test_a_missing_wrong_or_revoked_token_answers_401(client, world, token):
    assert post(client, SIGN).status_code == 401
    assert post(client, SIGN, "wst_not-a-token").status_code == 401
    assert post(client, SIGN, HTTP_AUTHORIZATION=f"Basic {token}").status_code == 401
    call_command("warning_sign_token", "--report", "pilot", "--revoke", "egress-monitor", stdout=None)
    refused = post(client, SIGN, token)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"
    assert nothing_written()


def test_a_token_for_another_reports_source_answers_403(client, world):
    ReportFactory(slug="elsewhere")
    other = new_token("elsewhere", "their-monitor")
    response = post(client, SIGN, other)
    assert response.status_code == 403 and response.json()["field"] == "report"
    assert nothing_written()


def test_over_the_rate_limit_answers_429(client, world, token, settings):
    settings.WARNING_SIGN_RATE_LIMIT = 2
    assert [post(client, {**SIGN, "title": f"Sign {n}"}, token).status_code for n in range(3)] == [201, 201, 429]
    assert post(client, SIGN, token)["Retry-After"] == "60"
    assert WarningSign.objects.count() == 2


def test_an_oversized_body_and_other_methods_are_refused(client, world, token):
    big = post(client, {**SIGN, "description": "x" * 70_000}, token)
    assert big.status_code == 413 and big.json()["field"] == "body"
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
    assert nothing_written()


def test_the_api_needs_no_csrf_token_and_ignores_a_session(client, world, token, author):
    enforcing = client.__class__(enforce_csrf_checks=True)
    assert post(enforcing, SIGN, token).status_code == 201
    client.force_login(author)
    assert post(client, SIGN).status_code == 401  # a signed-in person is no monitoring source


# ------------------------------------------------------------------ tokens


def test_a_token_is_printed_once_and_stored_hashed(world, capsys):
    token = new_token()
    source = WarningSignSource.objects.get()
    assert token.startswith("wst_") and source.token_hash == token_hash(token) and token not in source.token_hash
    again = new_token()
    assert again != token
    assert WarningSignSource.objects.filter(revoked_at=None).get().token_hash == token_hash(again)


def test_the_token_command_refuses_what_it_cannot_do(world):
    with pytest.raises(CommandError, match="No report 'nope'"):
        call_command("warning_sign_token", "--report", "nope", "--source", "x")
    with pytest.raises(CommandError, match="has no live token"):
        call_command("warning_sign_token", "--report", "pilot", "--revoke", "never-made")
    with pytest.raises(CommandError):
        call_command("warning_sign_token", "--report", "pilot")
    assert not WarningSignSource.objects.exists()


def test_staff_revoke_a_token_in_the_admin(client, world, token, django_user_model):
    staff = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(staff)
    source = WarningSignSource.objects.get()
    url = reverse("admin:monitoring_warningsignsource_changelist")
    response = client.post(url, {"action": "revoke", "_selected_action": [source.pk]}, follow=True)
    assert "Revoked 1 token." in response.content.decode()
    client.logout()
    assert post(client, SIGN, token).status_code == 401


def test_a_content_length_that_is_not_a_number_is_refused(client, world, token):
    response = post(client, SIGN, token, CONTENT_LENGTH="abc")
    assert response.status_code == 400 and response.json()["field"] == "body"
    assert nothing_written()
