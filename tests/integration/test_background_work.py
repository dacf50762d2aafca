"""Background work against a real Redis and real Celery workers.

Each test runs its own redis-server and starts workers (and beat when it needs the outbox
sweep) in subprocesses, against this run's test database; emails are counted as files
(tests/mail_backends.py). What they prove: a worker killed in the middle of a task leaves
its effect to the next worker, which has it once; a request filed while Redis is down is
saved and its notification delivered once Redis is back; a transient failure is retried
with growing waits, and a lasting one ends failed, visible to admins, who can retry it. No
email or in-app notification is ever doubled on the way.
"""

import datetime
import itertools
import logging
import re
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from evidence.models import InformationRequest
from reviewapp.enums import EmailState, NotificationState
from reviewapp.models import Notification
from reviewapp.services.requests import request_file
from tests.factories import UserFactory
from tests.integration.conftest import MAX_RETRIES, RETRY_BASE_SECONDS, VISIBILITY_TIMEOUT, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EMAIL_TASK = "reviewapp.tasks.notifications.notification_email_send"


def _file_request(world, stress_tester) -> InformationRequest:
    stress_tester.refresh_from_db()
    return request_file(
        report=world.report,
        requester=stress_tester,
        subject=world.public_claim,
        team=world.team,
        title="Egress thresholds",
        question="What volume of outbound transfer triggers an alert?",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )


def _notification(information_request, person) -> Notification:
    return Notification.objects.get(information_request=information_request, recipient=person)


def _received(output: str, task: str) -> list[str]:
    """Ids of the tasks named `task` that a worker's log says it received."""
    return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", output)


def _broker_idle(broker) -> bool:
    """Nothing waiting in the queue and nothing taken but unacknowledged."""
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def _assert_told_once(information_request, team_member, mailbox):
    notifications = Notification.objects.filter(information_request=information_request)
    assert [(n.recipient_id, n.state, n.email_state) for n in notifications] == [
        (team_member.pk, NotificationState.DELIVERED, EmailState.SENT)
    ]
    emails = mailbox.messages()
    assert len(emails) == 1, [str(message["Subject"]) for message in emails]
    assert emails[0]["To"] == team_member.email
    assert emails[0]["Subject"] == "[Risk Report Review] New request to Security: Egress thresholds"


def test_a_worker_killed_while_sending_an_email_leaves_it_to_the_next_worker_which_sends_it_once(
    world, stress_tester, team_member, celery, redis_server
):
    mailbox, broker = celery.mailbox, redis_server.client()
    first = celery.worker()
    mailbox.block()  # the mail server is slow: the send waits with the outbox row locked

    information_request = _file_request(world, stress_tester)

    wait_for(mailbox.is_blocked_in_send, timeout=30, describe=celery.outputs)
    notification = _notification(information_request, team_member)
    assert (notification.state, notification.email_state) == (NotificationState.DELIVERED, EmailState.PENDING)
    [email_task] = _received(first.output(), EMAIL_TASK)

    first.kill()
    mailbox.unblock()
    assert not first.running()
    assert mailbox.messages() == []
    assert _notification(information_request, team_member).email_state == EmailState.PENDING
    assert broker.hlen("unacked") == 1, "the dead worker's message should wait, unacknowledged, in Redis"

    # Redis hands the message out again to a worker that starts (or sweeps) once the message
    # has been taken longer ago than the visibility timeout.
    wait_for(
        lambda: broker.zrangebyscore("unacked_index", 0, time.time() - VISIBILITY_TIMEOUT - 0.5),
        timeout=VISIBILITY_TIMEOUT + 10,
        describe="the unacknowledged message never became old enough to hand out again",
    )
    second = celery.worker()
    wait_for(
        lambda: _notification(information_request, team_member).email_state == EmailState.SENT,
        timeout=30,
        describe=celery.outputs,
    )
    assert email_task in _received(second.output(), EMAIL_TASK), "the same task ran again on the new worker"
    wait_for(lambda: _broker_idle(broker), timeout=30, describe=celery.outputs)

    assert len(mailbox.attempts()) == 2  # the killed attempt and the one that got through
    _assert_told_once(information_request, team_member, mailbox)


