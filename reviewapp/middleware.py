from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject

from pathways.access import access_of, remember_access


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
