from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
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
    # Least privilege: a person created without a stated clearance (in the admin, by
    # createsuperuser, by an invitation) reads as an outsider until staff say otherwise.
    clearance = models.CharField(
        max_length=16,
        choices=Clearance.choices,
        default=Clearance.EXTERNAL,
        help_text="Internal staff read internal material; external people read up to reviewer level. "
        "Only staff give internal clearance.",
    )
    organisation = models.ForeignKey(
        ReviewerOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The reviewer organisation this person acts for, if they review.",
    )
    # When they last made a request, to within a few minutes (reviewapp.middleware).
    last_seen = models.DateTimeField(null=True, blank=True)

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
    # The report of the previous model that this one was started from (evidence.carrying).
    predecessor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors")
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


class Invitation(models.Model):
    """An invitation to review one report, sent by email: a single-use link that expires.
    Only a hash of its token is kept, so the table cannot be read back into working links.
    Accepting it creates the person with the stated clearance and grants the stated access
    (`pathways.invitations`)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    clearance = models.CharField(max_length=16, choices=Clearance.choices, default=Clearance.EXTERNAL)
    role = models.CharField(max_length=32, choices=Role.choices)
    organisation = models.CharField(max_length=200, blank=True)
    pathways = models.ManyToManyField(Pathway, blank=True, related_name="+")
    limited = models.BooleanField(default=False, help_text="Limited to `pathways`; never the whole report.")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.report.slug}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()


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


# Search: what the full-text search reads of each thing, at each reading level (pathways.search).
SEARCH_CONFIG = "english"


class SearchDocument(models.Model):
    """The text of one thing as readers at one level read it, redacted, with its tsvector.

    Redaction is a parse in Python (pathways.text), so the searchable text is stored per
    reading level, written by the services that write the thing, in their transaction.
    Each app keeps the documents of its own models (this base, a table per app)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.CharField(max_length=16, choices=Sensitivity.choices)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    document = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk} ({self.level})"


def search_document_rules(prefix: str, subjects: tuple[str, ...]) -> tuple[list, list]:
    """The constraints and indexes of a table of search documents whose foreign keys to what
    they are of are `subjects`: one of them a row, one row per thing and level, a GIN index
    of the tsvector per subject (a search reads one kind's index, so a word common in
    another kind costs it nothing), and an index of a report's rows at a level."""
    constraints: list = [
        models.UniqueConstraint(fields=[name, "level"], name=f"{prefix}_search_{name}_level") for name in subjects
    ]
    if len(subjects) > 1:
        one_of = [models.Q(**{f"{name}__isnull": name != chosen for name in subjects}) for chosen in subjects]
        constraints.append(models.CheckConstraint(condition=reduce(or_, one_of), name=f"{prefix}_search_one_subject"))
    if len(subjects) > 1:
        documents = [
            GinIndex(
                fields=["document"],
                name=f"{prefix}_{name.rsplit('_', 1)[-1]}_words",
                condition=models.Q(**{f"{name}__isnull": False}),
            )
            for name in subjects
        ]
    else:
        documents = [GinIndex(fields=["document"], name=f"{prefix}_search_document")]
    indexes = [*documents, models.Index(fields=["report", "level"], name=f"{prefix}_search_report_level")]
    return constraints, indexes


class ArgumentSearchDocument(SearchDocument):
    """The search documents of pathways, claims and conclusions: one thing each, per level."""

    pathway = models.ForeignKey(
        Pathway, null=True, on_delete=models.CASCADE, related_name="search_documents", db_index=False
    )
    claim = models.ForeignKey(
        Claim, null=True, on_delete=models.CASCADE, related_name="search_documents", db_index=False
    )
    conclusion = models.ForeignKey(
        Conclusion, null=True, on_delete=models.CASCADE, related_name="search_documents", db_index=False
    )

    class Meta:
        constraints, indexes = search_document_rules("argument", ("pathway", "claim", "conclusion"))
