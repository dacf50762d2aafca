"""Permission-matrix rows for notifications, and the helper that puts delivered
notifications in the world (used by the notification tests too).

Every signed-in person has a list, a bell and settings of their own. A notification's own
URLs answer only its recipient: erin (the external reviewer) here; everyone else gets 404.
Erin's notification about a request on the `government` pathway, out of her scope, stands
for a text delivered before her access narrowed: it answers 404 to her as well.
"""

from django.utils import timezone

from reviewapp.enums import INTERNAL_ONLY_KINDS, Delivery, NotificationKind, NotificationState
from reviewapp.models import Notification
from tests.reviewapp.matrix import HTMX, SIGNED_IN, Row
from tests.reviewapp.matrix.requests import bob_government_request

PERSONAS_SIGNED_IN = list(SIGNED_IN)


def delivered(recipient, report, *, subject="New request to Security: How are transfers detected?", **fields):
    """A notification as the delivery task leaves it: rendered, in the app, unread."""
    fields.setdefault("kind", NotificationKind.REQUEST_FILED)
    fields.setdefault("body", "Holdout Evaluators asks Security:\n\nWhich drills showed it?")
    fields.setdefault("url", f"/reports/{report.slug}/")
    fields.setdefault("dedupe_key", f"test:{Notification.objects.count()}:{subject}")
    return Notification.objects.create(
        recipient=recipient,
        report=report,
        subject=subject,
        state=NotificationState.DELIVERED,
        delivered_at=timezone.now(),
        rendered_level=recipient.reading_level,
        **fields,
    )


def _erins(world, persona):
    return delivered(persona("external_reviewer"), world.report)


def _erins_out_of_scope(world, persona):
    information_request = bob_government_request(world, persona)
    return delivered(
        persona("external_reviewer"), world.report, subject="Gov question", information_request=information_request
    )


def _pk(world, notification):
    return {"pk": notification.pk}


ONLY_ERIN = {**dict.fromkeys(PERSONAS_SIGNED_IN, 404), "external_reviewer": 302, "anonymous": 302}
ONLY_ERIN_HTMX = {**ONLY_ERIN, "external_reviewer": 200, "anonymous": 200}
NOBODY = {**dict.fromkeys(PERSONAS_SIGNED_IN, 404), "anonymous": 302}
EVERYONE_DONE = {**dict.fromkeys(PERSONAS_SIGNED_IN, 302), "anonymous": 302}
EVERYONE_HTMX = {**SIGNED_IN, "anonymous": 200}
CHOICES = {f"delivery-{kind}": Delivery.DIGEST for kind in NotificationKind.values}
# An external reviewer is offered (and may set) only the kinds that can reach them; the
# others are refused for them, and internal people must answer every kind.
EXTERNAL_CHOICES = {
    key: value for key, value in CHOICES.items() if key.removeprefix("delivery-") not in INTERNAL_ONLY_KINDS
}

ROWS = [
    Row("notification_list", {**SIGNED_IN, "anonymous": 302}),
    Row("notification_list", EVERYONE_HTMX, headers=HTMX),
    Row("notification_bell", {**SIGNED_IN, "anonymous": 302}),
    Row("notification_bell", EVERYONE_HTMX, headers=HTMX),
    Row("notification_open", ONLY_ERIN, _pk, method="post", setup=_erins),
    Row("notification_open", NOBODY, _pk, method="post", setup=_erins_out_of_scope, label="out-of-scope"),
    Row("notification_mark_read", ONLY_ERIN, _pk, method="post", setup=_erins),
    Row("notification_mark_read", ONLY_ERIN_HTMX, _pk, method="post", headers=HTMX, setup=_erins),
    Row("notification_mark_read", NOBODY, _pk, method="post", setup=_erins_out_of_scope, label="out-of-scope"),
    Row("notification_mark_all_read", EVERYONE_DONE, method="post", setup=_erins),
    Row("notification_mark_all_read", EVERYONE_HTMX, method="post", headers=HTMX, setup=_erins),
    Row("notification_settings", {**SIGNED_IN, "anonymous": 302}),
    Row("notification_settings", {**EVERYONE_DONE, "external_reviewer": 200}, method="post", data=CHOICES),
    Row(
        "notification_settings",
        {**dict.fromkeys(PERSONAS_SIGNED_IN, 200), "external_reviewer": 302, "anonymous": 302},
        method="post",
        data=EXTERNAL_CHOICES,
        label="external kinds",
    ),
    Row(
        "notification_settings",
        {**SIGNED_IN, "anonymous": 302},
        method="post",
        data={**CHOICES, "delivery-mention": "carrier-pigeon"},
        label="refused",
    ),
]
