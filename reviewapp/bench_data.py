"""The bench data: a lab's reviews after a few years of reports, generated in SQL by
`manage.py seed_bench` (which see) for `make bench`: the sizes at a scale (`Scale`), the
generator (`Seeder`), and the benchmark's three personas."""

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError

from evidence.models import (
    ChainStep,
    ChainStepEvidence,
    ClaimEvidence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    Evidence,
    InformationRequest,
    LineOfDefence,
    RequestMessage,
)
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
from reviewapp.bench_activity import LOREM, PASSWORD, PERSONAS, ActivitySteps, _table
from reviewapp.models import Comment, Notification, RoadmapItem, Verdict

__all__ = ["PASSWORD", "PERSONAS", "SEEDED_MODELS", "Scale", "Seeder"]

# Every table the seeder fills, whose id sequences are reset after it.
SEEDED_MODELS = [
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
    LineOfDefence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    ChainStep,
    ChainStepEvidence,
    ReportUserObjectPermission,
    PathwayUserObjectPermission,
    InformationRequest,
    RequestMessage,
    Comment,
    Verdict,
    RoadmapItem,
    RoadmapItem.pathways.through,
    Notification,
    AuditEntry,
    Team.members.through,
]


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


class Seeder(ActivitySteps):
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
            self._lines_of_defence,
            self._defence_links,
            self._detection_chains,
            self._grants,
            self._requests,
            self._messages,
            self._comments,
            self._verdicts,
            self._roadmap,
            self._notifications,
            self._audit_entries,
            self._personas,
            self._persona_notifications,
            self._search_documents,
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
                source, position, version, carried, carried_note)
            SELECT (r - 1) * %(evidence)s + e, r, 'evidence-' || e, 'Evidence item ' || e || ' of report ' || r,
                (ARRAY['evaluation', 'audit', 'interpretability', 'red_team', 'monitoring', 'security_control',
                    'usage_data', 'attestation', 'document', 'other'])[1 + e %% 10],
                1 + (e * 7) %% %(teams)s,
                CASE e %% 10 WHEN 4 THEN 'reviewer' WHEN 8 THEN 'internal' ELSE 'public' END,
                %(lorem)s, 'doc EV-' || e, e, 1, '', ''
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

    def _lines_of_defence(self):
        # Six lines a pathway; line id = (pathway id - 1) * 6 + l. Every sixth internal, every
        # fourth reviewer-level; teams cycle, so some lines of a pathway share one.
        return self.run(
            f"""INSERT INTO {_table(LineOfDefence)} (id, report_id, pathway_id, slug, title, kind, stage,
                owner_team_id, sensitivity, strength, strength_reason, position, version)
            SELECT (p.id - 1) * 6 + l, p.report_id, p.id, 'line-' || p.position || '-' || l,
                'Line of defence ' || l || ' of pathway ' || p.position,
                (ARRAY['alignment_audit', 'interpretability', 'red_teaming', 'capability_limitation',
                    'automated_monitoring', 'human_review'])[l],
                CASE WHEN l <= 3 THEN 'before_deployment' ELSE 'after_deployment' END,
                1 + (p.id + l * 3) %% %(teams)s,
                CASE l WHEN 6 THEN 'internal' WHEN 4 THEN 'reviewer' ELSE 'public' END,
                (ARRAY['strong', 'moderate', 'weak'])[1 + l %% 3],
                'Tested in drills. [[internal]]The drill log is internal.[[/internal]]',
                (p.position - 1) * 6 + l, 1
            FROM {_table(Pathway)} p, generate_series(1, 6) l""",
            self._params(),
        )

    def _defence_links(self):
        # Three claims of its pathway a line (line 6 shares one with line 1), and the first
        # evidence item of each.
        claims = self.run(
            f"""INSERT INTO {_table(DefenceClaim)} (line_id, claim_id, position)
            SELECT d.id, (d.pathway_id - 1) * %(claims)s + 1 + ((d.id - 1) %% 6 * 3 + k) %% %(claims)s %% 16, k
            FROM {_table(LineOfDefence)} d, generate_series(0, 2) k
            ON CONFLICT DO NOTHING""",
            self._params(),
        )
        return claims + self.run(
            f"""INSERT INTO {_table(DefenceEvidence)} (line_id, evidence_id, position)
            SELECT dc.line_id, ce.evidence_id, dc.position FROM {_table(DefenceClaim)} dc
            JOIN {_table(ClaimEvidence)} ce ON ce.claim_id = dc.claim_id AND ce.position = 0
            ON CONFLICT DO NOTHING""",
            self._params(),
        )

    def _detection_chains(self):
        # Three chains a pathway (the third internal), five steps each but the third chain's
        # alert; every fourth step reviewer-level; one evidence item a step.
        chains = self.run(
            f"""INSERT INTO {_table(DetectionChain)} (id, report_id, pathway_id, slug, scenario, harm_after,
                sensitivity, position, version)
            SELECT (p.id - 1) * 3 + c, p.report_id, p.id, 'chain-' || p.position || '-' || c,
                'Scenario ' || c || ' of pathway ' || p.position, 60 * c,
                CASE c WHEN 3 THEN 'internal' ELSE 'public' END, c, 1
            FROM {_table(Pathway)} p, generate_series(1, 3) c""",
        )
        steps = self.run(
            f"""INSERT INTO {_table(ChainStep)} (id, chain_id, role, text, owner_team_id, sensitivity, detector,
                paged, minutes, position)
            SELECT (d.id - 1) * 5 + k, d.id, (ARRAY['signal', 'detection', 'alert', 'response', 'action'])[k],
                'Step ' || k || ' of ' || d.scenario, 1 + (d.id + k) %% %(teams)s,
                CASE WHEN k = 4 THEN 'reviewer' ELSE 'public' END, CASE k WHEN 2 THEN 'monitor' ELSE '' END,
                CASE k WHEN 4 THEN true END, 15 * k, k - 1
            FROM {_table(DetectionChain)} d, generate_series(1, 5) k
            WHERE NOT (d.id %% 3 = 0 AND k = 3)""",
            self._params(),
        )
        return (
            chains
            + steps
            + self.run(
                f"""INSERT INTO {_table(ChainStepEvidence)} (step_id, evidence_id, position)
            SELECT s.id, (d.report_id - 1) * %(evidence)s + 1 + s.id %% %(evidence)s, 0
            FROM {_table(ChainStep)} s JOIN {_table(DetectionChain)} d ON d.id = s.chain_id""",
                self._params(),
            )
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
