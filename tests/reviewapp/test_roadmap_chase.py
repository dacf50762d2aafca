"""The roadmap is chased like requests: the owning team the day before an open mitigation
is due, the team and the authors once it is past (once per target date); a done item is
not chased, and the texts name what the recipient may read. Findings tell the authors when
raised and the raiser when answered."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from evidence.enums import Strength
from evidence.models import LineOfDefence
from reviewapp.enums import NotificationKind, RoadmapStatus
from reviewapp.models import Notification, RoadmapItem
from reviewapp.services.delivery import roadmap_reminders
from reviewapp.services.delivery.texts import render_for_recipient
from reviewapp.services.findings import finding_dispose
from reviewapp.services.roadmap import roadmap_item_update
from reviewapp.tasks import notifications as tasks
from tests.factories import FindingFactory, RoadmapItemFactory

TODAY = datetime.date(2026, 12, 2)


@pytest.fixture
def item(world, author):
    LineOfDefence.objects.filter(pk=world.public_line.pk).update(strength=Strength.WEAK)
    world.public_line.refresh_from_db()
    return RoadmapItemFactory(
        source=world.public_line, author=author, owner_team=world.team, title="Log every outbound channel"
    )


def due(item, date):
    RoadmapItem.objects.filter(pk=item.pk).update(target_date=date)
    item.refresh_from_db()
    return item


def kinds(person):
    return list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


def test_an_item_due_tomorrow_reminds_the_owning_team_only(
    item, author, team_member, leadership, django_capture_on_commit_callbacks
):
    due(item, TODAY + datetime.timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert roadmap_reminders(today=TODAY) == {"roadmap_due_soon": 1, "roadmap_overdue": 0}
    assert kinds(team_member) == [NotificationKind.ROADMAP_DUE_SOON]
    assert NotificationKind.ROADMAP_DUE_SOON not in kinds(author) + kinds(leadership)
    (email,) = mail.outbox
    assert email.to == [team_member.email] and email.subject.endswith("Due tomorrow: Log every outbound channel")
    assert "owned by Security, is planned" in email.body and "Self-exfiltration" in email.body


def test_an_overdue_item_tells_the_team_and_the_authors_once_per_date(
    item, author, team_member, leadership, django_capture_on_commit_callbacks
):
    due(item, TODAY - datetime.timedelta(days=2))
    for day in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            roadmap_reminders(today=TODAY + datetime.timedelta(days=day))
    assert kinds(team_member).count(NotificationKind.ROADMAP_OVERDUE) == 1
    assert kinds(author).count(NotificationKind.ROADMAP_OVERDUE) == 1
    assert NotificationKind.ROADMAP_OVERDUE not in kinds(leadership)
    # A new date that passes again is chased again.
    due(item, TODAY + datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        roadmap_reminders(today=TODAY + datetime.timedelta(days=5))
    assert kinds(team_member).count(NotificationKind.ROADMAP_OVERDUE) == 2


def test_a_done_or_undated_item_is_not_chased(item, author, team_member, django_capture_on_commit_callbacks):
    roadmap_item_update(person=team_member, item=item, version=1, status=RoadmapStatus.DONE)
    due(item, TODAY - datetime.timedelta(days=2))
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert roadmap_reminders(today=TODAY) == {"roadmap_due_soon": 0, "roadmap_overdue": 0}
    assert Notification.objects.count() == before


def test_the_daily_task_chases_requests_and_the_roadmap(item, team_member, django_capture_on_commit_callbacks):
    due(item, timezone.localdate() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_reminders.delay()
    assert NotificationKind.ROADMAP_OVERDUE in kinds(team_member)


def test_a_recipient_who_can_no_longer_read_the_roadmap_gets_nothing_of_it(
    item, author, team_member, django_capture_on_commit_callbacks
):
    due(item, TODAY - datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=False):
        roadmap_reminders(today=TODAY)
    note = Notification.objects.get(recipient=team_member, kind=NotificationKind.ROADMAP_OVERDUE)
    assert render_for_recipient(note) is not None
    team_member.clearance = "external"  # now reads as an external reviewer would
    team_member.save()
    assert render_for_recipient(Notification.objects.get(pk=note.pk)) is None


def test_a_finding_tells_the_authors_and_its_answer_tells_the_raiser(
    world, author, stress_tester, leadership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finding = FindingFactory(subject=world.public_claim, raiser=stress_tester, severity="critical")
    (raised,) = Notification.objects.filter(kind=NotificationKind.FINDING_RAISED)
    assert raised.recipient == author and NotificationKind.FINDING_RAISED not in kinds(leadership)
    text = render_for_recipient(raised)
    assert text.subject == f"Stress-testing team: critical finding on “{world.public_claim.statement}”"
    assert "The evidence covers one drill only." in text.body and "Recommended: Run the drill again" in text.body
    with django_capture_on_commit_callbacks(execute=True):
        finding_dispose(author=author, finding=finding, disposition="refuted", text="See the audit.", version=1)
        finding.refresh_from_db()
        finding_dispose(author=author, finding=finding, disposition="residual_risk", text="", version=2)
    answered = Notification.objects.filter(kind=NotificationKind.FINDING_ANSWERED, recipient=stress_tester)
    assert answered.count() == 2  # each answer, once
    # Read as it stands now: the latest answer.
    assert render_for_recipient(answered.last()).subject.startswith("Accepted as residual risk: your finding on “")


def test_the_answer_s_notification_says_the_answer_not_the_finding_again(
    world, author, stress_tester, django_capture_on_commit_callbacks
):
    finding = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    with django_capture_on_commit_callbacks(execute=True):
        finding_dispose(
            author=author, finding=finding, disposition="refuted", text="The second drill is in the audit.", version=1
        )
    (answered,) = Notification.objects.filter(kind=NotificationKind.FINDING_ANSWERED, recipient=stress_tester)
    body = render_for_recipient(answered).body
    assert "answered your major finding (the evidence does not support it): refuted." in body
    assert "The second drill is in the audit." in body
    assert "The evidence covers one drill only." not in body  # the raiser's own text is not sent back
