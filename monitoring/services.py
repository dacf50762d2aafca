"""Reporting warning signs, and the tokens monitoring systems report them with.

Rules:
- A token belongs to one named source on one report. It is printed once when made and kept
  only as its SHA-256; making a new token for a source revokes the one it had (so a leaked
  token is replaced by running the command again); a revoked token is refused.
- A sign is checked whole before anything is written (`SignInvalid` names the field): its
  claims must be claims of its report. It is written in one transaction with its audit entry.
- With an idempotency key, a source's retried report creates nothing new and answers with
  the sign the first one created; the same key with a different body is refused. The
  source's row is locked while a sign is written, so a retry racing the first attempt
  waits for it, and the rate limit counts exactly.
- A source reports at most `WARNING_SIGN_RATE_LIMIT` signs a minute (`RateLimited`).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.enums import Severity, SignSensitivity
from monitoring.models import WarningSign, WarningSignSource
from pathways.audit import log_action
from pathways.models import Claim, Report, User
from pathways.text import has_span_markup

TITLE_MAX: int = WarningSign._meta.get_field("title").max_length or 300
REF_MAX: int = WarningSign._meta.get_field("source_ref").max_length or 300
KEY_MAX: int = WarningSign._meta.get_field("idempotency_key").max_length or 200
NAME_MAX: int = WarningSignSource._meta.get_field("name").max_length or 100


class SignInvalid(ValueError):
    """A sign that may not be written; `field` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class RateLimited(Exception):
    """The source reported too many signs in the last minute."""


class KeyReused(Exception):
    """An idempotency key already used with a different body."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, report: Report, source: str) -> str:
    """A new token for the source on the report (revoking the one it had); returned once."""
    source = (source or "").strip()
    if not source or len(source) > NAME_MAX:
        raise SignInvalid("source", f"Name the source in 1 to {NAME_MAX} characters.")
    WarningSignSource.objects.filter(report=report, name=source, revoked_at=None).update(revoked_at=timezone.now())
    token = f"wst_{secrets.token_urlsafe(32)}"
    WarningSignSource.objects.create(report=report, name=source, token_hash=token_hash(token))
    return token


def token_revoke(*, report: Report, source: str) -> int:
    """Revoke the source's live token on the report; how many were revoked (0 or 1)."""
    return WarningSignSource.objects.filter(report=report, name=source, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def source_of(token: str) -> WarningSignSource | None:
    """The live source a bearer token belongs to, or None (unknown or revoked)."""
    if not token:
        return None
    return (
        WarningSignSource.objects.select_related("report").filter(token_hash=token_hash(token), revoked_at=None).first()
    )


@dataclass(frozen=True)
class SignFields:
    title: str
    description: str
    severity: str
    observed_at: datetime
    claims: tuple[str, ...]
    source_ref: str = ""
    sensitivity: str = SignSensitivity.INTERNAL


def checked(fields: SignFields, report: Report) -> list[Claim]:
    """The sign's claims, after checking every field; SignInvalid on the first problem."""
    if not fields.title.strip():
        raise SignInvalid("title", "Give the sign a title.")
    if has_span_markup(fields.title):
        raise SignInvalid("title", "No redaction spans: the title is plain text, read as it is.")
    if len(fields.title) > TITLE_MAX:
        raise SignInvalid("title", f"At most {TITLE_MAX} characters.")
    if not fields.description.strip():
        raise SignInvalid("description", "Describe what was observed.")
    if fields.severity not in Severity.values:
        raise SignInvalid("severity", f"One of {', '.join(Severity.values)}.")
    if fields.sensitivity not in SignSensitivity.values:
        raise SignInvalid("sensitivity", f"One of {', '.join(SignSensitivity.values)}.")
    if len(fields.source_ref) > REF_MAX:
        raise SignInvalid("source_ref", f"At most {REF_MAX} characters.")
    if fields.observed_at > timezone.now() + timedelta(minutes=5):
        raise SignInvalid("observed_at", "A sign cannot be observed in the future.")
    slugs = list(dict.fromkeys(fields.claims))
    claims = list(Claim.objects.filter(report=report, slug__in=slugs))
    unknown = sorted(set(slugs) - {claim.slug for claim in claims})
    if unknown:
        raise SignInvalid("claims", f"Not claims of report “{report.slug}”: {', '.join(unknown)}.")
    return claims


@transaction.atomic
def warning_sign_report(
    *,
    report: Report,
    fields: SignFields,
    source: WarningSignSource | None = None,
    reported_by: User | None = None,
    idempotency_key: str = "",
    digest: str = "",
) -> tuple[WarningSign, bool]:
    """Write the sign (see the module's rules); returns it and whether it is new."""
    claims = checked(fields, report)
    if len(idempotency_key) > KEY_MAX:
        raise SignInvalid("Idempotency-Key", f"At most {KEY_MAX} characters.")
    if source is not None:
        locked = WarningSignSource.objects.select_for_update().get(pk=source.pk)
        if idempotency_key:
            earlier = WarningSign.objects.filter(source=locked, idempotency_key=idempotency_key).first()
            if earlier is not None:
                if earlier.request_digest != digest:
                    raise KeyReused()
                return earlier, False
        window = timezone.now() - timedelta(minutes=1)
        if (
            WarningSign.objects.filter(source=locked, created_at__gte=window).count()
            >= settings.WARNING_SIGN_RATE_LIMIT
        ):
            raise RateLimited()
        locked.last_used_at = timezone.now()
        locked.save(update_fields=["last_used_at"])
    sign = WarningSign.objects.create(
        report=report,
        title=fields.title.strip(),
        description=fields.description.strip(),
        severity=fields.severity,
        observed_at=fields.observed_at,
        source_ref=fields.source_ref.strip(),
        sensitivity=fields.sensitivity,
        source=source,
        reported_by=reported_by,
        idempotency_key=idempotency_key,
        request_digest=digest,
    )
    sign.claims.set(claims)
    log_action(
        report=report,
        actor=reported_by,
        action="monitoring.warning_sign.reported",
        target=sign,
        data={
            "severity": sign.severity,
            "sensitivity": sign.sensitivity,
            "claims": sorted(claim.slug for claim in claims),
            "source": source.name if source else None,
        },
    )
    return sign, True
