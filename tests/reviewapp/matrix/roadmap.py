"""Permission-matrix rows of the mitigation roadmap.

Internal staff who see the report whole read the roadmap and its items; the external
reviewer gets 404 for every roadmap URL, as if there were none. Only the authors put an item
on it (403 for the other internal readers); the authors and the owning team (the team
member) change one (403 for the stress-tester and leadership).
"""

import datetime

from django.utils import timezone

from evidence.enums import Strength
from evidence.models import LineOfDefence
from tests.factories import RoadmapItemFactory
from tests.reviewapp.matrix import HIDDEN_FROM_EXTERNAL, Row

AUTHORS_ONLY = {**HIDDEN_FROM_EXTERNAL, "stress_tester": 403, "leadership": 403, "team_member": 403}
AUTHORS_PUT = {**AUTHORS_ONLY, "author": 302}
AUTHORS_AND_TEAM = {**AUTHORS_ONLY, "author": 302, "team_member": 302}
FORGED = {**HIDDEN_FROM_EXTERNAL, **dict.fromkeys(["author", "stress_tester", "leadership", "team_member"], 404)}


def _weak_line(world, persona):
    LineOfDefence.objects.filter(pk=world.public_line.pk).update(strength=Strength.WEAK)


def _item(world, persona):
    _weak_line(world, persona)
    world.public_line.refresh_from_db()
    return RoadmapItemFactory(source=world.public_line, author=persona("author"), owner_team=world.team)


def _item_kwargs(world, item):
    return {"slug": "pilot", "pk": item.pk}


def _form(world, item=None):
    return {
        "title": "Log every outbound channel",
        "description": "",
        "owner_team": world.team.pk,
        "status": "in_progress",
        "target_date": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(),
        "pathways": [world.in_scope.pk],
        "version": item.version if item else 0,
    }


ROWS = [
    Row("roadmap", HIDDEN_FROM_EXTERNAL, kwargs={"slug": "pilot"}),
    Row("roadmap", HIDDEN_FROM_EXTERNAL, kwargs={"slug": "pilot"}, data={"by": "team"}, label="by-team"),
    Row("roadmap_new", AUTHORS_ONLY, kwargs={"slug": "pilot"}, data={"line": "egress-alerting"}, setup=_weak_line),
    Row(
        "roadmap_new",
        AUTHORS_ONLY,
        kwargs={"slug": "pilot"},
        data={"chain": "internal-chain"},
        label="internal-chain",
    ),
    Row(
        "roadmap_new",
        AUTHORS_PUT,
        kwargs=lambda world, objects: {"slug": "pilot"},
        method="post",
        data=lambda world, objects: {**_form(world), "line": "egress-alerting"},
        setup=_weak_line,
        label="put",
    ),
    Row("roadmap_new", FORGED, kwargs={"slug": "pilot"}, data={"finding": "999999"}, label="forged-finding"),
    Row("roadmap_new", FORGED, kwargs={"slug": "pilot"}, data={"line": "no-such-line"}, label="forged-line"),
    Row("roadmap_item", HIDDEN_FROM_EXTERNAL, kwargs=_item_kwargs, setup=_item),
    Row("roadmap_item", FORGED, kwargs={"slug": "pilot", "pk": 999999}, label="forged"),
    Row(
        "roadmap_item_edit",
        AUTHORS_AND_TEAM,
        kwargs=_item_kwargs,
        method="post",
        data=lambda world, item: _form(world, item),
        setup=_item,
    ),
]
