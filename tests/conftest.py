"""Personas and a small report world shared by the suite.

The world: one report with three pathways. The external reviewer (Holdout Evaluators)
is limited to the first two; the third, and everything marked internal, carries canary
strings that must never reach them.
"""

import os
import time

import pytest
from django.test import Client

from evidence.enums import Detector, Relation, StepRole
from pathways.enums import Clearance, Sensitivity
from pathways.services import access_grant, team_member_add
from tests.factories import (
    ChainStepFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    DetectionChainFactory,
    EvidenceFactory,
    LineOfDefenceFactory,
    PathwayFactory,
    ReportFactory,
    TeamFactory,
    UserFactory,
)

CANARY_INTERNAL_CLAIM = "CANARY-INTERNAL-CLAIM-7f3a"
CANARY_INTERNAL_EVIDENCE = "CANARY-INTERNAL-EVIDENCE-91bc"
CANARY_INTERNAL_SPAN = "CANARY-INTERNAL-SPAN-4d21"
CANARY_OUT_OF_SCOPE = "CANARY-OUT-OF-SCOPE-PATHWAY-e0c9"
CANARY_OUT_OF_SCOPE_CLAIM = "CANARY-OUT-OF-SCOPE-CLAIM-22aa"
CANARY_INTERNAL_LINE = "CANARY-INTERNAL-LINE-6e17"
CANARY_INTERNAL_STEP = "CANARY-INTERNAL-STEP-3c58"
CANARY_INTERNAL_CHAIN = "CANARY-INTERNAL-CHAIN-a4d0"
REVIEWER_VISIBLE = "REVIEWER-LEVEL-VISIBLE-5b5b"
ALL_CANARIES = [
    CANARY_INTERNAL_CLAIM,
    CANARY_INTERNAL_EVIDENCE,
    CANARY_INTERNAL_SPAN,
    CANARY_OUT_OF_SCOPE,
    CANARY_OUT_OF_SCOPE_CLAIM,
    CANARY_INTERNAL_LINE,
    CANARY_INTERNAL_STEP,
    CANARY_INTERNAL_CHAIN,
]


@pytest.fixture(autouse=True)
def _force_login_signs_in_completely(monkeypatch):
    """`client.force_login` stands for a complete sign-in: password and, where required, the
    second factor (whose own tests, tests/reviewapp/test_two_factor.py, sign in without it)."""
    from reviewapp.two_factor import SESSION_KEY

    password_only = Client.force_login

    def force_login(client, user, backend=None):
        password_only(client, user, backend)
        session = client.session
        session[SESSION_KEY] = int(time.time())
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "force_login_password_only", password_only, raising=False)


class World:
    """Named handles on the objects of the test report."""


