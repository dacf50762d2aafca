"""Delivering the outbox: each notification rendered under its recipient's scope at sending
time, shown in the app and sent by email (at once or in the daily digest), and the daily
reminders that chase information requests.

What a person is told is read through the same scope functions as every page
(`information_requests_visible_to`, `comments_visible_to`, `verdicts_visible_to`, …), at
their reading level, at the moment of sending: a thing they cannot see then (never could,
or no longer can) is not mentioned, and the notification is `suppressed`. Free text (a
question, an answer, a comment, a rationale) is quoted with spans above their level
redacted. Every step here is idempotent: it locks its outbox rows and acts only on rows
still in the state it expects, so a task run twice (a retry, a redelivery after a worker
died) sends nothing twice.

- `texts`: what a notification and its emails say (`render_for_recipient`), worded in templates;
- `sending`: a notification shown in the app, then its email (`notification_deliver`,
  `notification_email_send`);
- `digests`: the daily digest (`digest_send`, `digest_recipients`);
- `failures`: a row failed for good, an admin's retry, the sweep of what was left behind;
- `reminders`: the daily chase of requests due tomorrow or overdue.

The tasks (`reviewapp.tasks.notifications`) and the admin call the names exported here.
"""

from reviewapp.services.delivery.digests import digest_recipients, digest_send
from reviewapp.services.delivery.failures import delivery_failed, notifications_retry, outbox_sweep
from reviewapp.services.delivery.reminders import request_reminders, roadmap_reminders
from reviewapp.services.delivery.sending import notification_deliver, notification_email_send
from reviewapp.services.delivery.texts import Rendered, render_for_recipient

__all__ = [
    "Rendered",
    "delivery_failed",
    "digest_recipients",
    "digest_send",
    "notification_deliver",
    "notification_email_send",
    "notifications_retry",
    "outbox_sweep",
    "render_for_recipient",
    "request_reminders",
    "roadmap_reminders",
]
