"""Reading the body of `POST /api/warning-signs/` (docs/warning-signs.md): a JSON object with
exactly the fields of a sign, each of its type. `SignInvalid` names the first wrong field;
`parse` touches no database, `receive` then writes the sign for the token's source."""

import hashlib
import json
from datetime import datetime

from django.utils import timezone

from monitoring.enums import SignSensitivity
from monitoring.models import WarningSign, WarningSignSource
from monitoring.services import SignFields, SignInvalid, warning_sign_report
from pathways.models import Report

REQUIRED = ("report", "title", "description", "severity", "observed_at", "claims")
OPTIONAL = ("source_ref", "sensitivity")
# Larger bodies are refused before they are parsed.
BODY_MAX = 64 * 1024


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _text(payload: dict, name: str) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str):
        raise SignInvalid(name, "Must be a string.")
    if "\x00" in value:
        raise SignInvalid(name, "Must not contain NUL characters.")
    return value


def _observed_at(value) -> datetime:
    if not isinstance(value, str):
        raise SignInvalid("observed_at", "Must be an ISO 8601 date and time, such as 2026-03-01T14:05:00Z.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SignInvalid("observed_at", f"“{value}” is not an ISO 8601 date and time.") from None
    if timezone.is_naive(moment):
        raise SignInvalid("observed_at", "Give the time zone (such as Z or +01:00).")
    return moment


def parse(body: bytes) -> tuple[str, SignFields]:
    """The report slug and the sign's fields, or SignInvalid."""
    if len(body) > BODY_MAX:
        raise SignInvalid("body", f"At most {BODY_MAX // 1024} KB.")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SignInvalid("body", "Not a JSON document.") from None
    if not isinstance(payload, dict):
        raise SignInvalid("body", "Must be a JSON object.")
    unknown = sorted(set(payload) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise SignInvalid(unknown[0], "Unknown field.")
    for name in REQUIRED:
        if name not in payload:
            raise SignInvalid(name, "Required.")
    claims = payload["claims"]
    if not isinstance(claims, list) or not all(isinstance(slug, str) and "\x00" not in slug for slug in claims):
        raise SignInvalid("claims", "Must be a list of claim slugs.")
    fields = SignFields(
        title=_text(payload, "title"),
        description=_text(payload, "description"),
        severity=_text(payload, "severity"),
        observed_at=_observed_at(payload["observed_at"]),
        claims=tuple(claims),
        source_ref=_text(payload, "source_ref"),
        sensitivity=_text(payload, "sensitivity") if "sensitivity" in payload else SignSensitivity.INTERNAL,
    )
    return _text(payload, "report"), fields


class WrongReport(Exception):
    """The token's source reports on another report."""


def receive(*, source: WarningSignSource, body: bytes, idempotency_key: str) -> tuple[WarningSign, bool]:
    """The sign of an API request's body, written for `source` (see monitoring.services);
    SignInvalid for a bad body or an unknown report, WrongReport for another report's."""
    slug, fields = parse(body)
    report = Report.objects.filter(slug=slug).first()
    if report is None:
        raise SignInvalid("report", f"No report “{slug}”.")
    if report.pk != source.report_id:
        raise WrongReport()
    return warning_sign_report(
        report=report, fields=fields, source=source, idempotency_key=idempotency_key, digest=body_digest(body)
    )
