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
