"""Authors edit pathways, conclusions, claims and evidence in place; every edit carries the
version it started from, a save over a newer version is refused with a conflict view, and
every saved change is audited with its before and after."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from evidence.enums import Relation
from evidence.models import ClaimEvidence
from evidence.services.editing import claim_update_with_evidence, evidence_update
from pathways.enums import RiskLevel
from pathways.models import AuditEntry, Claim, Conclusion, PathwayClaim
from pathways.services import EditConflict, EditRefused, access_grant, claim_update, conclusion_update, pathway_update
from tests.conftest import CANARY_INTERNAL_SPAN
from tests.factories import EvidenceFactory, PathwayFactory, ReportFactory, UserFactory
from tests.helpers import HTMX, counted


@pytest.fixture
def second_author(world):
    person = UserFactory(username="alina")
    access_grant(report=world.report, user=person, role="author")
    return person


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


# ------------------------------------------------------------------------------- pathways


def test_an_author_edits_a_pathways_argument_and_the_change_is_audited(client, world, author):
    client.force_login(author)
    url = reverse("pathway_edit", args=["pilot", "exfiltration", "argument"])
    response = client.post(url, {"version": 1, "argument": "A **new** argument."})
    assert response.status_code == 302
    assert response["Location"] == reverse("pathway_detail", args=["pilot", "exfiltration"])
    world.in_scope.refresh_from_db()
    assert world.in_scope.argument == "A **new** argument."
    assert world.in_scope.version == 2
    entry = AuditEntry.objects.get(action="pathways.pathway.changed")
    assert entry.actor == author
    assert entry.target_id == world.in_scope.pk
    assert entry.data["changes"] == {
        "argument": {"before": "### Argument\n\nThe argument, in *Markdown*.", "after": "A **new** argument."}
    }
    assert entry.data["version"] == {"before": 1, "after": 2}


def test_the_edit_form_is_a_fragment_for_htmx_and_a_page_without(client, world, author):
    client.force_login(author)
    url = reverse("pathway_edit", args=["pilot", "exfiltration", "critical-action"])
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment
    assert 'id="critical-action"' in fragment
    assert 'name="version" value="1"' in fragment
    assert "The model takes a first step." in fragment
    assert 'name="argument"' not in fragment  # one section at a time
    page = client.get(url).content.decode()
    assert "<html" in page and 'name="critical_action"' in page
    assert f'href="{reverse("pathway_detail", args=["pilot", "exfiltration"])}">Cancel</a>' in page


def test_an_htmx_save_swaps_back_the_rendered_section(client, world, author):
    client.force_login(author)
    url = reverse("pathway_edit", args=["pilot", "exfiltration", "argument"])
    response = client.post(url, {"version": 1, "argument": "A **bold** claim."}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<section id="argument"' in body and "<strong>bold</strong>" in body
    assert "Saved as version 2." in body
    assert response["HX-Push-Url"] == reverse("pathway_detail", args=["pilot", "exfiltration"])


def test_the_pathway_page_offers_edit_buttons_to_authors_only(client, world, author, stress_tester):
    url = reverse("pathway_detail", args=["pilot", "exfiltration"])
    client.force_login(author)
    body = client.get(url).content.decode()
    assert "Edit the argument" in body and "Edit the critical action" in body and "Edit the conclusion" in body
    client.force_login(stress_tester)
    body = client.get(url).content.decode()
    assert "Edit the argument" not in body
    assert reverse("pathway_history", args=["pilot", "exfiltration"]) in body  # internal: history yes


def test_the_external_reviewer_sees_neither_edit_buttons_nor_history_links(client, world, external_reviewer):
    client.force_login(external_reviewer)
    for url in [
        reverse("pathway_detail", args=["pilot", "exfiltration"]),
        claim_url("claim_detail"),
        reverse("evidence_detail", args=["pilot", "egress-review"]),
        reverse("report_detail", args=["pilot"]),
    ]:
        body = client.get(url).content.decode()
        assert "/edit/" not in body and "/history/" not in body and "/audit/" not in body, url


def test_saving_unchanged_text_from_a_browser_changes_nothing(client, world, author):
    """Browsers send textarea line ends as CRLF; that alone must not count as a change."""
    client.force_login(author)
    world.in_scope.argument = "First paragraph.\n\nSecond paragraph.\n"
    world.in_scope.save()
    url = reverse("pathway_edit", args=["pilot", "exfiltration", "argument"])
    response = client.post(
        url, {"version": 1, "argument": "First paragraph.\r\n\r\nSecond paragraph.\r\n"}, follow=True
    )
    assert "Nothing had changed" in response.content.decode()
    world.in_scope.refresh_from_db()
    assert world.in_scope.version == 1
    assert not AuditEntry.objects.exists()


def test_a_stale_pathway_edit_is_refused_with_the_conflict_view(client, world, author, second_author):
    pathway_update(pathway=world.in_scope, editor=second_author, version=1, argument="Theirs, saved first.")
    client.force_login(author)
    url = reverse("pathway_edit", args=["pilot", "exfiltration", "argument"])
    body = client.post(url, {"version": 1, "argument": "Mine, saved second."}).content.decode()
    assert "Someone saved this while you were editing" in body
    assert "Theirs, saved first." in body and "Mine, saved second." in body
    assert 'name="version" value="2"' in body
    world.in_scope.refresh_from_db()
    assert world.in_scope.argument == "Theirs, saved first."


# ---------------------------------------------------------------------------- conclusions


@pytest.mark.parametrize(
    "risk_level,text,bumped",
    [
        (RiskLevel.LOW, "Low risk.", False),
        (RiskLevel.MODERATE, "Low risk.", True),
        (RiskLevel.LOW, "Low, on reflection.", True),
        (RiskLevel.HIGH, "High after all.", True),
    ],
    ids=["nothing", "risk-level", "text", "both"],
)
def test_editing_a_conclusion_bumps_its_revision_exactly_when_risk_level_or_text_change(
    client, world, author, risk_level, text, bumped
):
    client.force_login(author)
    url = reverse("conclusion_edit", args=["pilot", "exfiltration"])
    assert client.post(url, {"version": 1, "risk_level": risk_level, "text": text}).status_code == 302
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    assert conclusion.revision == (2 if bumped else 1)
    assert (conclusion.risk_level, conclusion.text) == (risk_level, text)
    entries = AuditEntry.objects.filter(action="pathways.conclusion.changed", target_id=conclusion.pk)
    assert entries.count() == (1 if bumped else 0)
    if bumped:
        assert entries.get().data["revision"] == {"before": 1, "after": 2}


def test_the_overall_conclusion_is_edited_from_the_report_page(client, world, author):
    client.force_login(author)
    assert "Edit the overall conclusion" in client.get(reverse("report_detail", args=["pilot"])).content.decode()
    url = reverse("overall_conclusion_edit", args=["pilot"])
    response = client.post(url, {"version": 1, "risk_level": "low", "text": "Low overall."}, **HTMX)
    body = response.content.decode()
    assert '<section id="overall-conclusion"' in body and "Low overall." in body
    assert "Saved as revision 2" in body
    overall = Conclusion.objects.get(report=world.report, pathway=None)
    assert (overall.revision, overall.risk_level) == (2, "low")


def test_a_conclusion_edit_over_a_newer_revision_is_refused(world, author, second_author):
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    conclusion_update(conclusion=conclusion, editor=second_author, revision=1, risk_level="high", text="Theirs.")
    with pytest.raises(EditConflict) as conflict:
        conclusion_update(conclusion=conclusion, editor=author, revision=1, risk_level="low", text="Mine.")
    assert conflict.value.current.text == "Theirs."
    conclusion.refresh_from_db()
    assert (conclusion.revision, conclusion.text) == (2, "Theirs.")


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
    assert f'<p class="field-error" id="id_{field}-error">' in body
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


# ------------------------------------------------------------------------------- evidence


def test_an_author_edits_an_evidence_summary(client, world, author):
    client.force_login(author)
    url = reverse("evidence_edit", args=["pilot", "egress-review"])
    data = {"version": 1, "title": "Egress review", "kind": "evaluation", "sensitivity": "public"}
    response = client.post(url, {**data, "source": "internal doc X-1", "summary": "Now with numbers."}, **HTMX)
    assert '<div id="evidence-text">' in response.content.decode()
    world.public_evidence.refresh_from_db()
    assert (world.public_evidence.summary, world.public_evidence.version) == ("Now with numbers.", 2)
    entry = AuditEntry.objects.get(action="evidence.evidence.changed")
    assert entry.data["changes"] == {"summary": {"before": "What the artefact shows.", "after": "Now with numbers."}}


def test_an_evidence_edit_from_an_old_version_raises_a_conflict(world, author):
    evidence_update(evidence=world.public_evidence, editor=author, version=1, summary="First.")
    with pytest.raises(EditConflict):
        evidence_update(evidence=world.public_evidence, editor=author, version=1, summary="Second.")
    world.public_evidence.refresh_from_db()
    assert world.public_evidence.summary == "First."


# -------------------------------------------------------------------------- change history


def test_the_change_history_shows_who_changed_what_with_an_escaped_diff(client, world, author, stress_tester):
    claim_update(
        claim=world.public_claim, editor=author, version=1, rationale="Seen in <script>alert(1)</script> drills."
    )
    client.force_login(stress_tester)
    body = client.get(claim_url("claim_history")).content.decode()
    assert str(author) in body
    assert "Claim edited" in body and "version 2" in body
    assert "<ins>" in body and "<del>" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_change_history_says_so_when_nothing_has_changed(client, world, author):
    client.force_login(author)
    body = client.get(reverse("evidence_history", args=["pilot", "egress-review"])).content.decode()
    assert "No changes have been saved" in body


# ---------------------------------------------------------------------------- query counts


def _grow(world, author, times):
    for _ in range(times):
        pathway = PathwayFactory(report=world.report)
        EvidenceFactory(report=world.report, owner_team=world.team)
        claim = Claim.objects.get(pk=world.public_claim.pk)
        claim_update(claim=claim, editor=author, version=claim.version, rationale=f"Rationale {claim.version}")
        claim_update(claim=claim, editor=author, version=claim.version + 1, pathways=[world.in_scope, pathway])
        pathway_update(
            pathway=world.in_scope, editor=author, version=world.in_scope.version, argument=f"Arg {pathway.pk}"
        )
        world.in_scope.refresh_from_db()


EDIT_PAGES = [
    ("pathway_edit", ["pilot", "exfiltration", "argument"]),
    ("conclusion_edit", ["pilot", "exfiltration"]),
    ("overall_conclusion_edit", ["pilot"]),
    ("claim_edit", ["pilot", "egress-monitoring"]),
    ("evidence_edit", ["pilot", "egress-review"]),
    ("pathway_history", ["pilot", "exfiltration"]),
    ("claim_history", ["pilot", "egress-monitoring"]),
    ("conclusion_history", ["pilot", "exfiltration"]),
    ("overall_conclusion_history", ["pilot"]),
    ("evidence_history", ["pilot", "egress-review"]),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name,args", EDIT_PAGES, ids=[name for name, _ in EDIT_PAGES])
def test_the_query_count_of_edit_forms_and_histories_does_not_grow(client, world, author, name, args, htmx):
    client.force_login(author)
    url = reverse(name, args=args)
    headers = HTMX if htmx else {}

    def count():
        with counted() as queries:
            assert client.get(url, **headers).status_code == 200
        return len(queries)

    _grow(world, author, 1)
    small = count()
    _grow(world, author, 3)
    large = count()
    assert small == large, f"{name}: {small} queries, then {large} with more data"
    assert small <= 25, f"{name} makes {small} queries"
