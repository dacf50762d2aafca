"""Signing in and out, and resetting a forgotten password.

The rules, kept by Django and django-axes together:
- A wrong password and an unknown username get the same answer, and both run the password
  hasher (Django hashes a dummy for an unknown one), so neither text nor timing tells which.
- After SIGNIN_FAILURE_LIMIT failures for one username or from one address, sign-in is
  refused for SIGNIN_COOLOFF_MINUTES, the right password included (`locked_out`); a reset
  link does not lift it. The address is the socket's, or with BEHIND_PROXY the one the proxy
  saw (`client_address`).
- A password reset answers the same whether or not the address belongs to anyone; the link
  is single-use and expires (PASSWORD_RESET_TIMEOUT).
- Each sign-in, sign-out, failure, lock-out and reset is one line in the log
  (`reviewapp.accounts`, and axes's own), never with the password.
- A session ends after SESSION_IDLE_MINUTES without a request (`IdleSessionMiddleware`).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse_lazy

from reviewapp.accounts import accounts, client_address
from reviewapp.middleware import SIGNED_OUT_IDLE_KEY


def locked_out(request, credentials, *args, **kwargs):
    """What a locked-out sign-in sees: the form again, saying why and for how long (429)."""
    form = AuthenticationForm(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": form,
        "locked_out": f"Too many failed sign-ins. Sign-in is paused for {minutes} minutes; try again then.",
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        why = self.request.session.pop(SIGNED_OUT_IDLE_KEY, "")
        if why == "age":
            hours = settings.SESSION_COOKIE_AGE // 3600
            context["signed_out_idle"] = f"You were signed out: a session lasts at most {hours} hours."
        elif why:
            minutes = settings.SESSION_IDLE_SECONDS // 60
            context["signed_out_idle"] = f"You were signed out after {minutes} minutes without activity."
        return context


class ResetView(auth_views.PasswordResetView):
    """The link in the email is built on SITE_URL, never on the Host the request named."""

    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
        )
        accounts.info("password reset asked for an address from %s", client_address(self.request))
        return HttpResponseRedirect(self.get_success_url())


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.info("password reset for %s", form.user.get_username())
        return response


urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", ResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
