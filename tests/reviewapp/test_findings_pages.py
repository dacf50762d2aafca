"""The findings pages: raising one from a claim or a line of defence, the list with its
filters, a finding's page and the authors' answer, each refusing bad input with a clear
error and writing nothing, and each answering 404 for what the reader cannot see."""

import pytest
from django.urls import reverse

from reviewapp.models import Finding
from tests.factories import FindingFactory
from tests.helpers import body, page_queries

FORM = {"kind": "evidence_insufficient", "severity": "major", "text": "One drill is not enough.", "where": ""}


def claim_form(world, claim=None) -> str:
    return reverse("finding_on_claim", args=[world.report.slug, (claim or world.public_claim).slug])


def test_a_stress_tester_raises_a_finding_on_a_claim_s_use_in_a_pathway(client, world, stress_tester):
    client.force_login(stress_tester)
    form = body(client, claim_form(world))
    assert "Its use in “Self-exfiltration”" in form and "Its use in “Code backdoors”" in form
    assert "Internal: internal staff only" in form

    response = client.post(claim_form(world), {**FORM, "where": "backdoors", "visibility": "internal"})

    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "finding_detail", args=[world.report.slug, finding.pk]
    )
    assert (finding.pathway, finding.visibility, finding.severity) == (world.also_in_scope, "internal", "major")
    page = body(client, response["Location"])
    assert "the use of" in page and "Code backdoors" in page and "holds up the sign-off" in page


def test_an_external_reviewer_is_not_offered_internal_and_raises_on_a_line(client, world, external_reviewer):
    client.force_login(external_reviewer)
    url = reverse("finding_on_line", args=[world.report.slug, world.public_line.slug])
    assert "Internal: internal staff only" not in body(client, url)
    pathway = body(client, reverse("pathway_detail", args=[world.report.slug, world.in_scope.slug]))
    assert f'href="{url}"' in pathway

    client.post(url, {k: v for k, v in FORM.items() if k != "where"})

    assert Finding.objects.get().line == world.public_line


@pytest.mark.parametrize(
    "change, error",
    [
        pytest.param({"kind": ""}, "Choose what the finding says is wrong.", id="no-kind"),
        pytest.param({"severity": "huge"}, "Select a valid choice", id="bad-severity"),
        pytest.param({"text": ""}, "Write the finding.", id="no-text"),
        pytest.param({"text": "x" * 10_001}, "at most 10000 characters", id="too-long"),
        pytest.param({"where": "government"}, "Select a valid choice", id="forged-pathway"),
    ],
)
def test_a_bad_finding_form_says_what_is_wrong_and_writes_nothing(client, world, stress_tester, change, error):
    client.force_login(stress_tester)

    response = client.post(claim_form(world), {**FORM, **change})

    assert response.status_code == 200 and error in response.content.decode()
    assert not Finding.objects.exists()


def test_only_reviewers_may_raise_and_what_one_cannot_see_answers_404(client, world, author, external_reviewer):
    client.force_login(author)
    assert client.get(claim_form(world)).status_code == 403
    assert client.post(claim_form(world), FORM).status_code == 403
    client.force_login(external_reviewer)
    assert client.get(claim_form(world, world.internal_claim)).status_code == 404
    assert client.get(claim_form(world, world.out_of_scope_claim)).status_code == 404
    assert client.get(reverse("finding_on_line", args=[world.report.slug, world.internal_line.slug])).status_code == 404
    assert not Finding.objects.exists()


