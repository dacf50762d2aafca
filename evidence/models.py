import functools
import operator

from django.core.exceptions import ValidationError
from django.db import models

from evidence.enums import (
    OPEN_STATES,
    Carried,
    DefenceKind,
    DefenceStage,
    Detector,
    EvidenceKind,
    MessageKind,
    Priority,
    Relation,
    RequestState,
    StepRole,
    Strength,
)
from pathways.enums import Sensitivity
from pathways.models import (
    Claim,
    Pathway,
    Report,
    ReviewerOrganisation,
    SearchDocument,
    Team,
    User,
    search_document_rules,
    slug_field,
)


def one_subject(*fields: str) -> models.Q:
    """Exactly one of `fields` (foreign keys) is set."""
    return functools.reduce(
        operator.or_,
        (models.Q(**{f"{name}__isnull": name != field for name in fields}) for field in fields),
    )


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
    # Copied from the previous model's report (evidence.carrying): the item it was copied
    # from, and whether its owning team has confirmed or replaced it for this model.
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carried = models.CharField(max_length=16, choices=Carried.choices, default=Carried.NOT_CARRIED, blank=True)
    carried_note = models.TextField(blank=True)
    carried_decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carried_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="evidence_slug_unique_in_report"),
            models.UniqueConstraint(fields=["id", "report"], name="evidence_id_report"),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values), name="evidence_sensitivity_known"
            ),
        ]
        indexes = [
            models.Index(fields=["owner_team", "report"], name="evidence_owner_team_report"),
            models.Index(
                fields=["report", "owner_team"],
                condition=models.Q(carried="unconfirmed"),
                name="evidence_unconfirmed",
            ),
        ]

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
        indexes = [
            # Which claims their evidence undermines (the load-bearing list's flag), read
            # without scanning every link of every report.
            models.Index(
                fields=["evidence", "claim"],
                condition=models.Q(relation="undermines"),
                name="claim_evidence_undermining",
            )
        ]

    def __str__(self):
        return f"{self.claim.slug} {self.relation} {self.evidence.slug}"

    def clean(self):
        if self.claim_id and self.evidence_id and self.claim.report_id != self.evidence.report_id:
            raise ValidationError("A claim can only cite evidence of its own report.")


