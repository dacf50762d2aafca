"""Fill an empty database with a lab's reviews after a few years of reports, for `make bench`.

At scale 1: 20 reports × 9 pathways × 50 claims, 50,000 evidence items, 500,000 comments,
20,000 information requests, 100,000 notifications, 200,000 audit entries and 2,000 people
with grants across reports, teams and organisations. Everything is generated in SQL
(INSERT … SELECT over generate_series), in well under a minute; ids follow from arithmetic,
so the relations between rows need no lookups. Three people are the benchmark's personas:
`bench-author` (an author of report 1), `bench-external` (an external reviewer limited to
three pathways of report 1) and `bench-team` (a member of an owning team, which owns claims
and evidence in every report). Their password is `bench-password`.

Refused on a database that already holds a report: this is not for real data.
"""

import time

import psycopg
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from evidence.models import ClaimEvidence, Evidence, InformationRequest, RequestMessage
from evidence.selectors import information_requests_visible_to
from pathways.enums import PATHWAY_REVIEW_CODENAME, Role
from pathways.models import (
    AuditEntry,
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    PathwayUserObjectPermission,
    Report,
    ReportUserObjectPermission,
    ReviewerOrganisation,
    Team,
    User,
)
from reviewapp.models import Comment, Notification, Verdict
from reviewapp.selectors.comments import comments_visible_to

PASSWORD = "bench-password"
PERSONAS = {"author": "bench-author", "external": "bench-external", "team": "bench-team"}


class Scale:
    """How many of each thing, at a given scale (1 is a lab after a few years)."""

    def __init__(self, factor: float):
        def count(full, least):
            return max(least, round(full * factor))

        self.reports = count(20, 2)
        self.pathways = 9  # per report
        self.claims = count(50, 6)  # per pathway
        self.evidence = count(2_500, 20)  # per report
        self.teams = 30 if factor >= 0.1 else 6
        self.organisations = 10  # one internal stress-testing team and nine external organisations
        self.people = count(2_000, 150)
        self.requests = count(1_000, 20)  # per report
        self.comments = count(25_000, 60)  # per report
        self.notifications = count(100_000, 300)
        self.audit_entries = count(10_000, 30)  # per report

    @property
    def claims_per_report(self) -> int:
        return self.pathways * self.claims

    @property
    def internal_people(self) -> int:
        return self.people * 3 // 5

    @property
    def stress_testers(self) -> int:
        return max(5, self.people // 20)


class Command(BaseCommand):
    help = "Fill an empty database with benchmark data (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is a lab after a few years (default)")

    def handle(self, *args, scale, **options):
        if scale <= 0 or scale > 5:
            raise CommandError("--scale is between 0 (exclusive) and 5")
        if Report.objects.exists():
            raise CommandError(
                f"the database {connection.settings_dict['NAME']!r} already holds reports: "
                "seed_bench fills an empty database only"
            )
        sizes = Scale(scale)
        started = time.monotonic()
        connection.ensure_connection()
        # A client-side cursor: the arithmetic on the parameters wants them as SQL literals,
        # where server-side binding would type small numbers as smallint.
        with transaction.atomic(), psycopg.ClientCursor(connection.connection) as cursor:
            seeder = Seeder(cursor, sizes)
            for step in seeder.steps():
                step_started = time.monotonic()
                rows = step()
                self.stdout.write(
                    f"  {step.__name__[1:]:<16} {rows:>9,} rows  {time.monotonic() - step_started:5.1f} s"
                )
            models = [
                ReviewerOrganisation,
                Team,
                User,
                Report,
                Pathway,
                Conclusion,
                Claim,
                PathwayClaim,
                Evidence,
                ClaimEvidence,
                ReportUserObjectPermission,
                PathwayUserObjectPermission,
                InformationRequest,
                RequestMessage,
                Comment,
                Verdict,
                Notification,
                AuditEntry,
                Team.members.through,
            ]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Seeded at scale {scale} in {time.monotonic() - started:.1f} s."))


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


