"""Email backends for the integration tests (tests/integration), which run a real worker in
another process and must count its emails exactly and make its sending slow or failing.

`ControlledFileBackend` is Django's file backend (configured through `MAILERS` OPTIONS)
with three differences:

- each message is written to a file of its own, complete or not at all (written aside,
  then renamed), so the number of `*.eml` files is the number of emails sent;
- every attempt to send appends a line to `<control_dir>/attempts` (time, pid, recipients)
  before anything else, so a test can see retries and their spacing;
- two control files steer it: while `<control_dir>/block` exists a send waits (after
  creating `<control_dir>/blocked`), so a test can kill the worker in the middle of it; and
  `<control_dir>/fail_first` holding N makes the first N attempts fail the way a mail
  server that hangs up does (`smtplib.SMTPServerDisconnected`).
"""

import fcntl
import os
import smtplib
import time
import uuid
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

BLOCK_LIMIT_SECONDS = 120  # a forgotten block file must not hang a worker for ever


class ControlledFileBackend(FileBackend):
    def __init__(self, *args, control_dir: str, **kwargs):
        self.control_dir = Path(control_dir)
        self.control_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)

    def open(self):
        return False  # a file per message, opened in send_messages

    def close(self):
        pass

    def _attempt(self, messages) -> int:
        """Record this attempt; returns its number (1 for the first)."""
        recipients = ",".join(address for message in messages for address in message.recipients())
        with open(self.control_dir / "attempts", "a+") as attempts:
            fcntl.flock(attempts, fcntl.LOCK_EX)
            attempts.seek(0)
            number = sum(1 for _ in attempts) + 1
            attempts.write(f"{time.time():.3f} {os.getpid()} {recipients}\n")
            attempts.flush()
        return number

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        number = self._attempt(email_messages)
        fail_first = self.control_dir / "fail_first"
        if fail_first.exists() and number <= int(fail_first.read_text() or 0):
            raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed (attempt {number})")
        block = self.control_dir / "block"
        if block.exists():
            (self.control_dir / "blocked").write_text(str(os.getpid()))
            deadline = time.monotonic() + BLOCK_LIMIT_SECONDS
            while block.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        for message in email_messages:
            name = uuid.uuid4().hex
            aside = Path(self.file_path) / f".{name}.tmp"
            aside.write_bytes(message.message().as_bytes())
            os.replace(aside, Path(self.file_path) / f"{name}.eml")
        return len(email_messages)
