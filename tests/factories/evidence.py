"""Factories of the `evidence` models. Requests and their messages are made through the
review's request services, as the views make them, so they come with their audit entries
and the notifications the app writes."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from evidence.enums import (
    DefenceKind,
    DefenceStage,
    EvidenceKind,
    MessageKind,
    Priority,
    Relation,
    StepRole,
    Strength,
)
from evidence.models import (
    ChainStep,
    ChainStepEvidence,
    ClaimEvidence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    Evidence,
    InformationRequest,
    LineOfDefence,
    RequestMessage,
)
from evidence.services.requests import information_request_close, teams_for_subject
from pathways.enums import Sensitivity
from reviewapp.services.requests import request_answer, request_decline, request_file, request_follow_up
from tests.factories.base import ServiceFactory
from tests.factories.pathways import ClaimFactory, PathwayFactory, ReportFactory, TeamFactory, member_of, reviewer_of


class EvidenceFactory(DjangoModelFactory):
    """Content, as the report file's import writes it (no audit entry)."""

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
    """Content, as the import writes it: a claim citing evidence of the same report."""

    class Meta:
        model = ClaimEvidence

    claim = factory.SubFactory(ClaimFactory)
    evidence = factory.SubFactory(EvidenceFactory, report=factory.SelfAttribute("..claim.report"))
    relation = Relation.SUPPORTS


class LineOfDefenceFactory(DjangoModelFactory):
    """Content, as the import writes it: a line of a pathway, resting on `claims` and
    `evidence` (of its report), in order."""

    class Meta:
        model = LineOfDefence
        skip_postgeneration_save = True

    pathway = factory.SubFactory(PathwayFactory)
    report = factory.SelfAttribute("pathway.report")
    slug = factory.Sequence(lambda n: f"line-{n}")
    title = factory.Sequence(lambda n: f"Line of defence {n}")
    kind = DefenceKind.AUTOMATED_MONITORING
    stage = DefenceStage.AFTER_DEPLOYMENT
    owner_team = factory.SubFactory(TeamFactory)
    sensitivity = Sensitivity.PUBLIC
    strength = Strength.MODERATE
    strength_reason = "Tested in drills."

    @factory.post_generation
    def claims(line, create, extracted, **kwargs):
        for position, claim in enumerate(extracted or []):
            DefenceClaim.objects.create(line=line, claim=claim, position=position)

    @factory.post_generation
    def evidence(line, create, extracted, **kwargs):
        for position, item in enumerate(extracted or []):
            DefenceEvidence.objects.create(line=line, evidence=item, position=position)


class DetectionChainFactory(DjangoModelFactory):
    """Content, as the import writes it: a chain of a pathway; its steps are made with
    `ChainStepFactory`."""

    class Meta:
        model = DetectionChain

    pathway = factory.SubFactory(PathwayFactory)
    report = factory.SelfAttribute("pathway.report")
    slug = factory.Sequence(lambda n: f"chain-{n}")
    scenario = factory.Sequence(lambda n: f"Scenario {n}")
    harm_after = 240
    sensitivity = Sensitivity.PUBLIC


class ChainStepFactory(DjangoModelFactory):
    """A step of `chain`, at the next position, resting on `evidence` in order."""

    class Meta:
        model = ChainStep
        skip_postgeneration_save = True

    chain = factory.SubFactory(DetectionChainFactory)
    role = StepRole.SIGNAL
    text = factory.Sequence(lambda n: f"Step {n}")
    owner_team = factory.SubFactory(TeamFactory)
    sensitivity = Sensitivity.PUBLIC
    position = factory.LazyAttribute(lambda step: ChainStep.objects.filter(chain=step.chain).count())

    @factory.post_generation
    def evidence(step, create, extracted, **kwargs):
        for position, item in enumerate(extracted or []):
            ChainStepEvidence.objects.create(step=step, evidence=item, position=position)


class InformationRequestFactory(ServiceFactory):
    """Filed through `request_file`, as the filing view files it: about `subject` (a new claim
    unless given), in its report, to a team that owns something it is about, by a reviewer."""

    class Meta:
        model = InformationRequest

    subject = factory.SubFactory(ClaimFactory)
    report = factory.SelfAttribute("subject.report")
    team = factory.LazyAttribute(lambda filed: teams_for_subject(filed.subject).order_by("pk").first())
    requester = factory.LazyAttribute(lambda filed: reviewer_of(filed.report))
    title = factory.Sequence(lambda n: f"Question number {n}")
    question = "Which drills showed it?"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    priority = Priority.NORMAL

    @classmethod
    def _create(cls, model_class, **fields):
        return request_file(**fields)


# Who writes a message of each kind by default: the owning team, or the requester's side.
TEAM_SIDE = {MessageKind.ANSWER, MessageKind.DECLINE}


def _default_author(message):
    if message.kind in TEAM_SIDE:
        return member_of(message.request.team)
    return message.request.requester


class RequestMessageFactory(ServiceFactory):
    """A turn in a request's thread through the service its view calls: an answer (by a new
    member of the owning team unless `author` is given), a follow-up or a decline through the
    review's services, which notify; a close through the evidence service, which the close view
    calls too (it tells nobody). The request must be in a state that allows the turn. The
    question is written by filing: InformationRequestFactory."""

    class Meta:
        model = RequestMessage

    request = factory.SubFactory(InformationRequestFactory)
    kind = MessageKind.ANSWER
    author = factory.LazyAttribute(_default_author)
    text = factory.Sequence(lambda n: f"Turn number {n} of the thread.")
    evidence = ()  # evidence items an answer links

    @classmethod
    def _create(cls, model_class, *, request, kind, author, text, evidence):
        if evidence and kind != MessageKind.ANSWER:
            raise ValueError("only an answer links evidence items")
        request.refresh_from_db()
        turn = {"information_request": request, "version": request.version}
        if kind == MessageKind.ANSWER:
            return request_answer(**turn, answerer=author, text=text, evidence_items=evidence)
        if kind == MessageKind.FOLLOW_UP:
            return request_follow_up(**turn, author=author, text=text)
        if kind == MessageKind.DECLINE:
            return request_decline(**turn, decliner=author, reason=text)
        if kind == MessageKind.CLOSE:
            return information_request_close(**turn, closer=author, text=text)
        raise ValueError(f"no service writes a '{kind}' message after filing: the question comes with the request")
