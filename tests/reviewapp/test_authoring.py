"""Authors edit pathways, conclusions and evidence in place; every edit carries the version it
started from, a save over a newer version is refused with a conflict view, and every saved
change is audited with its before and after and shown in the change history. Claims:
test_authoring_claims."""

import pytest
from django.urls import reverse

from evidence.services.editing import evidence_update
from pathways.enums import RiskLevel
from pathways.models import AuditEntry, Claim, Conclusion
from pathways.services import EditConflict, claim_update, conclusion_update, pathway_update
from tests.factories import EvidenceFactory, PathwayFactory
from tests.helpers import HTMX, counted

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
        reverse("claim_detail", args=["pilot", "egress-monitoring"]),
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
    body = client.get(reverse("claim_history", args=["pilot", "egress-monitoring"])).content.decode()
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
