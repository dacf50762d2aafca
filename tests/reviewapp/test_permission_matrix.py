"""Every URL × every persona, with the status each must get.

Out of scope is 404 (never 403, which would confirm the thing exists); visible but not
changeable is 403; anonymous people are sent to log in. A URL added to urls.py without
a row here fails `test_every_url_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

IN_SCOPE = {"author": 200, "stress_tester": 200, "external_reviewer": 200, "leadership": 200, "team_member": 200}
REPORT_PAGE = {**IN_SCOPE, "outsider": 404, "anonymous": 302}
HIDDEN_FROM_EXTERNAL = {**REPORT_PAGE, "external_reviewer": 404}
SIGNED_IN = {
    "author": 200,
    "stress_tester": 200,
    "external_reviewer": 200,
    "leadership": 200,
    "team_member": 200,
    "outsider": 200,
}

# (url name, kwargs, method, extra request headers, expected status per persona)
MATRIX = [
    ("home", {}, "get", {}, {**SIGNED_IN, "anonymous": 302}),
    ("healthz", {}, "get", {}, {**SIGNED_IN, "anonymous": 200}),
    ("login", {}, "get", {}, {**{p: 302 for p in SIGNED_IN}, "anonymous": 200}),
    ("logout", {}, "post", {}, {**{p: 302 for p in SIGNED_IN}, "anonymous": 302}),
    ("report_detail", {"slug": "pilot"}, "get", {}, REPORT_PAGE),
    ("report_detail", {"slug": "no-such-report"}, "get", {}, {**{p: 404 for p in SIGNED_IN}, "anonymous": 302}),
    (
        "report_status",
        {"slug": "pilot"},
        "post",
        {},
        {**{p: 403 for p in IN_SCOPE}, "author": 302, "outsider": 404, "anonymous": 302},
    ),
    ("pathway_detail", {"slug": "pilot", "pathway_slug": "exfiltration"}, "get", {}, REPORT_PAGE),
    ("pathway_detail", {"slug": "pilot", "pathway_slug": "government"}, "get", {}, HIDDEN_FROM_EXTERNAL),
    ("claim_index", {"slug": "pilot"}, "get", {}, REPORT_PAGE),
    ("claim_index", {"slug": "pilot"}, "get", {"HTTP_HX_REQUEST": "true"}, {**REPORT_PAGE, "anonymous": 200}),
    ("claim_detail", {"slug": "pilot", "claim_slug": "egress-monitoring"}, "get", {}, REPORT_PAGE),
    ("claim_detail", {"slug": "pilot", "claim_slug": "file-permissions"}, "get", {}, REPORT_PAGE),
    ("claim_detail", {"slug": "pilot", "claim_slug": "internal-only"}, "get", {}, HIDDEN_FROM_EXTERNAL),
    ("claim_detail", {"slug": "pilot", "claim_slug": "gov-affordances"}, "get", {}, HIDDEN_FROM_EXTERNAL),
    (
        "claim_evidence",
        {"slug": "pilot", "claim_slug": "egress-monitoring"},
        "get",
        {"HTTP_HX_REQUEST": "true"},
        {**REPORT_PAGE, "anonymous": 200},
    ),
    (
        "claim_evidence",
        {"slug": "pilot", "claim_slug": "internal-only"},
        "get",
        {"HTTP_HX_REQUEST": "true"},
        {**HIDDEN_FROM_EXTERNAL, "anonymous": 200},
    ),
    ("claim_evidence", {"slug": "pilot", "claim_slug": "gov-affordances"}, "get", {}, HIDDEN_FROM_EXTERNAL),
    ("load_bearing", {"slug": "pilot"}, "get", {}, REPORT_PAGE),
    ("evidence_index", {"slug": "pilot"}, "get", {}, REPORT_PAGE),
    ("evidence_detail", {"slug": "pilot", "evidence_slug": "egress-review"}, "get", {}, REPORT_PAGE),
    ("evidence_detail", {"slug": "pilot", "evidence_slug": "classifier-notes"}, "get", {}, HIDDEN_FROM_EXTERNAL),
    ("evidence_detail", {"slug": "pilot", "evidence_slug": "gov-usage"}, "get", {}, HIDDEN_FROM_EXTERNAL),
]


def _cases():
    for name, kwargs, method, headers, expected in MATRIX:
        for persona in PERSONAS:
            label = f"{name}-{'-'.join(kwargs.values()) or 'root'}-{method}{'-htmx' if headers else ''}-{persona}"
            yield pytest.param(name, kwargs, method, headers, expected[persona], persona, id=label)


@pytest.mark.parametrize("name,kwargs,method,headers,expected,persona", list(_cases()), indirect=["persona"])
def test_each_persona_gets_the_expected_status(client, world, name, kwargs, method, headers, expected, persona):
    if persona is not None:
        client.force_login(persona)
    data = {"status": "in_review"} if name == "report_status" else {}
    response = getattr(client, method)(reverse(name, kwargs=kwargs), data, **headers)
    assert response.status_code == expected


def test_an_expired_session_on_a_fragment_redirects_the_whole_page(client, world):
    response = client.get(
        reverse("claim_evidence", kwargs={"slug": "pilot", "claim_slug": "egress-monitoring"}), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert response.content == b""


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin has its own staff check, tested below
            yield from _named_patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern.name


def test_every_url_is_in_the_matrix():
    covered = {row[0] for row in MATRIX}
    missing = {name for name in _named_patterns(get_resolver().url_patterns)} - covered
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_the_admin_is_for_staff_only(client, persona):
    if persona is not None:
        client.force_login(persona)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
