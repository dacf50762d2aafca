"""The mitigation roadmap in the review record: written into an internal record for those
who read the roadmap, with each item's status, team, date (overdue marked), pathways and
origin; absent, without a word of it, from every other record."""

import datetime

import pytest
from django.utils import timezone

from evidence.enums import Strength
from evidence.models import LineOfDefence
from reviewapp.models import RoadmapItem
from reviewapp.review_record import review_record_export, review_record_load
from tests.factories import LineOfDefenceFactory, RoadmapItemFactory
from tests.helpers import assert_no_long_query
from tests.reviewapp.test_review_record import pdf_text, squeezed

SECRET = "Rotate every egress credential monthly"


@pytest.fixture
def roadmap(world, author):
    LineOfDefence.objects.filter(pk=world.public_line.pk).update(strength=Strength.WEAK)
    world.public_line.refresh_from_db()
    item = RoadmapItemFactory(
        source=world.public_line,
        author=author,
        owner_team=world.team,
        title=SECRET,
        description="Starting with the **bucket** keys.",
        pathways=[world.in_scope, world.also_in_scope],
    )
    RoadmapItem.objects.filter(pk=item.pk).update(target_date=timezone.localdate() - datetime.timedelta(days=3))
    return item


def written(reader, world, level, fmt="md") -> str:
    content = review_record_export(report=world.report, reader=reader, level=level, fmt=fmt).content
    return content if fmt == "md" else pdf_text(content)


def test_an_internal_record_carries_the_roadmap(world, roadmap, author):
    text = written(author, world, "internal")
    for words in [
        "## Mitigation roadmap",
        f"### {SECRET}",
        "- **Status:** Planned",
        "- **Owning team:** Security",
        "(overdue by 3 days)",
        "- **Would strengthen:** Self-exfiltration; Code backdoors",
        "- **From:** Weak line of defence “Egress alerting”",
        "Starting with the **bucket** keys.",
    ]:
        assert words in text, words


def test_the_pdf_record_carries_it_too(world, roadmap, author):
    text = written(author, world, "internal", "pdf")
    for words in ["Mitigation roadmap", SECRET, "overdue by 3 days", "Self-exfiltration; Code backdoors"]:
        assert squeezed(words) in text, words


@pytest.mark.parametrize("level", ["reviewer", "public"])
def test_a_record_below_the_internal_level_says_nothing_of_a_roadmap(world, roadmap, author, level):
    text = written(author, world, level)
    assert "roadmap" not in text.lower() and SECRET not in text


def test_the_external_reviewer_s_record_says_nothing_of_a_roadmap(world, roadmap, external_reviewer):
    text = written(external_reviewer, world, "reviewer")
    assert "roadmap" not in text.lower() and SECRET not in text
    assert review_record_load(report=world.report, reader=external_reviewer, level="reviewer").roadmap is None


def test_the_owning_team_and_the_authors_read_it_in_their_internal_record(world, roadmap, team_member, author):
    assert SECRET in written(team_member, world, "internal")  # the owning team reads the report whole
    record = review_record_load(report=world.report, reader=author, level="internal")
    assert [item.title for item in record.roadmap] == [SECRET]


def test_the_roadmap_costs_two_queries_however_long_it_is(world, roadmap, author, django_assert_num_queries):
    def load():
        with django_assert_num_queries(11) as queries:
            review_record_load(report=world.report, reader=author, level="internal")
        assert_no_long_query(queries.captured_queries)

    load()
    for _ in range(3):
        line = LineOfDefenceFactory(pathway=world.in_scope, owner_team=world.team, strength=Strength.WEAK)
        RoadmapItemFactory(source=line, author=author, owner_team=world.team)
    load()
