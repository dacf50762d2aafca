from django.db import models


class Sensitivity(models.TextChoices):
    """Ordered public < reviewer < internal; see spec/report-format.md."""

    PUBLIC = "public", "Public"
    REVIEWER = "reviewer", "Reviewer"
    INTERNAL = "internal", "Internal"

    @classmethod
    def at_or_below(cls, level: str) -> list[str]:
        order: list[str] = [cls.PUBLIC, cls.REVIEWER, cls.INTERNAL]
        return [str(value) for value in order[: order.index(level) + 1]]


class Clearance(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class RiskLevel(models.TextChoices):
    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED_OFF = "signed_off", "Signed off"


class ClaimCategory(models.TextChoices):
    PRIOR_EXPECTATIONS = "prior_expectations", "Prior expectations"
    ALIGNMENT = "alignment", "Alignment"
    CAPABILITY = "capability", "Capability"
    MONITORING = "monitoring", "Monitoring"
    SECURITY = "security", "Security"
    DEPLOYMENT = "deployment", "Deployment"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """A person's role on one report. Each is a guardian permission on Report."""

    AUTHOR = "author", "Author"
    STRESS_TESTER = "stress_tester", "Stress-tester"
    EXTERNAL_REVIEWER = "external_reviewer", "External reviewer"
    LEADERSHIP = "leadership", "Leadership"
    # Not grantable: derived from owning-team membership.
    TEAM_MEMBER = "team_member", "Owning-team member"

    @property
    def codename(self) -> str:
        return f"role_{self.value}"

    @property
    def clearance(self) -> Clearance:
        return Clearance.EXTERNAL if self == Role.EXTERNAL_REVIEWER else Clearance.INTERNAL


GRANTABLE_ROLES = [Role.AUTHOR, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER, Role.LEADERSHIP]
REVIEWER_ROLES = [Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER]
# The pathway-level permission that limits an external reviewer to some pathways.
PATHWAY_REVIEW_CODENAME = "review_pathway"


class OrganisationKind(models.TextChoices):
    INTERNAL = "internal", "Internal stress-testing team"
    EXTERNAL = "external", "External reviewer organisation"
