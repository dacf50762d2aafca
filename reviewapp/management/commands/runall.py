"""`manage.py runall [ADDRPORT]`: the web server, a Celery worker and the scheduler
(Celery beat) in one command, for `make run`. Their output is interleaved, each line marked
with its source; Ctrl-C (or SIGTERM) stops all three, and if one of them dies the others
are stopped too, so nothing is left running half-way."""

import os
import selectors
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and the scheduler together (Ctrl-C stops all three)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="where the web server listens")
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")

    def handle(self, *args, addrport, concurrency, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        celery = [python, "-m", "celery", "-A", "reviewapp"]
        commands = {
            "web": [python, manage, "runserver", "--noreload", addrport],
            "worker": [*celery, "worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--without-gossip"],
            "beat": [*celery, "beat", "--loglevel=INFO", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"],
        }
        os.makedirs(os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME), exist_ok=True)
        for folder in getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).values():
            if isinstance(folder, str) and folder.startswith("/"):
                os.makedirs(folder, exist_ok=True)
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes = {}
        try:
            for name, command in commands.items():
                processes[name] = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment, start_new_session=True
                )
        except OSError as error:
            self._stop(processes)
            raise CommandError(f"could not start {name}: {error}") from error

        stopping = {"signal": None}

        def on_signal(signum, frame):
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        self.stdout.write(f"runall: web (http://{addrport}/), worker and scheduler started; Ctrl-C stops them")
        exit_code = self._pump(processes, stopping)
        self._stop(processes)
        if exit_code:
            raise CommandError("one of web, worker or scheduler stopped; the others were stopped too")

    def _pump(self, processes: dict, stopping: dict) -> int:
        """Copy each process's output, line by line with its name, until a signal arrives
        or one of them exits. Returns 0 for a requested stop, 1 when a process died."""
        selector = selectors.DefaultSelector()
        for name, process in processes.items():
            os.set_blocking(process.stdout.fileno(), False)
            selector.register(process.stdout, selectors.EVENT_READ, name)
        partial = dict.fromkeys(processes, b"")
        width = max(len(name) for name in processes)
        while stopping["signal"] is None:
            for key, _ in selector.select(timeout=0.5):
                chunk = key.fileobj.read() or b""
                lines = (partial[key.data] + chunk).split(b"\n")
                partial[key.data] = lines.pop()
                for line in lines:
                    self.stdout.write(f"{key.data:>{width}} | {line.decode('utf-8', 'replace')}")
                self.stdout.flush()
            dead = [name for name, process in processes.items() if process.poll() is not None]
            if dead:
                self.stderr.write(f"runall: {', '.join(dead)} exited; stopping the rest")
                return 1
        return 0

    def _stop(self, processes: dict) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