def test_the_authors_answer_and_a_stale_answer_is_refused_keeping_what_was_typed(client, world, author, stress_tester):
    finding = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    url = reverse("finding_answer", args=[world.report.slug, finding.pk])
    client.force_login(author)

    response = client.post(url, {"disposition": "mitigation_planned", "text": "A second drill.", "version": 1})
    assert response.status_code == 302
    stale = client.post(url, {"disposition": "refuted", "text": "My reason, kept.", "version": 1})

    assert stale.status_code == 409
    assert "Someone answered this finding since you opened it" in stale.content.decode()
    assert "My reason, kept." in stale.content.decode()
    finding.refresh_from_db()
    assert (finding.disposition, finding.disposition_text) == ("mitigation_planned", "A second drill.")
    # The kept answer now carries the version shown: saving it again replaces the other knowingly.
    assert 'name="version" value="2"' in stale.content.decode()
    again = client.post(url, {"disposition": "refuted", "text": "My reason, kept.", "version": 2})
    assert again.status_code == 302
    finding.refresh_from_db()
    assert (finding.disposition, finding.disposition_text) == ("refuted", "My reason, kept.")


@pytest.mark.parametrize(
    "data, error",
    [
        pytest.param(
            {"disposition": "refuted", "text": "", "version": 1}, "Say why the finding does not hold.", id="bare"
        ),
        pytest.param({"disposition": "ignored", "text": "", "version": 1}, "Select a valid choice", id="bad"),
        pytest.param(
            {"disposition": "refuted", "text": "x", "version": "one"}, "This form is out of date", id="forged"
        ),
    ],
)
def test_a_bad_answer_says_what_is_wrong_and_changes_nothing(client, world, author, stress_tester, data, error):
    finding = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    client.force_login(author)

    response = client.post(reverse("finding_answer", args=[world.report.slug, finding.pk]), data)

    assert response.status_code == 400 and error in response.content.decode()
    finding.refresh_from_db()
    assert finding.disposition == ""


def test_only_authors_answer(client, world, stress_tester, leadership):
    finding = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    client.force_login(stress_tester)
    assert "Answer the finding" not in body(client, reverse("finding_detail", args=[world.report.slug, finding.pk]))
    url = reverse("finding_answer", args=[world.report.slug, finding.pk])
    assert client.post(url, {"disposition": "refuted", "text": "No.", "version": 1}).status_code == 403
    client.force_login(leadership)
    assert client.post(url, {"disposition": "refuted", "text": "No.", "version": 1}).status_code == 403


def test_the_list_filters_by_state_and_severity(client, world, author, stress_tester):
    minor = FindingFactory(subject=world.public_claim, raiser=stress_tester, severity="minor")
    major = FindingFactory(subject=world.public_claim, raiser=stress_tester, severity="major")
    client.force_login(author)
    url = reverse("finding_list", args=[world.report.slug])

    def shown(query):
        html = body(client, url + query)
        return {
            finding.pk for finding in (minor, major) if reverse("finding_detail", args=["pilot", finding.pk]) in html
        }

    assert shown("") == {minor.pk, major.pk}
    assert shown("?severity=major") == {major.pk}
    assert shown("?state=answered") == set()
    assert "2 await a disposition, 1 of them major or critical, which holds up the sign-off" in body(client, url)
    assert shown("?state=nonsense&severity=nonsense") == {minor.pk, major.pk}


@pytest.mark.parametrize("persona", ["author", "external_reviewer", "team_member"])
def test_the_findings_pages_make_the_same_queries_however_many_findings(client, world, persona, request):
    reader = request.getfixturevalue(persona)
    raiser = request.getfixturevalue("external_reviewer")
    first = FindingFactory(subject=world.public_claim, raiser=raiser)
    client.force_login(reader)
    urls = [reverse("finding_list", args=["pilot"]), reverse("finding_detail", args=["pilot", first.pk])]
    before = [len(page_queries(client, url)) for url in urls]
    for _ in range(3):
        FindingFactory(subject=world.public_line, raiser=raiser)
        FindingFactory(subject=world.public_claim, raiser=raiser, pathway=world.in_scope)

    assert [len(page_queries(client, url)) for url in urls] == before
    assert before == {"author": [8, 6], "external_reviewer": [8, 6], "team_member": [8, 6]}[persona]
