"""Warning signs of misalignment from post-deployment monitoring, the sources that report
them (each with a bearer token, stored hashed), and the conclusions a confirmed sign
re-opened. A sign is written once, by a form or by the API, and triaged once: confirmed
(which re-opens what rested on its claims) or dismissed with a reason."""

from django.db import models

from monitoring.enums import Severity, SignSensitivity, Triage
from pathways.models import Claim, Conclusion, Report, User


class WarningSignSource(models.Model):
    """A monitoring system allowed to report signs on one report, by its bearer token."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="warning_sign_sources")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the token; the token is shown once."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "name"], condition=models.Q(revoked_at=None), name="one_live_token_per_source"
            )
        ]

    def __str__(self):
        return f"{self.name} ({'revoked' if self.revoked_at else 'live'})"


class WarningSign(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="warning_signs")
    title = models.CharField(max_length=300)
    description = models.TextField()
    severity = models.CharField(max_length=8, choices=Severity.choices)
    observed_at = models.DateTimeField()
    claims = models.ManyToManyField(Claim, blank=True, related_name="warning_signs")
    source_ref = models.CharField("source reference", max_length=300, blank=True)
    sensitivity = models.CharField(max_length=16, choices=SignSensitivity.choices, default=SignSensitivity.INTERNAL)
    # Reported by a monitoring system (`source`), or by a person through the form.
    source = models.ForeignKey(WarningSignSource, null=True, blank=True, on_delete=models.PROTECT, related_name="signs")
    reported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)  # of the body a retried key must repeat
    state = models.CharField(max_length=16, choices=Triage.choices, default=Triage.NEW)
    triaged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    dismissal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_sign_per_idempotency_key",
            )
        ]

    def __str__(self):
        return self.title


class Reopening(models.Model):
    """A conclusion re-opened by a confirmed sign: its revision was raised to `revision`, so
    the verdicts on it went stale; it reads as re-opened until the authors revise it."""

    warning_sign = models.ForeignKey(WarningSign, on_delete=models.CASCADE, related_name="reopenings")
    conclusion = models.ForeignKey(Conclusion, on_delete=models.CASCADE, related_name="reopenings")
    revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warning_sign", "conclusion"], name="one_reopening_per_sign_and_conclusion")
        ]

    def __str__(self):
        return f"{self.conclusion} re-opened by {self.warning_sign}"
