"""The benchmark's data, at a small scale: seeded in SQL, consistent with the rules the app
keeps, and every page shape the benchmark loads answers each of its personas."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from evidence.models import ChainStep, ChainStepEvidence, DetectionChain, Evidence, InformationRequest
from pathways.access import compute_access
from pathways.models import Claim, Report, User
from pathways.selectors import pathways_visible_to
from reviewapp.bench_data import PERSONAS
from reviewapp.models import Comment, Notification, RoadmapItem
from reviewapp.selectors.notifications import notifications_visible_to
from reviewapp.selectors.search import search_count
from tests.helpers import assert_no_long_query, counted


def _bench_module():
    path = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seeded(db):
    call_command("seed_bench", scale=0.02, stdout=io.StringIO())
    return {key: User.objects.get(username=username) for key, username in PERSONAS.items()}


def test_the_seed_fills_every_table_and_names_three_personas(seeded):
    assert Report.objects.count() == 2
    assert Claim.objects.count() == 2 * 9 * 6 and Evidence.objects.count() == 2 * 50
    assert Comment.objects.filter(parent__isnull=False).exists() and InformationRequest.objects.exists()
    assert DetectionChain.objects.count() == 2 * 9 * 3
    assert ChainStep.objects.count() == 2 * 9 * 3 * 5 - 2 * 9 == ChainStepEvidence.objects.count()
    # A mitigation for each weak line (two a pathway), each for two pathways; some overdue.
    assert RoadmapItem.objects.count() == 2 * 9 * 2 and RoadmapItem.pathways.through.objects.count() == 2 * 9 * 2 * 2
    assert RoadmapItem.objects.filter(RoadmapItem.overdue_q(timezone.localdate())).exists()
    author, external, team = seeded["author"], seeded["external"], seeded["team"]
    assert compute_access(author).on(1).may_edit
    external_access = compute_access(external)
    assert external_access.is_external and 1 in external_access.limited_report_ids
    assert pathways_visible_to(external).filter(report_id=1).count() == 3
    team_access = compute_access(team)
    assert team_access.team_ids and not team_access.granted_roles and team_access.whole_report_ids
    # Some of the external reviewer's notifications are about what they cannot see: the scope cuts them.
    theirs = Notification.objects.filter(recipient=external).count()
    assert 0 < notifications_visible_to(external).count() < theirs
    # The seed writes search documents as the product does: each persona finds what they may read.
    assert search_count(author, "detected", kind="claim") > search_count(external, "detected", kind="claim") > 0


def test_the_seed_refuses_a_database_that_holds_reports(world):
    with pytest.raises(CommandError, match="already holds reports"):
        call_command("seed_bench", scale=0.02)


def test_every_page_shape_of_the_benchmark_answers_its_personas(seeded):
    bench = _bench_module()
    personas = {
        "author": seeded["author"],
        "external reviewer": seeded["external"],
        "team member": seeded["team"],
    }
    pages = bench.page_shapes(personas)
    assert len(pages) > 60
    client = Client()
    for page in pages:
        client.force_login(personas[page.persona])
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        with counted() as queries:
            response = client.get(page.url, **headers)
        assert response.status_code == 200, f"{page.persona}: {page.label} {page.url}"
        assert len(queries) <= 10, f"{page.persona}: {page.label} made {len(queries)} queries"
        assert_no_long_query(queries.captured_queries)
