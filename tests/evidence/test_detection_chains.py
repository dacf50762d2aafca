"""Detection chains: the flags on small cases, and the `detection_chains` section of the
report file (imported in order, updated in place, written out as each reader reads it,
every kind of bad entry refused by its path with nothing written)."""

import pytest
import yaml

from evidence.chains import StepView, chain_flags, duration
from evidence.models import ChainStep, DetectionChain
from evidence.report_file import report_export_document
from evidence.report_file.chains import minutes_of
from pathways.models import Report
from reviewapp.services.findings import finding_raise
from tests.conftest import CANARY_INTERNAL_CHAIN, CANARY_INTERNAL_STEP, CANARY_OUT_OF_SCOPE
from tests.evidence.importing import (
    SMALL,
    assert_refused_by_path,
    delete_at,
    exported_section,
    import_refused,
    import_report,
    set_at,
    small_document,
    table_rows,
    write,
)
from tests.factories import reviewer_of

EVIDENCE = [{"id": 1, "slug": "logs", "title": "Logs"}]
ROLES = ["signal", "detection", "alert", "response", "action"]


def _step(number, role, *, minutes=None, evidence=EVIDENCE):
    return StepView(
        id=number,
        number=number,
        role=role,
        text=role,
        sensitivity="public",
        team_name="Security",
        detector="",
        paged=None,
        minutes=minutes,
        evidence=evidence,
    )


def _complete(**times):
    return [_step(number, role, minutes=times.get(role)) for number, role in enumerate(ROLES, start=1)]


def test_a_chain_with_every_step_evidence_and_a_fast_response_is_not_flagged():
    flags = chain_flags(harm_after=120, steps=_complete(response=30, action=15))

    assert not flags
    assert (flags.total_minutes, flags.total) == (45, "45m")


def test_a_chain_without_an_alert_step_is_flagged_as_missing_it():
    steps = [step for step in _complete(response=30) if step.role != "alert"]

    flags = chain_flags(harm_after=120, steps=steps)

    assert flags.missing == ["Alert"]
    assert flags and not flags.unevidenced and not flags.slower


def test_a_chain_with_no_steps_misses_every_role():
    assert chain_flags(harm_after=60, steps=[]).missing == ["Signal", "Detection", "Alert", "Response", "Action"]


def test_a_step_without_evidence_is_named_by_its_number():
    steps = _complete(response=30)
    steps[1].evidence = []
    steps[4].evidence = []

    assert chain_flags(harm_after=120, steps=steps).unevidenced == [2, 5]


def test_a_response_slower_than_the_harm_is_flagged_and_an_equal_one_is_not():
    assert chain_flags(harm_after=60, steps=_complete(detection=20, response=45)).slower
    assert not chain_flags(harm_after=60, steps=_complete(detection=15, response=45)).slower


def test_a_response_without_a_time_and_a_chain_without_a_harm_time_are_flagged():
    untimed = chain_flags(harm_after=60, steps=_complete())
    unstated = chain_flags(harm_after=None, steps=_complete(response=10))

    assert untimed.untimed and not untimed.slower
    assert unstated.harm_unstated and not unstated.slower and not unstated.untimed


@pytest.mark.parametrize("text, minutes", [("45m", 45), ("4h", 240), ("2d", 2880), ("90m", 90), ("", None)], ids=str)
def test_durations_are_read_and_written_in_the_largest_whole_unit(text, minutes):
    assert minutes_of(text) == minutes
    assert duration(minutes) == {"90m": "90m"}.get(text, text)


def test_the_import_writes_each_chain_and_its_steps_in_order(db):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")

    chain = report.detection_chains.get(slug="weights-to-bucket")
    steps = list(chain.steps.select_related("owner_team").order_by("position"))

    assert (chain.pathway.slug, chain.harm_after, chain.sensitivity) == ("exfiltration", 120, "public")
    assert [step.role for step in steps] == ROLES
    assert (steps[1].detector, steps[1].minutes, steps[1].owner_team.slug) == ("monitor", 5, "monitoring")
    assert (steps[3].paged, steps[3].minutes) == (True, 30)
    assert steps[2].sensitivity == "internal"
    assert [link.evidence.slug for link in steps[2].evidence_links.all()] == ["classifier-notes"]
    backdoor = report.detection_chains.get(slug="backdoor-in-review")
    assert (backdoor.harm_after, backdoor.steps.count()) == (None, 2)


