from django.db import models


class EvidenceKind(models.TextChoices):
    EVALUATION = "evaluation", "Evaluation"
    AUDIT = "audit", "Audit"
    INTERPRETABILITY = "interpretability", "Interpretability"
    RED_TEAM = "red_team", "Red team"
    MONITORING = "monitoring", "Monitoring"
    SECURITY_CONTROL = "security_control", "Security control"
    USAGE_DATA = "usage_data", "Usage data"
    ATTESTATION = "attestation", "Attestation"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class Relation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    UNDERMINES = "undermines", "Undermines"
    CONTEXT = "context", "Context"


class RequestState(models.TextChoices):
    """open → answered → (follow_up → answered)* → closed; or declined by the team."""

    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined"


# What "open" means on every page, count, reminder and escalation: the owning team owes an
# answer (an answered request waits on the person who asked, not on the team). An open
# request past its due date is overdue (`InformationRequest.overdue_on`, `overdue_days`).
OPEN_STATES = (RequestState.OPEN, RequestState.FOLLOW_UP)
# Not closed or declined: the thread can still move (be answered, followed up or closed).
ONGOING_STATES = (RequestState.OPEN, RequestState.ANSWERED, RequestState.FOLLOW_UP)
# An open request due within this many days is due soon.
DUE_SOON_DAYS = 2


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class MessageKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    FOLLOW_UP = "follow_up", "Follow-up"
    DECLINE = "decline", "Declined"
    CLOSE = "close", "Closed"


class Carried(models.TextChoices):
    """Where an evidence item copied from the previous model's report stands: it holds for
    the new model only once its owning team says so (confirmed) or gives its new state
    (replaced). An item written for this report is not carried forward at all."""

    NOT_CARRIED = "", "Not carried forward"
    UNCONFIRMED = "unconfirmed", "Carried forward — confirm or replace"
    CONFIRMED = "confirmed", "Confirmed for this model"
    REPLACED = "replaced", "Replaced for this model"


class DefenceKind(models.TextChoices):
    """What kind of safeguard a line of defence is."""

    ALIGNMENT_AUDIT = "alignment_audit", "Alignment audit"
    INTERPRETABILITY = "interpretability", "Interpretability"
    RED_TEAMING = "red_teaming", "Behavioural red-teaming"
    CAPABILITY_LIMITATION = "capability_limitation", "Capability limitation"
    AUTOMATED_MONITORING = "automated_monitoring", "Automated monitoring"
    HUMAN_REVIEW = "human_review", "Human review"
    SECURITY_CONTROL = "security_control", "Security control"
    POST_DEPLOYMENT_MONITORING = "post_deployment_monitoring", "Post-deployment monitoring"
    OTHER = "other", "Other"


class DefenceStage(models.TextChoices):
    BEFORE_DEPLOYMENT = "before_deployment", "Before deployment"
    AFTER_DEPLOYMENT = "after_deployment", "After deployment"


class Strength(models.TextChoices):
    """The authors' assessment of how strong a line of defence is."""

    STRONG = "strong", "Strong"
    MODERATE = "moderate", "Moderate"
    WEAK = "weak", "Weak"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class StepRole(models.TextChoices):
    """The steps of a detection chain, in the order an incident travels them: the signal a
    scenario leaves, what detects it, how the alert travels, who responds, what they do."""

    SIGNAL = "signal", "Signal"
    DETECTION = "detection", "Detection"
    ALERT = "alert", "Alert"
    RESPONSE = "response", "Response"
    ACTION = "action", "Action"


class Detector(models.TextChoices):
    """What detects a signal."""

    NONE = "", "Not stated"
    MONITOR = "monitor", "An automated monitor"
    PERSON = "person", "A person"
