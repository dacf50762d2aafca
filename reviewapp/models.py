"""The review activity: comments, verdicts and sign-off. The domain (reports, claims,
evidence, requests) lives in `pathways` and `evidence` and knows nothing of these."""

from django.db import models

from evidence.models import Evidence
from pathways.models import Claim, Conclusion, Pathway, Report, ReviewerOrganisation, User
from reviewapp.enums import CommentVisibility, Position, SignOffDecision


class Comment(models.Model):
    """Threaded discussion on one pathway, claim, evidence item or conclusion."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    pathway = models.ForeignKey(Pathway, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    conclusion = models.ForeignKey(Conclusion, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    visibility = models.CharField(max_length=16, choices=CommentVisibility.choices, default=CommentVisibility.SHARED)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(pathway__isnull=False, claim__isnull=True, evidence__isnull=True, conclusion__isnull=True)
                    | models.Q(
                        pathway__isnull=True, claim__isnull=False, evidence__isnull=True, conclusion__isnull=True
                    )
                    | models.Q(
                        pathway__isnull=True, claim__isnull=True, evidence__isnull=False, conclusion__isnull=True
                    )
                    | models.Q(
                        pathway__isnull=True, claim__isnull=True, evidence__isnull=True, conclusion__isnull=False
                    )
                ),
                name="comment_has_one_subject",
            )
        ]

    def __str__(self):
        return self.text[:80]


class Verdict(models.Model):
    """One organisation's position on one conclusion, against the revision it was given.

    Only one verdict per organisation and conclusion is current; earlier ones stay as
    history. A current verdict whose `conclusion_revision` is behind the conclusion's
    revision is stale until the organisation re-confirms or changes it.
    """

    conclusion = models.ForeignKey(Conclusion, on_delete=models.CASCADE, related_name="verdicts")
    organisation = models.ForeignKey(ReviewerOrganisation, on_delete=models.PROTECT, related_name="verdicts")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(max_length=32, choices=Position.choices)
    rationale = models.TextField(blank=True)
    conclusion_revision = models.PositiveIntegerField()
    conclusion_risk_level = models.CharField(max_length=16)
    conclusion_text = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conclusion", "organisation"],
                condition=models.Q(is_current=True),
                name="one_current_verdict_per_organisation_and_conclusion",
            )
        ]

    def __str__(self):
        return f"{self.organisation}: {self.get_position_display()}"

    @property
    def is_stale(self) -> bool:
        return self.conclusion_revision != self.conclusion.revision


class SignOff(models.Model):
    """Leadership's decision on a report version, with a frozen copy of the state it was taken in."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sign_offs")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=32, choices=SignOffDecision.choices)
    note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    report_version = models.CharField(max_length=100, blank=True)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.decided_by} on {self.created_at:%Y-%m-%d}"
