"""The mitigation roadmap's services: what may become an item and who may put it there,
every refusal (writing nothing), the owning team's narrower change, stale saves, and the
audit entries of each change."""

import datetime

import pytest
from django.utils import timezone

from evidence.enums import Strength
from evidence.models import LineOfDefence
from pathways.models import AuditEntry
from reviewapp.enums import RoadmapStatus
from reviewapp.models import RoadmapItem
from reviewapp.services.findings import finding_dispose
from reviewapp.services.roadmap import RoadmapConflict, RoadmapRefused, roadmap_item_create, roadmap_item_update
from tests.factories import FindingFactory, PathwayFactory, RoadmapItemFactory, TeamFactory

TODAY = timezone.localdate()
SOON = TODAY + datetime.timedelta(days=10)


def weak(line):
    LineOfDefence.objects.filter(pk=line.pk).update(strength=Strength.WEAK)
    line.refresh_from_db()
    return line


def planned_finding(world, author, reviewer, subject=None):
    finding = FindingFactory(subject=subject or world.public_claim, raiser=reviewer)
    return finding_dispose(
        author=author, finding=finding, disposition="mitigation_planned", text="We will.", version=finding.version
    )


def fields(world, **changes):
    return {
        "pathways": [world.in_scope],
        "title": "Log every outbound channel",
        "description": "Extend the coverage review.",
        "owner_team": world.team,
        "status": RoadmapStatus.PLANNED,
        "target_date": SOON,
        **changes,
    }


def test_an_author_puts_a_planned_finding_a_weak_line_and_a_flagged_chain_on_the_roadmap(world, author, stress_tester):
    finding = planned_finding(world, author, stress_tester)
    from_finding = roadmap_item_create(author=author, report=world.report, source=finding, **fields(world))
    from_line = roadmap_item_create(
        author=author, report=world.report, source=weak(world.public_line), **fields(world, title="Second line")
    )
    from_chain = roadmap_item_create(
        author=author,
        report=world.report,
        source=world.internal_chain,
        **fields(world, status=RoadmapStatus.PROPOSED, target_date=None, title="Complete the chain"),
    )

    sources = (from_finding.finding, from_line.line, from_chain.chain)
    assert sources == (finding, world.public_line, world.internal_chain)
    assert from_finding.source_label.startswith("Major finding from")
    assert from_line.source_label == "Weak line of defence “Egress alerting”"
    assert list(from_chain.pathways.all()) == [world.in_scope]
    entry = AuditEntry.objects.get(action="reviewapp.roadmap.added", target_id=from_line.pk)
    assert entry.data["team"] == "security" and entry.data["pathways"] == ["exfiltration"]
    assert entry.data["target_date"] == SOON.isoformat() and entry.actor == author


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param({"title": "  "}, "Say what the mitigation is.", id="no-title"),
        pytest.param({"title": "x" * 301}, "The title is too long", id="long-title"),
        pytest.param({"description": "x" * 10_001}, "the limit is 10,000", id="long-description"),
        pytest.param({"status": "abandoned"}, "Choose proposed, planned", id="bad-status"),
        pytest.param({"target_date": None}, "Give a target date", id="planned-without-date"),
        pytest.param({"target_date": TODAY - datetime.timedelta(days=1)}, "in the past", id="past-date"),
        pytest.param({"pathways": []}, "at least one pathway", id="no-pathway"),
    ],
)
def test_a_bad_item_is_refused_with_its_reason_and_nothing_written(world, author, change, message):
    with pytest.raises(RoadmapRefused, match=message):
        line = weak(world.public_line)
        roadmap_item_create(author=author, report=world.report, source=line, **fields(world, **change))
    assert not RoadmapItem.objects.exists() and not AuditEntry.objects.filter(action__startswith="reviewapp.roadmap")


def test_a_pathway_or_team_of_another_report_is_refused(world, author):
    other = PathwayFactory()
    line = weak(world.public_line)
    with pytest.raises(RoadmapRefused, match="pathways of this report"):
        roadmap_item_create(author=author, report=world.report, source=line, **fields(world, pathways=[other]))
    with pytest.raises(RoadmapRefused, match="owns something in this report"):
        roadmap_item_create(author=author, report=world.report, source=line, **fields(world, owner_team=TeamFactory()))
    assert not RoadmapItem.objects.exists()


def test_only_what_the_roadmap_is_for_goes_on_it(world, author, stress_tester):
    unanswered = FindingFactory(subject=world.public_claim, raiser=stress_tester)
    with pytest.raises(RoadmapRefused, match="answered “mitigation planned”"):
        roadmap_item_create(author=author, report=world.report, source=unanswered, **fields(world))
    with pytest.raises(RoadmapRefused, match="assessed weak"):
        roadmap_item_create(author=author, report=world.report, source=world.public_line, **fields(world))
    with pytest.raises(RoadmapRefused, match="with a gap"):  # every step there, evidenced, faster than the harm
        roadmap_item_create(author=author, report=world.report, source=world.chain, **fields(world))
    planned = planned_finding(world, author, stress_tester)
    roadmap_item_create(author=author, report=world.report, source=planned, **fields(world))
    with pytest.raises(RoadmapRefused, match="on the roadmap already"):
        roadmap_item_create(author=author, report=world.report, source=planned, **fields(world))
    assert RoadmapItem.objects.count() == 1


