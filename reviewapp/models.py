"""The review activity: comments, verdicts and sign-off, and what the app sends and makes
in the background: notifications (the outbox) and export jobs. The domain (reports, claims,
evidence, requests) lives in `pathways` and `evidence` and knows nothing of these."""

from django.db import models

from evidence.models import ChainStep, DetectionChain, Evidence, InformationRequest, LineOfDefence, RequestMessage
from monitoring.models import WarningSign
from pathways.models import (
    Claim,
    Conclusion,
    Pathway,
    Report,
    ReviewerOrganisation,
    SearchDocument,
    Team,
    User,
    search_document_rules,
)
from pathways.text import LEVELS
from reviewapp.enums import (
    CommentVisibility,
    Delivery,
    Disposition,
    EmailState,
    ExportFormat,
    ExportKind,
    ExportState,
    FindingKind,
    NotificationKind,
    NotificationState,
    Position,
    RoadmapStatus,
    Severity,
    SignOffDecision,
)
from versions.models import ReportVersion


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
        # The discussion page: a report's open threads, newest first, with what its scope
        # reads of each (visibility and subject), so that counting them reads the index alone.
        indexes = [
            models.Index(
                fields=["report", "-created_at", "-id"],
                include=["visibility", "pathway", "claim", "evidence", "conclusion"],
                condition=models.Q(parent=None, resolved_at=None),
                name="comment_open_threads",
            )
        ]

    def __str__(self):
        return self.text[:80]


class CommentSearchDocument(SearchDocument):
    """The search documents of comments, per level (never below internal for an internal comment)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="search_documents", db_index=False)

    class Meta:
        constraints, indexes = search_document_rules("comment", ("comment",))


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
    # The report's latest published version when the verdict was recorded: the version the
    # organisation was given to review (none while the report has no published version).
    published_version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="verdicts"
    )
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


class Finding(models.Model):
    """A reviewer organisation's criticism of the argument: of a claim, of a claim's use in
    one pathway (claim and pathway), of a line of defence or of a detection chain's step; with the authors' disposition
    once they give it. Visibility as for comments: shared, or internal (never an external
    reviewer's, and never shown to external readers)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    # A finding keeps what it is about: deleting that alone is refused (a report file's import
    # says so), and it goes only with its report.
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.RESTRICT, related_name="findings")
    pathway = models.ForeignKey(Pathway, null=True, blank=True, on_delete=models.RESTRICT, related_name="findings")
    line = models.ForeignKey(LineOfDefence, null=True, blank=True, on_delete=models.RESTRICT, related_name="findings")
    step = models.ForeignKey(ChainStep, null=True, blank=True, on_delete=models.RESTRICT, related_name="findings")
    organisation = models.ForeignKey(ReviewerOrganisation, on_delete=models.PROTECT, related_name="findings")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=16, choices=CommentVisibility.choices, default=CommentVisibility.SHARED)
    kind = models.CharField(max_length=32, choices=FindingKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    text = models.TextField()
    recommendation = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    disposition = models.CharField(max_length=32, choices=Disposition.choices, blank=True)
    disposition_text = models.TextField(blank=True)
    disposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    disposed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(claim__isnull=False, line__isnull=True, step__isnull=True)
                    | models.Q(claim__isnull=True, pathway__isnull=True, line__isnull=False, step__isnull=True)
                    | models.Q(claim__isnull=True, pathway__isnull=True, line__isnull=True, step__isnull=False)
                ),
                name="finding_has_one_subject",
            )
        ]
        indexes = [models.Index(fields=["report", "-created_at", "-id"], name="finding_report_newest")]

    def __str__(self):
        return f"{self.get_severity_display()} finding {self.pk}"

    @property
    def disposed(self) -> bool:
        return bool(self.disposition)


