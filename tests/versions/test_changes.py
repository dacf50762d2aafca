"""What changed since a version: item by item with word diffs, to the draft or a later
version, and never a word, nor a count, of what the reader cannot read."""

import pytest

from evidence.report_file import report_document, report_import
from pathways.services import claim_update, pathway_update
from tests.conftest import CANARY_INTERNAL_SPAN
from tests.factories import ClaimFactory
from versions.changes import changes
from versions.services import version_publish

CANARY_CHANGE_INTERNAL = "CANARY-CHANGE-INTERNAL-CLAIM-31f0"
CANARY_CHANGE_OUT_OF_SCOPE = "CANARY-CHANGE-OUT-OF-SCOPE-77ab"
CANARY_CHANGE_SPAN = "CANARY-CHANGE-INTERNAL-SPAN-c4d2"


def document(claims: list[dict]) -> dict:
    return {"format": "riskreport/1", "report": {"slug": "r", "title": "R", "model": "M"}, "claims": claims}


def claim(slug: str, statement: str, **fields) -> dict:
    return {"slug": slug, "statement": statement, "category": "monitoring", "owner_team": "t", **fields}


def test_changes_name_what_was_added_removed_and_changed_and_the_fields_that_differ():
    before = document([claim("kept", "Alarms fire."), claim("gone", "Old claim.")])
    after = document([claim("kept", "Alarms fire within a minute."), claim("new", "New claim.")])

    found = {(change.kind, change.slug): change for change in changes(before, after, "internal")}

    assert {key: change.state for key, change in found.items()} == {
        ("claim", "kept"): "changed",
        ("claim", "new"): "added",
        ("claim", "gone"): "removed",
    }
    assert found["claim", "kept"].fields == {
        "statement": {"before": "Alarms fire.", "after": "Alarms fire within a minute."}
    }
    assert found["claim", "new"].fields["statement"] == {"before": None, "after": "New claim."}


def test_a_change_inside_a_span_above_the_level_is_no_change_at_that_level():
    before = document([claim("c", "Holds.", rationale="Seen. [[internal]]old[[/internal]]")])
    after = document([claim("c", "Holds.", rationale="Seen. [[internal]]new[[/internal]]")])
    assert changes(before, after, "reviewer") == []
    assert [change.slug for change in changes(before, after, "internal")] == ["c"]


def edit_everything_out_of_reach(world, author):
    """After version 1: changes a pathway-limited external reviewer must not learn of."""
    internal = world.internal_claim
    claim_update(
        claim=internal, editor=author, version=internal.version, statement=f"Internal {CANARY_CHANGE_INTERNAL}"
    )
    gov = world.out_of_scope
    pathway_update(pathway=gov, editor=author, version=gov.version, argument=f"Now {CANARY_CHANGE_OUT_OF_SCOPE}")
    public = world.public_claim
    claim_update(
        claim=public,
        editor=author,
        version=public.version,
        rationale=public.rationale.replace(CANARY_INTERNAL_SPAN, CANARY_CHANGE_SPAN),  # inside the internal span
    )
    ClaimFactory(
        report=world.report,
        slug="new-internal",
        statement=f"New {CANARY_CHANGE_INTERNAL}",
        sensitivity="internal",
        owner_team=world.team,
        pathways=[world.in_scope],
    )


def test_the_external_reviewer_learns_nothing_of_changes_they_cannot_read(client, world, author, external_reviewer):
    version_publish(report=world.report, author=author, name="11 February")
    edit_everything_out_of_reach(world, author)

    client.force_login(external_reviewer)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()

    assert not [c for c in (CANARY_CHANGE_INTERNAL, CANARY_CHANGE_OUT_OF_SCOPE, CANARY_CHANGE_SPAN) if c in page]
    assert "Nothing you can read has changed since this version was published." in page
    assert "version-change-" not in page  # no item listed, so nothing to count


def test_internal_staff_see_those_same_changes(client, world, author, stress_tester):
    version_publish(report=world.report, author=author, name="11 February")
    edit_everything_out_of_reach(world, author)

    client.force_login(stress_tester)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()

    assert CANARY_CHANGE_INTERNAL in page  # the added claim's statement names it whole
    # The out-of-scope argument's and the span's new words, shown word by word beside the old:
    assert "77ab" in page and "c4d2" in page
    assert "Claim added" in page and "Claim changed" in page and "Pathway changed" in page


