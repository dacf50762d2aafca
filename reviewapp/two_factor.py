"""The second factor: a TOTP authenticator (django-otp), with single-use recovery codes.

Rules:
- Required of external reviewers, of anyone who may sign off (leadership on any report) and
  of staff:
  until they have proved it in this session they reach nothing but the pages that set it up
  or check it, and signing out (`SecondFactorMiddleware`).
- Proof lasts the session: `SESSION_KEY` holds when it was given. Signing out, or the idle
  timeout, ends it. Reading the flag costs no query, so pages cost the same with it.
- A wrong code counts against the device with a growing delay (django-otp's throttling);
  a recovery code works once. Set-up, each proof and each failure are one log line.
"""

import logging
import time

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.access import Access
from pathways.enums import Role

SESSION_KEY = "second_factor_at"
RECOVERY_CODES = 10
# What someone who still owes the second factor may open.
OPEN_BEFORE = {"two_factor_setup", "two_factor_verify", "logout", "healthz"}

log = logging.getLogger("reviewapp.accounts")


def second_factor_required(access: Access) -> bool:
    """External reviewers, anyone who may sign off, and staff (who give clearance and grants)."""
    if not access.signed_in:
        return False
    user = access.user
    return access.is_external or bool(access.report_ids_with({Role.LEADERSHIP})) or bool(user and user.is_staff)


def proved(request) -> bool:
    return bool(request.session.get(SESSION_KEY))


def mark_proved(request, how: str) -> None:
    request.session[SESSION_KEY] = int(time.time())
    log.info("second factor given by %s (%s)", request.user.get_username(), how)


def confirmed_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


PENDING_KEY = "second_factor_pending"


def pending_authenticator(request) -> TOTPDevice:
    """The authenticator being set up in this session. A new session gets a new key (any
    earlier unconfirmed one is dropped), so a key seen before, by whoever had the password
    then, is not the one the person scans."""
    user = request.user
    pending = request.session.get(PENDING_KEY)
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=pending).first() if pending else None
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        request.session[PENDING_KEY] = device.pk
    return device


def new_recovery_codes(user) -> list[str]:
    """Ten fresh single-use codes; any earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def check_code(user, code: str) -> str | None:
    """How the code proved the person ("authenticator" or "recovery code"), or None."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    if code.isdigit():
        device = confirmed_authenticator(user)
        if device is not None and device.verify_token(code):
            return "authenticator"
    else:
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return "recovery code"
    log.info("second factor refused for %s", user.get_username())
    return None


class SecondFactorMiddleware:
    """Sends someone who owes the second factor to set it up or give it, whatever they asked
    for; htmx requests get HX-Redirect, so the whole page goes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or proved(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE:
            return None
        if not second_factor_required(request.access):
            return None
        page = "two_factor_verify" if confirmed_authenticator(request.user) else "two_factor_setup"
        target = f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