def test_only_the_authors_put_items_on_it(world, stress_tester, leadership, team_member, external_reviewer):
    line = weak(world.public_line)
    for person in (stress_tester, leadership, team_member, external_reviewer):
        with pytest.raises(RoadmapRefused, match="Only the report's authors"):
            roadmap_item_create(author=person, report=world.report, source=line, **fields(world))
    assert not RoadmapItem.objects.exists()


def test_a_source_of_another_report_is_refused_as_unseen(world, author):
    stranger = weak(RoadmapItemFactory().line)
    with pytest.raises(RoadmapRefused, match="cannot see this line"):
        roadmap_item_create(author=author, report=world.report, source=stranger, **fields(world))
    assert not RoadmapItem.objects.filter(report=world.report).exists()


def test_the_authors_change_anything_and_each_change_is_audited(world, author):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    later = SOON + datetime.timedelta(days=5)

    saved = roadmap_item_update(
        person=author,
        item=item,
        version=1,
        pathways=[world.in_scope, world.also_in_scope],
        title="Renamed",
        status=RoadmapStatus.IN_PROGRESS,
        target_date=later,
    )

    assert (saved.title, saved.status, saved.target_date, saved.version) == ("Renamed", "in_progress", later, 2)
    assert set(saved.pathways.all()) == {world.in_scope, world.also_in_scope}
    changes = AuditEntry.objects.get(action="reviewapp.roadmap.changed", target_id=item.pk).data["changes"]
    assert changes["status"] == {"before": "planned", "after": "in_progress"}
    assert changes["target_date"]["after"] == later.isoformat()
    assert changes["pathways"]["after"] == ["exfiltration", "backdoors"]


def test_saving_what_is_already_there_writes_no_entry(world, author):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    roadmap_item_update(person=author, item=item, version=1, status=item.status)
    item.refresh_from_db()
    assert item.version == 1 and not AuditEntry.objects.filter(action="reviewapp.roadmap.changed").exists()


def test_the_owning_team_moves_its_item_along_and_nothing_else(world, author, team_member):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)

    roadmap_item_update(person=team_member, item=item, version=1, status=RoadmapStatus.DONE)

    item.refresh_from_db()
    assert item.status == "done"
    with pytest.raises(RoadmapRefused, match="the authors change the rest"):
        roadmap_item_update(person=team_member, item=item, version=2, title="Mine now")
    with pytest.raises(RoadmapRefused, match="the authors change the rest"):
        roadmap_item_update(person=team_member, item=item, version=2, pathways=[world.also_in_scope])
    item.refresh_from_db()
    assert item.title != "Mine now" and item.version == 2


def test_readers_who_neither_author_nor_own_it_cannot_change_it(world, author, stress_tester, leadership):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    for person in (stress_tester, leadership):
        with pytest.raises(RoadmapRefused, match="authors and the owning team"):
            roadmap_item_update(person=person, item=item, version=1, status=RoadmapStatus.DONE)


def test_an_external_reviewer_cannot_even_see_it(world, author, external_reviewer):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    with pytest.raises(RoadmapRefused, match="cannot see this mitigation"):
        roadmap_item_update(person=external_reviewer, item=item, version=1, status=RoadmapStatus.DONE)


def test_a_save_over_a_newer_change_is_refused_and_a_past_date_kept_is_not(world, author, team_member):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    roadmap_item_update(person=team_member, item=item, version=1, status=RoadmapStatus.IN_PROGRESS)
    with pytest.raises(RoadmapConflict, match="Someone changed this mitigation"):
        roadmap_item_update(person=author, item=item, version=1, status=RoadmapStatus.DONE)
    item.refresh_from_db()
    assert item.status == "in_progress"
    # Once its date has passed, the item can still be saved (its overdue date is kept).
    RoadmapItem.objects.filter(pk=item.pk).update(target_date=TODAY - datetime.timedelta(days=2))
    roadmap_item_update(person=team_member, item=item, version=2, status=RoadmapStatus.DONE)
    item.refresh_from_db()
    assert item.status == "done" and item.target_date == TODAY - datetime.timedelta(days=2)


def test_an_item_outlives_what_it_came_from(world, author):
    item = RoadmapItemFactory(source=weak(world.public_line), author=author, owner_team=world.team)
    LineOfDefence.objects.filter(pk=world.public_line.pk).delete()
    item.refresh_from_db()
    assert item.line is None and item.source_label == "Weak line of defence “Egress alerting”"
