"""`make bench`: the app at the scale of a lab's reviews, served as in production, under load.

1. Makes a database of its own (`rrr_bench`, on the server DATABASE_URL names, or on the
   embedded PostgreSQL), migrates it and fills it with `manage.py seed_bench`.
2. Signs in three personas (an author, a pathway-limited external reviewer, an owning-team
   member) and, in this process, loads every page shape and htmx fragment once as each:
   the status, the number of queries, the longest query, and EXPLAIN of every query,
   noting each sequential scan of a table of more than 10,000 rows.
3. Serves the app with gunicorn (2 workers, DEBUG off) and loads each page with wrk at 8
   connections, beside /healthz and the login page, in the same run.
4. Times importing a 1,000-claim report and the internal PDF export of the largest report.
5. Writes the table to docs/benchmarks.md (BENCH_OUTPUT to write elsewhere).

Environment: BENCH_SECONDS (per page, default 5), BENCH_SCALE (default 1), BENCH_PORT
(default 8765), BENCH_ONLY=home,pathway,… to load only the pages of those labels,
BENCH_KEEP=1 to keep the database afterwards, BENCH_REUSE=1 to run on the database a kept
run left (for working on the benchmark itself).
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SCALE = os.environ.get("BENCH_SCALE", "1")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", BASE_DIR / "docs" / "benchmarks.md"))
DATABASE = "rrr_bench"
SEQ_SCAN_ROWS = 10_000
BUDGET_RATIO, BUDGET_P95_MS, BUDGET_QUERIES, BUDGET_SQL = 0.33, 100, 10, 8 * 1024
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95), errors))
end
"""


def say(message: str) -> None:
    print(message, flush=True)


def fail(message: str) -> None:
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def bench_database_url() -> str:
    """DATABASE_URL (or the embedded server's) with the database name replaced by rrr_bench."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.path.insert(0, str(BASE_DIR))
        from reviewapp.embedded_db import embedded_database_url

        url = embedded_database_url(BASE_DIR)  # this process keeps the server up until it exits
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def recreate_database(url: str) -> None:
    import psycopg

    admin = urlsplit(url)._replace(path="/postgres")
    with psycopg.connect(urlunsplit(admin), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database(url: str) -> None:
    import psycopg

    admin = urlsplit(url)._replace(path="/postgres")
    with psycopg.connect(urlunsplit(admin), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the fresh data, as autovacuum would soon after a bulk load: index-only
    scans then read the index alone, as they do on a database that has been running."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def manage(*args, env) -> float:
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)
    return time.monotonic() - started


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
    from reviewapp.models import ExportJob, SignOff

    report = Report.objects.get(pk=1)
    slug = report.slug
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
            ]
        if persona == "author":
            signoff = SignOff.objects.create(report=report, decided_by=user, decision="approve")
            job = ExportJob.objects.create(requester=user, report=report, kind="report", fmt="md", level="internal")
            shapes += [
                ("sign-off dashboard", f"{base}/dashboard/", False),
                ("sign-off", f"{base}/sign-offs/{signoff.pk}/", False),
                ("export status (htmx)", f"{base}/exports/{job.pk}/", True),
                ("edit claim", f"{base}/claims/{claim.slug}/edit/", False),
                ("edit argument (htmx)", f"{base}/pathways/{pathway.slug}/edit/argument/", True),
            ]
        pages += [Page(persona, label, url, htmx) for label, url, htmx in shapes]
    return pages


def sign_in(users: dict) -> dict:
    """A session cookie for each persona, made as a login makes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    cookies = {}
    for persona, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
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
        reads = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "("))]
        page.longest_sql = max((len(sql.encode()) for sql in reads), default=0)
        with connection.cursor() as cursor:
            for sql in reads:
                cursor.execute("EXPLAIN " + sql)
                for (line,) in cursor.fetchall():
                    if "Seq Scan on " in line:
                        table = line.split("Seq Scan on ")[1].split()[0]
                        if sizes.get(table, 0) > SEQ_SCAN_ROWS and table not in page.seq_scans:
                            page.seq_scans.append(table)