@pytest.fixture
def world(db):
    w = World()
    w.team = TeamFactory(slug="security", name="Security")
    w.other_team = TeamFactory(slug="alignment", name="Alignment Science")
    w.report = ReportFactory(
        slug="pilot",
        title="Pilot report",
        summary=f"Summary with [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]] and "
        f"[[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]].",
    )
    w.in_scope = PathwayFactory(report=w.report, slug="exfiltration", title="Self-exfiltration", position=1)
    w.also_in_scope = PathwayFactory(report=w.report, slug="backdoors", title="Code backdoors", position=2)
    w.out_of_scope = PathwayFactory(
        report=w.report,
        slug="government",
        title=f"Government decisions {CANARY_OUT_OF_SCOPE}",
        position=3,
        argument=f"Argument {CANARY_OUT_OF_SCOPE}",
    )
    w.public_claim = ClaimFactory(
        report=w.report,
        slug="egress-monitoring",
        statement="Large outbound transfers are detected.",
        owner_team=w.team,
        rationale=f"Seen in drills: [[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]] "
        f"[[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]",
        pathways=[w.in_scope, w.also_in_scope],
    )
    w.reviewer_claim = ClaimFactory(
        report=w.report,
        slug="file-permissions",
        statement=f"File permissions hold. {REVIEWER_VISIBLE}",
        owner_team=w.team,
        sensitivity=Sensitivity.REVIEWER,
        pathways=[w.in_scope],
    )
    w.internal_claim = ClaimFactory(
        report=w.report,
        slug="internal-only",
        statement=f"Internal claim {CANARY_INTERNAL_CLAIM}",
        owner_team=w.other_team,
        sensitivity=Sensitivity.INTERNAL,
        pathways=[w.in_scope],
    )
    w.out_of_scope_claim = ClaimFactory(
        report=w.report,
        slug="gov-affordances",
        statement=f"Government deployments have few affordances {CANARY_OUT_OF_SCOPE_CLAIM}",
        owner_team=w.other_team,
        pathways=[w.out_of_scope],
    )
    w.public_evidence = EvidenceFactory(report=w.report, slug="egress-review", title="Egress review", owner_team=w.team)
    w.internal_evidence = EvidenceFactory(
        report=w.report,
        slug="classifier-notes",
        title=f"Classifier notes {CANARY_INTERNAL_EVIDENCE}",
        owner_team=w.team,
        sensitivity=Sensitivity.INTERNAL,
    )
    w.out_of_scope_evidence = EvidenceFactory(
        report=w.report, slug="gov-usage", title=f"Gov usage {CANARY_OUT_OF_SCOPE_CLAIM}", owner_team=w.other_team
    )
    ClaimEvidenceFactory(claim=w.public_claim, evidence=w.public_evidence)
    ClaimEvidenceFactory(claim=w.public_claim, evidence=w.internal_evidence, relation=Relation.UNDERMINES)
    ClaimEvidenceFactory(claim=w.out_of_scope_claim, evidence=w.out_of_scope_evidence)
    # Lines of defence: a public one resting on internal material too, an internal one, and
    # one on the pathway out of the external reviewer's scope.
    w.public_line = LineOfDefenceFactory(
        pathway=w.in_scope,
        slug="egress-alerting",
        title="Egress alerting",
        owner_team=w.team,
        strength_reason=f"Paged on-call. [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]]",
        claims=[w.public_claim, w.internal_claim],
        evidence=[w.public_evidence, w.internal_evidence],
    )
    w.internal_line = LineOfDefenceFactory(
        pathway=w.in_scope,
        slug="internal-line",
        title=f"Internal line {CANARY_INTERNAL_LINE}",
        owner_team=w.other_team,
        sensitivity=Sensitivity.INTERNAL,
        claims=[w.internal_claim],
    )
    w.out_of_scope_line = LineOfDefenceFactory(
        pathway=w.out_of_scope,
        slug="gov-review",
        title=f"Government review {CANARY_OUT_OF_SCOPE}",
        owner_team=w.other_team,
        claims=[w.out_of_scope_claim],
        evidence=[w.out_of_scope_evidence],
    )
    # Detection chains: a public one with an internal step (to the external reviewer, the
    # chain lacks its alert) and a step backed only by internal evidence; an internal chain;
    # one on the pathway out of scope.
    w.chain = DetectionChainFactory(
        pathway=w.in_scope, slug="weights-bucket", scenario="The model copies its weights out", harm_after=120
    )
    ChainStepFactory(
        chain=w.chain, role=StepRole.SIGNAL, text="Outbound transfer", owner_team=w.team, evidence=[w.public_evidence]
    )
    ChainStepFactory(
        chain=w.chain,
        role=StepRole.DETECTION,
        text="Egress monitor",
        owner_team=w.team,
        detector=Detector.MONITOR,
        evidence=[w.internal_evidence],
    )
    w.internal_step = ChainStepFactory(
        chain=w.chain,
        role=StepRole.ALERT,
        text=f"Pager route {CANARY_INTERNAL_STEP}",
        owner_team=w.team,
        sensitivity=Sensitivity.INTERNAL,
        evidence=[w.public_evidence],
    )
    w.response_step = ChainStepFactory(
        chain=w.chain,
        role=StepRole.RESPONSE,
        text="Security on-call",
        owner_team=w.team,
        paged=True,
        minutes=30,
        evidence=[w.public_evidence],
    )
    ChainStepFactory(
        chain=w.chain,
        role=StepRole.ACTION,
        text="Revoke credentials",
        owner_team=w.team,
        minutes=15,
        evidence=[w.public_evidence],
    )
    w.internal_chain = DetectionChainFactory(
        pathway=w.in_scope,
        slug="internal-chain",
        scenario=f"Internal scenario {CANARY_INTERNAL_CHAIN}",
        sensitivity=Sensitivity.INTERNAL,
    )
    ChainStepFactory(chain=w.internal_chain, role=StepRole.SIGNAL, text="A signal", owner_team=w.other_team)
    w.out_of_scope_chain = DetectionChainFactory(
        pathway=w.out_of_scope, slug="gov-chain", scenario=f"Government misuse {CANARY_OUT_OF_SCOPE}"
    )
    w.out_of_scope_step = ChainStepFactory(
        chain=w.out_of_scope_chain,
        role=StepRole.SIGNAL,
        text="Unusual usage",
        owner_team=w.other_team,
        evidence=[w.out_of_scope_evidence],
    )
    return w


def _person(username, clearance=Clearance.INTERNAL):
    return UserFactory(username=username, clearance=clearance)


@pytest.fixture
def author(world):
    person = _person("alice")
    access_grant(report=world.report, user=person, role="author")
    return person


@pytest.fixture
def stress_tester(world):
    person = _person("bob")
    access_grant(report=world.report, user=person, role="stress_tester", org_name="Stress-testing team")
    return person


@pytest.fixture
def external_reviewer(world):
    person = _person("erin", Clearance.EXTERNAL)
    access_grant(
        report=world.report,
        user=person,
        role="external_reviewer",
        org_name="Holdout Evaluators",
        pathway_slugs=["exfiltration", "backdoors"],
    )
    return person


@pytest.fixture
def leadership(world):
    person = _person("lena")
    access_grant(report=world.report, user=person, role="leadership")
    return person


@pytest.fixture
def team_member(world):
    person = _person("tom")
    team_member_add(team=world.team, user=person)
    return person


@pytest.fixture
def outsider(world):
    return _person("charlie")


PERSONAS = ["author", "stress_tester", "external_reviewer", "leadership", "team_member", "outsider", "anonymous"]


@pytest.fixture
def persona(request, world):
    """The person named by a `persona` parameter, or None for anonymous."""
    if request.param == "anonymous":
        return None
    return request.getfixturevalue(request.param)


def pytest_collection_modifyitems(config, items):
    """Browser tests (tests/browser) need Debian's Chromium: skipped without it, except under CI."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    if os.path.exists(chromium) or os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {chromium}: apt-get install -y chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """Export files of this run live in a folder of its own (tests/settings.py); remove it."""
    import shutil

    from django.conf import settings

    if settings.configured and "test-exports-" in str(getattr(settings, "EXPORTS_ROOT", "")):
        shutil.rmtree(settings.EXPORTS_ROOT, ignore_errors=True)
