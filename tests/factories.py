import factory
from factory.django import DjangoModelFactory

from evidence.enums import EvidenceKind, Relation
from evidence.models import ClaimEvidence, Evidence
from pathways.enums import ClaimCategory, Clearance, RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team, User


class UserFactory(DjangoModelFactory):
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
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda team: team.slug.replace("-", " ").title())


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"report-{n}")
    title = factory.Sequence(lambda n: f"Risk report {n}")
    model_name = "Model X"
    summary = "An argument that the risk is very low."

    @factory.post_generation
    def overall_conclusion(report, create, extracted, **kwargs):
        if create:
            Conclusion.objects.create(report=report, risk_level=RiskLevel.VERY_LOW, text="Very low overall.")


class PathwayFactory(DjangoModelFactory):
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
        if create:
            Conclusion.objects.create(
                report=pathway.report, pathway=pathway, risk_level=RiskLevel.LOW, text=extracted or "Low risk."
            )


class ClaimFactory(DjangoModelFactory):
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


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    report = factory.SubFactory(ReportFactory)
    slug = factory.Sequence(lambda n: f"evidence-{n}")
    title = factory.Sequence(lambda n: f"Evidence item {n}")
    kind = EvidenceKind.EVALUATION
    owner_team = factory.SubFactory(TeamFactory)
    sensitivity = Sensitivity.PUBLIC
    summary = "What the artefact shows."
    source = "internal doc X-1"


class ClaimEvidenceFactory(DjangoModelFactory):
    class Meta:
        model = ClaimEvidence

    claim = factory.SubFactory(ClaimFactory)
    evidence = factory.SubFactory(EvidenceFactory)
    relation = Relation.SUPPORTS
