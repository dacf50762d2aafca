"""Who signed in, from where: the address rule and the sign-in log, connected at start-up
(reviewapp.apps) so that every way of signing in, the test client's included, is covered."""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import signals
from django.dispatch import receiver
from django.utils import timezone

from pathways.models import User
from reviewapp.middleware import SEEN_KEY, SIGNED_IN_KEY

accounts = logging.getLogger("reviewapp.accounts")


def client_address(request) -> str:
    """The address a sign-in came from: the socket's, unless a configured proxy says whose."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The proxy appends the address it saw; anything before it the client may have written.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


@receiver(signals.user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    """The session starts its idle clock; the person is seen now."""
    now = timezone.now()
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = request.session[SIGNED_IN_KEY] = int(now.timestamp())
    User.objects.filter(pk=user.pk).update(last_seen=now)
    accounts.info("signed in %s from %s", user.get_username(), client_address(request) if request else "-")


@receiver(signals.user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        accounts.info("signed out %s", user.get_username())


@receiver(signals.user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    accounts.info(
        "sign-in failed for %r from %s",
        str(credentials.get("username", ""))[:150],
        client_address(request) if request else "-",
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    accounts.warning("locked out %r and %s after repeated failed sign-ins", str(username or "")[:150], ip_address)
