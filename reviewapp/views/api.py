"""`POST /api/warning-signs/`: monitoring systems report warning signs (docs/warning-signs.md).

Authenticated by a bearer token (`manage.py warning_sign_token`), not by a session, so
CSRF does not apply. Every answer is JSON: 201 with the sign's id (also for a retry with
the same Idempotency-Key), 400 naming the field at fault, 401 without a live token, 403
for a report the token's source does not report on, 409 for a key reused with another
body, 413 for a body over 64 KB, 429 over the rate limit. Nothing is written on any error.
"""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from monitoring.intake import BODY_MAX, WrongReport, receive
from monitoring.services import KeyReused, RateLimited, SignInvalid, source_of


def _error(status: int, message: str, field: str | None = None, **headers) -> JsonResponse:
    body = {"error": message} | ({"field": field} if field else {})
    return JsonResponse(body, status=status, headers=headers)


def _bearer(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt
@require_POST
def warning_signs_api(request):
    source = source_of(_bearer(request))
    if source is None:
        return _error(401, "A live bearer token is required.", **{"WWW-Authenticate": "Bearer"})
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit():
        return _error(400, "A Content-Length of digits is required.", "body")
    if int(length) > BODY_MAX:
        return _error(413, f"The body is over {BODY_MAX // 1024} KB.", "body")
    try:
        sign, created = receive(
            source=source, body=request.body, idempotency_key=request.headers.get("Idempotency-Key", "").strip()
        )
    except SignInvalid as invalid:
        return _error(400, invalid.message, invalid.field)
    except WrongReport:
        return _error(403, "This token's source does not report on that report.", "report")
    except KeyReused:
        return _error(409, "This Idempotency-Key was used with a different body.", "Idempotency-Key")
    except RateLimited:
        return _error(429, "Too many warning signs from this source in the last minute.", **{"Retry-After": "60"})
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return JsonResponse({"id": sign.pk}, status=201, headers=headers)


urlpatterns = [path("api/warning-signs/", warning_signs_api, name="warning_signs_api")]
