"""Steps the verdict tests share: recording through the verdict form, an organisation's
current verdict, and the text of a page of the pilot report."""

from django.urls import reverse

from reviewapp.models import Verdict
from tests.helpers import HTMX


def record(client, conclusion, position, rationale="", *, htmx=False, revision=None, **extra):
    data = {"position": position, "rationale": rationale, "revision": revision or conclusion.revision, **extra}
    url = reverse("verdict_record", args=[conclusion.report.slug, conclusion.pk])
    return client.post(url, data, **(HTMX if htmx else {}))


def current(conclusion, organisation):
    return Verdict.objects.get(conclusion=conclusion, organisation=organisation, is_current=True)


def page(client, url_name, *args, **headers):
    response = client.get(reverse(url_name, args=["pilot", *args]), **headers)
    assert response.status_code == 200
    return response.content.decode()