def test_an_update_changes_steps_in_place_deletes_those_gone_and_raises_the_chain_s_version(db, tmp_path):
    import_report(SMALL)
    chain = DetectionChain.objects.get(slug="weights-to-bucket")
    ids = list(chain.steps.order_by("position").values_list("id", flat=True))
    document = small_document()
    document["detection_chains"][0]["steps"][3]["time"] = "3h"
    del document["detection_chains"][0]["steps"][4]

    import_report(write(tmp_path, document), "--update")

    chain.refresh_from_db()
    assert chain.version == 2
    assert list(chain.steps.order_by("position").values_list("id", flat=True)) == ids[:4]
    assert chain.steps.get(position=3).minutes == 180


def test_an_update_with_the_same_chains_changes_nothing(db):
    import_report(SMALL)
    before = table_rows()

    import_report(SMALL, "--update")

    assert table_rows() == before


def test_an_update_that_would_remove_a_step_a_finding_is_about_is_refused(world, stress_tester, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    reviewer = reviewer_of(report)
    step = ChainStep.objects.get(chain__slug="weights-to-bucket", position=4)
    finding_raise(raiser=reviewer, subject=step, kind="not_considered", severity="major", text="Too slow.")
    before = table_rows()
    document = small_document()
    del document["detection_chains"][0]["steps"][4]

    errors = import_refused(write(tmp_path, document), "--update")

    assert errors == [
        "detection_chains: step 5 of detection chain 'weights-to-bucket' cannot be removed: reviewers' findings "
        "are about it; keep it in the file"
    ]
    assert table_rows() == before
    document["detection_chains"] = document["detection_chains"][1:]  # the whole chain
    errors = import_refused(write(tmp_path, document), "--update")
    assert errors == [
        "detection_chains: 'weights-to-bucket' cannot be removed: reviewers' findings are about it; keep it in the file"
    ]


CHAIN, STEP = "detection_chains.0", "detection_chains.0.steps.0"
BAD_CHAINS = [
    pytest.param(set_at(f"{CHAIN}.colour", "red"), "detection_chains[0].colour: unknown key", id="unknown-key"),
    pytest.param(delete_at(f"{CHAIN}.scenario"), "detection_chains[0].scenario: missing", id="missing-scenario"),
    pytest.param(
        set_at(f"{CHAIN}.pathway", "nowhere"), "detection_chains[0].pathway: unknown pathway 'nowhere'", id="pathway"
    ),
    pytest.param(
        set_at(f"{CHAIN}.harm_after", "soon"), "detection_chains[0].harm_after: 'soon' is not a duration", id="when"
    ),
    pytest.param(
        set_at(f"{CHAIN}.harm_after", 120),
        "detection_chains[0].harm_after: must be a string, not a number",
        id="duration-number",
    ),
    pytest.param(
        set_at(f"{CHAIN}.harm_after", "0m"), "detection_chains[0].harm_after: '0m' is not a duration", id="zero"
    ),
    pytest.param(
        set_at(f"{CHAIN}.sensitivity", "secret"), "detection_chains[0].sensitivity: 'secret' is not one of", id="level"
    ),
    pytest.param(
        set_at("detection_chains.1.slug", "weights-to-bucket"),
        "detection_chains[1].slug: duplicate detection chain slug 'weights-to-bucket'",
        id="duplicate-slug",
    ),
    pytest.param(
        set_at(f"{CHAIN}.scenario", "Copies [[internal]]to B-7[[/internal]]"),
        "detection_chains[0].scenario: redaction spans are only allowed in Markdown fields",
        id="span-in-scenario",
    ),
    pytest.param(set_at(f"{CHAIN}.steps", "all of them"), "detection_chains[0].steps: must be a list", id="steps"),
    pytest.param(set_at(STEP, "signal"), "detection_chains[0].steps[0]: must be a mapping", id="step-not-a-mapping"),
    pytest.param(delete_at(f"{STEP}.role"), "detection_chains[0].steps[0].role: missing", id="missing-role"),
    pytest.param(
        set_at(f"{STEP}.role", "prayer"), "detection_chains[0].steps[0].role: 'prayer' is not one of", id="bad-role"
    ),
    pytest.param(delete_at(f"{STEP}.text"), "detection_chains[0].steps[0].text: missing", id="missing-text"),
    pytest.param(set_at(f"{STEP}.text", "x" * 501), "detection_chains[0].steps[0].text: is 501 characters", id="long"),
    pytest.param(set_at(f"{STEP}.text", "A\x00B"), "detection_chains[0].steps[0].text: must not contain NUL", id="nul"),
    pytest.param(
        set_at(f"{STEP}.owner_team", "sec"), "detection_chains[0].steps[0].owner_team: unknown team 'sec'", id="team"
    ),
    pytest.param(
        set_at(f"{STEP}.evidence", ["nothing"]),
        "detection_chains[0].steps[0].evidence[0]: unknown evidence 'nothing'",
        id="no-evidence",
    ),
    pytest.param(
        set_at(f"{STEP}.evidence", ["access-audit", "access-audit"]),
        "detection_chains[0].steps[0].evidence[1]: evidence 'access-audit' is listed twice",
        id="evidence-twice",
    ),
    pytest.param(
        set_at(f"{STEP}.detector", "monitor"),
        "detection_chains[0].steps[0].detector: only a detection step says what detects",
        id="detector-on-a-signal",
    ),
    pytest.param(
        set_at("detection_chains.0.steps.1.detector", "dog"),
        "detection_chains[0].steps[1].detector: 'dog' is not one of",
        id="bad-detector",
    ),
    pytest.param(
        set_at(f"{STEP}.paged", True),
        "detection_chains[0].steps[0].paged: only a response step says whether it is paged",
        id="paged-signal",
    ),
    pytest.param(
        set_at("detection_chains.0.steps.3.paged", "yes"),
        "detection_chains[0].steps[3].paged: must be true or false",
        id="paged-not-a-boolean",
    ),
    pytest.param(
        set_at("detection_chains.0.steps.3.time", "half an hour"),
        "detection_chains[0].steps[3].time: 'half an hour' is not a duration",
        id="bad-time",
    ),
    pytest.param(set_at("detection_chains", {"a": 1}), "detection_chains: must be a list, not a mapping", id="mapping"),
]


@pytest.mark.parametrize("change, expected", BAD_CHAINS)
def test_a_bad_chain_is_refused_by_its_path_and_nothing_is_written(db, tmp_path, change, expected):
    assert_refused_by_path(tmp_path, change, expected)


def test_a_bad_chain_in_an_update_leaves_the_report_as_it_was(db, tmp_path):
    import_report(SMALL)
    before = table_rows()
    document = small_document()
    document["detection_chains"][0]["harm_after"] = "1h"  # a good change beside the bad one
    document["detection_chains"][1]["steps"][0]["owner_team"] = "nobody"

    errors = import_refused(write(tmp_path, document), "--update")

    assert errors == ["detection_chains[1].steps[0].owner_team: unknown team 'nobody'"]
    assert table_rows() == before


def test_an_export_below_internal_leaves_out_chains_and_steps_above_its_level(world):
    chains = exported_section(world.report, "reviewer", "detection_chains")

    assert set(chains) == {"weights-bucket", "gov-chain"}
    assert [step["role"] for step in chains["weights-bucket"]["steps"]] == ["signal", "detection", "response", "action"]
    assert "evidence" not in chains["weights-bucket"]["steps"][1]  # its only evidence is internal
    assert set(exported_section(world.report, "internal", "detection_chains")) == {
        "weights-bucket",
        "internal-chain",
        "gov-chain",
    }


def test_a_pathway_limited_reviewer_s_export_has_only_their_pathways_chains(world, external_reviewer):
    document = report_export_document(report=world.report, level="reviewer", fmt="yaml", user=external_reviewer)

    assert [entry["slug"] for entry in yaml.safe_load(document.content)["detection_chains"]] == ["weights-bucket"]
    assert document.summary["steps_above_level"] == 0  # the internal step is not theirs to count
    for secret in (CANARY_INTERNAL_STEP, CANARY_INTERNAL_CHAIN, CANARY_OUT_OF_SCOPE):
        assert secret not in document.content


def test_the_markdown_export_lists_each_chain_with_what_it_lacks(world):
    markdown = report_export_document(report=world.report, level="reviewer", fmt="md").content

    assert (
        "*Detection chain: The model copies its weights out* (`weights-bucket`) — harm cannot be undone after 2h"
        in (markdown)
    )
    assert "Flagged: no alert step; steps 2 without evidence." in markdown
    assert "3. **Response:** Security on-call (Security · paged · 30m · evidence `egress-review`)" in markdown
