from django.db import models


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SignSensitivity(models.TextChoices):
    """Who may read a sign's title and description: reviewers (external ones included), or
    internal staff only. Either way a reviewer hears of the pathways it re-opens in their scope."""

    REVIEWER = "reviewer", "Reviewer"
    INTERNAL = "internal", "Internal"


class Triage(models.TextChoices):
    NEW = "new", "Waiting for triage"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
