from django.db import models

from evidence.enums import EvidenceKind, Relation
from pathways.enums import Sensitivity
from pathways.models import Claim, Report, Team, slug_field


class Evidence(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence_items")
    slug = slug_field()
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=EvidenceKind.choices)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="evidence_items")
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC)
    summary = models.TextField(blank=True)
    source = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["report", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "slug"], name="evidence_slug_unique_in_report")]

    def __str__(self):
        return self.title


class ClaimEvidence(models.Model):
    """A claim rests on (or is undermined by, or set in context by) an evidence item."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="claim_links")
    relation = models.CharField(max_length=16, choices=Relation.choices, default=Relation.SUPPORTS)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "claim evidence"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "evidence"], name="claim_evidence_unique")]