class RoadmapItem(models.Model):
    """A mitigation the review led to: from a finding answered "mitigation planned", a weak
    line of defence or a flagged detection chain; owned by a team, with a status, a target
    date and the pathways it would strengthen. The developer's own plan: internal staff who
    see the whole report read it (reviewapp.selectors.roadmap). It keeps its title and
    description if what it came from is later removed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="roadmap_items")
    finding = models.OneToOneField(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_item"
    )
    line = models.ForeignKey(
        LineOfDefence, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_items"
    )
    chain = models.ForeignKey(
        DetectionChain, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_items"
    )
    TITLE_LENGTH = 300

    source_label = models.CharField(max_length=400, help_text="What it came from, as it was named then.")
    title = models.CharField(max_length=TITLE_LENGTH)
    description = models.TextField(blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="roadmap_items")
    status = models.CharField(max_length=16, choices=RoadmapStatus.choices, default=RoadmapStatus.PROPOSED)
    target_date = models.DateField(null=True, blank=True)
    pathways = models.ManyToManyField(Pathway, related_name="roadmap_items")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["target_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(
                    models.Q(finding__isnull=False, line__isnull=False)
                    | models.Q(finding__isnull=False, chain__isnull=False)
                    | models.Q(line__isnull=False, chain__isnull=False)
                ),
                name="roadmap_item_from_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed") | models.Q(target_date__isnull=False),
                name="roadmap_item_dated_once_planned",
            ),
        ]
        indexes = [models.Index(fields=["report", "target_date"], name="roadmap_report_due")]

    # Set by the roadmap's selectors: days past the target date on the day it is read.
    overdue_days: int = 0

    def __str__(self):
        return self.title

    @staticmethod
    def overdue_q(today) -> models.Q:
        """Past its target date and not done: the one meaning of overdue for the roadmap."""
        return models.Q(target_date__lt=today) & ~models.Q(status=RoadmapStatus.DONE)

    def days_overdue(self, today) -> int:
        if self.status == RoadmapStatus.DONE or self.target_date is None or self.target_date >= today:
            return 0
        return (today - self.target_date).days


class SignOff(models.Model):
    """Leadership's decision on a report version, with a frozen copy of the state it was taken in."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sign_offs")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=32, choices=SignOffDecision.choices)
    note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    report_version = models.CharField(max_length=100, blank=True)
    # The published version decided on; every sign-off since versions exist has one.
    published_version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="sign_offs"
    )
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.decided_by} on {self.created_at:%Y-%m-%d}"

    @property
    def version_label(self) -> str:
        """The version decided on, as people name it: the published version, or for a
        sign-off recorded before versions were published, the report's own version."""
        version = self.published_version
        if version is not None:
            return f"{version.number}, “{version.name}”"
        return self.report_version or "–"


class Notification(models.Model):
    """One person's notification of one event, and the outbox row it is delivered from.

    Written in the transaction of the event that causes it, with a `dedupe_key` unique per
    recipient, so an event retried or a reminder run twice never notifies twice. It names
    what it is about (a request, a comment, a verdict or a sign-off) but holds no text until
    the delivery task renders `subject` and `body` under the recipient's scope at sending
    time; a recipient who can no longer see the thing gets nothing (`suppressed`).
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    information_request = models.ForeignKey(
        InformationRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    request_message = models.ForeignKey(
        RequestMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # the answer, follow-up or decline told of
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    verdict = models.ForeignKey(Verdict, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sign_off = models.ForeignKey(SignOff, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    warning_sign = models.ForeignKey(WarningSign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    roadmap_item = models.ForeignKey(RoadmapItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200)
    state = models.CharField(
        max_length=16, choices=NotificationState.choices, default=NotificationState.PENDING, db_index=True
    )
    email_state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.NONE)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    rendered_level = models.CharField(
        max_length=16, blank=True, help_text="The reading level subject and body were written for."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="one_notification_per_event_and_person")
        ]
        indexes = [models.Index(fields=["recipient", "state", "read_at"], name="notification_inbox")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}"


class NotificationPreference(models.Model):
    """How one person wants one kind of notification; absent means the kind's default."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.delivery}"


class ExportJob(models.Model):
    """A document made in the background for the person who asked, and only for them: the
    report at a level, or the review record, as Markdown or PDF. The file lives outside any
    public URL and is served by a view that checks the requester."""

    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="export_jobs")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    fmt = models.CharField("format", max_length=8, choices=ExportFormat.choices)
    level = models.CharField(max_length=16, choices=[(level, level) for level in LEVELS])
    state = models.CharField(max_length=16, choices=ExportState.choices, default=ExportState.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    redaction_summary = models.JSONField(default=dict, blank=True)
    # A report export of a published version rather than of the working draft.
    published_version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="exports"
    )
    scope_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="The requester's access the file was made under; served only while it holds.",
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_fmt_display()}, {self.level}) for {self.requester}"