class LineOfDefence(models.Model):
    """One of a pathway's safeguards: what kind, before or after deployment, the claims and
    evidence it rests on, its owning team, and the authors' assessed strength with a reason
    (Markdown). Two lines of a pathway that share a claim, an evidence item or a team are
    not independent (evidence.defence). It is read with its pathway, at or below the
    reader's level, like a claim; the database keeps its report equal to its pathway's."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines_of_defence")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="lines_of_defence")
    slug = slug_field()
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=DefenceKind.choices)
    stage = models.CharField(max_length=32, choices=DefenceStage.choices)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="lines_of_defence")
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC)
    strength = models.CharField(max_length=16, choices=Strength.choices, default=Strength.NOT_ASSESSED)
    strength_reason = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    claims = models.ManyToManyField(Claim, through="DefenceClaim", related_name="lines_of_defence")
    evidence = models.ManyToManyField(Evidence, through="DefenceEvidence", related_name="lines_of_defence")

    class Meta:
        verbose_name_plural = "lines of defence"
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="defence_slug_unique_in_report"),
            models.UniqueConstraint(fields=["id", "report"], name="defence_id_report"),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values), name="defence_sensitivity_known"
            ),
        ]
        indexes = [models.Index(fields=["pathway", "position"], name="defence_pathway_position")]

    def __str__(self):
        return self.title


class DefenceClaim(models.Model):
    """A line of defence rests on this claim (one of its pathway's)."""

    line = models.ForeignKey(LineOfDefence, on_delete=models.CASCADE, related_name="claim_links")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="defence_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["line", "claim"], name="defence_claim_unique")]

    def __str__(self):
        return f"{self.line.slug} rests on {self.claim.slug}"


class DefenceEvidence(models.Model):
    """A line of defence rests on this evidence item."""

    line = models.ForeignKey(LineOfDefence, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="defence_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "defence evidence"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["line", "evidence"], name="defence_evidence_unique")]

    def __str__(self):
        return f"{self.line.slug} rests on {self.evidence.slug}"


class DetectionChain(models.Model):
    """How one scenario of a pathway would be caught: the steps from the signal it leaves to
    the action taken (`ChainStep`), and the time after which the harm cannot be undone
    (`harm_after`, minutes; none when not stated). The app flags a chain with a missing step,
    a step without evidence or a response slower than the harm (evidence.chains). Read with
    its pathway, at or below the reader's level; the database keeps its report its pathway's."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="detection_chains")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="detection_chains")
    slug = slug_field()
    scenario = models.CharField(max_length=300)
    harm_after = models.PositiveIntegerField(null=True, blank=True)
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "slug"], name="chain_slug_unique_in_report"),
            models.UniqueConstraint(fields=["id", "report"], name="chain_id_report"),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values), name="chain_sensitivity_known"
            ),
        ]
        indexes = [models.Index(fields=["pathway", "position"], name="chain_pathway_position")]

    def __str__(self):
        return self.scenario


class ChainStep(models.Model):
    """One step of a detection chain: its role, what happens (plain text), the owning team,
    the evidence that it works, and its expected time in minutes (for a response, the time
    to respond). A detection says what detects (a monitor or a person); a response whether
    the responders are paged. A step is read at or below the reader's level, on a chain
    they read. `number` is the authors' (from 1, in the chain's order); a reader numbers the
    steps they see, and URLs name a step by its id."""

    chain = models.ForeignKey(DetectionChain, on_delete=models.CASCADE, related_name="steps")
    role = models.CharField(max_length=16, choices=StepRole.choices)
    text = models.CharField(max_length=500)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="chain_steps")
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC)
    detector = models.CharField(max_length=16, choices=Detector.choices, default=Detector.NONE, blank=True)
    paged = models.BooleanField(null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    evidence = models.ManyToManyField(Evidence, through="ChainStepEvidence", related_name="chain_steps")

    class Meta:
        ordering = ["chain", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="chain_step_position_unique"),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=Sensitivity.values), name="chain_step_sensitivity_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.text}"

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def report_id(self) -> int:
        return self.chain.report_id

    @property
    def report(self) -> Report:
        return self.chain.report


class ChainStepEvidence(models.Model):
    """A chain step works as stated because of this evidence item."""

    step = models.ForeignKey(ChainStep, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="chain_step_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "chain step evidence"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "evidence"], name="chain_step_evidence_unique")]

    def __str__(self):
        return f"step {self.step_id} rests on {self.evidence.slug}"


class InformationRequest(models.Model):
    """A reviewer's question to an owning team about one pathway, claim or evidence item."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="information_requests")
    pathway = models.ForeignKey(
        Pathway, null=True, blank=True, on_delete=models.CASCADE, related_name="information_requests"
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="information_requests"
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.CASCADE, related_name="information_requests"
    )
    chain_step = models.ForeignKey(
        ChainStep, null=True, blank=True, on_delete=models.CASCADE, related_name="information_requests"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="information_requests")
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="information_requests")
    organisation = models.ForeignKey(
        ReviewerOrganisation, on_delete=models.PROTECT, related_name="information_requests"
    )
    title = models.CharField(max_length=200)
    question = models.TextField()
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    due_date = models.DateField()
    state = models.CharField(max_length=16, choices=RequestState.choices, default=RequestState.OPEN, db_index=True)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=one_subject("pathway", "claim", "evidence", "chain_step"),
                name="information_request_has_one_subject",
            )
        ]
        indexes = [
            # A team's requests in the reports a reader sees: the inbox, and the audit log's
            # and notifications' check that a request is one of the reader's team's.
            models.Index(fields=["team", "report"], name="request_team_report"),
            # A report's requests by due date: the request list reads its page and stops.
            models.Index(fields=["report", "due_date", "id"], name="request_report_due"),
        ]

    def __str__(self):
        return self.title

    @property
    def subject(self):
        return self.pathway or self.claim or self.evidence or self.chain_step

    @staticmethod
    def open_requests() -> models.Q:
        """Requests the owning team owes an answer to (`OPEN_STATES`)."""
        return models.Q(state__in=OPEN_STATES)

    @staticmethod
    def overdue_on(today) -> models.Q:
        """Open requests whose due date is before `today`."""
        return models.Q(state__in=OPEN_STATES, due_date__lt=today)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue_days(self, today) -> int:
        """Days past the due date of an open request; 0 for any other."""
        return max((today - self.due_date).days, 0) if self.is_open else 0


class RequestMessage(models.Model):
    """One turn in a request's thread: the question, an answer, a follow-up, a decline or the close."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    text = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="request_messages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.request_id}"


class EvidenceSearchDocument(SearchDocument):
    """The search documents of evidence items and information requests: one thing each, per level."""

    evidence = models.ForeignKey(
        Evidence, null=True, on_delete=models.CASCADE, related_name="search_documents", db_index=False
    )
    information_request = models.ForeignKey(
        InformationRequest, null=True, on_delete=models.CASCADE, related_name="search_documents", db_index=False
    )

    class Meta:
        constraints, indexes = search_document_rules("evidence", ("evidence", "information_request"))
