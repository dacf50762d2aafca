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

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The benchmark's other modules sit beside this one: on the path when this runs as a script,
# and put there when it is loaded by its path (tests/reviewapp/test_seed_bench.py).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_config import BASE_DIR, DATABASE, OUTPUT, PORT, PYTHON, SCALE, fail, say
from bench_load import load, time_import, time_pdf_export, wait_for_server
from bench_pages import Page, page_shapes, profile, sign_in
from bench_report import write_report

__all__ = ["Page", "page_shapes"]


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