def test_a_reviewer_sees_a_change_they_can_read_as_a_word_diff_to_the_draft_and_to_a_later_version(
    client, world, author, external_reviewer
):
    version_publish(report=world.report, author=author, name="11 February")
    public = world.public_claim
    claim_update(claim=public, editor=author, version=public.version, statement="Large outbound transfers are blocked.")
    version_publish(report=world.report, author=author, name="3 March")

    client.force_login(external_reviewer)
    for url in ("/reports/pilot/versions/1/changes/", "/reports/pilot/versions/1/changes/?to=2"):
        page = client.get(url).content.decode()
        assert "Claim changed" in page
        assert '<del><span class="visually-hidden">[removed: </span>detected' in page
        assert '<ins><span class="visually-hidden">[added: </span>blocked' in page
    assert "Nothing you can read has changed" in client.get("/reports/pilot/versions/2/changes/").content.decode()


@pytest.mark.parametrize("to", ["abc", "1", "99", "-1"])
def test_comparing_with_no_such_version_is_404(client, world, author, to):
    version_publish(report=world.report, author=author, name="11 February")
    client.force_login(author)
    assert client.get(f"/reports/pilot/versions/1/changes/?to={to}").status_code == 404


def test_a_passage_added_above_the_level_shows_as_the_redaction_the_reader_sees_on_the_page(
    client, world, author, external_reviewer
):
    version_publish(report=world.report, author=author, name="11 February")
    public = world.public_claim
    rationale = f"{public.rationale} [[internal]]{CANARY_CHANGE_SPAN}[[/internal]]"
    claim_update(claim=public, editor=author, version=public.version, rationale=rationale)

    client.force_login(external_reviewer)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()

    assert CANARY_CHANGE_SPAN not in page
    assert '<ins><span class="visually-hidden">[added: </span> [redacted]' in page  # as the claim's page shows it


def test_a_change_to_a_line_of_defence_shows_to_those_who_read_the_line(client, world, author, external_reviewer):
    version_publish(report=world.report, author=author, name="11 February")
    file = report_document(report=world.report)
    lines = {line["slug"]: line for line in file["lines_of_defence"]}
    lines["egress-alerting"]["strength"] = "weak"
    lines["internal-line"]["title"] = f"Renamed {CANARY_CHANGE_INTERNAL}"
    report_import(document=file, update=True)

    client.force_login(author)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()
    assert page.count("Line of defence changed") == 2 and CANARY_CHANGE_INTERNAL in page
    client.force_login(external_reviewer)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()
    assert page.count("Line of defence changed") == 1 and "Egress alerting" in page
    assert CANARY_CHANGE_INTERNAL not in page and "Internal line" not in page


def test_a_change_to_a_chain_step_shows_to_those_who_read_the_step(client, world, author, external_reviewer):
    version_publish(report=world.report, author=author, name="11 February")
    file = report_document(report=world.report)
    chain = {entry["slug"]: entry for entry in file["detection_chains"]}["weights-bucket"]
    chain["steps"][3]["time"] = "3h"  # the public response
    chain["steps"][2]["text"] = f"Pager route renamed {CANARY_CHANGE_INTERNAL}"  # the internal alert
    report_import(document=file, update=True)

    client.force_login(author)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()
    assert page.count("Detection chain changed") == 1 and "renamed" in page  # diffed word by word
    client.force_login(external_reviewer)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()
    assert page.count("Detection chain changed") == 1 and "30m" in page and "3h" in page
    assert "renamed" not in page and "Pager route" not in page and "CHANGE-INTERNAL" not in page


def test_an_internal_step_changed_alone_is_no_change_to_an_external_reviewer(client, world, author, external_reviewer):
    version_publish(report=world.report, author=author, name="11 February")
    file = report_document(report=world.report)
    chain = {entry["slug"]: entry for entry in file["detection_chains"]}["weights-bucket"]
    chain["steps"][2]["text"] = f"Pager route renamed {CANARY_CHANGE_INTERNAL}"
    report_import(document=file, update=True)

    client.force_login(external_reviewer)
    page = client.get("/reports/pilot/versions/1/changes/").content.decode()
    assert "Detection chain" not in page and "renamed" not in page and "CHANGE-INTERNAL" not in page
