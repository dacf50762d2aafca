"""The audit log: who did what, when, to which thing, on which report.

Domain code calls `log_action` in the same transaction as the change, with a namespaced
action name (`pathways.claim.changed`, `evidence.request.answered`, `reviewapp.verdict.recorded`)
and, for edits, the before and after of every changed field so that a readable diff can be shown.
"""

from django.db import models

from pathways.models import AuditEntry, Report, User

# Every action the app writes. The audit log's filter offers these (reading which actions
# occur would read the whole log on every load), and `log_action` refuses any other.
ACTIONS = (
    "pathways.report.status_changed",
    "pathways.pathway.changed",
    "pathways.conclusion.changed",
    "pathways.claim.changed",
    "pathways.access.team_given_claim",
    "pathways.access.granted",
    "pathways.access.revoked",
    "pathways.access.invited",
    "pathways.access.invitation_withdrawn",
    "pathways.access.invitation_accepted",
    "evidence.evidence.added",
    "evidence.evidence.changed",
    "evidence.evidence.confirmed",
    "evidence.evidence.replaced",
    "evidence.report.started_from",
    "evidence.request.filed",
    "evidence.request.answered",
    "evidence.request.followed_up",
    "evidence.request.closed",
    "evidence.request.declined",
    "reviewapp.comment.posted",
    "reviewapp.comment.edited",
    "reviewapp.comment.resolved",
    "reviewapp.comment.reopened",
    "reviewapp.verdict.recorded",
    "reviewapp.verdict.reconfirmed",
    "reviewapp.finding.raised",
    "reviewapp.finding.disposed",
    "reviewapp.roadmap.added",
    "reviewapp.roadmap.changed",
    "reviewapp.signoff.recorded",
    "reviewapp.export.started",
    "reviewapp.export.downloaded",
    "versions.version.published",
    "monitoring.warning_sign.reported",
    "monitoring.warning_sign.confirmed",
    "monitoring.warning_sign.dismissed",
)


def log_action(
    *,
    report: Report,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not one of the audit log's actions (pathways.audit.ACTIONS)")
    return AuditEntry.objects.create(
        report=report,
        actor=actor,
        action=action,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=str(target)[:200] if target is not None else "",
        data=data or {},
    )


def field_changes(instance: models.Model, values: dict) -> dict:
    """The {field: {"before": …, "after": …}} of the values that differ from the instance."""
    return {
        name: {"before": getattr(instance, name), "after": value}
        for name, value in values.items()
        if getattr(instance, name) != value
    }
