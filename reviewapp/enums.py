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
