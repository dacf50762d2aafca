"""The review activity of the bench data: requests and their messages, comments, verdicts,
the mitigation roadmap, notifications, audit entries, and the personas' own notifications. A mixin of `Seeder`,
which holds the cursor, the sizes and `run`."""

from django.db import connection

from evidence.models import InformationRequest, LineOfDefence, RequestMessage
from evidence.selectors import information_requests_visible_to
from pathways.enums import Role
from pathways.models import (
    AuditEntry,
    Conclusion,
    Pathway,
    PathwayUserObjectPermission,
    ReportUserObjectPermission,
    Team,
    User,
)
from reviewapp.models import Comment, Notification, RoadmapItem, Verdict
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.services.search import search_index_rebuild

PASSWORD = "bench-password"
PERSONAS = {"author": "bench-author", "external": "bench-external", "team": "bench-team"}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


LOREM = (
    "The evidence gathered across the audit, the red-teaming exercises and the monitoring logs "
    "points the same way: the behaviour would be seen, the people responsible would be told, "
    "and they would act before the harm could not be undone. "
)


class ActivitySteps:
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

    def _roadmap(self):
        # One mitigation per weak line of defence (two a pathway), owned by the line's team,
        # put there by the report's first author; statuses cycle, proposed ones undated, and
        # the dates spread from a fortnight ago to six weeks ahead, so some are overdue. Each
        # would strengthen its line's pathway and the next one of the report.
        items = self.run(
            f"""INSERT INTO {_table(RoadmapItem)} (id, report_id, line_id, source_label, title, description,
                owner_team_id, status, target_date, created_by_id, created_at, updated_at, version)
            SELECT d.id, d.report_id, d.id, 'Weak line of defence “' || d.title || '”',
                'Strengthen ' || lower(d.title), %(lorem)s, d.owner_team_id,
                (ARRAY['proposed', 'planned', 'in_progress', 'done'])[1 + d.id %% 4],
                CASE WHEN d.id %% 4 = 0 THEN NULL ELSE current_date + (d.id * 7 %% 56 - 14)::integer END,
                (SELECT g.user_id FROM {_table(ReportUserObjectPermission)} g
                    JOIN auth_permission p ON p.id = g.permission_id
                    WHERE g.content_object_id = d.report_id AND p.codename = %(author)s ORDER BY g.user_id LIMIT 1),
                now(), now(), 1
            FROM {_table(LineOfDefence)} d WHERE d.strength = 'weak'""",
            self._params(author=Role.AUTHOR.codename),
        )
        return items + self.run(
            f"""INSERT INTO {_table(RoadmapItem.pathways.through)} (roadmapitem_id, pathway_id)
            SELECT i.id, pw.id FROM {_table(RoadmapItem)} i JOIN {_table(LineOfDefence)} d ON d.id = i.line_id
            JOIN {_table(Pathway)} own ON own.id = d.pathway_id
            JOIN {_table(Pathway)} pw ON pw.report_id = own.report_id
                AND pw.position IN (own.position, own.position %% %(pathways)s + 1)""",
            self._params(),
        )

    def _search_documents(self):
        """The search documents of everything seeded, written as the product writes them
        for rows written around its services (`manage.py rebuild_search_index`)."""
        return search_index_rebuild()

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