def load(url: str, *, cookie: str = "", htmx: bool = False, seconds: int = SECONDS) -> dict:
    """wrk at 8 connections for `seconds`: requests/s, p50 and p95 in ms, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{PORT}{url}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if htmx:
        command[1:1] = ["-H", "HX-Request: true"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    return {
        "rps": result["requests"] / result["seconds"],
        "p50": result["p50"] / 1000,
        "p95": result["p95"] / 1000,
        "errors": result["errors"],
    }


def wait_for_server(process) -> None:
    import urllib.request

    for _ in range(100):
        if process.poll() is not None:
            fail("gunicorn exited before it served a page")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    fail("gunicorn did not answer /healthz within 20 seconds")


def time_import(env) -> float:
    """Import of a report file of 1,000 claims (with 2,000 evidence items), end to end."""
    import yaml

    claims, evidence = 1_000, 2_000
    document = {
        "format": "riskreport/1",
        # A new report each run, also on a database a kept run left (BENCH_REUSE).
        "report": {"slug": f"import-1000-{int(time.time())}", "title": "A report of 1,000 claims", "model": "Model I"},
        "teams": [{"slug": f"import-team-{n}", "name": f"Import team {n}"} for n in range(10)],
        "pathways": [
            {
                "slug": f"pathway-{p}",
                "title": f"Pathway {p}",
                "argument": "An argument. " * 200,
                "conclusion": {"risk_level": "low", "text": "Low."},
                "claims": [f"claim-{c}" for c in range(p, claims, 10)],
            }
            for p in range(10)
        ],
        "claims": [
            {
                "slug": f"claim-{c}",
                "statement": f"Claim {c} holds.",
                "category": "monitoring",
                "owner_team": f"import-team-{c % 10}",
                "sensitivity": ["public", "reviewer", "internal"][c % 3],
                "rationale": "Because. [[internal]]Inside.[[/internal]]",
                "evidence": [{"evidence": f"evidence-{(c * 2 + k) % evidence}"} for k in range(2)],
            }
            for c in range(claims)
        ],
        "evidence": [
            {
                "slug": f"evidence-{e}",
                "title": f"Evidence {e}",
                "kind": "evaluation",
                "owner_team": f"import-team-{e % 10}",
                "summary": "A summary.",
            }
            for e in range(evidence)
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as file:
        yaml.safe_dump(document, file)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", "import_report", file.name], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    elapsed = time.monotonic() - started
    Path(file.name).unlink()
    return elapsed


def time_pdf_export() -> tuple[float, int]:
    """The internal PDF of report 1 (the largest: every bench report is the same size), in this process."""
    from evidence.report_file import report_export_document
    from pathways.models import Report

    started = time.monotonic()
    document = report_export_document(report=Report.objects.get(pk=1), level="internal", fmt="pdf")
    return time.monotonic() - started, len(document.content)


def within(page: Page, login_rps: float) -> bool:
    return (
        page.status == 200
        and page.errors == 0
        and page.requests_per_second >= BUDGET_RATIO * login_rps
        and page.p95_ms < BUDGET_P95_MS
        and page.queries <= BUDGET_QUERIES
        and page.longest_sql <= BUDGET_SQL
        and not page.seq_scans
    )


def write_report(pages, baseline, timings, seed_seconds, counts) -> bool:
    login_rps = statistics.median(run["rps"] for run in baseline["login"])
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (scripts/bench.py) on this machine: "
        f"{os.cpu_count()} cores; gunicorn with 2 sync workers, DEBUG off; wrk with 2 threads and "
        f"8 connections for {SECONDS} s a page, every page (after 1 s to warm it) in the same run as the login page "
        "(measured first, in the middle and last; ratios are to the median) and /healthz.",
        "",
        f"Data (`manage.py seed_bench --scale {SCALE}`, {seed_seconds:.0f} s): "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        + ".",
        "",
        "Budgets: every page and fragment at ≥ 33% of the login page's requests/s, p95 under "
        "100 ms, at most 10 queries, none over 8 KB of SQL, and no sequential scan of a table "
        "of more than 10,000 rows (EXPLAIN of every query the page makes).",
        "",
        "Reproduce: `make bench` (BENCH_SECONDS=5 by default; the table below is rewritten).",
        "",
        "| page | as | requests/s | p50 ms | p95 ms | queries | longest SQL | ratio to login | budgets |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, runs in baseline.items():
        for index, run in enumerate(runs):
            label = f"{name} ({['first', 'middle', 'last'][index]})" if len(runs) > 1 else name
            lines.append(
                f"| {label} | anonymous | {run['rps']:.0f} | {run['p50']:.1f} | {run['p95']:.1f} | – | – | "
                f"{run['rps'] / login_rps:.0%} | |"
            )
    all_within = True
    for page in pages:
        ok = within(page, login_rps)
        all_within &= ok
        notes = "within" if ok else "**over**"
        if page.seq_scans:
            notes += f" (seq scan of {', '.join(page.seq_scans)})"
        if page.status != 200 or page.errors:
            notes += f" (status {page.status}, {page.errors} errors)"
        lines.append(
            f"| {page.label} | {page.persona} | {page.requests_per_second:.0f} | {page.p50_ms:.1f} | "
            f"{page.p95_ms:.1f} | {page.queries} | {page.longest_sql:,} B | "
            f"{page.requests_per_second / login_rps:.0%} | {notes} |"
        )
    import_seconds, (pdf_seconds, pdf_bytes) = timings["import"], timings["pdf"]
    lines += [
        "",
        f"- Importing a report file of 1,000 claims and 2,000 evidence items (`import_report`, "
        f"process start included): **{import_seconds:.1f} s** (budget 5 s).",
        f"- The internal PDF export of a bench report (9 pathways, {counts['claims'] // counts['reports']:,} "
        f"claims, {counts['evidence items'] // counts['reports']:,} evidence items; {pdf_bytes / 1e6:.1f} MB): "
        f"**{pdf_seconds:.1f} s** (budget 10 s).",
        "",
        "Every page shape is loaded as each persona who may open it: the author of report 1, an "
        "external reviewer limited to three of its pathways, and a member of an owning team (which "
        "owns claims and evidence in every report, and so reads all twenty). Queries, the longest "
        "query and the sequential scans come from loading each page once in the benchmark's own "
        "process; requests/s and latency from wrk against gunicorn.",
        "",
        "What these numbers mean, the figures before the access object, and what is left: "
        "[performance.md](performance.md).",
        "",
    ]
    all_within &= import_seconds < 5 and pdf_seconds < 10
    lines.append(
        "**All budgets hold.**" if all_within else "**Some budgets do not hold yet: see the rows marked over.**"
    )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n")
    return all_within


def main() -> None:
    if not shutil.which("wrk"):
        fail("the benchmark loads pages with wrk, which is not installed: apt-get install -y wrk")
    url = bench_database_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "HTTPS_ONLY": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "console:",
    }
    if os.environ.get("BENCH_REUSE") == "1":  # for working on the benchmark itself: a database seeded before
        say(f"Reusing the benchmark database {DATABASE}")
        seed_seconds = 0.0
    else:
        say(f"Making the benchmark database {DATABASE}")
        recreate_database(url)
        manage("migrate", "--noinput", "-v0", env=env)
        seed_seconds = manage("seed_bench", "--scale", SCALE, env=env)
        vacuum(url)
    manage("collectstatic", "--noinput", "-v0", env=env)

    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "reviewapp.settings"
    import django

    django.setup()
    from evidence.models import Evidence, InformationRequest
    from pathways.models import Claim, Report, User
    from reviewapp.bench_data import PERSONAS
    from reviewapp.models import Comment, Notification

    counts = {
        "reports": Report.objects.count(),
        "claims": Claim.objects.count(),
        "evidence items": Evidence.objects.count(),
        "comments": Comment.objects.count(),
        "information requests": InformationRequest.objects.count(),
        "notifications": Notification.objects.count(),
        "people": User.objects.count(),
    }
    users = {
        "author": User.objects.get(username=PERSONAS["author"]),
        "external reviewer": User.objects.get(username=PERSONAS["external"]),
        "team member": User.objects.get(username=PERSONAS["team"]),
    }
    cookies = sign_in(users)
    pages = page_shapes(users)
    if os.environ.get("BENCH_ONLY"):  # labels, comma-separated: a quicker run of some pages
        wanted = {label.strip() for label in os.environ["BENCH_ONLY"].split(",")}
        pages = [page for page in pages if page.label in wanted]
    say(f"Profiling {len(pages)} pages in process")
    profile(pages, cookies)
    for page in pages:
        if page.status != 200:
            say(f"  {page.persona}: {page.label} answered {page.status} ({page.url})")

    say("Serving with gunicorn")
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "reviewapp.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for_server(server)
        for warm in ("/accounts/login/", "/healthz"):
            load(warm, seconds=1)
        baseline = {"login": [load("/accounts/login/")], "healthz": [load("/healthz")]}
        say(f"  login page: {baseline['login'][0]['rps']:.0f} requests/s")
        for index, page in enumerate(pages):
            if index == len(pages) // 2:
                baseline["login"].append(load("/accounts/login/"))
            load(page.url, cookie=cookies[page.persona], htmx=page.htmx, seconds=1)  # warm: caches, connections
            result = load(page.url, cookie=cookies[page.persona], htmx=page.htmx)
            page.requests_per_second, page.p50_ms, page.p95_ms = result["rps"], result["p50"], result["p95"]
            page.errors = result["errors"]
            say(f"  {page.persona}: {page.label}: {result['rps']:.0f} requests/s, p95 {result['p95']:.1f} ms")
        baseline["login"].append(load("/accounts/login/"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    say("Timing the import of 1,000 claims and the internal PDF export")
    timings = {"import": time_import(env), "pdf": time_pdf_export()}
    all_within = write_report(pages, baseline, timings, seed_seconds, counts)
    say(f"Wrote {OUTPUT.relative_to(BASE_DIR) if OUTPUT.is_relative_to(BASE_DIR) else OUTPUT}")
    if os.environ.get("BENCH_KEEP") != "1":
        from django.db import connections

        connections.close_all()
        drop_database(url)
    if not all_within:
        say("Some budgets do not hold: see the table.")
        sys.exit(2)


if __name__ == "__main__":
    main()
