"""Steps the notification tests share: an event that notifies, run with its tasks on
commit, and what it left for a person (their outbox rows, the emails to them)."""

from django.core import mail

from reviewapp.enums import Position, SignOffDecision
from reviewapp.models import Notification
from reviewapp.services.signoff import signoff_record
from reviewapp.services.verdicts import verdict_record
from tests.factories.versions import published
from tests.reviewapp.matrix.requests import file_request


def file_and_notify(world, requester, *, run, title="How are outbound transfers detected?"):
    """A request filed to Security; `run` is django_capture_on_commit_callbacks, so the
    team's notifications are delivered (and emailed) when it commits."""
    with run(execute=True):
        return file_request(
            world, requester, title=title, question="Which monitors see a large outbound transfer, and who is paged?"
        )


def record_verdict(world, recorder, run, position=Position.DISSENT):
    conclusion = world.in_scope.conclusion
    with run(execute=True):
        return verdict_record(
            conclusion=conclusion,
            recorder=recorder,
            position=position,
            rationale="The monitor misses slow exfiltration.",
            revision=conclusion.revision,
        )


def record_sign_off(world, decider, run, decision=SignOffDecision.APPROVE, note="Go."):
    """Leadership's decision on the report, recorded past the unmet conditions (an override)."""
    with run(execute=True):
        published(world.report)  # a sign-off is of a published version
        return signoff_record(
            report=world.report,
            decider=decider,
            decision=decision,
            note=note,
            override=True,
            override_reason="Testing.",
        )


def notes_of(person, kind=None):
    notes = Notification.objects.filter(recipient=person)
    return notes.filter(kind=kind) if kind else notes


def mail_to(person):
    return [message for message in mail.outbox if person.email in message.to]
