"""Factories of the `pathways` models, and the people of a report: its authors, reviewers,
leadership and owning-team members, given their access through the access services."""

import factory
from factory.django import DjangoModelFactory

from pathways.audit import log_action
from pathways.enums import ClaimCategory, Clearance, OrganisationKind, RiskLevel, Sensitivity
from pathways.models import (
    AuditEntry,
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    Report,
    ReviewerOrganisation,
    Team,
    User,
)
from pathways.services import access_grant, team_member_add
from tests.factories.base import ServiceFactory


class UserFactory(DjangoModelFactory):
    """An account with no access: access is granted apart (author_of, reviewer_of, …)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda person: f"{person.username}@example.org")
    clearance = Clearance.INTERNAL
    password = factory.django.Password("correct-horse-battery")


class TeamFactory(DjangoModelFactory):
    """Content, as the report file's import writes it (no audit entry); members join through member_of."""

    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda team: team.slug.replace("-", " ").title())


class ReviewerOrganisationFactory(DjangoModelFactory):
    """A pure data row: the grant commands get or create organisations by name, with nothing else to it."""

    class Meta:
        model = ReviewerOrganisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Reviewer organisation {n}")
    kind = OrganisationKind.EXTERNAL


class ReportFactory(DjangoModelFactory):
    """Content, as the import writes it, with its overall conclusion (overall_conclusion=False for none)."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"report-{n}")
    title = factory.Sequence(lambda n: f"Risk report {n}")
    model_name = "Model X"
    summary = "An argument that the risk is very low."

    @factory.post_generation
    def overall_conclusion(report, create, extracted, **kwargs):
        if create and extracted is not False:
            Conclusion.objects.create(report=report, risk_level=RiskLevel.VERY_LOW, text="Very low overall.")


class PathwayFactory(DjangoModelFactory):
    """Content, as the import writes it, with its conclusion (`conclusion`: its text, or False for none)."""

    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    report = factory.SubFactory(ReportFactory)
    slug = factory.Sequence(lambda n: f"pathway-{n}")
    title = factory.Sequence(lambda n: f"Pathway {n}")
    position = factory.Sequence(lambda n: n)
    critical_action = "The model takes a first step."
    argument = "### Argument\n\nThe argument, in *Markdown*."

    @factory.post_generation
    def conclusion(pathway, create, extracted, **kwargs):
        if create and extracted is not False:
            Conclusion.objects.create(
                report=pathway.report, pathway=pathway, risk_level=RiskLevel.LOW, text=extracted or "Low risk."
            )


class ConclusionFactory(DjangoModelFactory):
    """Content, as the import writes it: a pathway's conclusion, or with pathway=None a new report's overall one."""

    class Meta:
        model = Conclusion

    pathway = factory.SubFactory(PathwayFactory, conclusion=False)
    report = factory.Maybe(
        "pathway",
        yes_declaration=factory.SelfAttribute("pathway.report"),
        no_declaration=factory.SubFactory(ReportFactory, overall_conclusion=False),
    )
    risk_level = RiskLevel.MODERATE
    text = "Moderate risk, for now."


class ClaimFactory(DjangoModelFactory):
    """Content, as the import writes it; `pathways`: the pathways that rest on it, in order."""

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    report = factory.SubFactory(ReportFactory)
    slug = factory.Sequence(lambda n: f"claim-{n}")
    statement = factory.Sequence(lambda n: f"Claim statement number {n}.")
    category = ClaimCategory.MONITORING
    owner_team = factory.SubFactory(TeamFactory)
    sensitivity = Sensitivity.PUBLIC
    rationale = "Because of the evidence."

    @factory.post_generation
    def pathways(claim, create, extracted, **kwargs):
        for position, pathway in enumerate(extracted or []):
            PathwayClaim.objects.create(pathway=pathway, claim=claim, position=position)


class PathwayClaimFactory(DjangoModelFactory):
    """Content, as the import writes it: a pathway resting on a claim of the same report."""

    class Meta:
        model = PathwayClaim

    pathway = factory.SubFactory(PathwayFactory)
    claim = factory.SubFactory(ClaimFactory, report=factory.SelfAttribute("..pathway.report"))
    position = factory.Sequence(lambda n: n)


class AuditEntryFactory(ServiceFactory):
    """Written by `log_action`, as every service writes its entry (it refuses an action it does not know)."""

    class Meta:
        model = AuditEntry

    report = factory.SubFactory(ReportFactory)
    actor = factory.LazyAttribute(lambda entry: author_of(entry.report))
    action = "pathways.report.status_changed"
    target = factory.SelfAttribute("report")
    data = factory.LazyFunction(lambda: {"changes": {"status": {"before": "draft", "after": "in_review"}}})

    @classmethod
    def _create(cls, model_class, **fields):
        return log_action(**fields)


# ------------------------------------------------------------------ people, given access


def author_of(report: Report, **fields) -> User:
    person = UserFactory(**fields)
    access_grant(report=report, user=person, role="author")
    return person


def reviewer_of(report: Report, *, org_name: str = "Stress-testing team", **fields) -> User:
    """A stress-tester (an internal reviewer) of the whole report, acting for `org_name`."""
    person = UserFactory(**fields)
    access_grant(report=report, user=person, role="stress_tester", org_name=org_name)
    return person


def leader_of(report: Report, **fields) -> User:
    person = UserFactory(**fields)
    access_grant(report=report, user=person, role="leadership")
    return person


def member_of(team: Team, **fields) -> User:
    person = UserFactory(**fields)
    team_member_add(team=team, user=person)
    return person
