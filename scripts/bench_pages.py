"""The page shapes the benchmark loads, for each persona who may open them, and loading
each once in the benchmark's own process: its status, its queries, the longest, and the
sequential scans of large tables in their plans (see bench.py)."""

import time
from dataclasses import dataclass, field

from bench_config import SEQ_SCAN_ROWS

# How a statement that reads starts (a search is one WITH statement per document table).
READS = ("SELECT", "(", "WITH")


@dataclass
class Page:
    persona: str
    label: str
    url: str
    htmx: bool = False
    status: int = 0
    queries: int = 0
    longest_sql: int = 0
    seq_scans: list = field(default_factory=list)
    in_process_ms: float = 0.0
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    errors: int = 0


def page_shapes(personas: dict) -> list[Page]:
    """Every GET page shape and htmx fragment, for each persona who may open it."""
    from evidence.selectors import evidence_visible_to, information_requests_visible_to
    from pathways.access import access_of
    from pathways.models import AuditEntry, Report
    from pathways.selectors import claims_visible_to, pathways_visible_to
    from reviewapp.models import ExportJob, RoadmapItem, SignOff

    report = Report.objects.get(pk=1)
    slug = report.slug
    version = _a_published_version(report, personas["author"])
    sign = _a_chain_and_a_warning_sign(report, personas["author"])
    pages = []
    for persona, user in personas.items():
        pathway = pathways_visible_to(user).filter(report=report).order_by("position").first()
        claim = claims_visible_to(user).filter(report=report, pathway_links__pathway=pathway).order_by("id").first()
        evidence = evidence_visible_to(user).filter(report=report, claim_links__claim=claim).order_by("id").first()
        information_request = information_requests_visible_to(user).filter(report=report).order_by("id").first()
        base = f"/reports/{slug}"
        shapes = [
            ("home", "/", False),
            ("report", f"{base}/", False),
            ("pathway", f"{base}/pathways/{pathway.slug}/", False),
            ("claims", f"{base}/claims/", False),
            ("claims filtered (htmx)", f"{base}/claims/?category=monitoring", True),
            ("claim", f"{base}/claims/{claim.slug}/", False),
            ("claim evidence (htmx)", f"{base}/claims/{claim.slug}/evidence/", True),
            ("load-bearing claims", f"{base}/load-bearing/", False),
            ("evidence list", f"{base}/evidence/", False),
            ("evidence", f"{base}/evidence/{evidence.slug}/", False),
            ("requests", f"{base}/requests/", False),
            ("requests filtered (htmx)", f"{base}/requests/?state=open", True),
            ("discussion", f"{base}/discussion/", False),
            ("discussion filtered (htmx)", f"{base}/discussion/?subject=claim", True),
            ("verdicts", f"{base}/conclusions/{pathway.conclusion.pk}/verdicts/", False),
            ("inbox", "/inbox/", False),
            ("notifications", "/notifications/", False),
            ("notification bell (htmx)", "/notifications/bell/", True),
            ("exports", f"{base}/exports/", False),
        ]
        shapes += [  # "detected" is in every claim and request: the most a search has to rank
            ("search in the report", f"/search/?q=detected&report={slug}", False),
            ("search every report", "/search/?q=detected", False),
            ("search two words", "/search/?q=detected+time", False),
            ("search one kind (htmx)", f"/search/?q=detected&kind=request&report={slug}", True),
        ]
        shapes += [
            ("published versions", f"{base}/versions/", False),
            ("version", f"{base}/versions/{version.number}/", False),
            ("version pathway", f"{base}/versions/{version.number}/pathways/{pathway.slug}/", False),
            ("changes since a version", f"{base}/versions/{version.number}/changes/", False),
            ("timeline", f"{base}/timeline/", False),
            ("across models", f"{base}/across-models/", False),
            ("argument map", f"{base}/argument/", False),
            ("pathway argument map", f"{base}/pathways/{pathway.slug}/argument/", False),
        ]
        if information_request:
            shapes += [
                ("request", f"{base}/requests/{information_request.pk}/", False),
                ("request thread (htmx)", f"{base}/requests/{information_request.pk}/", True),
            ]
        if persona == "external reviewer":
            shapes.append(("file a request", f"{base}/claims/{claim.slug}/requests/new/", False))
        if persona == "team member":  # a request their team is to answer: the page with the answer form
            to_answer = (
                information_requests_visible_to(user)
                .filter(report=report, team_id__in=access_of(user).team_ids, state="open")
                .order_by("id")
                .first()
            )
            if to_answer:
                shapes.append(("answer a request", f"{base}/requests/{to_answer.pk}/", False))
        if not user.is_external:
            entry = AuditEntry.objects.filter(report=report, target_type="claim").order_by("-id").first()
            shapes += [
                ("audit log", f"{base}/audit/", False),
                ("audit log filtered (htmx)", f"{base}/audit/?action=reviewapp", True),
                ("audit entry", f"{base}/audit/{entry.pk}/", False),
                ("claim history", f"{base}/claims/{claim.slug}/history/", False),
                ("mitigation roadmap", f"{base}/roadmap/", False),
                ("mitigation roadmap by team", f"{base}/roadmap/?by=team", False),
            ]
            item = RoadmapItem.objects.filter(report=report).order_by("id").first()
            if item:
                shapes.append(("mitigation", f"{base}/roadmap/{item.pk}/", False))
        if persona == "author":
            signoff = SignOff.objects.create(report=report, decided_by=user, decision="approve")
            job = ExportJob.objects.create(requester=user, report=report, kind="report", fmt="md", level="internal")
            shapes += [
                ("sign-off dashboard", f"{base}/dashboard/", False),
                ("sign-off", f"{base}/sign-offs/{signoff.pk}/", False),
                ("export status (htmx)", f"{base}/exports/{job.pk}/", True),
                ("edit claim", f"{base}/claims/{claim.slug}/edit/", False),
                ("edit argument (htmx)", f"{base}/pathways/{pathway.slug}/edit/argument/", True),
                ("warning signs", f"{base}/warning-signs/", False),
                ("warning sign", f"{base}/warning-signs/{sign.pk}/", False),
            ]
        pages += [Page(persona, label, url, htmx) for label, url, htmx in shapes]
    return pages


