import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import get_exception_response
from django.urls import get_resolver, get_urlconf
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject

from pathways.access import access_of, remember_access
from pathways.models import User

SEEN_KEY = "seen_at"  # in the session: when its person last made a request (Unix seconds)
SIGNED_IN_KEY = "signed_in_at"  # and when they signed in: no session outlives SESSION_COOKIE_AGE
SIGNED_OUT_IDLE_KEY = "signed_out_idle"
# How stale `seen_at` and the person's `last_seen` may grow before they are written again:
# a write at most every few minutes, not one on every request.
SEEN_REFRESH_SECONDS = 300


class IdleSessionMiddleware:
    """A session unused for SESSION_IDLE_SECONDS, or signed in longer than SESSION_COOKIE_AGE
    ago (the cookie's own age restarts at each save), is over: the person is signed out and
    the sign-in page says why. A session in use is kept alive, and the person's `last_seen`
    (the People page) kept within SEEN_REFRESH_SECONDS of the truth."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            signed_in = request.session.get(SIGNED_IN_KEY)
            too_old = signed_in is not None and now - signed_in > settings.SESSION_COOKIE_AGE
            if too_old or (seen is not None and now - seen > settings.SESSION_IDLE_SECONDS):
                logout(request)
                request.session[SIGNED_OUT_IDLE_KEY] = "age" if too_old else "idle"
            elif seen is None or now - seen >= SEEN_REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
                User.objects.filter(pk=request.user.pk).update(last_seen=timezone.now())
        return self.get_response(request)


class AccessMiddleware:
    """What the signed-in person can reach, computed once for this request, on first use
    (one query), and kept on the request's user: `request.access`. Revoking a grant takes
    effect on the person's next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        remember_access(request.user)
        request.access = SimpleLazyObject(lambda: access_of(request.user))
        return self.get_response(request)


class HtmxVaryMiddleware:
    """Fragments and full pages share URLs, so caches must key on HX-Request; and what a
    signed-in person sees is theirs alone, so no shared cache may keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


refusals = logging.getLogger("reviewapp.refusals")


class RefusalLogMiddleware:
    """A refused request (PermissionDenied, answered 403) is an expected event, not an error:
    it is logged as one line, who, what and why, where Django would log a full traceback.
    The 403 page is the one Django would have shown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        response = get_exception_response(request, get_resolver(get_urlconf()), 403, exception)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        refusals.warning(
            "refused %s %s %s for %s%s",
            response.status_code,
            request.method,
            request.get_full_path()[:300],
            who,
            f": {exception}" if str(exception) else "",
        )
        response._has_been_logged = True  # Django's own "Forbidden: …" line would repeat this one
        return response
