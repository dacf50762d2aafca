"""Loads the demo report (pathways/demo/demo-report.yaml, an ordinary report file), a
demo person for every role, and, with a new report, two information requests for the app
to chase: one overdue, one due tomorrow. Safe to run again: what exists is left as it is."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evidence.models import DetectionChain, InformationRequest, LineOfDefence
from pathways.enums import Clearance, Sensitivity
from pathways.models import Claim, Report, Team, User
from pathways.services import access_grant, team_member_add
from reviewapp.enums import RoadmapStatus
from reviewapp.models import RoadmapItem
from reviewapp.services.findings import finding_dispose, finding_raise
from reviewapp.services.requests import request_file
from reviewapp.services.roadmap import roadmap_item_create
from versions.services import version_publish

DEMO_FILE = Path(__file__).resolve().parents[3] / "pathways" / "demo" / "demo-report.yaml"
DEMO_SLUG = "pilot-sabotage-2026"
DEMO_PASSWORD = "review-demo-2026"

# username, full name, clearance, how they come to the report, what they should see
DEMO_PEOPLE = [
    ("alice", "Alice Author", Clearance.INTERNAL, {"role": "author"}, "author: reads and edits everything"),
    (
        "bob",
        "Bob Stress",
        Clearance.INTERNAL,
        {"role": "stress_tester", "org_name": "Internal Stress-Testing Team"},
        "stress-tester: reads everything, internal included",
    ),
    (
        "erin",
        "Erin External",
        Clearance.EXTERNAL,
        {"role": "external_reviewer", "org_name": "Holdout Evaluators"},
        "external reviewer: all pathways, reviewer-level material",
    ),
    (
        "frank",
        "Frank Limited",
        Clearance.EXTERNAL,
        {
            "role": "external_reviewer",
            "org_name": "Northfield Safety Institute",
            "pathway_slugs": ["self-exfiltration", "rogue-deployment", "code-backdoors", "data-poisoning"],
        },
        "external reviewer limited to 4 of the 9 pathways",
    ),
    ("lena", "Lena Leader", Clearance.INTERNAL, {"role": "leadership"}, "leadership: reads everything"),
    (
        "tom",
        "Tom Security",
        Clearance.INTERNAL,
        {"team": "security"},
        "member of the Security team: reads the report to answer requests",
    ),
    ("charlie", "Charlie Nobody", Clearance.INTERNAL, {}, "signed in, no access: sees no report"),
]


class Command(BaseCommand):
    help = "Load the demo report and demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="load even with DEBUG off (the demo people have a published password)",
        )

    def handle(self, *args, allow_without_debug, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "load_demo creates people whose password is printed in the README; it runs only with DEBUG=1 "
                "(make run sets it), or with --allow-without-debug on a throwaway installation."
            )
        new = not Report.objects.filter(slug=DEMO_SLUG).exists()
        if not new:
            self.stdout.write(f"The demo report '{DEMO_SLUG}' is already loaded.")
        else:
            call_command("import_report", str(DEMO_FILE), stdout=self.stdout, stderr=self.stderr)
        report = Report.objects.get(slug=DEMO_SLUG)
        with transaction.atomic():
            for username, full_name, clearance, access, _ in DEMO_PEOPLE:
                first, last = full_name.split(" ", 1)
                person, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "clearance": clearance,
                        "email": f"{username}@example.org",
                    },
                )
                if created:
                    person.set_password(DEMO_PASSWORD)
                    person.save()
                if "team" in access:
                    team_member_add(team=Team.objects.get(slug=access["team"]), user=person)
                elif "role" in access:
                    access_grant(report=report, user=person, **access)
            if new:
                self._review_activity(report)
        self.stdout.write(f"\nDemo people (password for all: {DEMO_PASSWORD}):")
        for username, full_name, _, _, what in DEMO_PEOPLE:
            self.stdout.write(f"  {username:<8} {full_name:<16} {what}")

    def _review_activity(self, report: Report) -> None:
        """Two requests to the Security team: Bob's, filed last week and now overdue (the
        clock moved back: the app refuses a due date in the past), and Erin's, due tomorrow.
        The scheduler's reminders chase both within a minute of `make run`. The draft as
        imported is published first, as the version the reviewers were given."""
        version_publish(
            report=report,
            author=User.objects.get(username="alice"),
            name="For external review",
            note="The report as first shared with the reviewers.",
        )
        claim = (
            Claim.objects.filter(report=report, owner_team__slug="security", sensitivity=Sensitivity.PUBLIC)
            .order_by("position", "id")
            .first()
        )
        if claim is None:
            return
        today = timezone.localdate()
        overdue = request_file(
            report=report,
            requester=User.objects.get(username="bob"),
            subject=claim,
            team=claim.owner_team,
            title="Who is paged when an outbound transfer is flagged?",
            question="Which on-call rota receives the alert, and how fast must they respond?",
            due_date=today,
        )
        InformationRequest.objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=2))
        request_file(
            report=report,
            requester=User.objects.get(username="erin"),
            subject=claim,
            team=claim.owner_team,
            title="How often are the egress thresholds reviewed?",
            question="When were the thresholds last changed, and who signs off a change?",
            due_date=today + datetime.timedelta(days=1),
        )
        self.stdout.write("Two demo information requests to the Security team: one overdue, one due tomorrow.")
        self._findings(report)

    def _findings(self, report: Report) -> None:
        """Three findings: Erin's major one on the leaks pathway's monitoring line (unanswered,
        so it holds up the sign-off), Bob's internal one on the file-permissions claim's use
        in code backdoors, answered by Alice with a planned mitigation, and Erin's minor one."""
        alice, bob, erin = (User.objects.get(username=name) for name in ("alice", "bob", "erin"))
        line = LineOfDefence.objects.filter(report=report, slug="leak-monitoring-line").first()
        claim = Claim.objects.filter(report=report, slug="file-permissions").first()
        if line is None or claim is None:
            return
        finding_raise(
            raiser=erin,
            subject=line,
            kind="evidence_insufficient",
            severity="major",
            text="The coverage review predates the new outbound channels; nothing shows they are logged.",
            recommendation="Extend the coverage review to every channel added since, or drop the line's strength.",
        )
        planned = finding_raise(
            raiser=bob,
            subject=claim,
            pathway=claim.pathways.get(slug="code-backdoors"),
            kind="inference",
            severity="critical",
            text="Permissions stop direct writes, not a backdoor merged through review; the step to the "
            "conclusion leans on review alone.",
            visibility="internal",
        )
        finding_dispose(
            author=alice,
            finding=planned,
            disposition="mitigation_planned",
            text="Two-person approval for merges into the training code, by the next model.",
            version=planned.version,
        )
        finding_raise(
            raiser=erin,
            subject=claim,
            kind="not_considered",
            severity="minor",
            text="The audit does not say how often permissions are re-checked.",
        )
        self.stdout.write("Three demo findings: one major awaiting the authors, one answered, one minor.")
        self._roadmap(report, planned, line)

    def _roadmap(self, report: Report, finding, line: LineOfDefence) -> None:
        """Three mitigations: the planned finding's (planned, due in a month), the weak
        monitoring line's (in progress and three days overdue, so the chase has something to
        chase) and a flagged chain's (only proposed, without a date)."""
        alice, today = User.objects.get(username="alice"), timezone.localdate()
        finding.refresh_from_db()
        chain = DetectionChain.objects.filter(report=report, slug="weights-slow-trickle").select_related("pathway")
        roadmap_item_create(
            author=alice,
            report=report,
            source=finding,
            pathways=[finding.pathway],
            title="Two-person approval for merges into the training code",
            description="Every merge into the training code needs a second approver outside the author's team.",
            owner_team=finding.claim.owner_team,
            status=RoadmapStatus.PLANNED,
            target_date=today + datetime.timedelta(days=30),
        )
        late = roadmap_item_create(
            author=alice,
            report=report,
            source=line,
            pathways=[line.pathway],
            title="Log the outbound channels added since the coverage review",
            description="",
            owner_team=line.owner_team,
            status=RoadmapStatus.IN_PROGRESS,
            target_date=today,
        )
        RoadmapItem.objects.filter(pk=late.pk).update(target_date=today - datetime.timedelta(days=3))
        if chain := chain.first():
            roadmap_item_create(
                author=alice,
                report=report,
                source=chain,
                pathways=[chain.pathway],
                title="Page the responders on slow egress, not only on bursts",
                description="",
                owner_team=line.owner_team,
                status=RoadmapStatus.PROPOSED,
                target_date=None,
            )
        self.stdout.write("Three demo mitigations on the roadmap: one planned, one overdue, one proposed.")