def _a_published_version(report, author):
    """The report's first published version (published by the author on a first run)."""
    from versions.models import ReportVersion
    from versions.services import version_publish

    existing = ReportVersion.objects.filter(report=report).order_by("number").first()
    return existing or version_publish(report=report, author=author, name="Bench version")


def _a_chain_and_a_warning_sign(report, author):
    """The report started from the next one (so Across models, the timeline and cycle time
    read a chain of two), and a warning sign on it, confirmed (on a first run)."""
    from django.utils import timezone

    from monitoring.models import WarningSign
    from monitoring.services import SignFields, warning_sign_report
    from pathways.models import Claim, Report
    from reviewapp.services.warning_signs import warning_sign_confirm

    Report.objects.filter(pk=report.pk, predecessor=None).update(predecessor_id=report.pk + 1)
    existing = WarningSign.objects.filter(report=report).first()
    if existing:
        return existing
    claim = Claim.objects.filter(report=report).order_by("position", "id").first()
    fields = SignFields(
        title="Weights copied to a scratch bucket",
        description="A large transfer to a bucket outside the allow-list.",
        severity="high",
        observed_at=timezone.now(),
        claims=(claim.slug,),
    )
    sign, _ = warning_sign_report(report=report, fields=fields, reported_by=author)
    warning_sign_confirm(sign=sign, person=author)
    return sign


def sign_in(users: dict) -> dict:
    """A session cookie for each persona, made as a complete sign-in makes it: password (by
    the model backend) and, where it is required, the second factor; seen now."""
    import time

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from reviewapp import two_factor
    from reviewapp.middleware import SEEN_KEY

    cookies = {}
    for persona, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[two_factor.SESSION_KEY] = session[SEEN_KEY] = int(time.time())
        session.save()
        cookies[persona] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def profile(pages: list[Page], cookies: dict) -> None:
    """Each page once in this process: status, queries, the longest, sequential scans."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        sizes = dict(cursor.fetchall())
    client = Client(HTTP_HOST="127.0.0.1")
    for page in pages:
        client.cookies.clear()
        name, _, value = cookies[page.persona].partition("=")
        client.cookies[name] = value
        headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
        client.get(page.url, **headers)  # warm: templates, caches
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.url, **headers)
        page.in_process_ms = (time.perf_counter() - started) * 1000
        page.status = response.status_code
        page.queries = len(captured)
        reads = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(READS)]
        page.longest_sql = max((len(sql.encode()) for sql in reads), default=0)
        with connection.cursor() as cursor:
            for sql in reads:
                cursor.execute("EXPLAIN " + sql)
                for (line,) in cursor.fetchall():
                    if "Seq Scan on " in line:
                        table = line.split("Seq Scan on ")[1].split()[0]
                        if sizes.get(table, 0) > SEQ_SCAN_ROWS and table not in page.seq_scans:
                            page.seq_scans.append(table)