def _waiting_on_a_lock() -> int:
    """Database sessions of this test database waiting for a lock another one holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_an_email_handed_out_again_while_its_first_worker_still_sends_it_is_sent_once(
    world, stress_tester, team_member, celery, redis_server
):
    """Redis hands a message out again when its worker holds it longer than the visibility
    timeout, even if that worker is alive and busy: the second run waits for the row lock,
    then finds the email sent."""
    mailbox, broker = celery.mailbox, redis_server.client()
    first = celery.worker()
    mailbox.block()
    information_request = _file_request(world, stress_tester)
    wait_for(mailbox.is_blocked_in_send, timeout=30, describe=celery.outputs)
    [email_task] = _received(first.output(), EMAIL_TASK)
    wait_for(
        lambda: broker.zrangebyscore("unacked_index", 0, time.time() - VISIBILITY_TIMEOUT - 0.5),
        timeout=VISIBILITY_TIMEOUT + 10,
        describe="the unacknowledged message never became old enough to hand out again",
    )

    second = celery.worker()
    wait_for(lambda: email_task in _received(second.output(), EMAIL_TASK), timeout=30, describe=celery.outputs)
    wait_for(lambda: _waiting_on_a_lock() == 1, timeout=30, describe=celery.outputs)
    mailbox.unblock()

    def result(worker) -> str | None:
        found = re.search(rf"{re.escape(email_task)}\] succeeded in [0-9.]+s: (.*)$", worker.output(), re.MULTILINE)
        return found and found.group(1)

    wait_for(lambda: result(first) and result(second), timeout=30, describe=celery.outputs)
    assert (result(first), result(second)) == ("'sent'", "'nothing to send'")
    wait_for(lambda: _broker_idle(broker), timeout=30, describe=celery.outputs)
    assert len(mailbox.attempts()) == 1  # the second run never reached the mail server
    _assert_told_once(information_request, team_member, mailbox)


def test_a_request_filed_while_redis_is_down_is_saved_and_its_notification_delivered_once_redis_is_back(
    world, stress_tester, team_member, celery, redis_server, caplog
):
    mailbox = celery.mailbox
    worker = celery.worker()
    celery.beat()
    redis_server.stop()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="reviewapp.services.notifications"):
        information_request = _file_request(world, stress_tester)
    took = time.monotonic() - started

    assert took < 15, f"filing took {took:.1f} s with the broker down"
    assert InformationRequest.objects.filter(pk=information_request.pk).exists()
    assert _notification(information_request, team_member).state == NotificationState.PENDING
    assert "stays in the outbox until the broker answers" in caplog.text

    redis_server.start()  # empty: the hand-over that failed is not in it
    wait_for(
        lambda: _notification(information_request, team_member).email_state == EmailState.SENT,
        timeout=60,
        describe=celery.outputs,
    )

    # Let the sweep run three more times after the send, each finding nothing left to hand over.
    def empty_sweeps() -> int:
        return len(re.findall(r"outbox_sweep\[[0-9a-f-]+\] succeeded in [0-9.]+s: 0\b", worker.output()))

    before = empty_sweeps()
    wait_for(lambda: empty_sweeps() >= before + 3, timeout=60, describe=celery.outputs)

    assert len(mailbox.attempts()) == 1
    _assert_told_once(information_request, team_member, mailbox)


def test_an_email_that_fails_for_a_while_is_retried_with_growing_waits_and_sent_once(
    world, stress_tester, team_member, celery, redis_server
):
    mailbox = celery.mailbox
    mailbox.fail_first(MAX_RETRIES)  # every attempt but the last one allowed fails
    celery.worker()

    information_request = _file_request(world, stress_tester)

    wait_for(
        lambda: _notification(information_request, team_member).email_state == EmailState.SENT,
        timeout=60,
        describe=celery.outputs,
    )
    attempts = mailbox.attempts()
    assert len(attempts) == MAX_RETRIES + 1
    waits = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    for retry, wait in enumerate(waits):  # base × 2^retry, less at most 20 % jitter
        assert wait >= 0.8 * RETRY_BASE_SECONDS * 2**retry - 0.05, waits
    assert waits[-1] > waits[0], waits
    assert _notification(information_request, team_member).last_error == ""
    wait_for(lambda: _broker_idle(redis_server.client()), timeout=30, describe=celery.outputs)
    _assert_told_once(information_request, team_member, mailbox)


def test_an_email_that_keeps_failing_is_left_failed_for_admins_to_see_and_retry(
    world, stress_tester, team_member, celery, redis_server, client
):
    mailbox = celery.mailbox
    mailbox.fail_first(1000)
    celery.worker()

    information_request = _file_request(world, stress_tester)

    wait_for(
        lambda: _notification(information_request, team_member).email_state == EmailState.FAILED,
        timeout=60,
        describe=celery.outputs,
    )
    notification = _notification(information_request, team_member)
    assert notification.state == NotificationState.DELIVERED  # shown in the app; only the email failed
    assert notification.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    assert len(mailbox.attempts()) == MAX_RETRIES + 1
    assert mailbox.messages() == []

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:reviewapp_notification_changelist")
    row_link = reverse("admin:reviewapp_notification_change", args=[notification.pk])
    assert row_link in client.get(changelist, {"email_state__exact": "failed"}).content.decode()
    assert row_link not in client.get(changelist, {"email_state__exact": "sent"}).content.decode()

    mailbox.stop_failing()
    response = client.post(changelist, {"action": "retry_failed", "_selected_action": [notification.pk], "index": 0})
    assert response.status_code == 302

    wait_for(
        lambda: _notification(information_request, team_member).email_state == EmailState.SENT,
        timeout=30,
        describe=celery.outputs,
    )
    assert _notification(information_request, team_member).last_error == ""
    wait_for(lambda: _broker_idle(redis_server.client()), timeout=30, describe=celery.outputs)
    assert len(mailbox.attempts()) == MAX_RETRIES + 2
    _assert_told_once(information_request, team_member, mailbox)
    assert row_link not in client.get(changelist, {"email_state__exact": "failed"}).content.decode()
