"""Every page and fragment, for the readers who may open it, makes a fixed number of
queries: the literal number below, the same with the world grown once and grown three
times, never more than ten, and none longer than 8 KB of SQL.

The numbers include what every signed-in request costs: the session, the user and the
access object (one query each); full pages add the notification bell's count.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.enums import Relation
from reviewapp.models import ExportJob, SignOff
from reviewapp.services.comments import comment_post, comment_reply
from reviewapp.services.verdicts import verdict_record
from tests.factories import ClaimEvidenceFactory, ClaimFactory, EvidenceFactory, PathwayFactory
from tests.helpers import page_queries
from tests.reviewapp.matrix.notifications import delivered
from tests.reviewapp.matrix.requests import answer, file_request

BUDGET = 10
READERS = ["author", "external_reviewer", "team_member"]


@pytest.fixture
def fixed(world, author, stress_tester, external_reviewer, leadership, team_member):
    """The objects whose pages are measured; they gain threads, answers and entries as the world grows."""
    watched = file_request(world, external_reviewer, title="Watched")
    answer(watched, team_member, evidence_items=[world.public_evidence])
    thread = comment_post(author=author, subject=world.public_claim, text="Watched thread.", visibility="shared")
    signoff = SignOff.objects.create(report=world.report, decided_by=leadership, decision="approve")
    jobs = {
        name: ExportJob.objects.create(
            requester=person, report=world.report, kind="report", fmt="md", level=person.reading_level
        )
        for name, person in [("author", author), ("external_reviewer", external_reviewer), ("team_member", team_member)]
    }
    return {"request": watched, "thread": thread, "signoff": signoff, "jobs": jobs}


def grow(world, people, times):
    """Each time: a pathway with a claim resting on it and on `exfiltration`, evidence of
    every relation, threads with replies on every kind of subject, requests of both
    organisations with answers, a verdict from each organisation, a notification and an
    export for every reader, and the audit entries all of this writes."""
    author, bob = people["author"], people["stress_tester"]
    erin, tom = people["external_reviewer"], people["team_member"]
    for _ in range(times):
        pathway = PathwayFactory(report=world.report)
        claim = ClaimFactory(report=world.report, owner_team=world.team, pathways=[world.in_scope, pathway])
        ClaimEvidenceFactory(claim=claim, evidence=world.public_evidence)
        for relation in Relation:
            evidence = EvidenceFactory(report=world.report, owner_team=world.team)
            ClaimEvidenceFactory(claim=claim, evidence=evidence, relation=relation)
            ClaimEvidenceFactory(claim=world.public_claim, evidence=evidence, relation=relation)
        for subject in (world.public_claim, world.in_scope, world.public_evidence, world.in_scope.conclusion, claim):
            thread = comment_post(author=author, subject=subject, text="A thread.", visibility="shared")
            comment_reply(author=erin, parent=thread, text="A reply.")
            comment_post(author=bob, subject=subject, text="Internal.", visibility="internal")
        for requester in (erin, bob):
            information_request = file_request(world, requester, subject=claim)
            answer(information_request, tom)
        late = file_request(world, erin)
        late.due_date = timezone.localdate() - datetime.timedelta(days=3)
        late.save()
        for recorder, conclusion in ((erin, world.in_scope.conclusion), (bob, pathway.conclusion)):
            verdict_record(conclusion=conclusion, recorder=recorder, position="concur", rationale="", revision=1)
        for person in (author, erin, tom):
            delivered(person, world.report, information_request=late)
            ExportJob.objects.create(requester=person, report=world.report, kind="report", fmt="md", level="public")


def _pages(world, fixed, reader):
    """(label, url, htmx) for every GET page and fragment this reader may open."""
    report = world.report.slug
    claim, evidence, pathway = "egress-monitoring", "egress-review", "exfiltration"
    request_pk, thread = fixed["request"].pk, fixed["thread"]
    conclusion = world.in_scope.conclusion
    pages = [
        ("home", reverse("home"), False),
        ("report", reverse("report_detail", args=[report]), False),
        ("pathway", reverse("pathway_detail", args=[report, pathway]), False),
        ("claims", reverse("claim_index", args=[report]), False),
        ("claims fragment", reverse("claim_index", args=[report]) + "?category=monitoring", True),
        ("claims by team", reverse("claim_index", args=[report]) + "?team=security&pathway=exfiltration", False),
        ("claim", reverse("claim_detail", args=[report, claim]), False),
        ("claim evidence fragment", reverse("claim_evidence", args=[report, claim]), True),
        ("load-bearing", reverse("load_bearing", args=[report]), False),
        ("evidence index", reverse("evidence_index", args=[report]), False),
        ("evidence", reverse("evidence_detail", args=[report, evidence]), False),
        ("requests", reverse("request_list", args=[report]), False),
        ("requests fragment", reverse("request_list", args=[report]) + "?state=answered&team=security", True),
        ("request", reverse("request_detail", args=[report, request_pk]), False),
        ("request fragment", reverse("request_detail", args=[report, request_pk]), True),
        ("inbox", reverse("team_inbox"), False),
        ("discussion", reverse("discussion", args=[report]), False),
        ("discussion fragment", reverse("discussion", args=[report]) + "?subject=claim", True),
        ("verdicts", reverse("verdict_history", args=[report, conclusion.pk]), False),
        ("notifications", reverse("notification_list"), False),
        ("notifications fragment", reverse("notification_list"), True),
        ("bell", reverse("notification_bell"), True),
        ("notification settings", reverse("notification_settings"), False),
        ("exports", reverse("export_list", args=[report]), False),
        ("export", reverse("export_detail", args=[report, fixed["jobs"][reader].pk]), False),
        ("export fragment", reverse("export_detail", args=[report, fixed["jobs"][reader].pk]), True),
    ]
    if reader == "external_reviewer":
        pages += [
            ("file a request", reverse("request_file", args=[report, "claims", claim]), False),
            ("file a request fragment", reverse("request_file", args=[report, "pathways", pathway]), True),
        ]
    if reader != "external_reviewer":
        pages += [
            ("audit log", reverse("audit_log", args=[report]), False),
            ("audit log fragment", reverse("audit_log", args=[report]) + "?action=reviewapp", True),
            ("audit entry", reverse("audit_entry", args=[report, thread_entry(thread)]), False),
            ("pathway history", reverse("pathway_history", args=[report, pathway]), False),
            ("claim history", reverse("claim_history", args=[report, claim]), False),
            ("evidence history", reverse("evidence_history", args=[report, evidence]), False),
            ("conclusion history", reverse("conclusion_history", args=[report, pathway]), False),
            ("overall conclusion history", reverse("overall_conclusion_history", args=[report]), False),
        ]
    if reader == "author":
        pages += [
            ("dashboard", reverse("signoff_dashboard", args=[report]), False),
            ("sign-off", reverse("signoff_detail", args=[report, fixed["signoff"].pk]), False),
            ("edit pathway", reverse("pathway_edit", args=[report, pathway, "argument"]), False),
            ("edit pathway fragment", reverse("pathway_edit", args=[report, pathway, "argument"]), True),
            ("edit conclusion", reverse("conclusion_edit", args=[report, pathway]), False),
            ("edit overall conclusion", reverse("overall_conclusion_edit", args=[report]), True),
            ("edit claim", reverse("claim_edit", args=[report, claim]), False),
            ("edit evidence", reverse("evidence_edit", args=[report, evidence]), True),
        ]
    return pages


def thread_entry(thread) -> int:
    from pathways.models import AuditEntry

    return AuditEntry.objects.get(action="reviewapp.comment.posted", target_id=thread.pk).pk


# What each page costs each reader: page label → (author, external reviewer, team member);
# None where the reader may not open it. A reviewer's pathway, claim and evidence pages ask
# one more (the teams they may file a request to); a team member's inbox and request pages
# read what the team owes, and a reviewer's inbox their organisation's requests (their
# counts, and the first of each group in one query).
EXPECTED = {
    "home": (5, 5, 5),
    "report": (8, 8, 8),
    "pathway": (9, 10, 9),
    "claims": (9, 9, 9),
    "claims fragment": (8, 8, 8),
    "claims by team": (9, 9, 9),
    "claim": (9, 10, 9),
    "claim evidence fragment": (6, 6, 6),
    "load-bearing": (8, 8, 8),
    "evidence index": (7, 7, 7),
    "evidence": (9, 10, 9),
    "requests": (8, 8, 8),
    "requests fragment": (7, 7, 7),
    "request": (8, 8, 9),
    "request fragment": (7, 7, 8),
    "inbox": (4, 6, 9),
    "discussion": (8, 8, 8),
    "discussion fragment": (6, 6, 6),
    "verdicts": (8, 8, 8),
    "notifications": (6, 6, 6),
    "notifications fragment": (6, 6, 6),
    "bell": (4, 4, 4),
    "notification settings": (5, 5, 5),
    "exports": (7, 7, 7),
    "export": (6, 6, 6),
    "export fragment": (5, 5, 5),
    "audit log": (7, None, 7),
    "audit log fragment": (6, None, 6),
    "audit entry": (6, None, 6),
    "pathway history": (6, None, 6),
    "claim history": (7, None, 7),
    "evidence history": (7, None, 7),
    "conclusion history": (7, None, 7),
    "overall conclusion history": (7, None, 7),
    "dashboard": (10, None, None),
    "sign-off": (6, None, None),
    "edit pathway": (5, None, None),
    "edit pathway fragment": (4, None, None),
    "edit conclusion": (6, None, None),
    "edit overall conclusion": (5, None, None),
    "edit claim": (10, None, None),
    "edit evidence": (5, None, None),
    "file a request": (None, 7, None),
    "file a request fragment": (None, 6, None),
}


@pytest.mark.parametrize("reader", READERS)
def test_every_page_keeps_to_its_query_budget_as_the_data_grows(
    client, world, request, fixed, author, stress_tester, external_reviewer, team_member, reader
):
    people = {
        "author": author,
        "stress_tester": stress_tester,
        "external_reviewer": external_reviewer,
        "team_member": team_member,
    }
    client.force_login(people[reader])
    grow(world, people, 1)
    small = {label: len(page_queries(client, url, htmx=htmx)) for label, url, htmx in _pages(world, fixed, reader)}
    grow(world, people, 2)
    large = {label: len(page_queries(client, url, htmx=htmx)) for label, url, htmx in _pages(world, fixed, reader)}
    assert small == large
    column = READERS.index(reader)
    assert small == {label: EXPECTED[label][column] for label in small}
    assert max(small.values()) <= BUDGET
