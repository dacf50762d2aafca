"""Every factory makes a valid row (it passes full_clean, or the app's service accepted it),
consistent with the rows it hangs on, and the service-made ones carry what the app writes
with them: their audit entry and notifications."""

import pytest

from evidence.enums import MessageKind, RequestState
from evidence.models import RequestMessage
from evidence.services.requests import RequestConflict
from pathways.access import access_of
from pathways.enums import ReportStatus
from pathways.models import AuditEntry, Conclusion
from reviewapp.enums import Delivery, ExportState, NotificationKind, NotificationState, Position
from reviewapp.models import Notification
from reviewapp.services.notifications import delivery_for
from tests.factories import (
    AuditEntryFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    CommentFactory,
    ConclusionFactory,
    EvidenceFactory,
    ExportJobFactory,
    InformationRequestFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    PathwayClaimFactory,
    PathwayFactory,
    ReportFactory,
    RequestMessageFactory,
    ReviewerOrganisationFactory,
    SignOffFactory,
    TeamFactory,
    UserFactory,
    VerdictFactory,
    author_of,
    member_of,
    reviewer_of,
)

pytestmark = pytest.mark.django_db


def valid(row):
    row.full_clean()
    return row


def audited(row, action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action, target_id=row.pk)


# ------------------------------------------------------------------ content rows


@pytest.mark.parametrize(
    "factory", [UserFactory, TeamFactory, ReviewerOrganisationFactory, EvidenceFactory, ClaimFactory]
)
def test_each_plain_factory_makes_a_valid_row(factory):
    valid(factory())


def test_a_report_comes_with_its_overall_conclusion_and_a_pathway_with_its_own():
    pathway = valid(PathwayFactory())
    overall = Conclusion.objects.get(report=pathway.report, pathway=None)
    assert valid(overall).report == pathway.report
    assert valid(pathway.conclusion).report == pathway.report


def test_a_conclusion_is_its_pathways_or_a_new_reports_overall_one():
    conclusion = valid(ConclusionFactory())
    assert conclusion.report == conclusion.pathway.report
    assert Conclusion.objects.filter(pathway=conclusion.pathway).count() == 1
    overall = valid(ConclusionFactory(pathway=None))
    assert list(Conclusion.objects.filter(report=overall.report)) == [overall]


def test_links_join_rows_of_one_report():
    pathway_claim = valid(PathwayClaimFactory())
    assert pathway_claim.claim.report == pathway_claim.pathway.report
    claim_evidence = valid(ClaimEvidenceFactory())
    assert claim_evidence.evidence.report == claim_evidence.claim.report
    report = ReportFactory()
    claim = ClaimFactory(report=report, pathways=[PathwayFactory(report=report), PathwayFactory(report=report)])
    assert [valid(link).pathway.report for link in claim.pathway_links.all()] == [report, report]


def test_an_audit_entry_is_written_by_log_action():
    entry = valid(AuditEntryFactory())
    assert (entry.target_type, entry.target_id) == ("report", entry.report.pk)
    assert access_of(entry.actor).on(entry.report).may_edit, "written by one of the report's authors"
    with pytest.raises(ValueError, match="not one of the audit log's actions"):
        AuditEntryFactory(action="pathways.report.deleted")


def test_a_service_made_row_is_not_built_unsaved():
    with pytest.raises(TypeError, match="through the app's service"):
        InformationRequestFactory.build()


# ------------------------------------------------------------------ requests


def test_a_request_is_filed_through_the_review_service_and_tells_the_owning_team():
    member = member_of(TeamFactory(slug="owners"))
    claim = ClaimFactory(owner_team=member.teams.get())
    filed = valid(InformationRequestFactory(subject=claim))
    assert (filed.report, filed.claim, filed.team) == (claim.report, claim, claim.owner_team)
    assert filed.organisation == filed.requester.organisation
    assert access_of(filed.requester).on(filed.report).may_file_requests
    assert [message.kind for message in filed.messages.all()] == [MessageKind.QUESTION]
    assert audited(filed, "evidence.request.filed").actor == filed.requester
    told = Notification.objects.get(kind=NotificationKind.REQUEST_FILED)
    assert (told.recipient, told.information_request) == (member, filed)


def test_a_request_about_a_pathway_goes_to_the_owner_of_a_claim_it_rests_on():
    claim = ClaimFactory()
    pathway = PathwayFactory(report=claim.report)
    PathwayClaimFactory(pathway=pathway, claim=claim)
    filed = valid(InformationRequestFactory(subject=pathway))
    assert (filed.pathway, filed.team, filed.report) == (pathway, claim.owner_team, claim.report)


def test_an_answer_is_sent_by_a_member_of_the_owning_team_and_tells_the_requester():
    evidence = EvidenceFactory()
    filed = InformationRequestFactory(subject=ClaimFactory(report=evidence.report))
    answer = valid(RequestMessageFactory(request=filed, evidence=[evidence]))
    filed.refresh_from_db()
    assert (answer.kind, filed.state) == (MessageKind.ANSWER, RequestState.ANSWERED)
    assert filed.team.members.filter(pk=answer.author.pk).exists()
    assert list(answer.evidence.all()) == [evidence]
    assert audited(filed, "evidence.request.answered").actor == answer.author
    told = Notification.objects.get(kind=NotificationKind.REQUEST_ANSWERED)
    assert (told.recipient, told.request_message, told.report) == (filed.requester, answer, filed.report)


