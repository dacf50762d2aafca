from django.db import models


class CommentVisibility(models.TextChoices):
    SHARED = "shared", "Shared with reviewers"
    INTERNAL = "internal", "Internal only"


class Position(models.TextChoices):
    """A reviewer organisation's verdict on a conclusion."""

    CONCUR = "concur", "Concur"
    CONCUR_WITH_RESERVATIONS = "concur_with_reservations", "Concur with reservations"
    DISSENT = "dissent", "Dissent"
    ABSTAIN = "abstain", "Abstain"


class SignOffDecision(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    NOT_APPROVED = "not_approved", "Not approved"


# The decisions that sign a report off.
APPROVING = frozenset({SignOffDecision.APPROVE, SignOffDecision.APPROVE_WITH_CONDITIONS})


class NotificationKind(models.TextChoices):
    """What a notification tells its recipient about; each person chooses a delivery per kind."""

    REQUEST_FILED = "request_filed", "A request filed to your team"
    REQUEST_ANSWERED = "request_answered", "An answer to your request"
    REQUEST_FOLLOWED_UP = "request_followed_up", "A follow-up on your team's request"
    REQUEST_DECLINED = "request_declined", "Your request declined"
    REQUEST_DUE_SOON = "request_due_soon", "Your team's request due tomorrow"
    REQUEST_OVERDUE = "request_overdue", "A request overdue"
    MENTION = "mention", "A mention of you"
    THREAD_REPLY = "thread_reply", "A reply in a thread you took part in"
    VERDICT_RECORDED = "verdict_recorded", "A verdict recorded on a report you author"
    VERDICT_STALE = "verdict_stale", "A verdict gone stale"
    SIGNOFF_RECORDED = "signoff_recorded", "A sign-off decision recorded"
    WARNING_SIGN_REOPENED = "warning_sign_reopened", "A warning sign re-opening what you review"
    FINDING_RAISED = "finding_raised", "A finding raised on a report you author"
    FINDING_ANSWERED = "finding_answered", "The authors' answer to your finding"
    ROADMAP_DUE_SOON = "roadmap_due_soon", "Your team's mitigation due tomorrow"
    ROADMAP_OVERDUE = "roadmap_overdue", "A mitigation past its target date"


# Kinds that reach only members of an owning team or a report's authors, or tell of the
# roadmap, which only internal staff read: none of these can reach an external reviewer.
INTERNAL_ONLY_KINDS = frozenset(
    {
        NotificationKind.REQUEST_FILED,
        NotificationKind.REQUEST_FOLLOWED_UP,
        NotificationKind.REQUEST_DUE_SOON,
        NotificationKind.VERDICT_RECORDED,
        NotificationKind.FINDING_RAISED,
        NotificationKind.ROADMAP_DUE_SOON,
        NotificationKind.ROADMAP_OVERDUE,
    }
)


def notification_kinds_for(user) -> list[str]:
    """The kinds of notification that can reach this person, in the enum's order."""
    external = getattr(user, "is_external", False)
    return [kind.value for kind in NotificationKind if not (external and kind in INTERNAL_ONLY_KINDS)]


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately (in the app and by email)"
    DIGEST = "digest", "In the app, and by email in a daily digest"
    OFF = "off", "Not at all"


class NotificationState(models.TextChoices):
    """An outbox row: pending until the delivery task has looked at it under the
    recipient's scope; then delivered, suppressed (out of scope, or turned off), or failed."""

    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    SUPPRESSED = "suppressed", "Suppressed"
    FAILED = "failed", "Failed"


class EmailState(models.TextChoices):
    NONE = "none", "No email"
    PENDING = "pending", "Email to send"
    SENT = "sent", "Email sent"
    DIGEST = "digest", "For the daily digest"
    DIGESTED = "digested", "Sent in a digest"
    FAILED = "failed", "Email failed"


class ExportKind(models.TextChoices):
    REPORT = "report", "Report"
    REVIEW_RECORD = "review_record", "Review record"


class ExportFormat(models.TextChoices):
    MARKDOWN = "md", "Markdown"
    PDF = "pdf", "PDF"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class FindingKind(models.TextChoices):
    """What a reviewer's finding says is wrong with the argument."""

    CLAIM_FALSE = "claim_false", "The claim may be false"
    EVIDENCE_INSUFFICIENT = "evidence_insufficient", "The evidence does not support it"
    INFERENCE = "inference", "The step from it to the conclusion does not hold"
    NOT_CONSIDERED = "not_considered", "Something is not considered"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


# A finding of these severities must have the authors' disposition before a sign-off
# (unless the sign-off is overridden in writing).
BLOCKING_SEVERITIES = (Severity.MAJOR, Severity.CRITICAL)


class Disposition(models.TextChoices):
    """The authors' answer to a finding."""

    REFUTED = "refuted", "Refuted"
    RESIDUAL_RISK = "residual_risk", "Accepted as residual risk"
    CLAIM_REVISED = "claim_revised", "Claim revised"
    MITIGATION_PLANNED = "mitigation_planned", "Mitigation planned"


class RoadmapStatus(models.TextChoices):
    """Where a mitigation on the roadmap stands."""

    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


# The statuses of a mitigation still to be delivered: past its target date, it is overdue.
ROADMAP_OPEN = (RoadmapStatus.PROPOSED, RoadmapStatus.PLANNED, RoadmapStatus.IN_PROGRESS)
