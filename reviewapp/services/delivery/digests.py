"""The daily digest: one email a person with everything they chose to hear of that way and
have not yet been sent, each item rendered again under their scope when it goes."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from reviewapp.enums import EmailState, NotificationState
from reviewapp.models import Notification
from reviewapp.services.delivery.texts import RENDERING_RELATED, Rendered, digest_text, render_for_recipient


def digest_send(user_id: int) -> int:
    """One email with everything this person chose to hear of in the daily digest and has
    not yet been sent; each item rendered again under their scope now. Returns how many it listed."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related(*RENDERING_RELATED)
            .filter(recipient_id=user_id, state=NotificationState.DELIVERED, email_state=EmailState.DIGEST)
            .order_by("created_at", "id")
        )
        listed: list[tuple[Notification, Rendered]] = []
        hidden: list[Notification] = []
        for notification in waiting:
            rendered = render_for_recipient(notification)
            if rendered is not None:
                listed.append((notification, rendered))
            else:
                hidden.append(notification)
        now = timezone.now()
        for notification in hidden:
            notification.state, notification.email_state = NotificationState.SUPPRESSED, EmailState.NONE
            notification.save(update_fields=["state", "email_state"])
        if not listed:
            return 0
        recipient = listed[0][0].recipient
        subject, body = digest_text([rendered for _, rendered in listed])
        send_mail(subject, body, None, [recipient.email])
        for notification, _ in listed:
            notification.email_state, notification.emailed_at = EmailState.DIGESTED, now
            notification.save(update_fields=["email_state", "emailed_at"])
        return len(listed)


def digest_recipients() -> list[int]:
    """The people with something waiting for their digest."""
    return list(
        Notification.objects.filter(state=NotificationState.DELIVERED, email_state=EmailState.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