LOREM = (
    "The evidence gathered across the audit, the red-teaming exercises and the monitoring logs "
    "points the same way: the behaviour would be seen, the people responsible would be told, "
    "and they would act before the harm could not be undone. "
)


class Seeder:
    """One method a table, each one INSERT … SELECT, run in order."""

    def __init__(self, cursor, sizes: Scale):
        self.cursor = cursor
        self.s = sizes
        self.password = make_password(PASSWORD)

    def steps(self):
        return [
            self._organisations,
            self._teams,
            self._people,
            self._reports,
            self._pathways,
            self._conclusions,
            self._claims,
            self._pathway_claims,
            self._evidence,
            self._claim_evidence,
            self._grants,
            self._requests,
            self._messages,
            self._comments,
            self._verdicts,
            self._notifications,
            self._audit_entries,
            self._personas,
            self._persona_notifications,
        ]

    def run(self, sql: str, params=None) -> int:
        self.cursor.execute(sql, params or {})
        return self.cursor.rowcount

    def _params(self, **extra) -> dict:
        s = self.s
        return {
            "reports": s.reports,
            "pathways": s.pathways,
            "claims": s.claims,
            "claims_per_report": s.claims_per_report,
            "evidence": s.evidence,
            "teams": s.teams,
            "people": s.people,
            "internal": s.internal_people,
            "stress": s.stress_testers,
            "lorem": LOREM,
            **extra,
        }

    def _organisations(self):
        return self.run(
            f"""INSERT INTO {_table(ReviewerOrganisation)} (id, name, kind)
            SELECT 1, 'Stress-testing team', 'internal'
            UNION ALL SELECT n, 'Evaluator ' || n, 'external' FROM generate_series(2, %(organisations)s) n""",
            self._params(organisations=self.s.organisations),
        )

    def _teams(self):
        return self.run(
            f"""INSERT INTO {_table(Team)} (id, slug, name, description)
            SELECT n, 'team-' || n, 'Team ' || n, 'An owning team.' FROM generate_series(1, %(teams)s) n""",
            self._params(),
        )

    def _people(self):
        # 1..stress: internal stress-testers; ..internal: other internal staff; the rest external.
        return self.run(
            f"""INSERT INTO {_table(User)} (id, password, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, clearance, organisation_id)
            SELECT n, %(password)s, false, 'person' || lpad(n::text, 5, '0'), 'Person', n::text,
                'person' || n || '@example.org', false, true, now(),
                CASE WHEN n <= %(internal)s THEN 'internal' ELSE 'external' END,
                CASE WHEN n <= %(stress)s THEN 1 WHEN n > %(internal)s THEN 2 + n %% 9 END
            FROM generate_series(1, %(people)s) n""",
            self._params(password=self.password),
        ) + self.run(
            # Internal staff who neither author nor lead (see _grants) are in an owning team, some in two.
            f"""INSERT INTO {_table(Team.members.through)} (team_id, user_id)
            SELECT 1 + n %% %(teams)s, n FROM generate_series(%(stress)s + 1, %(internal)s) n WHERE n %% 10 >= 2
            UNION ALL SELECT 1 + (n + 7) %% %(teams)s, n FROM generate_series(%(stress)s + 1, %(internal)s) n
            WHERE n %% 10 >= 2 AND n %% 5 = 0""",
            self._params(),
        )

    def _reports(self):
        return self.run(
            f"""INSERT INTO {_table(Report)} (id, slug, title, model_name, version, evidence_cutoff, summary, status,
                created_at, updated_at)
            SELECT r, 'report-' || lpad(r::text, 2, '0'), 'Sabotage risk report ' || r, 'Model ' || r,
                '2026-' || lpad((1 + r %% 12)::text, 2, '0'), date '2026-01-01' + r,
                repeat(%(lorem)s, 6) || ' [[internal]]Internal detail.[[/internal]]',
                CASE WHEN r %% 3 = 0 THEN 'draft' ELSE 'in_review' END,
                now() - (r || ' days')::interval, now()
            FROM generate_series(1, %(reports)s) r""",
            self._params(),
        )

    def _pathways(self):
        return self.run(
            f"""INSERT INTO {_table(Pathway)} (id, report_id, slug, title, position, critical_action, argument, version)
            SELECT (r - 1) * %(pathways)s + p, r, 'pathway-' || p, 'Pathway ' || p || ' of report ' || r, p,
                'The model takes the first step of pathway ' || p || '.',
                '### Argument' || E'\\n\\n' || repeat(%(lorem)s || E'\\n\\n', 25)
                    || '[[reviewer]]Reviewer-level detail.[[/reviewer]] [[internal]]Internal detail.[[/internal]]',
                1
            FROM generate_series(1, %(reports)s) r, generate_series(1, %(pathways)s) p""",
            self._params(),
        )

    def _conclusions(self):
        # A pathway's conclusion has the pathway's id; the overall ones follow.
        return self.run(
            f"""INSERT INTO {_table(Conclusion)} (id, report_id, pathway_id, risk_level, text, revision, updated_at)
            SELECT id, report_id, id, (ARRAY['very_low', 'low', 'moderate'])[1 + id %% 3],
                'The risk on this pathway is low. ' || %(lorem)s, 1, now()
            FROM {_table(Pathway)}
            UNION ALL
            SELECT %(reports)s * %(pathways)s + r, r, NULL, 'very_low', 'Overall, very low. ' || %(lorem)s, 1, now()
            FROM generate_series(1, %(reports)s) r""",
            self._params(),
        )

    def _claims(self):
        # Claim id = (pathway id - 1) * claims + c; one in ten reviewer-level, one in ten internal.
        return self.run(
            f"""INSERT INTO {_table(Claim)} (id, report_id, slug, statement, category, owner_team_id, sensitivity,
                rationale, position, version)
            SELECT c_id, p.report_id, 'claim-' || ((p.position - 1) * %(claims)s + c),
                'Claim ' || c_id || ': the behaviour on this pathway would be detected and stopped in time.',
                (ARRAY['prior_expectations', 'alignment', 'capability', 'monitoring', 'security', 'deployment',
                    'other'])[1 + c_id %% 7],
                1 + c_id %% %(teams)s,
                CASE c_id %% 10 WHEN 3 THEN 'reviewer' WHEN 7 THEN 'internal' ELSE 'public' END,
                %(lorem)s || '[[internal]]Seen in the internal drill log.[[/internal]]',
                (p.position - 1) * %(claims)s + c, 1
            FROM {_table(Pathway)} p, generate_series(1, %(claims)s) c,
                LATERAL (SELECT (p.id - 1) * %(claims)s + c AS c_id) ids""",
            self._params(),
        )

    def _pathway_claims(self):
        # Each claim rests its own pathway; one in ten also the next pathway's (load-bearing).
        return self.run(
            f"""INSERT INTO {_table(PathwayClaim)} (pathway_id, claim_id, position)
            SELECT (c.id - 1) / %(claims)s + 1, c.id, c.position FROM {_table(Claim)} c
            UNION ALL
            SELECT (c.report_id - 1) * %(pathways)s + 1 + ((c.id - 1) / %(claims)s + 1) %% %(pathways)s, c.id,
                1000 + c.position
            FROM {_table(Claim)} c WHERE c.id %% 10 = 0""",
            self._params(),
        )

    def _evidence(self):
        return self.run(
            f"""INSERT INTO {_table(Evidence)} (id, report_id, slug, title, kind, owner_team_id, sensitivity, summary,
                source, position, version)
            SELECT (r - 1) * %(evidence)s + e, r, 'evidence-' || e, 'Evidence item ' || e || ' of report ' || r,
                (ARRAY['evaluation', 'audit', 'interpretability', 'red_team', 'monitoring', 'security_control',
                    'usage_data', 'attestation', 'document', 'other'])[1 + e %% 10],
                1 + (e * 7) %% %(teams)s,
                CASE e %% 10 WHEN 4 THEN 'reviewer' WHEN 8 THEN 'internal' ELSE 'public' END,
                %(lorem)s, 'doc EV-' || e, e, 1
            FROM generate_series(1, %(reports)s) r, generate_series(1, %(evidence)s) e""",
            self._params(),
        )

    def _claim_evidence(self):
        # Five evidence items a claim, of its own report: three support, one undermines, one is context.
        return self.run(
            f"""INSERT INTO {_table(ClaimEvidence)} (claim_id, evidence_id, relation, position)
            SELECT c.id, (c.report_id - 1) * %(evidence)s + 1 + ((c.position - 1) * 5 + k) %% %(evidence)s,
                (ARRAY['supports', 'supports', 'supports', 'undermines', 'context'])[1 + k], k
            FROM {_table(Claim)} c, generate_series(0, 4) k""",
            self._params(),
        )

    def _grants(self):
        permission = "SELECT id FROM auth_permission WHERE codename = %s"
        codenames = {role: self._permission_id(permission, role.codename) for role in Role if role != Role.TEAM_MEMBER}
        pathway_permission = self._permission_id(permission, PATHWAY_REVIEW_CODENAME)
        params = self._params(
            author=codenames[Role.AUTHOR],
            leadership=codenames[Role.LEADERSHIP],
            stress_tester=codenames[Role.STRESS_TESTER],
            external=codenames[Role.EXTERNAL_REVIEWER],
            pathway=pathway_permission,
        )
        rows = self.run(
            # Internal staff: an author in one report in ten, leadership of two reports in ten;
            # stress-testers on five reports each; external reviewers: half whole-report on two
            # reports, half limited to three pathways of two reports.
            f"""INSERT INTO {_table(ReportUserObjectPermission)} (user_id, content_object_id, permission_id)
            SELECT n, 1 + (n / 10) %% %(reports)s, %(author)s FROM generate_series(%(stress)s + 1, %(internal)s) n
                WHERE n %% 10 = 0
            UNION SELECT n, 1 + (n / 10 + k) %% %(reports)s, %(leadership)s
                FROM generate_series(%(stress)s + 1, %(internal)s) n, generate_series(0, 1) k WHERE n %% 10 = 1
            UNION SELECT n, 1 + (n + k * 4) %% %(reports)s, %(stress_tester)s
                FROM generate_series(1, %(stress)s) n, generate_series(0, 4) k
            UNION SELECT n, 1 + (n / 2 + k * 3) %% %(reports)s, %(external)s
                FROM generate_series(%(internal)s + 1, %(people)s) n, generate_series(0, 1) k WHERE n %% 2 = 0""",
            params,
        )
        return rows + self.run(
            f"""INSERT INTO {_table(PathwayUserObjectPermission)} (user_id, content_object_id, permission_id)
            SELECT DISTINCT n, ((n / 2 + k * 3) %% %(reports)s) * %(pathways)s + 1 + (n + j) %% %(pathways)s,
                %(pathway)s
            FROM generate_series(%(internal)s + 1, %(people)s) n, generate_series(0, 1) k, generate_series(0, 2) j
            WHERE n %% 2 = 1""",
            params,
        )

    def _permission_id(self, sql, codename) -> int:
        self.cursor.execute(sql, [codename])
        row = self.cursor.fetchone()
        if row is None:
            raise CommandError(f"no permission {codename!r}: run migrate first")
        return row[0]

    def _requests(self):
        # Four in five about a claim, one in ten about a pathway, one in ten about an evidence
        # item; addressed to its owner; from the stress-testers or an external organisation.
        params = self._params(per_report=self.s.requests)
        return self.run(
            f"""INSERT INTO {_table(InformationRequest)} (id, report_id, pathway_id, claim_id, evidence_id, team_id,
                requester_id, organisation_id, title, question, priority, due_date, state, decline_reason,
                created_at, updated_at, first_answered_at, closed_at, version)
            SELECT i, r, pathway_id, claim_id, evidence_id,
                CASE WHEN claim_id IS NOT NULL THEN 1 + claim_id %% %(teams)s
                     WHEN evidence_id IS NOT NULL THEN 1 + ((evidence_id - 1) %% %(evidence)s + 1) * 7 %% %(teams)s
                     ELSE 1 + ((pathway_id - 1) * %(claims)s + 1) %% %(teams)s END,
                requester, CASE WHEN requester <= %(stress)s THEN 1 ELSE 2 + requester %% 9 END,
                'Request ' || i || ': how fast is this detected?', %(lorem)s,
                (ARRAY['normal', 'normal', 'high', 'low'])[1 + i %% 4],
                current_date - 30 + i %% 60,
                (ARRAY['open', 'open', 'open', 'answered', 'answered', 'answered', 'follow_up', 'closed',
                    'closed', 'declined'])[1 + i %% 10],
                CASE WHEN i %% 10 = 9 THEN 'Out of scope for this team.' ELSE '' END,
                now() - ((i %% 365) || ' days')::interval, now(),
                CASE WHEN i %% 10 BETWEEN 3 AND 8 THEN now() - ((i %% 300) || ' days')::interval END,
                CASE WHEN i %% 10 >= 7 THEN now() END, 1
            FROM (
                SELECT i, r,
                    CASE WHEN i %% 10 = 1 THEN (r - 1) * %(pathways)s + 1 + i %% %(pathways)s END AS pathway_id,
                    CASE WHEN i %% 10 NOT IN (1, 2) THEN (r - 1) * %(claims_per_report)s + 1
                        + (i * 13) %% %(claims_per_report)s END AS claim_id,
                    CASE WHEN i %% 10 = 2 THEN (r - 1) * %(evidence)s + 1 + (i * 17) %% %(evidence)s END AS evidence_id,
                    CASE WHEN i %% 2 = 0 THEN 1 + i %% %(stress)s
                        ELSE %(internal)s + 1 + i %% (%(people)s - %(internal)s)
                        END AS requester
                FROM (SELECT n AS i, 1 + (n - 1) / %(per_report)s AS r
                      FROM generate_series(1, %(reports)s * %(per_report)s) n) numbered
            ) subjects""",
            params,
        )

    def _messages(self):
        return self.run(
            f"""INSERT INTO {_table(RequestMessage)} (request_id, author_id, kind, text, created_at)
            SELECT id, requester_id, 'question', question, created_at FROM {_table(InformationRequest)}
            UNION ALL
            SELECT id, %(stress)s + 1 + id %% (%(internal)s - %(stress)s), 'answer', %(lorem)s, first_answered_at
            FROM {_table(InformationRequest)} WHERE first_answered_at IS NOT NULL""",
            self._params(),
        )

    def _comments(self):
        # Threads are the comments whose number is divisible by three; the next two reply to
        # them, on the same subject. Subjects: claims 6 in 10, evidence 2.5, pathways 1, conclusions 0.5.
        params = self._params(per_report=self.s.comments)
        return self.run(
            f"""INSERT INTO {_table(Comment)} (id, report_id, pathway_id, claim_id, evidence_id, conclusion_id,
                parent_id, author_id, visibility, text, created_at, edited_at, resolved_at, resolved_by_id, version)
            SELECT n, r,
                CASE WHEN kind = 8 THEN (r - 1) * %(pathways)s + 1 + t %% %(pathways)s END,
                CASE WHEN kind < 6 THEN (r - 1) * %(claims_per_report)s + 1 + (t * 7) %% %(claims_per_report)s END,
                CASE WHEN kind IN (6, 7) THEN (r - 1) * %(evidence)s + 1 + (t * 11) %% %(evidence)s END,
                CASE WHEN kind = 9 THEN CASE WHEN t %% 2 = 0 THEN (r - 1) * %(pathways)s + 1 + t %% %(pathways)s
                    ELSE %(reports)s * %(pathways)s + r END END,
                CASE WHEN n <> t THEN t END,
                CASE WHEN n %% 4 = 3 AND NOT internal THEN %(internal)s + 1 + n %% (%(people)s - %(internal)s)
                    ELSE %(stress)s + 1 + n %% (%(internal)s - %(stress)s) END,
                CASE WHEN internal THEN 'internal' ELSE 'shared' END,
                'Comment ' || n || '. ' || %(lorem)s,
                now() - ((n %% 400) || ' hours')::interval, NULL,
                CASE WHEN n = t AND t %% 5 < 2 THEN now() END,
                CASE WHEN n = t AND t %% 5 < 2 THEN 1 END, 1
            FROM (
                SELECT n, 1 + (n - 1) / %(per_report)s AS r, t, (t / 3) %% 10 AS kind,
                    t %% 7 = 0 AND t %% 4 <> 3 AS internal
                FROM generate_series(1, %(reports)s * %(per_report)s) n,
                    LATERAL (SELECT n - (n - 1) %% 3 AS t) threads
            ) numbered""",
            params,
        )

    def _verdicts(self):
        # On every conclusion, the stress-testers and three external organisations: a current
        # verdict each, and an earlier one for the stress-testers.
        return self.run(
            f"""INSERT INTO {_table(Verdict)} (conclusion_id, organisation_id, recorded_by_id, position, rationale,
                conclusion_revision, conclusion_risk_level, conclusion_text, is_current, recorded_at)
            SELECT c.id, o, CASE WHEN o = 1 THEN 1 ELSE %(internal)s + 2 * o END,
                (ARRAY['concur', 'concur', 'concur_with_reservations', 'dissent'])[1 + (c.id + o) %% 4],
                'Because ' || %(lorem)s, 1, c.risk_level, c.text, true, now()
            FROM {_table(Conclusion)} c, (VALUES (1), (2), (3), (4)) organisations(o)
            UNION ALL
            SELECT c.id, 1, 1, 'abstain', 'Earlier.', 1, c.risk_level, c.text, false, now() - interval '30 days'
            FROM {_table(Conclusion)} c""",
            self._params(),
        )

    def _notifications(self):
        # About requests and comments (of the request's report); a third unread.
        params = self._params(total=self.s.notifications, per_report=self.s.requests, comments=self.s.comments)
        return self.run(
            f"""INSERT INTO {_table(Notification)} (recipient_id, kind, report_id, information_request_id, comment_id,
                dedupe_key, state, email_state, subject, body, url, rendered_level, created_at, delivered_at,
                read_at, attempts, last_error)
            SELECT u.id, CASE WHEN n %% 2 = 0 THEN 'request_answered' ELSE 'mention' END, ir.report_id,
                CASE WHEN n %% 2 = 0 THEN ir.id END,
                CASE WHEN n %% 2 = 1 THEN (ir.report_id - 1) * %(comments)s + 1 + (n * 7) %% %(comments)s END,
                'bench:' || n, 'delivered', 'none', 'Notification ' || n, %(lorem)s, '/reports/', u.reading,
                now() - ((n %% 500) || ' minutes')::interval, now(), CASE WHEN n %% 3 <> 0 THEN now() END, 1, ''
            FROM generate_series(1, %(total)s) n,
                LATERAL (SELECT 1 + n %% %(people)s AS id) pick,
                LATERAL (SELECT pick.id, CASE WHEN pick.id > %(internal)s THEN 'reviewer' ELSE 'internal' END
                    AS reading) u,
                LATERAL (SELECT id, report_id FROM {_table(InformationRequest)}
                    WHERE id = 1 + (n * 31) %% (%(reports)s * %(per_report)s)) ir""",
            params,
        )

    def _audit_entries(self):
        params = self._params(per_report=self.s.audit_entries, comments=self.s.comments, requests=self.s.requests)
        return self.run(
            f"""INSERT INTO {_table(AuditEntry)} (report_id, actor_id, action, target_type, target_id, target_label,
                data, created_at)
            SELECT r, %(stress)s + 1 + n %% (%(internal)s - %(stress)s),
                CASE k WHEN 0 THEN 'reviewapp.comment.posted' WHEN 1 THEN 'evidence.request.filed'
                    ELSE 'pathways.claim.changed' END,
                CASE k WHEN 0 THEN 'comment' WHEN 1 THEN 'informationrequest' ELSE 'claim' END,
                CASE k WHEN 0 THEN (r - 1) * %(comments)s + 1 + n %% %(comments)s
                    WHEN 1 THEN (r - 1) * %(requests)s + 1 + n %% %(requests)s
                    ELSE (r - 1) * %(claims_per_report)s + 1 + n %% %(claims_per_report)s END,
                'Entry ' || n, '{{}}'::jsonb, now() - ((n %% 1000) || ' minutes')::interval
            FROM generate_series(1, %(reports)s) r, generate_series(1, %(per_report)s) n,
                LATERAL (SELECT n %% 3 AS k) kinds""",
            params,
        )

    def _persona_notifications(self):
        """Each persona's own inbox: notifications about requests and comments they can see
        (chosen through the app's own scope functions), a third of them unread."""
        count = max(30, self.s.notifications // 100)
        rows = 0
        for username in PERSONAS.values():
            user = User.objects.get(username=username)
            subjects = [
                (
                    "information_request_id",
                    list(information_requests_visible_to(user).values_list("id", "report_id")[:count]),
                ),
                ("comment_id", list(comments_visible_to(user).values_list("id", "report_id")[:count])),
            ]
            for column, pairs in subjects:
                if not pairs:
                    continue
                rows += self.run(
                    f"""INSERT INTO {_table(Notification)} (recipient_id, kind, report_id, {column}, dedupe_key, state,
                        email_state, subject, body, url, rendered_level, created_at, delivered_at, read_at, attempts,
                        last_error)
                    SELECT %(user)s, %(kind)s, pair.report_id, pair.id, 'persona:' || %(column)s || ':' || pair.id,
                        'delivered', 'none', 'About ' || pair.id, %(lorem)s, '/reports/', %(level)s,
                        now() - (pair.n || ' minutes')::interval, now(),
                        CASE WHEN pair.n %% 3 <> 0 THEN now() END, 1, ''
                    FROM unnest(%(ids)s::bigint[], %(reports)s::bigint[]) WITH ORDINALITY AS pair(id, report_id, n)""",
                    self._params(
                        user=user.pk,
                        kind="request_answered" if column == "information_request_id" else "mention",
                        column=column,
                        level=user.reading_level,
                        ids=[pair[0] for pair in pairs],
                        reports=[pair[1] for pair in pairs],
                    ),
                )
        return rows

    def _personas(self):
        """Name the three personas: the first author of report 1, the first external reviewer
        limited to pathways of report 1, and the first member of an owning team who holds no grant."""
        rows = 0
        picks = {
            PERSONAS["author"]: f"""SELECT user_id FROM {_table(ReportUserObjectPermission)} g
                JOIN auth_permission p ON p.id = g.permission_id
                WHERE g.content_object_id = 1 AND p.codename = %s ORDER BY user_id LIMIT 1""",
            PERSONAS["external"]: f"""SELECT user_id FROM {_table(PathwayUserObjectPermission)} g
                JOIN {_table(Pathway)} pw ON pw.id = g.content_object_id WHERE pw.report_id = 1
                ORDER BY user_id LIMIT 1""",
            PERSONAS["team"]: f"""SELECT user_id FROM {_table(Team.members.through)}
                WHERE user_id NOT IN (SELECT user_id FROM {_table(ReportUserObjectPermission)})
                ORDER BY team_id, user_id LIMIT 1""",
        }
        for username, sql in picks.items():
            self.cursor.execute(sql, [Role.AUTHOR.codename] if username == PERSONAS["author"] else [])
            (user_id,) = self.cursor.fetchone()
            rows += self.run(
                f"UPDATE {_table(User)} SET username = %(username)s WHERE id = %(id)s",
                {"username": username, "id": user_id},
            )
        return rows
