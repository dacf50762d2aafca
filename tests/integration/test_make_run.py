"""`make run` starts web, worker and scheduler, and an overdue request's reminder reaches the
owning team in the console mail output; Ctrl-C stops all three.

The test runs the real `make run` against this run's test database, with the broker that
needs no server (files in a folder of the test's own) and reminders every 2 seconds
instead of daily. It "moves the clock" by setting a filed request's due date to yesterday.
"""

import contextlib
import datetime
import email
import os
import re
import signal
import urllib.request
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.utils import timezone

from evidence.models import InformationRequest
from pathways.models import Claim, Report, Team, User
from reviewapp.services.requests import request_file
from tests.integration.conftest import (
    REPO,
    broker_in_test_process,
    database_url_for_workers,
    free_port,
    popen_logged,
    port_is_free,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEMO_SLUG = "pilot-sabotage-2026"
SEPARATOR = "-" * 79
LEAVE_ALONE = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_", "TASK_", "OUTBOX_", "REMINDER_", "MAKE", "MFLAGS")


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, start time, state) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (command) "
        table[int(entry.name)] = (int(fields[1]), fields[19], fields[0])
    return table


def _descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process below `root`; the start time tells a reused pid apart."""
    table = _process_table()
    found, frontier = set(), {root}
    while frontier:
        children = {pid for pid, (parent, _, _) in table.items() if parent in frontier}
        found |= {(pid, table[pid][1]) for pid in children}
        frontier = children
    return found


def _alive(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    table = _process_table()
    return {
        (pid, start) for pid, start in processes if pid in table and table[pid][1] == start and table[pid][2] != "Z"
    }


def _lines_of(output: str, source: str) -> str:
    """The lines `runall` copied from one of web, worker or beat, without its `name | ` mark."""
    mark = re.compile(rf"^\s*{source} \| ?(.*)$")
    return "\n".join(match.group(1) for line in output.splitlines() if (match := mark.match(line)))


LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \w+ celery\.redirected ")


def _console_emails(output: str) -> list:
    """The emails Django's console backend printed in the worker's output. Each message is
    one write, but its closing line of dashes is another, so with two pool processes
    sending at once, one message can start before the other's dashes: a message ends at
    its dashes or where the next one starts."""
    messages, current = [], None
    for logged in _lines_of(output, "worker").splitlines():
        line = LOG_PREFIX.sub("", logged)  # what the worker printed reaches the log as a record
        if line.startswith("Content-Type: "):
            if current:
                messages.append(current)
            current = [line]
        elif line == SEPARATOR:
            if current:
                messages.append(current)
            current = None
        elif current is not None:
            current.append(line)
    if current:  # the last one, whose dashes may not be written yet
        messages.append(current)
    return [email.message_from_string("\n".join(lines), policy=default_policy) for lines in messages]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def make_run(integration_dir, transactional_db):
    """`make run` in its own process group; killed with everything it started at teardown."""
    port = free_port()
    celery_dir = integration_dir / "celery"
    env = {key: value for key, value in os.environ.items() if not key.startswith(LEAVE_ALONE)}
    env |= {
        "DATABASE_URL": database_url_for_workers(),
        "CELERY_FILESYSTEM_DIR": str(celery_dir),
        "CELERY_BEAT_SCHEDULE_FILE": str(integration_dir / "beat" / "schedule"),
        "REMINDER_INTERVAL_SECONDS": "2",
        "OUTBOX_SWEEP_SECONDS": "2",
        "DEBUG": "1",
        "EMAIL_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    log = integration_dir / "make-run.log"
    process = popen_logged(
        ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"], log=log, cwd=REPO, env=env
    )
    run = type("MakeRun", (), {})()
    run.process, run.port, run.celery_dir, run.started = process, port, celery_dir, set()
    run.output = lambda: log.read_text(errors="replace")
    yield run
    for pid, _ in _alive(run.started | _descendants(process.pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # runall starts web, worker and beat in sessions of their own
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_make_run_starts_web_worker_and_scheduler_and_an_overdue_request_is_emailed_to_the_team(make_run):
    def describe():
        output = make_run.output()
        notable = re.compile(r"Subject:|To:|overdue': [1-9]|Error|Traceback|WARNING|outbox|failed")
        lines = [line for line in output.splitlines() if notable.search(line)]
        return "\n".join(["...", *lines[-150:], "----- the end of the output -----", output[-4000:]])

    def started_or_exited() -> bool:
        output = make_run.output()
        started = " ready." in _lines_of(output, "worker") and "beat: Starting" in _lines_of(output, "beat")
        return started or make_run.process.poll() is not None

    wait_for(started_or_exited, timeout=120, describe=describe)
    assert make_run.process.poll() is None, describe()
    wait_for(lambda: _healthy(make_run.port), timeout=30, describe=describe)
    make_run.started = _descendants(make_run.process.pid)
    assert len(make_run.started) >= 5, make_run.started  # runall, web, worker (and its pool), beat

    report = Report.objects.get(slug=DEMO_SLUG)
    security = Team.objects.get(slug="security")
    members = set(security.members.values_list("email", flat=True))
    assert members == {"tom@example.org"}
    claim = Claim.objects.filter(report=report, owner_team=security).order_by("pk").first()
    queue = make_run.celery_dir / "queue"
    transport_options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(make_run.celery_dir / "control"),
        "store_processed": False,
    }
    with broker_in_test_process("filesystem://", transport_options):
        information_request = request_file(
            report=report,
            requester=User.objects.get(username="bob"),
            subject=claim,
            team=security,
            title="Second-person review of monitor changes",
            question="Who approved the last three changes to the monitor code?",
            due_date=timezone.localdate() + datetime.timedelta(days=5),
        )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    InformationRequest.objects.filter(pk=information_request.pk).update(due_date=yesterday)

    def overdue_to_the_team():
        return [
            message
            for message in _console_emails(make_run.output())
            if str(message["Subject"]).startswith(f"[Risk Report Review] Overdue since {yesterday:%-d %B %Y}")
            and "Second-person review" in str(message["Subject"])
            and set(message["To"].addresses[0].addr_spec.split()) & members
        ]

    wait_for(overdue_to_the_team, timeout=60, describe=describe)

    # A reminder is sent once per request and due date, however often the reminders run:
    # three more runs that find nothing new, and it is still one email.
    def quiet_reminder_runs() -> int:
        pattern = r"request_reminders\[[0-9a-f-]+\] succeeded in [0-9.]+s: "
        pattern += r"\{'due_soon': 0, 'overdue': 0, 'roadmap_due_soon': 0, 'roadmap_overdue': 0\}"
        return len(re.findall(pattern, _lines_of(make_run.output(), "worker")))

    before = quiet_reminder_runs()
    wait_for(lambda: quiet_reminder_runs() >= before + 3, timeout=60, describe=describe)
    assert len(overdue_to_the_team()) == 1

    os.killpg(make_run.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    wait_for(lambda: make_run.process.poll() is not None, timeout=30, describe=describe)
    left = lambda: _alive(make_run.started)  # noqa: E731
    wait_for(lambda: not left(), timeout=15, describe=lambda: f"left running: {left()}")
    assert port_is_free(make_run.port)
