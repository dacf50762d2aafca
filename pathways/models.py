from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from pathways.enums import (
    ClaimCategory,
    Clearance,
    OrganisationKind,
    ReportStatus,
    RiskLevel,
    Role,
    Sensitivity,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
slug_validator = RegexValidator(
    SLUG_PATTERN, "Use lower-case letters, digits and hyphens (at most 64), starting with a letter or digit."
)


def slug_field(**kwargs):
    return models.CharField(max_length=64, validators=[slug_validator], **kwargs)


class ReviewerOrganisation(models.Model):
    """The internal stress-testing team or an external organisation; verdicts are per organisation."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    clearance = models.CharField(max_length=16, choices=Clearance.choices, default=Clearance.INTERNAL)
    organisation = models.ForeignKey(
        ReviewerOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The reviewer organisation this person acts for, if they review.",
    )

    @property
    def is_external(self) -> bool:
        return self.clearance == Clearance.EXTERNAL

    @property
    def reading_level(self) -> str:
        """The highest sensitivity this person may read: internal staff everything, externals reviewer."""
        return Sensitivity.REVIEWER if self.is_external else Sensitivity.INTERNAL

    def __str__(self):
        return self.get_full_name() or self.username


class Team(models.Model):
    """An owning team: holds evidence and claims, answers information requests.

    It lives here rather than in `evidence` because claims have an owning team and
    imports run evidence → pathways, never back.
    """

    slug = slug_field(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Report(models.Model):
    slug = slug_field(unique=True)
    title = models.CharField(max_length=300)
    model_name = models.CharField("model", max_length=300)
    version = models.CharField(max_length=100, blank=True)
    evidence_cutoff = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "slug"]
        permissions = [(role.codename, f"{role.label} on the report") for role in Role if role != Role.TEAM_MEMBER]

    def __str__(self):
        return self.title


class Pathway(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pathways")
    slug = slug_field()
    title = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    critical_action = models.TextField(blank=True)
    argument = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every edit; edits carry the version they started from."
    )

    class Meta:
        ordering = ["report", "position", "id"]
        permissions = [("review_pathway", "External review of this pathway only")]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="pathway_slug_unique_in_report"),
            # What rows naming a pathway and its report refer to (see pathways.integrity).
            models.UniqueConstraint(fields=["id", "report"], name="pathway_id_report"),
        ]

    def __str__(self):
        return self.title


class Conclusion(models.Model):
    """A pathway's conclusion, or the report's overall one (pathway empty).

    `revision` goes up whenever the risk level or text changes; verdicts record the
    revision they answered, which is how they go stale.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="conclusions")
    pathway = models.OneToOneField(Pathway, null=True, blank=True, on_delete=models.CASCADE, related_name="conclusion")
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED)
    text = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(pathway__isnull=True), name="one_overall_conclusion_per_report"
            ),
            models.UniqueConstraint(fields=["id", "report"], name="conclusion_id_report"),
        ]

    def __str__(self):
        subject = self.pathway.title if self.pathway is not None else "Overall"
        return f"{subject}: {self.get_risk_level_display()}"


class Claim(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="claims")
    slug = slug_field()
    statement = models.TextField()
    category = models.CharField(max_length=32, choices=ClaimCategory.choices)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="claims")
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC)
    rationale = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    pathways = models.ManyToManyField(Pathway, through="PathwayClaim", related_name="claims")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="claim_slug_unique_in_report"),
            models.UniqueConstraint(fields=["id", "report"], name="claim_id_report"),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values), name="claim_sensitivity_known"
            ),
        ]
        # The teams a person belongs to lead to the reports where those teams own claims.
        indexes = [models.Index(fields=["owner_team", "report"], name="claim_owner_team_report")]

    def __str__(self):
        return self.statement[:80]


class PathwayClaim(models.Model):
    """A pathway's argument rests on this claim; `position` keeps the order the author wrote."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="claim_links")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="pathway_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["pathway", "claim"], name="pathway_claim_unique")]

    def __str__(self):
        return f"{self.pathway.slug} rests on {self.claim.slug}"

    def clean(self):
        if self.pathway_id and self.claim_id and self.pathway.report_id != self.claim.report_id:
            raise ValidationError("A pathway can only rest on claims of its own report.")


class ReportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Report, on_delete=models.CASCADE)


class ReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Report, on_delete=models.CASCADE)


class PathwayUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Pathway, on_delete=models.CASCADE)


class PathwayGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Pathway, on_delete=models.CASCADE)


class AuditEntry(models.Model):
    """One thing a person did on a report. Written by `pathways.audit.log_action`."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["report", "target_type", "target_id"]),
            # The log of a report, newest first: a page reads its fifty entries and stops.
            models.Index(fields=["report", "-created_at", "-id"], name="auditentry_report_newest"),
        ]

    def __str__(self):
        return f"{self.action} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"
