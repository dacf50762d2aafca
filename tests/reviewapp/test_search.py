"""Search, read through its selector: what it finds of each kind, in which order, within a
report or across reports, and that the index follows every write (the services', a report
file's import, the rebuild command for what was written around them)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from evidence.report_file import report_import
from evidence.services.editing import evidence_update
from pathways.models import Conclusion, Report
from pathways.selectors import Kept
from pathways.services import access_grant, claim_update, conclusion_update, pathway_update
from reviewapp.selectors.search import KINDS, search
from reviewapp.services.comments import comment_edit, comment_post
from reviewapp.services.search import search_index_rebuild
from tests.factories import ClaimFactory, PathwayFactory, ReportFactory, UserFactory
from tests.reviewapp.matrix.requests import answer, file_request


@pytest.fixture
def indexed(world):
    """The world's content was written by factories, as an import writes it: index it, as
    `manage.py rebuild_search_index` does for rows written around the services."""
    search_index_rebuild()
    return world


def found(person, text, **options) -> dict[str, list[int]]:
    """The ids found of each kind that found any, best first."""
    results = search(person, text, **options)
    return {kind: [hit.subject_id for hit in hits] for kind, hits in results.hits.items() if hits}


def stress_tester_of(world):
    """Someone who files requests (authors do not)."""
    person = UserFactory(username="rita")
    access_grant(report=world.report, user=person, role="stress_tester", org_name="Stress-testing team")
    return person


def zeppelin_everywhere(world, author) -> dict:
    """The word `zeppelin` in something of every kind, each written through its service."""
    evidence = world.public_evidence
    evidence_update(evidence=evidence, editor=author, version=evidence.version, summary="The zeppelin audit.")
    thread = comment_post(author=author, subject=world.public_claim, text="Is the zeppelin alarm tested?")
    information_request = file_request(world, stress_tester_of(world), title="Zeppelin drills?")
    pathway_update(pathway=world.in_scope, editor=author, version=world.in_scope.version, argument="A zeppelin path.")
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    conclusion_update(conclusion=conclusion, editor=author, revision=1, risk_level="low", text="Low, zeppelin aside.")
    claim = world.reviewer_claim
    claim_update(claim=claim, editor=author, version=claim.version, rationale="Zeppelin permissions.")
    return {
        "claim": claim.pk,
        "evidence": evidence.pk,
        "pathway": world.in_scope.pk,
        "conclusion": conclusion.pk,
        "comment": thread.pk,
        "request": information_request.pk,
    }


def test_every_kind_is_found_with_what_its_link_needs(indexed, author):
    written = zeppelin_everywhere(indexed, author)
    results = search(author, "zeppelin")
    assert {kind: [hit.subject_id for hit in hits] for kind, hits in results.hits.items()} == {
        kind: [pk] for kind, pk in written.items()
    }
    assert results.counts == dict.fromkeys(KINDS, 1)
    hits = {kind: hits[0] for kind, hits in results.hits.items()}
    assert {hit.report_slug for hit in hits.values()} == {"pilot"}
    assert (hits["claim"].slug, hits["evidence"].slug, hits["pathway"].slug) == (
        "file-permissions",
        "egress-review",
        "exfiltration",
    )
    assert (hits["conclusion"].slug, hits["conclusion"].context) == ("exfiltration", "Self-exfiltration")
    assert (hits["comment"].on_kind, hits["comment"].on_slug) == ("claim", "egress-monitoring")
    assert hits["request"].context == "Security"
    assert "\ue010zeppelin\ue011" in hits["evidence"].snippet.lower()


def test_a_match_in_a_title_ranks_above_one_in_the_body(indexed, author):
    world = indexed
    in_body = ClaimFactory(
        report=world.report, slug="in-body", statement="Alarms work.", rationale="Tested with the quokka drill."
    )
    in_title = ClaimFactory(report=world.report, slug="in-title", statement="The quokka drill passed.", rationale="")
    search_index_rebuild()
    assert found(author, "quokka")["claim"] == [in_title.pk, in_body.pk]


def test_every_word_must_match_and_a_phrase_or_a_left_out_word_narrow(indexed, author):
    world = indexed
    both = ClaimFactory(report=world.report, slug="both", statement="Walrus and narwhal together.")
    walrus = ClaimFactory(report=world.report, slug="walrus", statement="Walrus alone.")
    search_index_rebuild()
    assert found(author, "walrus narwhal") == {"claim": [both.pk]}
    assert found(author, "walrus -narwhal") == {"claim": [walrus.pk]}
    assert found(author, '"narwhal together"') == {"claim": [both.pk]}


def test_a_search_within_a_report_finds_nothing_of_another(indexed, author):
    world = indexed
    other = ReportFactory(slug="second", title="Second report")
    there = ClaimFactory(report=other, slug="elsewhere", statement="Capybara elsewhere.")
    here = ClaimFactory(report=world.report, slug="here", statement="Capybara here.")
    access_grant(report=other, user=author, role="author")
    search_index_rebuild()
    assert found(author, "capybara") == {"claim": [here.pk, there.pk]}
    assert found(author, "capybara", report=world.report) == {"claim": [here.pk]}
    assert found(author, "capybara", report=other) == {"claim": [there.pk]}


# ----------------------------------------------------------------- the index follows the writes


def test_an_edited_claim_is_found_by_its_new_words_and_not_its_old(indexed, author):
    claim = indexed.public_claim
    assert found(author, "outbound") == {"claim": [claim.pk]}
    claim_update(claim=claim, editor=author, version=claim.version, statement="Large transfers raise a pelican alarm.")
    assert found(author, "pelican") == {"claim": [claim.pk]}
    assert found(author, "outbound") == {}


def test_edited_evidence_a_comment_and_an_answer_are_found_by_their_new_words(indexed, author, team_member):
    world = indexed
    evidence = world.public_evidence
    evidence_update(evidence=evidence, editor=author, version=evidence.version, summary="The heron review.")
    comment = comment_post(author=author, subject=world.public_claim, text="First thought.")
    comment_edit(comment=comment, editor=author, text="Second thought: flamingo.", version=comment.version)
    information_request = file_request(world, stress_tester_of(world))
    answer(information_request, team_member, text="The answer names the cormorant drill.")
    assert found(author, "heron") == {"evidence": [evidence.pk]}
    assert found(author, "flamingo") == {"comment": [comment.pk]}
    assert found(author, "first thought") == {}
    assert found(author, "cormorant") == {"request": [information_request.pk]}


def test_a_thing_gone_from_the_report_file_is_gone_from_search(indexed, author):
    world = indexed
    report_import(document=_document(world, claims=["kept"]), update=False)
    assert found(author, "lemur") == {}
    access_grant(report=Report.objects.get(slug="imported"), user=author, role="author")
    assert sorted(found(author, "lemur")) == ["claim", "conclusion", "evidence", "pathway"]
    report_import(document=_document(world, claims=[]), update=True)
    assert "claim" not in found(author, "lemur")


def _document(world, *, claims):
    return {
        "format": "riskreport/1",
        "report": {
            "slug": "imported",
            "title": "Imported",
            "model": "M",
            "conclusion": {"risk_level": "low", "text": "Lemur overall."},
        },
        "teams": [{"slug": "security", "name": "Security"}],
        "pathways": [
            {
                "slug": "p",
                "title": "Lemur pathway",
                "claims": claims,
                "conclusion": {"risk_level": "low", "text": "Lemur pathway risk."},
            }
        ],
        "claims": [
            {"slug": slug, "statement": "A lemur claim.", "category": "monitoring", "owner_team": "security"}
            for slug in claims
        ],
        "evidence": [{"slug": "e", "title": "Lemur evidence", "kind": "audit", "owner_team": "security"}],
    }


def test_a_claim_unlinked_from_a_granted_pathway_is_no_longer_found_by_the_limited_reviewer(
    indexed, author, external_reviewer
):
    world = indexed
    claim = world.reviewer_claim  # rests on `exfiltration` alone, granted to erin
    assert found(external_reviewer, "permissions") == {"claim": [claim.pk]}
    claim_update(claim=claim, editor=author, version=claim.version, pathways=[world.out_of_scope])
    assert found(external_reviewer, "permissions") == {}
    assert found(author, "permissions") == {"claim": [claim.pk]}


def test_a_pathway_added_to_the_report_is_found_once_indexed(indexed, author):
    pathway = PathwayFactory(report=indexed.report, slug="new", title="Axolotl pathway")
    assert found(author, "axolotl") == {}  # written around the services
    search_index_rebuild(report_ids=[indexed.report.pk])
    assert found(author, "axolotl") == {"pathway": [pathway.pk]}


def test_the_rebuild_command_indexes_what_was_written_around_the_services(indexed, author):
    claim = ClaimFactory(report=indexed.report, slug="tapir", statement="The tapir claim.")
    assert found(author, "tapir") == {}
    call_command("rebuild_search_index", "--report", "pilot", stdout=StringIO())
    assert found(author, "tapir") == {"claim": [claim.pk]}
    with pytest.raises(CommandError, match="no report 'nowhere'"):
        call_command("rebuild_search_index", "--report", "nowhere")


def test_a_common_word_is_counted_and_ranked_among_the_first_found_past_the_limit(indexed, author, monkeypatch):
    monkeypatch.setattr("reviewapp.selectors.search.COUNT_LIMIT", 3)
    monkeypatch.setattr("reviewapp.selectors.search.BRANCHES", Kept(size=16))  # none compiled with the real limit
    claims = [ClaimFactory(report=indexed.report, statement=f"Walrus sighting {n}.") for n in range(6)]
    search_index_rebuild()

    results = search(author, "walrus", kinds=["claim"], start=0, stop=10)
    # Counted up to one past the limit (the page shows "3+"), hits from those candidates only.
    assert results.counts["claim"] == 4
    assert len(results.hits["claim"]) == 4
    assert {hit.subject_id for hit in results.hits["claim"]} <= {claim.pk for claim in claims}
    # Every kind counted alone stops at the same place.
    assert search(author, "walrus", kinds=["evidence"]).counts["claim"] == 4
    # A slice within the candidates pages on; past them there is nothing more.
    assert [hit.subject_id for hit in search(author, "walrus", kinds=["claim"], start=2, stop=4).hits["claim"]] == [
        hit.subject_id for hit in results.hits["claim"][2:4]
    ]
    assert search(author, "walrus", kinds=["claim"], start=4, stop=6).hits["claim"] == []
