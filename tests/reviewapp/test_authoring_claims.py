"""Authors edit a claim in place: its statement, its pathways and the evidence it cites (found
from the editor), refused over a newer version, across reports, with bad redaction spans or
by anyone but an author, changing nothing then."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from evidence.enums import Relation
from evidence.models import ClaimEvidence
from evidence.services.editing import claim_update_with_evidence
from pathways.models import AuditEntry, Claim, PathwayClaim
from pathways.services import EditConflict, EditRefused, claim_update, pathway_update
from tests.conftest import CANARY_INTERNAL_SPAN
from tests.factories import EvidenceFactory, PathwayFactory, ReportFactory
from tests.helpers import HTMX


def claim_url(name, claim_slug="egress-monitoring"):
    return reverse(name, args=["pilot", claim_slug])


def claim_post(world, **overrides):
    data = {
        "version": 1,
        "statement": "Large outbound transfers are detected within minutes.",
        "rationale": world.public_claim.rationale,
        "category": "monitoring",
        "sensitivity": "public",
        "owner_team": world.team.pk,
        "pathways": [world.in_scope.pk, world.also_in_scope.pk],
        "evidence_links": [f"{world.public_evidence.pk}:supports", f"{world.internal_evidence.pk}:undermines", ""],
    }
    data.update(overrides)
    return data


def snapshot(claim):
    claim = Claim.objects.get(pk=claim.pk)
    return (
        claim.statement,
        claim.rationale,
        claim.version,
        sorted(claim.pathway_links.values_list("pathway_id", flat=True)),
        sorted(ClaimEvidence.objects.filter(claim=claim).values_list("evidence_id", "relation")),
    )


# --------------------------------------------------------------------------------- claims


def test_an_author_edits_a_claim_its_pathways_and_its_evidence(client, world, author):
    client.force_login(author)
    data = claim_post(
        world,
        statement="Transfers are detected within minutes.",
        category="security",
        owner_team=world.other_team.pk,
        pathways=[world.in_scope.pk, world.out_of_scope.pk],
        evidence_links=[f"{world.public_evidence.pk}:context", "", ""],
    )
    assert client.post(claim_url("claim_edit"), data).status_code == 302
    claim = Claim.objects.get(pk=world.public_claim.pk)
    assert (claim.statement, claim.category, claim.owner_team, claim.version) == (
        "Transfers are detected within minutes.",
        "security",
        world.other_team,
        2,
    )
    assert set(claim.pathway_links.values_list("pathway__slug", flat=True)) == {"exfiltration", "government"}
    new_link = PathwayClaim.objects.get(claim=claim, pathway=world.out_of_scope)
    assert new_link.position == 1  # after the claim already resting on that pathway
    assert list(ClaimEvidence.objects.filter(claim=claim).values_list("evidence__slug", "relation")) == [
        ("egress-review", Relation.CONTEXT)
    ]
    changes = AuditEntry.objects.get(action="pathways.claim.changed").data["changes"]
    assert set(changes) == {"statement", "category", "owner_team", "pathways", "evidence"}
    assert changes["owner_team"] == {"before": "Security", "after": "Alignment Science"}
    assert changes["pathways"]["after"] == ["Self-exfiltration", f"{world.out_of_scope.title}"]
    assert changes["evidence"]["after"] == ["context: Egress review"]


def test_the_claim_form_shows_the_saved_links(client, world, author):
    client.force_login(author)
    body = client.get(claim_url("claim_edit"), **HTMX).content.decode()
    assert f'value="{world.public_evidence.pk}:supports" selected' in body
    assert f'value="{world.internal_evidence.pk}:undermines" selected' in body
    assert f'name="pathways" value="{world.in_scope.pk}" id="id_pathways_0" checked' in body


def test_two_editors_save_the_same_claim_and_the_second_sees_the_conflict_view(client, world, author, second_author):
    first, second = client, client.__class__()
    first.force_login(author)
    second.force_login(second_author)
    for person in (first, second):  # both open the form on version 1
        assert 'name="version" value="1"' in person.get(claim_url("claim_edit")).content.decode()

    first_text = claim_post(world, rationale="The first editor's rationale, saved first.")
    assert first.post(claim_url("claim_edit"), first_text).status_code == 302
    second_text = claim_post(world, rationale="The second editor's rationale, written in parallel.")
    response = second.post(claim_url("claim_edit"), second_text, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone saved this while you were editing" in body
    assert "Nothing of yours has been saved, and nothing of theirs was overwritten." in body
    assert "The first editor&#x27;s rationale, saved first." in body  # theirs, shown
    assert "The second editor&#x27;s rationale, written in parallel.</textarea>" in body  # yours, in the box
    assert "<del>" in body and "<ins>" in body
    assert 'name="version" value="2"' in body  # now based on their version
    assert str(author) in body
    claim = Claim.objects.get(pk=world.public_claim.pk)
    assert (claim.rationale, claim.version) == ("The first editor's rationale, saved first.", 2)

    # Starting again from the saved version: the second editor's save now goes through.
    assert second.post(claim_url("claim_edit"), {**second_text, "version": 2}).status_code == 302
    claim.refresh_from_db()
    assert (claim.rationale, claim.version) == ("The second editor's rationale, written in parallel.", 3)


def test_a_claim_service_edit_from_an_old_version_raises_a_conflict_and_changes_nothing(world, author):
    claim_update(claim=world.public_claim, editor=author, version=1, statement="First.")
    before = snapshot(world.public_claim)
    with pytest.raises(EditConflict) as conflict:
        claim_update_with_evidence(
            claim=world.public_claim, editor=author, version=1, statement="Second.", evidence_links=[]
        )
    assert conflict.value.current.statement == "First."
    assert snapshot(world.public_claim) == before


def test_a_pathway_of_another_report_is_refused_and_nothing_changes(client, world, author):
    elsewhere = PathwayFactory(report=ReportFactory(slug="elsewhere"))
    client.force_login(author)
    before = snapshot(world.public_claim)
    data = claim_post(world, statement="Changed?", pathways=[world.in_scope.pk, elsewhere.pk])
    response = client.post(claim_url("claim_edit"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(world.public_claim) == before
    assert not AuditEntry.objects.exists()
    with pytest.raises(EditRefused):
        claim_update(claim=world.public_claim, editor=author, version=1, pathways=[world.in_scope, elsewhere])
    assert snapshot(world.public_claim) == before


def test_evidence_of_another_report_is_refused_and_nothing_changes(client, world, author):
    elsewhere = EvidenceFactory(report=ReportFactory(slug="elsewhere"))
    client.force_login(author)
    before = snapshot(world.public_claim)
    data = claim_post(world, statement="Changed?", evidence_links=[f"{elsewhere.pk}:supports"])
    body = client.post(claim_url("claim_edit"), data).content.decode()
    assert "not in this report" in body
    assert snapshot(world.public_claim) == before
    with pytest.raises(EditRefused):
        claim_update_with_evidence(
            claim=world.public_claim,
            editor=author,
            version=1,
            statement="Changed?",
            evidence_links=[(elsewhere, "supports")],
        )
    assert snapshot(world.public_claim) == before
    assert not AuditEntry.objects.exists()


def test_the_same_evidence_twice_is_refused(client, world, author):
    client.force_login(author)
    before = snapshot(world.public_claim)
    pk = world.public_evidence.pk
    body = client.post(claim_url("claim_edit"), claim_post(world, evidence_links=[f"{pk}:supports", f"{pk}:context"]))
    assert "cited once" in body.content.decode()
    assert snapshot(world.public_claim) == before


# ------------------------------------------------------------------ finding evidence to cite


def test_the_claim_editor_lists_what_the_claim_cites_not_every_item_of_the_report(client, world, author):
    uncited = EvidenceFactory(report=world.report, title="Quarterly pen-test of the egress proxy")
    ClaimEvidence.objects.filter(claim=world.public_claim).delete()
    ClaimEvidence.objects.create(claim=world.public_claim, evidence=world.public_evidence, relation="supports")
    client.force_login(author)
    body = client.get(claim_url("claim_edit")).content.decode()
    assert f'id="evidence-link-{world.public_evidence.pk}"' in body
    assert f'value="{world.public_evidence.pk}:supports" selected' in body
    assert f'id="evidence-link-{uncited.pk}"' not in body and uncited.title not in body
    assert 'name="evidence_search"' in body and 'name="find_evidence"' in body


def test_finding_evidence_lists_matches_saves_nothing_and_keeps_what_was_typed(client, world, author):
    wanted = EvidenceFactory(report=world.report, title="Quarterly pen-test of the egress proxy")
    elsewhere = EvidenceFactory(report=ReportFactory(slug="elsewhere"), title="Pen-test of another report")
    client.force_login(author)
    before = snapshot(world.public_claim)
    data = claim_post(
        world,
        statement="Typed but not saved.",
        evidence_search="pen-test proxy",
        find_evidence="1",
        evidence_shown=[elsewhere.pk, "x"],  # a forged or foreign id shows nothing
    )
    for headers in ({}, HTMX):
        response = client.post(claim_url("claim_edit"), data, **headers)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Typed but not saved." in body
        assert f'id="evidence-link-{wanted.pk}"' in body and "Found for “pen-test proxy”" in body
        assert elsewhere.title not in body
        assert snapshot(world.public_claim) == before
    assert not AuditEntry.objects.exists()
    cited = claim_post(world, evidence_links=[f"{wanted.pk}:supports"], evidence_search="pen-test")
    assert client.post(claim_url("claim_edit"), cited).status_code == 302
    assert list(ClaimEvidence.objects.filter(claim=world.public_claim).values_list("evidence_id", "relation")) == [
        (wanted.pk, "supports")
    ]


def test_a_search_that_matches_many_shows_the_first_and_says_to_narrow_it(client, world, author):
    from reviewapp.forms.authoring import EVIDENCE_FOUND_LIMIT

    for number in range(EVIDENCE_FOUND_LIMIT + 2):
        EvidenceFactory(report=world.report, title=f"Red-team transcript {number}")
    client.force_login(author)
    body = client.post(
        claim_url("claim_edit"), claim_post(world, evidence_search="transcript", find_evidence="1")
    ).content.decode()
    assert body.count("Red-team transcript") == EVIDENCE_FOUND_LIMIT
    assert "more match, so narrow the search" in body
    nothing = client.post(claim_url("claim_edit"), claim_post(world, evidence_search="zzz", find_evidence="1"))
    assert "matches “zzz”" in nothing.content.decode()


def test_an_item_set_back_to_not_cited_stays_in_the_table_until_saved(client, world, author):
    client.force_login(author)
    data = claim_post(
        world,
        evidence_links=[f"{world.public_evidence.pk}:supports", ""],
        evidence_shown=[world.public_evidence.pk, world.internal_evidence.pk],
        evidence_search="",
        find_evidence="1",
    )
    body = client.post(claim_url("claim_edit"), data).content.decode()
    assert f'id="evidence-link-{world.internal_evidence.pk}"' in body
    assert f'value="{world.internal_evidence.pk}:supports" selected' not in body


@pytest.mark.parametrize(
    "field,text,message",
    [
        ("rationale", "Fine until [[internal]]this never closes", "unclosed [[internal]] span"),
        ("rationale", "[[internal]]outer [[reviewer]]inner[[/reviewer]][[/internal]]", "nested span"),
        ("statement", "A statement with [[internal]]a span[[/internal]]", "only allowed in Markdown fields"),
    ],
    ids=["unclosed", "nested", "span-in-plain-text"],
)
def test_bad_redaction_spans_are_refused_next_to_the_field_and_the_text_is_kept(
    client, world, author, field, text, message
):
    client.force_login(author)
    before = snapshot(world.public_claim)
    response = client.post(claim_url("claim_edit"), claim_post(world, **{field: text}))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="field-error" id="id_{field}_error">' in body
    assert message in body
    assert escape(text) in body  # what was typed stays in the box
    assert snapshot(world.public_claim) == before


def test_the_service_refuses_bad_spans_too(world, author):
    with pytest.raises(EditRefused) as refused:
        pathway_update(pathway=world.in_scope, editor=author, version=1, argument="[[internal]]open")
    assert "argument" in refused.value.errors
    world.in_scope.refresh_from_db()
    assert world.in_scope.version == 1


@pytest.mark.parametrize("persona", ["stress_tester", "leadership", "team_member", "external_reviewer"])
def test_a_non_author_who_posts_an_edit_is_refused_and_nothing_changes(client, world, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(world.public_claim)
    response = client.post(claim_url("claim_edit"), claim_post(world, statement="Hijacked."))
    assert response.status_code == 403
    assert snapshot(world.public_claim) == before
    assert CANARY_INTERNAL_SPAN not in response.content.decode()


def test_the_service_refuses_a_non_author(world, stress_tester):
    with pytest.raises(EditRefused):
        claim_update(claim=world.public_claim, editor=stress_tester, version=1, statement="Hijacked.")
    assert Claim.objects.get(pk=world.public_claim.pk).statement == "Large outbound transfers are detected."