def test_a_follow_up_close_and_decline_go_through_the_services_of_their_views():
    answered = RequestMessageFactory().request
    follow_up = valid(RequestMessageFactory(request=answered, kind=MessageKind.FOLLOW_UP))
    assert follow_up.author == answered.requester
    assert Notification.objects.filter(kind=NotificationKind.REQUEST_FOLLOWED_UP, request_message=follow_up).exists()
    decline = valid(RequestMessageFactory(request=answered, kind=MessageKind.DECLINE, text="Not ours."))
    answered.refresh_from_db()
    assert (answered.state, answered.decline_reason) == (RequestState.DECLINED, "Not ours.")
    assert Notification.objects.get(kind=NotificationKind.REQUEST_DECLINED).recipient == answered.requester
    assert decline.request.team.members.filter(pk=decline.author.pk).exists()

    closing = RequestMessageFactory(request=InformationRequestFactory(), kind=MessageKind.CLOSE)
    assert valid(closing).request.closed_at is not None and closing.request.state == RequestState.CLOSED
    assert audited(closing.request, "evidence.request.closed").actor == closing.request.requester


def test_a_message_the_state_does_not_allow_is_refused_as_in_use():
    filed = InformationRequestFactory()
    with pytest.raises(RequestConflict):
        RequestMessageFactory(request=filed, kind=MessageKind.FOLLOW_UP)
    with pytest.raises(ValueError, match="comes with the request"):
        RequestMessageFactory(request=filed, kind=MessageKind.QUESTION)
    assert list(RequestMessage.objects.filter(request=filed).values_list("kind", flat=True)) == [MessageKind.QUESTION]


# ------------------------------------------------------------------ the review


def test_a_comment_is_posted_on_its_subject_in_the_subjects_report():
    comment = valid(CommentFactory())
    assert comment.report == comment.pathway.report
    assert audited(comment, "reviewapp.comment.posted").actor == comment.author
    claim = ClaimFactory()
    on_claim = valid(CommentFactory(subject=claim))
    assert (on_claim.claim, on_claim.report) == (claim, claim.report)


def test_a_reply_joins_its_parents_thread_and_tells_who_took_part():
    thread = CommentFactory()
    reply = valid(CommentFactory(parent=thread))
    assert (reply.parent, reply.pathway, reply.report) == (thread, thread.pathway, thread.report)
    assert Notification.objects.get(kind=NotificationKind.THREAD_REPLY).recipient == thread.author


def test_a_comment_mentioning_someone_tells_them_and_a_resolved_thread_is_resolved():
    pathway = PathwayFactory()
    colleague = author_of(pathway.report, username="colleague")
    comment = valid(CommentFactory(subject=pathway, text="What do you think, @colleague?", resolved=True))
    assert list(comment.mentions.all()) == [colleague]
    assert Notification.objects.get(kind=NotificationKind.MENTION).recipient == colleague
    assert comment.resolved_by == comment.author and comment.resolved_at is not None


def test_a_verdict_answers_the_current_revision_for_the_recorders_organisation():
    verdict = valid(VerdictFactory(position=Position.DISSENT, rationale="Too thin."))
    conclusion = verdict.conclusion
    assert (verdict.conclusion_revision, verdict.conclusion_text) == (conclusion.revision, conclusion.text)
    assert verdict.organisation == verdict.recorded_by.organisation
    assert verdict.is_current and not verdict.is_stale
    assert audited(verdict, "reviewapp.verdict.recorded").actor == verdict.recorded_by


def test_a_sign_off_is_recorded_by_leadership_and_signs_the_report_off():
    report = ReportFactory()
    bob = reviewer_of(report)
    VerdictFactory(conclusion=Conclusion.objects.get(report=report), recorder=bob)
    sign_off = valid(SignOffFactory(report=report))
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED_OFF
    assert access_of(sign_off.decided_by).on(report).may_sign_off
    assert sign_off.snapshot["report"]["slug"] == report.slug
    assert audited(sign_off, "reviewapp.signoff.recorded").actor == sign_off.decided_by
    assert sign_off.published_version.report == report  # the draft was published first
    assert bob in {
        notification.recipient for notification in Notification.objects.filter(kind=NotificationKind.SIGNOFF_RECORDED)
    }


def test_a_notification_is_written_to_the_outbox_about_its_event():
    notification = valid(NotificationFactory())
    filed = notification.information_request
    assert (notification.report, notification.actor) == (filed.report, filed.requester)
    assert filed.team.members.filter(pk=notification.recipient.pk).exists()
    assert (notification.state, notification.subject) == (NotificationState.PENDING, "")
    again = NotificationFactory(information_request=filed, recipient=notification.recipient)
    assert again == notification and Notification.objects.count() == 1, "the outbox tells nobody twice"
    with pytest.raises(ValueError, match="the recipient is the actor"):
        NotificationFactory(information_request=filed, recipient=filed.requester)


def test_a_notification_preference_is_saved_through_the_settings_service():
    preference = valid(NotificationPreferenceFactory(delivery=Delivery.OFF))
    assert delivery_for(preference.user, NotificationKind.MENTION) == Delivery.OFF
    with pytest.raises(ValueError):
        NotificationPreferenceFactory(kind="gossip")


def test_an_export_job_is_started_for_someone_who_sees_the_report():
    job = valid(ExportJobFactory())
    assert job.state == ExportState.QUEUED
    assert access_of(job.requester).on(job.report).may_edit
    assert audited(job, "reviewapp.export.started").actor == job.requester
