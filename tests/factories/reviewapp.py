"""Factories of the review activity's models, each made through the service the app makes
it with, so that a test's rows carry the audit entries, notifications and checks of use."""

import datetime

import factory
from django.utils import timezone

from evidence.enums import Strength
from reviewapp.enums import (
    Delivery,
    ExportFormat,
    ExportKind,
    FindingKind,
    NotificationKind,
    Position,
    RoadmapStatus,
    Severity,
    SignOffDecision,
)
from reviewapp.models import (
    Comment,
    ExportJob,
    Finding,
    Notification,
    NotificationPreference,
    RoadmapItem,
    SignOff,
    Verdict,
)
from reviewapp.services.comments import comment_post, comment_reply, comment_resolve
from reviewapp.services.exports import export_job_start
from reviewapp.services.findings import finding_raise
from reviewapp.services.notifications import notification_preferences_set, notify
from reviewapp.services.roadmap import roadmap_item_create
from reviewapp.services.signoff import signoff_record
from reviewapp.services.verdicts import verdict_record
from tests.factories.base import ServiceFactory
from tests.factories.evidence import InformationRequestFactory, LineOfDefenceFactory
from tests.factories.pathways import (
    ClaimFactory,
    ConclusionFactory,
    PathwayFactory,
    ReportFactory,
    UserFactory,
    author_of,
    leader_of,
    member_of,
    reviewer_of,
)
from tests.factories.versions import published


def _subject_of(comment: Comment):
    return comment.pathway or comment.claim or comment.evidence or comment.conclusion


class CommentFactory(ServiceFactory):
    """Posted through `comment_post` (a thread on `subject`, by one of its report's authors
    unless `author` is given) or, given a `parent`, `comment_reply` in its thread; the
    services check who may read it and notify the people mentioned or taking part.
    `resolved=True` resolves the thread afterwards, as its author."""

    class Meta:
        model = Comment

    parent = None
    subject = factory.Maybe(
        "parent",
        yes_declaration=factory.LazyAttribute(lambda comment: _subject_of(comment.parent)),
        no_declaration=factory.SubFactory(PathwayFactory),
    )
    author = factory.LazyAttribute(lambda comment: author_of(comment.subject.report))
    text = factory.Sequence(lambda n: f"Comment number {n}: is this enough?")
    visibility = ""  # the services' default: shared with reviewers

    @classmethod
    def _create(cls, model_class, *, parent, subject, **fields):
        if parent is not None:
            return comment_reply(parent=parent, **fields)
        return comment_post(subject=subject, **fields)

    @factory.post_generation
    def resolved(comment, create, extracted, **kwargs):
        if create and extracted:
            comment_resolve(thread=comment, actor=comment.author)
            comment.refresh_from_db()


class VerdictFactory(ServiceFactory):
    """Recorded through `verdict_record`, against the conclusion's current revision, for the
    organisation its recorder acts for (a new stress-tester of the report unless given)."""

    class Meta:
        model = Verdict

    conclusion = factory.SubFactory(ConclusionFactory)
    recorder = factory.LazyAttribute(lambda verdict: reviewer_of(verdict.conclusion.report))
    position = Position.CONCUR
    rationale = ""

    @classmethod
    def _create(cls, model_class, *, conclusion, **fields):
        conclusion.refresh_from_db()
        return verdict_record(conclusion=conclusion, revision=conclusion.revision, **fields)


class FindingFactory(ServiceFactory):
    """Raised through `finding_raise` on `subject` (a claim or a line of defence; a new claim
    unless given) by a reviewer of its report (a new stress-tester unless given)."""

    class Meta:
        model = Finding

    subject = factory.SubFactory(ClaimFactory)
    raiser = factory.LazyAttribute(lambda finding: reviewer_of(finding.subject.report))
    kind = FindingKind.EVIDENCE_INSUFFICIENT
    severity = Severity.MAJOR
    text = "The evidence covers one drill only."
    recommendation = "Run the drill again with a second team."

    @classmethod
    def _create(cls, model_class, **fields):
        return finding_raise(**fields)


class RoadmapItemFactory(ServiceFactory):
    """Put on the roadmap through `roadmap_item_create` by an author of the report, from
    `source` (a new weak line of defence unless given), for its pathway, owned by the line's
    team, planned for a fortnight from today."""

    class Meta:
        model = RoadmapItem

    source = factory.SubFactory(LineOfDefenceFactory, strength=Strength.WEAK)
    report = factory.SelfAttribute("source.report")
    author = factory.LazyAttribute(lambda item: author_of(item.report))
    pathways = factory.LazyAttribute(lambda item: [item.source.pathway])
    title = factory.Sequence(lambda n: f"Mitigation {n}")
    description = "Close the gap the review found."
    owner_team = factory.LazyAttribute(lambda item: item.source.owner_team)
    status = RoadmapStatus.PLANNED
    target_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))

    @classmethod
    def _create(cls, model_class, **fields):
        return roadmap_item_create(**fields)


class SignOffFactory(ServiceFactory):
    """Recorded through `signoff_record` by leadership of the report, on its latest published
    version (the draft is published first if it has none), which refuses while a verdict is
    missing or stale (unless `override` with an `override_reason`)."""

    class Meta:
        model = SignOff

    report = factory.SubFactory(ReportFactory)
    decider = factory.LazyAttribute(lambda sign_off: leader_of(sign_off.report))
    decision = SignOffDecision.APPROVE
    note = "Approved for this version."
    override = False
    override_reason = ""

    @classmethod
    def _create(cls, model_class, **fields):
        published(fields["report"])  # a sign-off is of a published version
        return signoff_record(**fields)


class NotificationFactory(ServiceFactory):
    """Written to the outbox by `notify`, as each service's notify_* writes it: by default, a
    new member of the owning team told of a request's filing, under the key the app uses."""

    class Meta:
        model = Notification

    kind = NotificationKind.REQUEST_FILED
    information_request = factory.SubFactory(InformationRequestFactory)
    report = factory.SelfAttribute("information_request.report")
    actor = factory.SelfAttribute("information_request.requester")
    recipient = factory.LazyAttribute(lambda notification: member_of(notification.information_request.team))
    dedupe_key = factory.LazyAttribute(
        lambda notification: f"{notification.kind}:{notification.information_request.pk}"
    )
    request_message = None
    comment = None
    verdict = None
    sign_off = None

    @classmethod
    def _create(cls, model_class, *, recipient, **fields):
        if not notify(recipients=[recipient], **fields):
            raise ValueError("notify wrote nothing: the recipient is the actor, or inactive")
        return Notification.objects.get(recipient=recipient, dedupe_key=fields["dedupe_key"])


class NotificationPreferenceFactory(ServiceFactory):
    """Saved through `notification_preferences_set`, which refuses an unknown kind or delivery."""

    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.MENTION
    delivery = Delivery.DIGEST

    @classmethod
    def _create(cls, model_class, *, user, kind, delivery):
        notification_preferences_set(user=user, choices={kind: delivery})
        return NotificationPreference.objects.get(user=user, kind=kind)


class ExportJobFactory(ServiceFactory):
    """Started through `export_job_start` (queued, with its audit entry; handed to the worker
    when the transaction commits), by one of the report's authors unless `requester` is given."""

    class Meta:
        model = ExportJob

    report = factory.SubFactory(ReportFactory)
    requester = factory.LazyAttribute(lambda job: author_of(job.report))
    kind = ExportKind.REPORT
    fmt = ExportFormat.MARKDOWN
    level = "internal"

    @classmethod
    def _create(cls, model_class, **fields):
        return export_job_start(**fields)
