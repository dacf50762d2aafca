"""Every URL × every persona, with the status each must get.

Out of scope is 404 (never 403, which would confirm the thing exists); visible but not
changeable is 403; anonymous people are sent to log in. The rows live in
tests/reviewapp/matrix/, one module per feature. A URL added to urls.py without a row
fails `test_every_url_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS
from tests.reviewapp.matrix import (
    authoring,
    carrying,
    comments,
    exports,
    findings,
    monitoring,
    notifications,
    people,
    reading,
    requests,
    roadmap,
    search,
    verdicts,
    versions,
)

MATRIX = [
    *reading.ROWS,
    *requests.ROWS,
    *comments.ROWS,
    *verdicts.ROWS,
    *authoring.ROWS,
    *notifications.ROWS,
    *exports.ROWS,
    *search.ROWS,
    *versions.ROWS,
    *carrying.ROWS,
    *monitoring.ROWS,
    *findings.ROWS,
    *roadmap.ROWS,
    *people.ROWS,
]


def _cases():
    for index, row in enumerate(MATRIX):
        for persona in PERSONAS:
            label = f"{index:03d}-{row.name}-{row.label or row.method}{'-htmx' if row.headers else ''}-{persona}"
            yield pytest.param(row, row.expected[persona], persona, id=label)


@pytest.mark.parametrize("row,expected,persona", list(_cases()), indirect=["persona"])
def test_each_persona_gets_the_expected_status(client, world, request, row, expected, persona):
    objects = row.setup(world, request.getfixturevalue) if row.setup else None
    kwargs = row.kwargs(world, objects) if callable(row.kwargs) else row.kwargs
    data = row.data(world, objects) if callable(row.data) else row.data
    if persona is not None:
        client.force_login(persona)
    response = getattr(client, row.method)(reverse(row.name, kwargs=kwargs), data, **row.headers)
    assert response.status_code == expected


def test_an_expired_session_on_a_fragment_redirects_the_whole_page(client, world):
    response = client.get(
        reverse("claim_evidence", kwargs={"slug": "pilot", "claim_slug": "egress-monitoring"}), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert response.content == b""


def _named_patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own staff check, tested below
            yield from _named_patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.name


def test_every_url_is_in_the_matrix():
    covered = {row.name for row in MATRIX}
    missing = set(_named_patterns(get_resolver().url_patterns)) - covered
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_the_admin_is_for_staff_only(client, persona):
    if persona is not None:
        client.force_login(persona)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
