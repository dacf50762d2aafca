"""Setting up and giving the second factor (see reviewapp.two_factor for the rules)."""

import segno
from django import forms
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from reviewapp.pages import reader_required
from reviewapp.two_factor import (
    check_code,
    confirmed_authenticator,
    mark_proved,
    new_recovery_codes,
    pending_authenticator,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Type the code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if allowed and target.startswith("/") else "/"


@require_http_methods(["GET", "POST"])
@reader_required
def two_factor_setup(request):
    """Scan the key into an authenticator app, type the code it shows; then the recovery codes, once."""
    if confirmed_authenticator(request.user) is not None:
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next(request)})}")
    device = pending_authenticator(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_recovery_codes(request.user)
            mark_proved(request, "authenticator set up")
            return render(request, "registration/two_factor_recovery.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", "That code is not the one the app shows now: check the app's clock and try again.")
    key = device.config_url.split("secret=")[1].split("&")[0]
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f2933", light="#ffffff"),
        "key": " ".join(key[index : index + 4] for index in range(0, len(key), 4)),
        "next": _next(request),
    }
    return render(request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@reader_required
def two_factor_verify(request):
    if confirmed_authenticator(request.user) is None:
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        how = check_code(request.user, form.cleaned_data["code"])
        if how is not None:
            mark_proved(request, how)
            return redirect(_next(request))
        form.add_error("code", "That code does not work. Wait for the next one, or use a recovery code.")
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}, status=status)


urlpatterns = [
    path("accounts/two-factor/", two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor_setup, name="two_factor_setup"),
]
